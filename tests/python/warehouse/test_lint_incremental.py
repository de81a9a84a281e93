"""sqlfluff on the `{% if is_incremental() %}` branches: they render only once the model's table exists.

tests/python/test_lint.py lints every model as on a first build (empty DATA_DIR); here the models with
an incremental branch are linted against a copy of the built warehouse, so that branch is rendered.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lint_helpers import REPO, SQL_PATHS, sql_files, sqlfluff_lint
from warehouse_helpers import Warehouse


def test_incremental_branches_follow_the_house_style(built_warehouse: Warehouse, tmp_path: Path) -> None:
    incremental = sorted(path for path in sql_files(*SQL_PATHS) if "is_incremental()" in (REPO / path).read_text())
    assert incremental, "no model with an incremental branch found"
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    # the warehouse file alone: the templater only asks it which relations exist (is_incremental())
    shutil.copy2(built_warehouse.data_dir / "warehouse.duckdb", data_dir / "warehouse.duckdb")
    violations = sqlfluff_lint(incremental, data_dir, tmp_path)
    if violations:
        pytest.fail("sqlfluff, incremental render (rules in .sqlfluff):\n" + "\n".join(violations))
