"""Idempotency: re-running `dbt build` and the ingest with nothing new leaves identical tables.

On copies of the session warehouse (conftest.py keeps a copy of each stage), every table and view
of every schema (raw dlt datasets, staging, quarantine, intermediate, marts, snapshots, seeds) is
hashed by content: row count and the sum of a hash of every row (order-independent,
duplicate-sensitive). Then:

1. `dbt build` twice: every relation is identical, column for column (the snapshot gains no
   version, the incremental facts and their bases are unchanged).
2. ingest twice (nothing new in the sources), then `dbt build`: every relation has the same content.
   dlt's load metadata changes only where the design re-reads data on purpose, and exactly there:
   - the OLTP source re-reads rows whose cursor lies within ``cursor_lag_seconds`` of the last
     maximum (rows committed late with an older ``updated_at``) and merges them on the primary key;
     the ad platform re-reads the last ``lookback_days`` of daily metrics (restated by the platform)
     and all campaigns (no cursor). These rows are rewritten with the same values and a new
     ``_dlt_load_id`` (and ``_dlt_id``); every other raw row keeps its load id.
   - the file sources (documents, events, weblogs, lake) load nothing: their tables are identical
     including ``_dlt_load_id``.
   - dlt's bookkeeping tables gain exactly: one ``_dlt_loads`` row (status 0) per run for the two
     sources that re-read an overlap; one ``_dlt_pipeline_state`` row for them on the first re-run
     only (dlt records each incremental's ``start_value``, stable from then on); one
     ``_dlt_version`` row for ``oltp`` on the first re-run only (its tables switch from the first
     load's append to merge).
   - the ingestion's audit table ``_ingest_audit`` gains one row per table re-read (it records each
     load's extract counts); the audit models built on it (``stg_audit__*``,
     ``int_table_loads_classified``, ``rpt_load_audit``, ``rpt_source_reconciliation``) describe the loads,
     so they gain those loads' rows, and every load still reconciles (nothing unexplained).
   - ``stg_audit__schema_columns`` (the columns of every ``_dlt_version``) gains the new ``oltp``
     version's columns, which are exactly the previous version's: the switch to merge changes no
     column, so ``mon_schema_changes`` (compared like every other model) sees no schema change.
   dlt's merge staging datasets (``<dataset>_staging``) are its scratch space and are not compared.
"""

from __future__ import annotations

import sys
import tomllib
from typing import Any

from warehouse_helpers import REPO, Warehouse

if str(REPO) not in sys.path:  # `pytest` run without `python -m` (which puts the repo first)
    sys.path.insert(0, str(REPO))

from tools.reliability.hashing import BOOKKEEPING as DLT_BOOKKEEPING  # noqa: E402
from tools.reliability.hashing import LOAD_COLUMNS, Hashes, content_hashes  # noqa: E402
from tools.reliability.hashing import differences as _differences  # noqa: E402
from tools.reliability.hashing import dlt_datasets as _dlt_datasets  # noqa: E402
from tools.reliability.hashing import quoted as _quoted  # noqa: E402
from tools.reliability.hashing import relations as _relations  # noqa: E402

BOOKKEEPING = (*DLT_BOOKKEEPING, "_ingest_audit")
"""dlt's own tables and the ingestion's audit table in every dataset: they record each run, so they may grow
(by exactly what is asserted)."""
LOAD_AUDIT_MODELS = (
    "staging.stg_audit__extract_counts",
    "staging.stg_audit__loads",
    "staging.stg_audit__raw_row_counts",
    "intermediate.int_table_loads_classified",
    "marts.rpt_load_audit",
    "marts.rpt_source_reconciliation",
)
"""The audit trail's models: one row per load (or per table with its load counts), so new loads add rows."""
SCHEMA_COLUMNS = "staging.stg_audit__schema_columns"
"""The columns of every stored dlt schema version: a new ``_dlt_version`` row adds its columns (checked apart)."""
OVERLAP_SOURCES = ("oltp", "adplatform")
"""Sources that re-read a window of already loaded rows on every run, by design."""

EXPECTED_BOOKKEEPING_GAINS: dict[int, dict[str, tuple[int, int, int]]] = {
    # re-run -> dataset -> rows gained by (_dlt_loads, _dlt_pipeline_state, _dlt_version, _ingest_audit);
    # others gain none. The audit gains a row per table re-read: the 9 shop tables, the 2 ad platform ones.
    1: {"oltp": (1, 1, 1, 9), "adplatform": (1, 1, 0, 2)},
    2: {"oltp": (1, 0, 0, 9), "adplatform": (1, 0, 0, 2)},
}


def _config() -> dict[str, Any]:
    return tomllib.loads((REPO / ".dlt" / "config.toml").read_text())


def _bookkeeping(warehouse: Warehouse) -> dict[str, dict[str, int]]:
    """Rows in each of dlt's bookkeeping tables, per dataset."""
    return {
        dataset: {table: warehouse.one(f'select count(*) from "{dataset}"."{table}"') for table in BOOKKEEPING}
        for dataset in _dlt_datasets(warehouse)
    }


def _newest_load_id(warehouse: Warehouse, dataset: str) -> str:
    return str(warehouse.one(f'select max(load_id) from "{dataset}"."_dlt_loads"'))


def _overlap_windows(warehouse: Warehouse) -> dict[str, str]:
    """Per raw table of the overlap sources: the rows an ingest re-reads by design (a SQL condition)."""
    config = _config()["sources"]
    lag_seconds = int(config["oltp"]["cursor_lag_seconds"])
    cursors = config["oltp"]["cursor_columns"]
    lookback_days = int(config["adplatform"]["lookback_days"])
    windows: dict[str, str] = {}
    for relation, columns in _relations(warehouse).items():
        schema, table = relation.split(".", 1)
        if schema != "oltp" or table in BOOKKEEPING:
            continue
        cursor = next((name for name in cursors if name in columns), None)
        # a table without a cursor is replaced, so every row is rewritten
        windows[relation] = (
            f'"{cursor}" is null or "{cursor}" >= '
            f'(select max("{cursor}") from {_quoted(relation)}) - interval {lag_seconds} second'
            if cursor
            else "true"
        )
    windows["adplatform.campaigns"] = "true"  # no cursor: merged in full every run
    windows["adplatform.daily_metrics"] = (
        f"cast(date as date) >= (select max(cast(date as date)) from adplatform.daily_metrics) - {lookback_days}"
    )
    return windows


def _content_hashes(warehouse: Warehouse, *, without_load_columns: bool, where: dict[str, str] | None = None) -> Hashes:
    """Content hashes (``tools.reliability.hashing``) of every relation but the bookkeeping tables."""
    return content_hashes(warehouse, without_load_columns=without_load_columns, where=where, skip_tables=BOOKKEEPING)


def _without_load_audit(hashes: Hashes) -> Hashes:
    """The hashes without the audit trail's models, which gain a row per new load by design."""
    return {
        relation: value
        for relation, value in hashes.items()
        if relation not in LOAD_AUDIT_MODELS and relation != SCHEMA_COLUMNS
    }


def _schema_versions(warehouse: Warehouse) -> dict[tuple[str, str], set[tuple[str, str, str]]]:
    """Per (dataset, schema version hash): its (table, column, data type) rows in stg_audit__schema_columns."""
    versions: dict[tuple[str, str], set[tuple[str, str, str]]] = {}
    for source, version, table, column, data_type in warehouse.rows(
        f"select source_name, version_hash, table_name, column_name, data_type from {SCHEMA_COLUMNS}"
    ):
        versions.setdefault((source, version), set()).add((table, column, data_type))
    return versions


def _assert_new_schema_versions_change_no_column(before: Warehouse, after: Warehouse) -> None:
    """Versions stored before are unchanged; each one stored since has the columns of its dataset's newest before."""
    old, new = _schema_versions(before), _schema_versions(after)
    assert {key: new.get(key) for key in old} == old, "a stored schema version's columns changed"
    newest = dict(
        before.rows(
            f"select source_name, max_by(version_hash, schema_version) from {SCHEMA_COLUMNS} group by source_name"
        )
    )
    added = {key for key in new if key not in old}
    assert {source for source, _ in added} == {"oltp"}, f"new schema versions: {sorted(added)}"
    for source, version in added:
        assert new[(source, version)] == old[(source, newest[source])], f"{source} version {version} changed columns"


def _assert_reloaded_rows_are_the_windows(warehouse: Warehouse, windows: dict[str, str]) -> None:
    """The rows carrying the newest load id of an overlap source are exactly its re-read window."""
    for relation, window in windows.items():
        newest = _newest_load_id(warehouse, relation.split(".", 1)[0])
        mismatched, rewritten = warehouse.rows(
            f"select count(*) filter (where (_dlt_load_id = '{newest}') is distinct from ({window})), "
            f"count(*) filter (where _dlt_load_id = '{newest}') from {_quoted(relation)}"
        )[0]
        assert mismatched == 0, f"{relation}: {mismatched} rows rewritten outside (or missed inside) {window}"
        assert rewritten > 0, f"{relation}: the re-run rewrote nothing, so the window check proves nothing"


def test_dbt_build_twice_leaves_identical_tables(
    built_warehouse: Warehouse, rebuilt_warehouse: Warehouse, rebuilt_twice_warehouse: Warehouse
) -> None:
    # each stage is a copy of the one before after one more `dbt build` (conftest.py)
    first = _content_hashes(built_warehouse, without_load_columns=False)
    assert any(relation.startswith("snapshots.") for relation in first)
    assert any(relation.startswith("marts.") for relation in first)

    for run, warehouse in ((1, rebuilt_warehouse), (2, rebuilt_twice_warehouse)):
        after = _content_hashes(warehouse, without_load_columns=False)
        assert after == first, f"dbt build #{run} changed: " + "; ".join(_differences(first, after))


def test_ingest_twice_then_build_leaves_identical_tables(
    built_warehouse: Warehouse,
    reingested_warehouse: Warehouse,
    reingested_twice_warehouse: Warehouse,
    reingested_twice_rebuilt_warehouse: Warehouse,
) -> None:
    # each stage is a copy of the one before after one more ingest, then `dbt build` (conftest.py)
    warehouse = built_warehouse
    windows = _overlap_windows(warehouse)
    outside = {relation: f"not ({window})" for relation, window in windows.items()}
    content = _without_load_audit(_content_hashes(warehouse, without_load_columns=True))
    untouched = _without_load_audit(_content_hashes(warehouse, without_load_columns=False, where=outside))
    # staging views pass the raw rows' load id through: they show the rewritten rows' new load ids
    passes_load_ids = {
        relation
        for relation, columns in _relations(warehouse).items()
        if relation.startswith("staging.")
        and any(f"_{source}__" in relation for source in OVERLAP_SOURCES)
        and any(column in LOAD_COLUMNS for column in columns)
    }
    books = _bookkeeping(warehouse)
    loads = {dataset: _newest_load_id(warehouse, dataset) for dataset in books}

    for run, warehouse in ((1, reingested_warehouse), (2, reingested_twice_warehouse)):
        books_after = _bookkeeping(warehouse)
        gains = {
            dataset: tuple(books_after[dataset][table] - books[dataset][table] for table in BOOKKEEPING)
            for dataset in books
        }
        expected = {dataset: EXPECTED_BOOKKEEPING_GAINS[run].get(dataset, (0, 0, 0, 0)) for dataset in books}
        assert gains == expected, f"ingest #{run}: dlt bookkeeping gained {gains}, expected {expected}"
        failed = warehouse.rows(
            " union all ".join(
                f"select '{dataset}', load_id from \"{dataset}\"._dlt_loads where load_id > '{loads[dataset]}' "
                "and status <> 0"
                for dataset in books
            )
        )
        assert not failed, f"ingest #{run}: unfinished loads {failed}"
        books = books_after
        loads = {dataset: _newest_load_id(warehouse, dataset) for dataset in books}

        after = _without_load_audit(_content_hashes(warehouse, without_load_columns=True))
        assert after == content, f"ingest #{run} changed content: " + "; ".join(_differences(content, after))
        strict = _without_load_audit(_content_hashes(warehouse, without_load_columns=False, where=outside))
        changed = [line for line in _differences(untouched, strict) if line.split(":")[0] not in passes_load_ids]
        assert not changed, f"ingest #{run} rewrote rows outside the re-read windows: " + "; ".join(changed)
        _assert_reloaded_rows_are_the_windows(warehouse, windows)

    warehouse = reingested_twice_rebuilt_warehouse
    after = _without_load_audit(_content_hashes(warehouse, without_load_columns=True))
    assert after == content, "dbt build after the re-ingests changed: " + "; ".join(_differences(content, after))
    _assert_new_schema_versions_change_no_column(built_warehouse, warehouse)
    unexplained = warehouse.one("select sum(rows_unexplained) from marts.rpt_source_reconciliation")
    assert unexplained == 0, f"the re-ingested loads do not reconcile: {unexplained} rows unexplained"
    loads_audited = warehouse.one("select count(distinct load_id) from marts.rpt_load_audit")
    assert loads_audited == sum(warehouse.one(f'select count(*) from "{d}"._dlt_loads') for d in books)
    # no model downstream of staging carries the overlap sources' load ids: marts, snapshots and
    # incremental tables are identical column for column, and so are the raw rows outside the windows
    strict = _without_load_audit(_content_hashes(warehouse, without_load_columns=False, where=outside))
    changed = [line for line in _differences(untouched, strict) if line.split(":")[0] not in passes_load_ids]
    assert not changed, "dbt build after the re-ingests changed: " + "; ".join(changed)
