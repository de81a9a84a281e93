"""A private copy of the dbt project (to edit a model without touching the repository) and `make` in it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from warehouse_helpers import REPO

PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "Makefile", "pyproject.toml", "constraints.txt")
PROJECT_DIRS = ("models", "macros", "seeds", "snapshots", "analyses", "tests/dbt", "tools")


def copy_project(root: Path) -> Path:
    """The dbt project, its Makefile and tools, copied to `root` (without target/, logs/ or data)."""
    root.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        shutil.copy2(REPO / name, root / name)
    for name in PROJECT_DIRS:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def make(project: Path, *args: str, data_dir: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """`make <args>` in a project copy with this interpreter's venv; `-o setup`: never (re)install packages."""
    own = ("SOURCES__", "DESTINATION__", "INGESTION__", "DBT_TARGET_PATH", "DBT_LOG_PATH")  # dbt writes in the copy
    clean = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    env = {**clean, "VENV": sys.prefix, "DATA_DIR": str(data_dir)}
    return subprocess.run(
        ["make", "--no-print-directory", "-o", "setup", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
