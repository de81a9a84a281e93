"""sqlfluff as `make lint` runs it (dbt templater, the repo's .sqlfluff), with readable results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SQLFLUFF = str(Path(sys.executable).with_name("sqlfluff"))
SQL_PATHS = ("models", "tests/dbt")


def sql_files(*paths: str) -> set[str]:
    """The .sql files under the given repo paths, as sqlfluff names them (relative to the repo)."""
    found = set()
    for path in paths:
        target = REPO / path
        files = [target] if target.is_file() else target.rglob("*.sql")
        found |= {str(file.relative_to(REPO)) for file in files}
    return found


def sqlfluff_lint(paths: tuple[str, ...] | list[str], data_dir: Path, scratch: Path) -> list[str]:
    """Lint with DATA_DIR=data_dir; return one line per violation: `path:line:col CODE description`.

    dbt's target folder goes to `scratch`, so a lint neither touches ./target nor spoils the partial
    parse of the user's builds. Fails (assert) if sqlfluff crashes or leaves a file out.
    """
    env = {**os.environ, "DATA_DIR": str(data_dir), "DBT_TARGET_PATH": str(scratch / "target")}
    done = subprocess.run(
        [SQLFLUFF, "lint", *paths, "--format", "json", "--disable-progress-bar"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    crashed = f"sqlfluff exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    assert done.returncode in (0, 1), crashed
    results = json.loads(done.stdout)
    linted = {result["filepath"] for result in results}
    missing = sql_files(*paths) - linted
    assert not missing, f"sqlfluff did not lint {sorted(missing)}:\n{done.stderr[-3000:]}"
    return [
        f"{result['filepath']}:{violation['start_line_no']}:{violation['start_line_pos']} "
        f"{violation['code']} {violation['description']} [{violation.get('name', '')}]"
        for result in results
        for violation in result["violations"]
    ]
