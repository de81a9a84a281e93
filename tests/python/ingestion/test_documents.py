"""Review export: every exported line lands once as a raw document, whatever its schema version."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from ingest_helpers import demo, manifest, query, scalar


def test_every_line_lands_raw_across_the_schema_change(generated, ingest) -> None:
    data_dir = generated(50)  # crosses the 2025-02-15 schema change (body -> text, verifiedPurchase)
    truth = manifest(data_dir)["reviews"]

    result = ingest(data_dir, "documents")

    assert result.ok, result.error
    assert result.files == truth["files"]
    assert scalar(data_dir, "select count(*) from documents.reviews") == truth["lines"]
    malformed = scalar(data_dir, "select count(*) from documents.reviews where not json_valid(document)")
    assert malformed == truth["bad_records"].get("malformed_json", 0)
    v1 = scalar(
        data_dir,
        "select count(*) from documents.reviews where json_valid(document) and document ->> '$.body' is not null",
    )
    v2 = scalar(
        data_dir,
        "select count(*) from documents.reviews where json_valid(document) and document ->> '$.text' is not null",
    )
    assert v2 > 0 and v1 > 0
    # no dlt flattening: the table holds the raw text plus file, line and load metadata only
    columns = {row[0] for row in __import__("ingest_helpers").query(data_dir, "describe documents.reviews")}
    assert columns == {"document", "_file_name", "_line_number", "_dlt_load_id"}
    assert scalar(data_dir, "select count(*) from documents.reviews where document like '%$numberDecimal%'") > 0


def test_rerun_and_advance_load_each_file_once(generated, ingest) -> None:
    data_dir = generated(20)
    assert ingest(data_dir, "documents").ok
    assert ingest(data_dir, "documents").files == 0
    demo(data_dir, "advance", "--days", "3")
    after = ingest(data_dir, "documents")
    assert after.ok and after.files == 3
    assert scalar(data_dir, "select count(*) from documents.reviews") == manifest(data_dir)["reviews"]["lines"]


def test_two_collections_land_in_two_tables(tmp_path: Path, ingest, monkeypatch: pytest.MonkeyPatch) -> None:
    export = tmp_path / "export"
    (export / "users").mkdir(parents=True)
    (export / "tickets" / "2025").mkdir(parents=True)
    users = ['{"_id": {"$oid": "65a1"}, "name": "Ann"}', '{"_id": {"$oid": "65a2"}, "name": "Bo", "tags": ["x"]}']
    tickets = ['{"_id": 1, "amount": {"$numberDecimal": "19.99"}}', "{not json"]
    (export / "users" / "users.json").write_text("\n".join(users) + "\n")
    (export / "tickets" / "2025" / "tickets-01.json.gz").write_bytes(gzip.compress("\n".join(tickets).encode()))
    monkeypatch.setenv("SOURCES__DOCUMENTS__BUCKET_URL", str(export))
    monkeypatch.setenv(
        "SOURCES__DOCUMENTS__COLLECTIONS",
        json.dumps({"users": {"file_glob": "users/*.json"}, "support_tickets": {"file_glob": "tickets/**/*.json.gz"}}),
    )
    data_dir = tmp_path / "data"

    result = ingest(data_dir, "documents")

    assert result.ok, result.error
    assert result.status == "ok" and result.files == 2
    assert query(data_dir, "select _line_number, document from documents.users order by 1") == list(
        enumerate(users, start=1)
    )
    assert query(data_dir, "select _file_name, _line_number, document from documents.support_tickets order by 2") == [
        ("tickets/2025/tickets-01.json.gz", number, line) for number, line in enumerate(tickets, start=1)
    ]
    tables = query(data_dir, "select table_name from information_schema.tables where table_schema = 'documents'")
    assert "reviews" not in {name for (name,) in tables}
