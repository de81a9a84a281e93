"""The bad-input catalogue: each kind of bad input, what the pipeline does with it, checked on a real run.

Every case names the input, the source it enters through, how it is produced (a function that writes
the damaged file into a scratch ``DATA_DIR`` made from small demo data, or that sets up the API or
database fault), the outcome it must get and a check on the real result:

- ``quarantine``: the row lands raw and dbt staging flags it; a ``qrt_*`` model holds it with the reason;
- ``rejected``: the ingestion could not store it as data; ``rejected_records`` holds it with the reason;
- ``error``: the source fails with one ``ERROR <source>: ...`` line naming the problem and the fix;
- ``accepted``: valid by design (the case says where the unusual part is kept).

Every case also checks that the output has no Python traceback and, for file inputs, that no row is
silently lost: the file's input rows = valid + quarantined + rejected.

File and OLTP cases share the work: one scratch DATA_DIR, a first ingest of the clean demo data, all
damages injected at once, a second ingest, one ``dbt run`` of staging and quarantine; each case then
checks its own rows (file names are unique per case). API and database-down cases run one source alone.

``python -m tools.reliability.bad_inputs [--json out.json]`` prints the table; exit 1 on any FAIL.
"""

from __future__ import annotations

from .cases import CASES, DBT_SELECT, SHARED_SOURCES
from .runner import check_shared, format_markdown, main, prepare_shared, run_alone, run_catalogue
from .scratch import OUTCOMES, Case, CaseResult, Observed, Scratch

__all__ = [
    "CASES",
    "DBT_SELECT",
    "OUTCOMES",
    "SHARED_SOURCES",
    "Case",
    "CaseResult",
    "Observed",
    "Scratch",
    "check_shared",
    "format_markdown",
    "main",
    "prepare_shared",
    "run_alone",
    "run_catalogue",
]
