"""No silent success: a run that loaded nothing it was meant to says so.

A glob that matches no file, a run whose new files were all rejected, and the same content arriving under
two names (``x.log`` and ``x.log.gz``, only one loaded) each show in the summary's status column and as a
``WARNING <source>: …`` line; ``--strict`` (``make ingest STRICT=1``) turns them into exit code 1. Every
test writes its own files into a temporary folder.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ingest_helpers import REPO_ROOT, query

LINES = [
    '203.0.113.9 - - [01/Jan/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8.0"',
    '203.0.113.9 - - [01/Jan/2025:10:00:01 +0000] "GET /x HTTP/1.1" 304 - "-" "curl/8.0"',
]


def _logs(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _cli(data_dir: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {name: value for name, value in os.environ.items() if not name.startswith(("SOURCES__", "DATA_DIR"))}
    return subprocess.run(
        [sys.executable, "-m", "ingestion", "--data-dir", str(data_dir), *args],
        cwd=REPO_ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _status(stdout: str, source: str) -> str:
    return next(line.split()[-1] for line in stdout.splitlines() if line.split()[:1] == [source])


def test_a_glob_that_matches_no_file_warns_and_fails_strict(tmp_path: Path) -> None:
    logs = _logs(tmp_path / "logs")
    (logs / "access_log.2025-01-01").write_text("\n".join(LINES) + "\n")  # Apache's name: not access.log-*
    env = {"SOURCES__WEBLOGS__BUCKET_URL": str(logs)}

    done = _cli(tmp_path / "data", env, "--source", "weblogs")

    assert done.returncode == 0, done.stderr
    assert _status(done.stdout, "weblogs") == "WARNING:no-file-matched"
    warnings = [line for line in done.stderr.splitlines() if line.startswith("WARNING")]
    assert warnings == [
        f"WARNING weblogs: no file matches access.log-* under {logs.as_uri()}; check the glob and bucket_url "
        "of table access_log"
    ]
    strict = _cli(tmp_path / "data", env, "--source", "weblogs", "--strict")
    assert strict.returncode == 1 and "--strict" in strict.stderr

    fixed = _cli(tmp_path / "data", {**env, "SOURCES__WEBLOGS__FILE_GLOB": "access_log.*"}, "--source", "weblogs")
    assert fixed.returncode == 0 and _status(fixed.stdout, "weblogs") == "ok"
    assert "WARNING" not in fixed.stderr
    assert query(tmp_path / "data", "select count(*) from weblogs.access_log") == [(2,)]


def test_a_run_whose_files_were_all_rejected_warns(tmp_path: Path, ingest, monkeypatch: pytest.MonkeyPatch) -> None:
    logs = _logs(tmp_path / "logs")
    (logs / "access.log-20250101").write_bytes("\n".join(LINES).encode("utf-16"))
    (logs / "access.log-20250102.gz").write_bytes(gzip.compress(b"cut")[:12])  # damaged before its first line
    monkeypatch.setenv("SOURCES__WEBLOGS__BUCKET_URL", str(logs))

    result = ingest(tmp_path / "data", "weblogs")

    assert result.ok, result.error
    assert result.files == 2 and result.rejected == 2
    assert result.status == "WARNING:all-files-rejected"
    (message,) = [message for code, message in result.warnings]
    assert message == "all 2 new file(s) were rejected, nothing loaded (see weblogs.rejected_records)"

    # one good file among the bad ones: no warning
    (logs / "access.log-20250103").write_text("\n".join(LINES) + "\n")
    (logs / "access.log-20250104").write_bytes("x".encode("utf-16"))
    mixed = ingest(tmp_path / "data", "weblogs")
    assert mixed.ok and mixed.files == 2 and mixed.status == "ok"


def test_the_same_content_under_two_names_loads_once_and_warns(
    tmp_path: Path, ingest, monkeypatch: pytest.MonkeyPatch
) -> None:
    logs = _logs(tmp_path / "logs")
    content = ("\n".join(LINES) + "\n").encode()
    (logs / "access.log-20250101").write_bytes(content)
    (logs / "access.log-20250101.gz").write_bytes(gzip.compress(content))
    monkeypatch.setenv("SOURCES__WEBLOGS__BUCKET_URL", str(logs))
    data_dir = tmp_path / "data"

    result = ingest(data_dir, "weblogs")

    assert result.ok, result.error
    assert result.files == 1 and result.status == "WARNING:duplicate-content"
    assert result.warnings == [
        (
            "duplicate-content",
            "1 file(s) not loaded, same content as another: access.log-20250101.gz has the content of "
            "access.log-20250101",
        )
    ]
    assert query(data_dir, "select _file_name, count(*) from weblogs.access_log group by 1") == [
        ("access.log-20250101", 2)
    ]

    # a later copy of content loaded in an earlier run is caught too; a changed copy is new content
    (logs / "access.log-20250101.1").write_bytes(content)
    (logs / "access.log-20250102").write_bytes(content + LINES[0].encode() + b"\n")
    later = ingest(data_dir, "weblogs")
    assert later.files == 1 and later.status == "WARNING:duplicate-content"
    assert "access.log-20250101.1 has the content of access.log-20250101" in later.warnings[0][1]
    assert query(data_dir, "select count(*) from weblogs.access_log") == [(5,)]
    assert ingest(data_dir, "weblogs").status == "ok"  # reported once, not on every run


def test_make_ingest_strict_exits_non_zero_on_warnings(tmp_path: Path) -> None:
    logs = _logs(tmp_path / "logs")
    data_dir = tmp_path / "data"
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith(("SOURCES__", "MAKE"))},
        "SOURCES__WEBLOGS__BUCKET_URL": str(logs),
    }
    command = ["make", "--no-print-directory", "ingest", "SOURCE=weblogs", f"DATA_DIR={data_dir}"]

    relaxed = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    strict = subprocess.run([*command, "STRICT=1"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)

    assert relaxed.returncode == 0, relaxed.stderr
    assert "WARNING weblogs: no file matches" in relaxed.stderr
    assert strict.returncode != 0
    assert "WARNING weblogs: no file matches" in strict.stderr
