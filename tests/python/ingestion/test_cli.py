"""``python -m ingestion``: a failing source gives one clear line and exit 1; the others still load."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ingest_helpers import REPO_ROOT, manifest, scalar

from demo.adplatform import AdPlatformServer


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {name: value for name, value in os.environ.items() if not name.startswith("SOURCES__")}
    return subprocess.run(
        [sys.executable, "-m", "ingestion", *args],
        cwd=REPO_ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_bad_token_fails_one_source_and_the_others_load(generated) -> None:
    data_dir: Path = generated(3)
    server = AdPlatformServer(data_dir, token="right-token")
    url = server.start()
    try:
        done = run_cli(
            "--data-dir",
            str(data_dir),
            env={"SOURCES__ADPLATFORM__BASE_URL": url, "SOURCES__ADPLATFORM__API_TOKEN": "wrong-token"},
        )
    finally:
        server.stop()
    assert done.returncode == 1, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1 and errors[0].startswith("ERROR adplatform: the API rejected the token"), done.stderr
    assert "wrong-token" not in done.stdout + done.stderr
    summary = {line.split()[0]: line.split()[-1] for line in done.stdout.splitlines() if line[:1].isalpha()}
    assert summary["adplatform"] == "FAILED"
    for name in ("oltp", "documents", "events", "weblogs", "lake"):
        assert summary[name] == "ok", done.stdout
    assert scalar(data_dir, "select count(*) from events.events") == manifest(data_dir)["events"]["lines"]


def test_unknown_source_is_a_usage_error(tmp_path: Path) -> None:
    done = run_cli("--data-dir", str(tmp_path), "--source", "nope", env={})
    assert done.returncode == 2
    assert "unknown source(s): nope" in done.stderr


def test_source_selection_runs_only_the_named_sources(generated) -> None:
    data_dir: Path = generated(2)
    done = run_cli("--data-dir", str(data_dir), "--source", "weblogs,lake", env={})
    assert done.returncode == 0, done.stderr
    names = [line.split()[0] for line in done.stdout.splitlines() if line.split() and line.split()[-1] == "ok"]
    assert names == ["weblogs", "lake"]
