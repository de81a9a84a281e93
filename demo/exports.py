"""`python -m demo with -- <command>`: run a command with the demo's own settings exported.

The demo systems are not configured in `.dlt/`: their settings depend on where the demo runs. This
exports them for one command (`make ingest` is `python -m demo with -- python -m ingestion`):

- the shop database: `DEMO_OLTP_URL` (the demo database on PostgreSQL or MariaDB) becomes
  `SOURCES__OLTP__CREDENTIALS` unless that is set;
- the ad platform: when DATA_DIR holds demo ad platform data and no `SOURCES__ADPLATFORM__API_TOKEN`
  is set, the demo API serves for the command (`python -m demo api with`: its URL and token).

A setting the user gave (environment, `.dlt/secrets.toml`) wins; without demo data the command runs
unchanged, so the same `make ingest` loads a user's own systems.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def export_settings(data_dir: Path, environ: dict[str, str]) -> bool:
    """Put the demo's OLTP setting into environ; True when the demo ad API should serve for the command."""
    oltp_url = environ.get("DEMO_OLTP_URL")
    if oltp_url and not environ.get("SOURCES__OLTP__CREDENTIALS"):
        environ["SOURCES__OLTP__CREDENTIALS"] = oltp_url
    return (data_dir / "sources" / "adplatform").is_dir() and not environ.get("SOURCES__ADPLATFORM__API_TOKEN")


def run_with(data_dir: Path, command: list[str]) -> int:
    """Run command with the demo's settings exported (see the module doc); its exit code."""
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        raise ValueError("with needs a command: python -m demo with -- python -m ingestion")
    serve_api = export_settings(data_dir, os.environ)  # this process is the command's launcher
    if serve_api:
        from .adplatform.cli import main as api_main

        return api_main(["with", "--data-dir", str(data_dir), "--", *command])
    return subprocess.call(command)
