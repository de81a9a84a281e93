"""Injected drift (`python -m demo advance --drift <kind>`): each kind changes what it says, from its
start day on, records its ground truth in the manifest, and leaves every other source as it was.

Each kind is compared with a stationary advance of the same demo data: the files the drift does not
touch are byte-identical, the ones it touches differ in the documented way.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from demo.__main__ import main as demo_main
from demo.generator import advance, generate
from demo.generator.drift import KINDS, RENAMED_FIELD
from demo.paths import SourcePaths

SCALE = 0.03
DAYS = 3
SEED = 7
SIZE = re.compile(r'^\S+ \S+ \S+ \[[^\]]*\] "[^"]*" \d{3} (\S+) ')


def file_hashes(data_dir: Path) -> dict[str, str]:
    """sha256 of every source file but the SQLite database and the API's runtime files."""
    root = SourcePaths(data_dir).sources
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "shop.sqlite" and not p.name.startswith((".api_token", "server."))
    }


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("drift-base")
    generate(root, days=DAYS, scale=SCALE, seed=SEED, quiet=True)
    return root


@pytest.fixture(scope="module")
def stationary(base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("drift-none") / "data"
    shutil.copytree(base, root)
    advance(root, days=2, quiet=True)
    return root


def _advanced(base: Path, tmp_path: Path, kind: str) -> Path:
    root = tmp_path / kind
    shutil.copytree(base, root)
    advance(root, days=2, drift=kind, quiet=True)
    return root


def _log_lines(root: Path) -> list[str]:
    return [
        line
        for path in sorted(SourcePaths(root).nginx_logs.glob("access.log-*.gz"))
        for line in gzip.decompress(path.read_bytes()).decode().splitlines()
    ]


def _changed(a: Path, b: Path) -> set[str]:
    ha, hb = file_hashes(a), file_hashes(b)
    return {name for name in ha.keys() | hb.keys() if ha.get(name) != hb.get(name)}


@pytest.mark.parametrize("kind", KINDS)
def test_drift_is_recorded_with_its_ground_truth(base: Path, tmp_path: Path, kind: str) -> None:
    root = _advanced(base, tmp_path, kind)
    [drift] = json.loads((root / "manifest.json").read_text())["drift"]
    assert drift["kind"] == kind
    assert drift["start_day"] == DAYS  # the first new day
    assert drift["start_date"] == "2025-01-04"
    assert drift["size"] > 0 and drift["change"]
    assert drift["detect_on"] and all(len(x) == 2 for x in drift["detect_on"])
    assert {tuple(x) for x in drift["detect_on"]} <= {tuple(x) for x in drift["affected"]}
    # a later advance without DRIFT keeps the drift (it lasts) and records it once
    advance(root, days=1, quiet=True)
    assert [d["kind"] for d in json.loads((root / "manifest.json").read_text())["drift"]] == [kind]
    with pytest.raises(ValueError, match="already injected"):
        advance(root, days=1, drift=kind, quiet=True)


def test_without_drift_the_manifest_lists_none(stationary: Path) -> None:
    assert json.loads((stationary / "manifest.json").read_text())["drift"] == []


def test_unknown_kind_is_refused(base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "data"
    shutil.copytree(base, root)
    assert demo_main(["--data-dir", str(root), "advance", "--drift", "nonsense", "--quiet"]) == 2
    assert "unknown drift kind 'nonsense'" in capsys.readouterr().err


def test_volume_drop_loses_log_lines_only(base: Path, stationary: Path, tmp_path: Path) -> None:
    root = _advanced(base, tmp_path, "volume_drop")
    assert _changed(stationary, root) == {"logs/nginx/access.log-20250104.gz", "logs/nginx/access.log-20250105.gz"}
    before, after = _log_lines(stationary), _log_lines(root)
    new_before = [x for x in before if "/Jan/2025:" in x and x.split("[")[1][:2] in ("04", "05")]
    new_after = [x for x in after if x.split("[")[1][:2] in ("04", "05")]
    assert set(new_after) < set(new_before)
    assert 0.08 < len(new_after) / len(new_before) < 0.22  # 85% lost


def test_null_spike_blanks_response_sizes(base: Path, stationary: Path, tmp_path: Path) -> None:
    root = _advanced(base, tmp_path, "null_spike")
    assert _changed(stationary, root) == {"logs/nginx/access.log-20250104.gz", "logs/nginx/access.log-20250105.gz"}
    sizes = [m.group(1) for m in map(SIZE.match, _log_lines(root)) if m and "[04/Jan" in m.group(0)]
    before = [m.group(1) for m in map(SIZE.match, _log_lines(stationary)) if m and "[04/Jan" in m.group(0)]
    assert len(sizes) == len(before)
    assert "-" not in before
    assert 0.7 < sizes.count("-") / len(sizes) < 0.9


def test_schema_change_renames_the_inventory_field(base: Path, stationary: Path, tmp_path: Path) -> None:
    root = _advanced(base, tmp_path, "schema_change")
    assert _changed(stationary, root) == {
        "lake/inventory_snapshots/dt=2025-01-04/part-00000.parquet",
        "lake/inventory_snapshots/dt=2025-01-05/part-00000.parquet",
    }
    old, new = RENAMED_FIELD
    lake = SourcePaths(root).inventory
    assert old in pq.read_schema(lake / "dt=2025-01-03" / "part-00000.parquet").names
    for day in ("2025-01-04", "2025-01-05"):
        renamed = pq.read_table(lake / f"dt={day}" / "part-00000.parquet")
        original = pq.read_table(SourcePaths(stationary).inventory / f"dt={day}" / "part-00000.parquet")
        assert new in renamed.column_names and old not in renamed.column_names
        assert renamed.column(new).to_pylist() == original.column(old).to_pylist()


def test_price_raises_one_category_everywhere(base: Path, stationary: Path, tmp_path: Path) -> None:
    root = _advanced(base, tmp_path, "price")
    [drift] = json.loads((root / "manifest.json").read_text())["drift"]
    factor = 1 + drift["size"]
    con = sqlite3.connect(SourcePaths(root).oltp_sqlite)
    try:
        parents = dict(con.execute("select category_id, coalesce(parent_category_id, category_id) from categories"))
        category = {pid: parents[cid] for pid, cid in con.execute("select product_id, category_id from products")}
    finally:
        con.close()
    day = "dt=2025-01-05"
    drifted = pq.read_table(SourcePaths(root).inventory / day / "part-00000.parquet").to_pylist()
    plain = {
        r["product_id"]: r
        for r in pq.read_table(SourcePaths(stationary).inventory / day / "part-00000.parquet").to_pylist()
    }
    hit = [r for r in drifted if category[r["product_id"]] == drift["category_id"]]
    others = [r for r in drifted if category[r["product_id"]] != drift["category_id"]]
    assert hit and others
    assert all(r["list_price_usd"] == plain[r["product_id"]]["list_price_usd"] for r in others)
    for r in hit:
        ratio = float(r["list_price_usd"]) / float(plain[r["product_id"]]["list_price_usd"])
        assert abs(ratio - factor) < 0.1, (r, ratio)
    # the shop's product table has the new prices too, and the day before is untouched
    before = pq.read_table(SourcePaths(root).inventory / "dt=2025-01-03" / "part-00000.parquet")
    assert before.equals(pq.read_table(SourcePaths(stationary).inventory / "dt=2025-01-03" / "part-00000.parquet"))
    con = sqlite3.connect(SourcePaths(root).oltp_sqlite)
    try:
        prices = dict(con.execute("select product_id, list_price_usd from products"))
    finally:
        con.close()
    assert all(abs(float(prices[r["product_id"]]) - float(r["list_price_usd"])) < 0.01 for r in hit)


def test_channel_mix_moves_web_sessions_to_social(base: Path, stationary: Path, tmp_path: Path) -> None:
    root = _advanced(base, tmp_path, "channel_mix")

    def social_share(data: Path) -> float:
        starts = []
        for path in sorted((SourcePaths(data).events / "dt=2025-01-05").glob("*.jsonl.gz")):
            for line in gzip.decompress(path.read_bytes()).decode().splitlines():
                try:
                    starts.append(json.loads(line))
                except ValueError:  # the demo's dirty data: a cut-off line
                    continue
        web = [e for e in starts if e.get("platform") == "web" and (e.get("page") or {}).get("referrer") is not None]
        return sum("instagram" in e["page"]["referrer"] for e in web) / max(len(web), 1)

    assert social_share(root) > social_share(stationary) + 0.15
    # the sources sessions do not feed (inventory, FX rates, review exports) are byte-identical
    changed = _changed(stationary, root)
    assert not any(name.startswith(("lake/inventory", "lake/fx", "documents/")) for name in changed), changed
