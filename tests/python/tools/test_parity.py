"""tools.parity: the comparison rules on their own, on hand-made rows.

The end to end run (the demo data built on DuckDB and PostgreSQL, every mart compared) is `make parity`,
a step of `.ci/run` of its own: two dbt builds take about 2.5 minutes on 2 cores, over `make test`'s
budget.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
if str(REPO) not in sys.path:  # `pytest` run without `python -m` (which puts the repo first)
    sys.path.insert(0, str(REPO))

from tools import parity  # noqa: E402

COLUMNS = ["key", "amount", "ratio", "score", "at"]


def _rows(*rows: tuple) -> list[tuple]:
    return parity.normalise_rows(rows)


def _compare(left: list[tuple], right: list[tuple]) -> list[str]:
    return parity.compare_rows(_rows(*left), _rows(*right), COLUMNS, quotients=frozenset({"ratio"}))


def test_equal_tables_in_another_row_order_and_representation_are_equal() -> None:
    at = datetime(2025, 1, 2, 3, 4, 5, 123456)
    duck = [
        (1, Decimal("12.50"), Decimal("0.3333"), 0.1 + 0.2, at),
        (2, None, None, None, None),
    ]
    postgres = [
        (2, None, None, None, None),
        (1, Decimal("12.5"), Decimal("0.3333"), 0.3, at.replace(tzinfo=UTC)),
    ]
    assert _compare(duck, postgres) == []


def test_money_differs_by_a_cent() -> None:
    problems = _compare([(1, Decimal("12.50"), None, None, None)], [(1, Decimal("12.51"), None, None, None)])
    assert problems == ["row 1: amount: Decimal('12.50') vs Decimal('12.51')"]


def test_a_quotient_may_differ_by_one_unit_of_its_last_place_but_not_two() -> None:
    assert _compare([(1, None, Decimal("21.6262"), None, None)], [(1, None, Decimal("21.6263"), None, None)]) == []
    assert _compare([(1, None, Decimal("116.63"), None, None)], [(1, None, Decimal("116.64"), None, None)]) == []
    assert _compare([(1, None, Decimal("21.6262"), None, None)], [(1, None, Decimal("21.6264"), None, None)])
    # money that is not a quotient: exact, also at 4 places
    assert _compare([(1, Decimal("1.0001"), None, None, None)], [(1, Decimal("1.0002"), None, None, None)])


def test_quotient_columns_are_found_in_the_marts_sql() -> None:
    sql = (REPO / "models/marts/customers/rpt_cohort_retention_monthly.sql").read_text()
    assert set(parity.QUOTIENT.findall(sql)) == {"retention_rate", "cumulative_net_revenue_per_customer_usd"}


def test_floats_within_the_tolerance_only() -> None:
    assert _compare([(1, None, None, 1.0, None)], [(1, None, None, 1.0 + 1e-12, None)]) == []
    assert _compare([(1, None, None, 1.0, None)], [(1, None, None, 1.0001, None)])


def test_timestamps_to_the_microsecond_and_null_only_equals_null() -> None:
    at = datetime(2025, 1, 2, 3, 4, 5, 123456)
    assert _compare([(1, None, None, None, at)], [(1, None, None, None, at.replace(microsecond=123457))])
    assert _compare([(1, None, None, None, at)], [(1, None, None, None, None)])


def test_a_missing_row_is_a_difference() -> None:
    problems = _compare([(1, None, None, None, None), (2, None, None, None, None)], [(1, None, None, None, None)])
    assert problems and problems[0] == "2 rows vs 1"


def test_a_difference_of_the_full_build_stays_one_after_the_incremental_build() -> None:
    full = [
        parity.MartResult("fct_orders", problems=["spark: row 3: amount: 1.00 vs 1.01"]),
        parity.MartResult("dim_date"),
        parity.MartResult("fct_gone", problems=["spark: missing"]),
    ]
    incremental = [parity.MartResult("fct_orders"), parity.MartResult("dim_date")]

    results = {result.name: result for result in parity.carry_over(full, incremental)}

    assert results["fct_orders"].problems == ["(the full build differed) spark: row 3: amount: 1.00 vs 1.01"]
    assert results["dim_date"].equal
    assert not results["fct_gone"].equal


def test_the_audit_marts_of_a_merge_and_an_append_target_compare_as_delivered_rows() -> None:
    columns = ["table_name", "rows_extracted", "rows_landed", "rows_superseded", "audit_status"]
    merged = [("orders", 7, 0, 7, "superseded"), ("orders", 9, 9, 0, "ok")]  # DuckDB: a later load replaced 7
    appended = [("orders", 7, 7, 0, "ok"), ("orders", 9, 9, 0, "ok")]  # Spark: all versions still in raw
    lost = [("orders", 7, 6, 0, "ok"), ("orders", 9, 9, 0, "ok")]  # a row really missing

    def rows(table: list[tuple], as_merged: bool) -> tuple[list[str], list[tuple]]:
        return parity._comparable("rpt_load_audit", columns, table, as_merged)

    assert rows(merged, True) == rows(appended, True)
    assert rows(merged, True) != rows(lost, True)
    assert rows(merged, False) != rows(appended, False)  # two merge targets are compared as they are
    assert parity.RAW_KEEPS["spark"] != parity.RAW_KEEPS["dev"] == parity.RAW_KEEPS["postgres"]


def test_the_reconciliation_of_an_append_target_counts_the_newest_version_only() -> None:
    columns = ["table_name", "rows_in_raw", "rows_superseded_in_raw", "rows_unexplained_in_staging"]
    merged = [("customers", 141, 0, 0)]
    appended = [("customers", 169, 28, 0)]

    assert parity._comparable("rpt_source_reconciliation", columns, merged, True) == parity._comparable(
        "rpt_source_reconciliation", columns, appended, True
    )
    assert parity._comparable("rpt_source_reconciliation", columns, [("customers", 169, 27, 0)], True) != (
        parity._comparable("rpt_source_reconciliation", columns, merged, True)
    )
