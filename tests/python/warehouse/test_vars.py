"""Project vars that become SQL are validated: a hostile `--vars` value is a compile error, never SQL.

dim_date's `calendar_start_date` / `calendar_end_date` become date literals (macro `date_var`);
`incremental_lookback_days` and `attribution_window_days` become numbers (macro `integer_var`). Run on
a copy of the session warehouse: the injected `drop table` must not run, and the error must name the var.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from warehouse_helpers import DBT, REPO, Warehouse

HOSTILE = "2024-01-01'; drop table marts.fct_orders; --"


def _dbt(warehouse: Warehouse, *args: str) -> subprocess.CompletedProcess[str]:
    """Run dbt on the warehouse copy; return the result whatever the exit code."""
    paths = ["--target-path", str(warehouse.root / "target"), "--log-path", str(warehouse.root / "logs")]
    command = [DBT, *args, "--project-dir", ".", "--profiles-dir", ".", *paths]
    return subprocess.run(command, cwd=REPO, env=warehouse.env, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    ("name", "value", "model", "message"),
    [
        ("calendar_start_date", HOSTILE, "dim_date", "must be a date as YYYY-MM-DD"),
        ("incremental_lookback_days", "3; drop table marts.fct_orders", "fct_sessions", "must be a whole number >= 0"),
        ("attribution_window_days", "30 days", "int_orders_attributed_to_touchpoints", "must be a whole number >= 0"),
    ],
)
def test_a_hostile_var_fails_compilation_and_runs_nothing(
    built_warehouse: Warehouse, tmp_path: Path, name: str, value: str, model: str, message: str
) -> None:
    warehouse = built_warehouse.copy(tmp_path)
    orders = warehouse.one("select count(*) from marts.fct_orders")

    done = _dbt(warehouse, "run", "--select", model, "--vars", json.dumps({name: value}))

    output = done.stdout + done.stderr
    assert done.returncode != 0, output[-4000:]
    assert "Traceback" not in output
    assert f"var '{name}' {message}, got \"{value}\"" in output
    assert warehouse.one("select count(*) from marts.fct_orders") == orders  # nothing injected ran
    assert warehouse.one("select min(date_day) from marts.dim_date").isoformat() == "2024-01-01"


def test_an_impossible_date_is_refused_and_a_valid_one_used(built_warehouse: Warehouse, tmp_path) -> None:
    warehouse = built_warehouse.copy(tmp_path)

    refused = _dbt(warehouse, "compile", "--select", "dim_date", "--vars", '{calendar_end_date: "2025-02-29"}')
    used = _dbt(warehouse, "run", "--select", "dim_date", "--vars", '{calendar_start_date: "2024-02-29"}')

    assert refused.returncode != 0 and "var 'calendar_end_date' must be a date" in refused.stdout
    assert used.returncode == 0, used.stdout[-4000:]
    assert warehouse.one("select min(date_day) from marts.dim_date").isoformat() == "2024-02-29"
