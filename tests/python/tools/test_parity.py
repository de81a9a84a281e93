"""tools.parity: the comparison rules on their own, then the same project on DuckDB and PostgreSQL.

The end-to-end tests build tiny demo data (SCALE 0.02, 5 days) on both engines: one shows every mart
equal; one breaks a dispatched ``postgres__`` macro in a copy of the project and shows parity failing
(exit 1, the mart named). Both are slow (each is two dbt builds: about 3 minutes on 2 cores).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

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


def _project_copy(tmp_path: Path) -> Path:
    """The dbt project alone (no .venv, data or artifacts), to edit without touching the checkout."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy2(REPO / name, project / name)
    for name in ("models", "macros", "seeds", "snapshots", "analyses", "tests"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, project / name, ignore=shutil.ignore_patterns("python", "__pycache__"))
    return project


def _run_parity(tmp_path: Path, postgres_url: str, project: Path = REPO, *extra: str) -> subprocess.CompletedProcess:
    dbname = make_url(postgres_url).database
    cmd = [
        sys.executable,
        "-m",
        "tools.parity",
        "--data-dir",
        str(tmp_path / "data"),
        "--scale",
        "0.02",
        "--days",
        "5",
        "--targets",
        "dev",
        "postgres",
        "--postgres-dbname",
        dbname,
        "--project-dir",
        str(project),
        *extra,
    ]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False, timeout=1200)


def _mart_line(stdout: str, mart: str) -> list[str]:
    return next(line for line in stdout.splitlines() if line.startswith(mart + " ")).split()


@pytest.mark.slow
def test_parity_on_duckdb_and_postgres_and_a_changed_cent_fails_it(tmp_path: Path, postgres_url: str) -> None:
    completed = _run_parity(tmp_path, postgres_url, REPO, "--keep-database")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "PARITY: every mart equal on dev, postgres" in completed.stdout
    for mart in ("fct_orders", "mrt_customer_features", "rpt_daily_revenue_cube", "fct_events"):
        assert _mart_line(completed.stdout, mart)[-1] == "yes", completed.stdout

    # one order's amount a cent off on PostgreSQL: the comparison names the mart, the row and the column
    import psycopg2

    url = make_url(postgres_url)
    connection = psycopg2.connect(host=url.host, port=url.port, user=url.username, dbname=url.database)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(
                "update marts.fct_orders set net_amount_usd = net_amount_usd + 0.01"
                " where order_id = (select min(order_id) from marts.fct_orders)"
            )
            assert cursor.rowcount == 1
    finally:
        connection.close()
    completed = _run_parity(tmp_path, postgres_url, REPO, "--compare-only")
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert _mart_line(completed.stdout, "fct_orders")[-1] == "NO"
    assert "net_amount_usd" in completed.stdout
    assert _mart_line(completed.stdout, "dim_customers")[-1] == "yes"
    assert "PARITY FAILED: 1 mart(s) differ" in completed.stdout


@pytest.mark.slow
def test_parity_fails_when_a_dispatched_macro_is_broken(tmp_path: Path, postgres_url: str) -> None:
    project = _project_copy(tmp_path)
    json_macros = project / "macros" / "json.sql"
    text = json_macros.read_text()
    right = "cast({{ cast_or_null(expr, 'timestamp with time zone') }} at time zone 'UTC'"
    assert right in text, "the postgres__iso_timestamp_to_utc body changed: update this test"
    # the bug: event times read as Paris wall clock instead of UTC (1 hour off in January); the unit
    # tests that run inside PostgreSQL's dbt build catch it, so parity stops at that step (exit 2)
    json_macros.write_text(text.replace(right, right.replace("'UTC'", "'Europe/Paris'")))

    completed = _run_parity(tmp_path, postgres_url, project)
    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert "dbt build --target postgres" in completed.stderr
    assert (
        "test_base_events__events_parses_nested_json" in completed.stderr
        or "test_base_documents__reviews_maps_both_schema_versions" in completed.stderr
    ), completed.stderr
    assert "PARITY: every mart equal" not in completed.stdout
