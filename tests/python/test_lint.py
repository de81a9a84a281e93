"""`make lint` as part of `make test`: ruff on the Python, sqlfluff on every model and singular test.

The SQL lint renders the models against an empty DATA_DIR (as on a first, full-refresh build); the
incremental branches are linted against a built warehouse in warehouse/test_lint_incremental.py.
A failure lists each file, line, rule and message.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from lint_helpers import REPO, SQL_PATHS, sqlfluff_lint

RUFF = str(Path(sys.executable).with_name("ruff"))
PYTHON_PATHS = ("demo", "ingestion", "ml", "benchmarks", "tools", "tests")


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


def test_make_lint_pre_commit_and_this_test_check_the_same_python_folders() -> None:
    makefile = (REPO / "Makefile").read_text()
    linted = re.search(r"ruff check ([^\n]+)", makefile)
    assert linted, "make lint runs `ruff check <folders>`"
    folders = set(linted.group(1).split())
    assert folders == set(PYTHON_PATHS)
    hooks = {
        hook["id"]: hook
        for repo in yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())["repos"]
        for hook in repo["hooks"]
    }
    for name in ("ruff-check", "ruff-format"):
        pattern = re.fullmatch(r"\^\(([^)]*)\)/", hooks[name]["files"])
        assert pattern, f"pre-commit hook {name}: files is ^(folder|folder...)/"
        assert set(pattern.group(1).split("|")) == folders, f"pre-commit {name}: other folders than make lint"
