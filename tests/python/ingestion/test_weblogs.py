"""Access logs: gzip files read streaming, every line (truncated ones too) lands once with its number."""

from __future__ import annotations

import gzip

from ingest_helpers import demo, manifest, query, scalar


def test_every_line_of_every_file_lands(generated, ingest) -> None:
    data_dir = generated(5)
    truth = manifest(data_dir)["web_logs"]

    result = ingest(data_dir, "weblogs")

    assert result.ok, result.error
    assert result.files == truth["files"]
    assert scalar(data_dir, "select count(*) from weblogs.access_log") == truth["lines"]
    for day in truth["by_day"]:
        name = f"access.log-{day['date'].replace('-', '')}.gz"
        with gzip.open(data_dir / "sources" / "logs" / "nginx" / name, "rt", encoding="utf-8") as handle:
            expected = handle.read().splitlines()
        landed = query(
            data_dir, "select _line_number, line from weblogs.access_log where _file_name = ? order by 1", name
        )
        assert landed == list(enumerate(expected, start=1)), name
        assert len(landed) == day["lines"]


def test_rerun_adds_nothing_and_advance_adds_the_new_day(generated, ingest) -> None:
    data_dir = generated(3)
    assert ingest(data_dir, "weblogs").ok
    assert ingest(data_dir, "weblogs").rows.get("access_log", 0) == 0
    demo(data_dir, "advance", "--days", "1")
    after = ingest(data_dir, "weblogs")
    assert after.ok and after.files == 1
    assert scalar(data_dir, "select count(*) from weblogs.access_log") == manifest(data_dir)["web_logs"]["lines"]
