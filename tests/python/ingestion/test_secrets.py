"""No secret in logs, dlt state or the warehouse: run the pipelines with a known token and password, then
scan everything they wrote.

The scan looks for each secret raw, URL-encoded and base64-encoded (also inside a longer base64 string,
such as an HTTP Basic header), in: the command's stdout and stderr; every file under DATA_DIR (dlt's
pipeline folder: state, schemas, load packages, traces; gzip members and Parquet files decoded); the
warehouse through SQL (every text column of every table, and dlt's compressed pipeline state decoded:
DuckDB compresses strings, so the file's bytes alone prove little); and dbt's target and log folders
after a dbt run with the secrets in its environment. `test_the_scan_finds_planted_secrets` plants each
form where a leak could hide, so a scan that stops looking fails too.
"""

from __future__ import annotations

import base64
import gzip
import os
import subprocess
import sys
import uuid
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, quote_plus

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dlt.common.versioned_state import compress_state, decompress_state
from ingest_helpers import REPO_ROOT
from sqlalchemy.engine import make_url

from demo.adplatform import AdPlatformServer
from demo.generator import generate

DBT = str(Path(sys.executable).with_name("dbt"))


# ------------------------------------------------------------------------------------------- the scan


def _base64_needles(secret: bytes) -> set[bytes]:
    """The base64 characters that encode ``secret`` wherever it sits in a longer base64 string."""
    needles = set()
    for offset in range(3):  # the secret's first byte at each position of a 3-byte group
        encoded = base64.b64encode(b"\0" * offset + secret)
        start, end = -(-offset * 4 // 3), (offset + len(secret)) * 8 // 6  # characters only secret bits fill
        needle = encoded[start:end]
        needles |= {needle, needle.translate(bytes.maketrans(b"+/", b"-_"))}  # standard and URL-safe alphabets
    return needles


def forms(secret: str) -> dict[bytes, str]:
    """Every encoding of ``secret`` the scan looks for -> its name."""
    raw = secret.encode()
    found: dict[bytes, str] = {}
    for needle, name in [(raw, "raw"), (quote(secret, safe="").encode(), "url-encoded")]:
        found.setdefault(needle, name)
    found.setdefault(quote_plus(secret).encode(), "form-encoded")
    for needle in _base64_needles(raw):
        found.setdefault(needle, "base64")
    return found


def _file_contents(path: Path) -> Iterable[tuple[str, bytes]]:
    """(label, bytes) of a file: its bytes, plus the decoded content of gzip and Parquet files."""
    data = path.read_bytes()
    yield str(path), data
    if data[:2] == b"\x1f\x8b":
        yield f"{path} (gunzipped)", gzip.decompress(data)
    if data[:4] == b"PAR1":
        yield f"{path} (parquet rows)", repr(pq.read_table(path).to_pylist()).encode()


def _warehouse_texts(path: Path) -> Iterable[tuple[str, bytes]]:
    """(label, text) of every text column of every table in a DuckDB file, and dlt's decoded state."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type in ('VARCHAR', 'JSON') order by all"
        ).fetchall()
        for schema, table, column in columns:
            values = con.execute(f'select "{column}"::varchar from "{schema}"."{table}" where "{column}" is not null')
            text = "\n".join(value for (value,) in values.fetchall())
            yield f"{path} {schema}.{table}.{column}", text.encode()
            if table == "_dlt_pipeline_state" and column == "state":
                states = con.execute(f'select state from "{schema}"."{table}"').fetchall()
                decoded = "\n".join(repr(decompress_state(state)) for (state,) in states)
                yield f"{path} {schema}._dlt_pipeline_state (decompressed)", decoded.encode()
    finally:
        con.close()


def leaks(secrets: Iterable[str], folders: Iterable[Path] = (), outputs: dict[str, str] | None = None) -> list[str]:
    """Where any form of any secret occurs: files under ``folders`` (and warehouses in them), ``outputs``."""
    places: list[tuple[str, bytes]] = [(label, text.encode()) for label, text in (outputs or {}).items()]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.endswith(".wal"):
                places.extend(_file_contents(path))
                if path.suffix == ".duckdb":
                    places.extend(_warehouse_texts(path))
    return [
        f"{name} form of secret #{index} in {label}"
        for index, secret in enumerate(secrets)
        for needle, name in forms(secret).items()
        for label, data in places
        if needle in data
    ]


def test_the_scan_finds_planted_secrets(tmp_path: Path) -> None:
    """A deliberate leak in each hiding place is found: the scan can fail."""
    token, password = f"tok-{uuid.uuid4().hex}", "pw/" + uuid.uuid4().hex[:12] + "+@:"
    assert leaks([token, password], [tmp_path], {"stdout": "nothing here"}) == []

    (tmp_path / "trace.log").write_text(f"GET /v1/campaigns Authorization: Bearer {token}\n")
    (tmp_path / "load.jsonl.gz").write_bytes(gzip.compress(f"postgresql://u:{quote(password, safe='')}@h/db".encode()))
    pq.write_table(
        pa.table({"header": [base64.b64encode(f"user:{password}".encode()).decode()]}), tmp_path / "x.parquet"
    )
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("create schema oltp; create table oltp._dlt_pipeline_state (state varchar)")
    con.execute("insert into oltp._dlt_pipeline_state values (?)", [compress_state({"credentials": token})])
    con.close()

    found = "\n".join(leaks([token, password], [tmp_path], {"stderr": f"token={quote_plus(token)}"}))
    assert "raw form of secret #0 in " + str(tmp_path / "trace.log") in found
    assert "url-encoded form of secret #1 in " + str(tmp_path / "load.jsonl.gz") + " (gunzipped)" in found
    assert "base64 form of secret #1 in " + str(tmp_path / "x.parquet") in found
    assert "_dlt_pipeline_state (decompressed)" in found
    assert "form of secret #0 in stderr" in found


# ------------------------------------------------------------------------------------------ the runs


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a command from the repo root, capturing its output; fail with the output's tail on error."""
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done


@pytest.mark.postgres
def test_no_secret_in_output_logs_state_or_warehouse(postgres_url: str, tmp_path: Path) -> None:
    token = f"adw-{uuid.uuid4().hex}"
    password = f"pg/{uuid.uuid4().hex[:12]}+@:"  # URL-encoding changes it, so encoded leaks are told apart
    # the test server trusts local connections: any password connects, and must never be persisted
    oltp_url = make_url(postgres_url).set(password=password).render_as_string(hide_password=False)
    data_dir = tmp_path / "data"
    generate(data_dir, days=2, scale=0.01, oltp_url=oltp_url, quiet=True)
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "SOURCES__OLTP__CREDENTIALS": oltp_url,
        "SOURCES__ADPLATFORM__API_TOKEN": token,
        "RUNTIME__LOG_LEVEL": "INFO",  # more log lines than the default WARNING: more chances to leak
    }
    server = AdPlatformServer(data_dir, token=token, retry_after_seconds=0)  # the token stays in memory
    env["SOURCES__ADPLATFORM__BASE_URL"] = server.start()
    try:
        ingest = _run([sys.executable, "-m", "ingestion", "--data-dir", str(data_dir)], env)
    finally:
        server.stop()
    dbt_paths = ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    dbt_args = ["--project-dir", ".", "--profiles-dir", ".", *dbt_paths]
    seed = _run([DBT, "seed", *dbt_args], env)
    dbt = _run([DBT, "run", "--select", "staging", *dbt_args], env)

    outputs = {
        "ingest stdout": ingest.stdout,
        "ingest stderr": ingest.stderr,
        "dbt seed stdout": seed.stdout,
        "dbt seed stderr": seed.stderr,
        "dbt stdout": dbt.stdout,
        "dbt stderr": dbt.stderr,
    }
    assert (data_dir / "pipelines").is_dir() and (tmp_path / "logs" / "dbt.log").is_file()
    assert leaks([token, password], [data_dir, tmp_path / "target", tmp_path / "logs"], outputs) == []
