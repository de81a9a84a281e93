"""Reliability checks that back the README's reliability section.

- ``crash``: kill ``python -m ingestion`` / ``dbt build`` with SIGKILL at random points, re-run, compare.
- ``bad_inputs``: the bad-input catalogue: each input, what the pipeline does with it.
- ``__main__``: ``python -m tools.reliability`` (``make reliability``) runs both and prints the summary.
"""
