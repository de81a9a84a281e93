"""`make lint` as part of `make test`: ruff on the Python, sqlfluff on every model and singular test.

The SQL lint renders the models against an empty DATA_DIR (as on a first, full-refresh build); the
incremental branches are linted against a built warehouse in warehouse/test_lint_incremental.py.
A failure lists each file, line, rule and message.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lint_helpers import REPO, SQL_PATHS, sqlfluff_lint

RUFF = str(Path(sys.executable).with_name("ruff"))
PYTHON_PATHS = ("demo", "ingestion", "benchmarks", "tests")


def test_python_passes_ruff_check_and_format() -> None:
    check = subprocess.run([RUFF, "check", *PYTHON_PATHS], cwd=REPO, capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    form = subprocess.run(
        [RUFF, "format", "--check", *PYTHON_PATHS], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert form.returncode == 0, form.stdout + form.stderr


def test_sql_follows_the_house_style(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    violations = sqlfluff_lint(SQL_PATHS, data_dir, tmp_path)
    if violations:
        pytest.fail("sqlfluff (`make lint-fix SQL=<file>` fixes most; rules in .sqlfluff):\n" + "\n".join(violations))
