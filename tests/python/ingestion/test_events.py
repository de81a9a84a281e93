"""Clickstream events: every line of every file lands once, raw, with its file and line number."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import dlt
import duckdb
from ingest_helpers import demo, manifest, query, scalar

from ingestion.common.audit import audited
from ingestion.common.settings import Paths, make_pipeline
from ingestion.common.stats import SourceStats
from ingestion.sources import registry


def test_full_load_lands_every_line_with_bad_records_accounted(generated, ingest) -> None:
    data_dir = generated(6)
    truth = manifest(data_dir)["events"]

    result = ingest(data_dir, "events")

    assert result.ok, result.error
    assert result.files == truth["files"]
    assert result.rows["events"] == truth["lines"]
    assert scalar(data_dir, "select count(*) from events.events") == truth["lines"]
    assert scalar(data_dir, "select count(distinct _file_name) from events.events") == truth["files"]
    # bad records are kept raw, to be flagged in staging: cut-off JSON is there, line for line
    malformed = scalar(data_dir, "select count(*) from events.events where not json_valid(event)")
    assert malformed == truth["bad_records"].get("malformed_json", 0)
    valid_ids = query(
        data_dir,
        "select count(*), count(distinct event ->> '$.event_id') from events.events where json_valid(event)",
    )[0]
    assert valid_ids[0] - valid_ids[1] == truth["bad_records"].get("duplicate", 0)
    # every row names its origin and joins to dlt's load table
    assert (
        scalar(data_dir, "select count(*) from (select distinct _file_name, _line_number from events.events)")
        == (truth["lines"])
    )
    assert (
        scalar(
            data_dir,
            "select count(*) from events.events e join events._dlt_loads l on l.load_id = e._dlt_load_id",
        )
        == truth["lines"]
    )


def test_line_numbers_match_the_file(generated, ingest) -> None:
    data_dir = generated(3)
    assert ingest(data_dir, "events").ok
    name = "dt=2025-01-02/part-00000.jsonl.gz"
    with gzip.open(data_dir / "sources" / "lake" / "events" / name, "rt", encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    landed = query(data_dir, "select _line_number, event from events.events where _file_name = ? order by 1", name)
    assert landed == [(number, line) for number, line in enumerate(lines, start=1)]


def test_second_run_loads_nothing_and_advance_loads_new_files_once(generated, ingest) -> None:
    data_dir = generated(4)
    assert ingest(data_dir, "events").ok

    again = ingest(data_dir, "events")
    assert again.ok, again.error
    assert again.files == 0
    assert again.rows.get("events", 0) == 0

    demo(data_dir, "advance", "--days", "2")
    truth = manifest(data_dir)["events"]
    after = ingest(data_dir, "events")
    assert after.ok, after.error
    assert after.files == 2
    assert scalar(data_dir, "select count(*) from events.events") == truth["lines"]
    duplicates = scalar(
        data_dir,
        "select count(*) from (select _file_name, _line_number from events.events group by all having count(*) > 1)",
    )
    assert duplicates == 0


def test_damaged_files_are_quarantined_and_the_rest_loads(generated, ingest) -> None:
    data_dir = generated(3)
    folder = data_dir / "sources" / "lake" / "events"
    # a gzip file cut in the middle: the lines before the damage land, the file is recorded as damaged
    good = (folder / "dt=2025-01-01" / "part-00000.jsonl.gz").read_bytes()
    broken = folder / "dt=2025-01-09" / "part-00000.jsonl.gz"
    broken.parent.mkdir()
    broken.write_bytes(good[: len(good) // 2])
    # a line that is not UTF-8 between two good lines
    bad_text = folder / "dt=2025-01-10" / "part-00000.jsonl.gz"
    bad_text.parent.mkdir()
    bad_text.write_bytes(gzip.compress(b'{"event_id":"a"}\n{"event_id":"\xff\xfe"}\n{"event_id":"c"}\n'))
    truth = manifest(data_dir)["events"]

    result = ingest(data_dir, "events")

    assert result.ok, result.error
    assert result.rejected == 2
    rejects = query(
        data_dir,
        "select file_name, line_number, reason from events.rejected_records order by file_name",
    )
    assert rejects[0][0] == "dt=2025-01-09/part-00000.jsonl.gz"
    assert rejects[0][1] is None and "damaged after line" in rejects[0][2]
    assert rejects[1][:2] == ("dt=2025-01-10/part-00000.jsonl.gz", 2) and "UTF-8" in rejects[1][2]
    landed = query(
        data_dir,
        "select _line_number, event from events.events where _file_name = 'dt=2025-01-10/part-00000.jsonl.gz' "
        "order by 1",
    )
    assert landed == [(1, '{"event_id":"a"}'), (3, '{"event_id":"c"}')]
    partial = scalar(
        data_dir, "select count(*) from events.events where _file_name = 'dt=2025-01-09/part-00000.jsonl.gz'"
    )
    assert 0 < partial < truth["by_partition"][0]["lines"]
    assert scalar(data_dir, "select count(*) from events.events") == truth["lines"] + 2 + partial
    # a second run neither reloads the files nor records the rejects again
    again = ingest(data_dir, "events")
    assert again.ok and again.files == 0
    assert scalar(data_dir, "select count(*) from events.rejected_records") == 2


def test_missing_folder_is_one_clear_error(tmp_path: Path, ingest) -> None:
    result = ingest(tmp_path / "nothing-here", "events")
    assert not result.ok
    assert result.error.startswith("events: folder ") and "does not exist" in result.error
    assert "\n" not in result.error


def _next_day_extracted(generated, ingest) -> tuple[Path, dict, dlt.Pipeline]:
    """A DATA_DIR ingested, then advanced a day and extracted (not normalized) with dlt's own step, as
    ``run_source`` extracts it; returns it with the manifest's events figures and the pipeline."""
    data_dir = generated(4)
    assert ingest(data_dir, "events").ok
    demo(data_dir, "advance", "--days", "1")
    paths = Paths(data_dir)
    pipeline = make_pipeline("events", paths)
    stats = SourceStats("events")
    pipeline.extract(audited(registry()["events"].build(paths, stats), stats))
    return data_dir, manifest(data_dir)["events"], pipeline


def test_a_run_killed_while_normalize_cleans_up_is_loaded_by_the_next(generated, ingest) -> None:
    """Found by the crash trials (``tools/reliability/crash.py``): a kill between normalize committing a
    package to ``load/normalized`` and deleting its extracted copy left both, the copy half-deleted, and
    every later run failed normalizing it again (FileNotFoundError). Recreated here with dlt's own steps."""
    data_dir, truth, pipeline = _next_day_extracted(generated, ingest)
    extracted = data_dir / "pipelines" / pipeline.pipeline_name / "normalize" / "extracted"
    (load_id,) = [package.name for package in extracted.iterdir()]
    kept = extracted.parent / "kept"
    shutil.copytree(extracted / load_id, kept)
    pipeline.normalize()
    # the kill's leftover: the extracted copy with part of it deleted (its new_jobs gone)
    shutil.copytree(kept, extracted / load_id)
    shutil.rmtree(extracted / load_id / "new_jobs")
    shutil.rmtree(kept)
    assert pipeline.list_normalized_load_packages() == [load_id]

    for run in (1, 2):
        result = ingest(data_dir, "events")
        assert result.ok, f"run {run}: {result.error}"
    assert scalar(data_dir, "select count(*) from events.events") == truth["lines"]
    assert query(data_dir, "select count(*) from events._dlt_loads where load_id = ? and status = 0", load_id) == [(1,)]
    assert not list(extracted.iterdir())


def test_a_job_committed_but_not_marked_before_a_kill_is_not_loaded_twice(generated, ingest) -> None:
    """Found by the crash trials: a load killed after DuckDB committed an append job but before dlt
    marked it (no pending transition) left it in ``started_jobs``; the next run loaded it again and the
    table held its rows twice. Recreated with dlt's own steps: the package loaded, then put back as the
    kill leaves it (pending, the job started and unmarked, no ``_dlt_loads`` row)."""
    data_dir, truth, pipeline = _next_day_extracted(generated, ingest)
    pipeline.normalize()
    (load_id,) = pipeline.list_normalized_load_packages()
    pipeline.load()
    load = data_dir / "pipelines" / pipeline.pipeline_name / "load"
    package = load / "normalized" / load_id
    (load / "loaded" / load_id).rename(package)
    (package / "package_completed.json").unlink(missing_ok=True)
    for job in (package / "completed_jobs").glob("events.*"):
        job.rename(package / "started_jobs" / job.name)
    connection = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    connection.execute("delete from events._dlt_loads where load_id = ?", [load_id])
    connection.close()
    assert scalar(data_dir, "select count(*) from events.events") == truth["lines"]  # committed once already

    result = ingest(data_dir, "events")
    assert result.ok, result.error
    assert scalar(data_dir, "select count(*) from events.events") == truth["lines"]
    assert query(data_dir, "select status from events._dlt_loads where load_id = ?", load_id) == [(0,)]
