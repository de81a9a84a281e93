"""Project vars that become SQL are validated: a hostile `--vars` value is a compile error, never SQL.

dim_date's `calendar_start_date` / `calendar_end_date` become date literals (macro `date_var`);
`incremental_lookback_days` and `attribution_window_days` become numbers (macro `integer_var`). Run on
copies of the session warehouse, all at once: the injected `drop table` must not run, and the error must name
the var.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass

import pytest
from warehouse_helpers import DBT, REPO, Warehouse

HOSTILE = "2024-01-01'; drop table marts.fct_orders; --"


def _command(warehouse: Warehouse, *args: str) -> list[str]:
    paths = ["--target-path", str(warehouse.root / "target"), "--log-path", str(warehouse.root / "logs")]
    return [DBT, *args, "--project-dir", ".", "--profiles-dir", ".", *paths]


CASES = [
    ("calendar_start_date", HOSTILE, "dim_date", "must be a date as YYYY-MM-DD"),
    ("incremental_lookback_days", "3; drop table marts.fct_orders", "fct_sessions", "must be a whole number >= 0"),
    ("attribution_window_days", "30 days", "int_orders_attributed_to_touchpoints", "must be a whole number >= 0"),
]
COMMANDS = {
    # key -> dbt arguments; each runs on its own copy of the session warehouse
    **{name: ("run", "--select", model, "--vars", json.dumps({name: value})) for name, value, model, _ in CASES},
    "refused": ("compile", "--select", "dim_date", "--vars", '{calendar_end_date: "2025-02-29"}'),
    "used": ("run", "--select", "dim_date", "--vars", '{calendar_start_date: "2024-02-29"}'),
}


@dataclass
class Run:
    warehouse: Warehouse
    orders_before: int
    done: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def runs(built_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every dbt command of this module, run at once on its own warehouse copy; the result whatever the exit code.

    The commands are independent (own DuckDB file, own target folder) and mostly dbt's start-up and
    parse, one core each: at once they take about half the time.
    """
    copies = {key: built_warehouse.copy(tmp_path_factory.mktemp(f"vars-{key}")) for key in COMMANDS}
    before = {key: warehouse.one("select count(*) from marts.fct_orders") for key, warehouse in copies.items()}
    started = {
        key: subprocess.Popen(
            _command(copies[key], *args),
            cwd=REPO,
            env=copies[key].env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for key, args in COMMANDS.items()
    }
    runs = {}
    for key, process in started.items():
        stdout, stderr = process.communicate(timeout=600)
        done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        runs[key] = Run(copies[key], before[key], done)
    return runs


@pytest.mark.parametrize(("name", "value", "model", "message"), CASES)
def test_a_hostile_var_fails_compilation_and_runs_nothing(
    runs: dict[str, Run], name: str, value: str, model: str, message: str
) -> None:
    warehouse, orders, done = runs[name].warehouse, runs[name].orders_before, runs[name].done
    assert done.args[1:4] == ["run", "--select", model]

    output = done.stdout + done.stderr
    assert done.returncode != 0, output[-4000:]
    assert "Traceback" not in output
    assert f"var '{name}' {message}, got \"{value}\"" in output
    assert warehouse.one("select count(*) from marts.fct_orders") == orders  # nothing injected ran
    assert warehouse.one("select min(date_day) from marts.dim_date").isoformat() == "2024-01-01"


def test_an_impossible_date_is_refused_and_a_valid_one_used(runs: dict[str, Run]) -> None:
    refused, used, warehouse = runs["refused"].done, runs["used"].done, runs["used"].warehouse

    assert refused.returncode != 0 and "var 'calendar_end_date' must be a date" in refused.stdout
    assert used.returncode == 0, used.stdout[-4000:]
    assert warehouse.one("select min(date_day) from marts.dim_date").isoformat() == "2024-02-29"
