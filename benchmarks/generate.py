"""Generator benchmark: time and peak memory of `python -m demo generate` at several scales.

    python -m benchmarks.generate --scales 1 3 [--days 90] [--repeat 1] [--json PATH]

Each scale runs in a fresh temporary DATA_DIR; medians over --repeat runs; ratios against the first
scale. Peak memory is the summed RSS of the generator and its worker process. Targets (reported as
PASS/MISS, written by ``--json PATH`` as records {benchmark, scale, metric, value, unit, target, pass}):
SCALE=1 in at most 30 s; peak memory flat in SCALE (each larger scale within 1.2x of the first).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from ._measure import Record, measure, median, verdict, write_records

SECONDS_TARGET = 30.0
"""The generator at SCALE=1 (judged at that scale only)."""
RSS_GROWTH_TARGET = 1.2
"""Peak memory at a larger scale / at the first scale."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate")
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 3.0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="write the judged figures here")
    args = parser.parse_args(argv)
    rows = []
    for scale in args.scales:
        times, peaks, manifest = [], [], {}
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory(prefix="bench-generate-") as tmp:
                m = measure(
                    [
                        sys.executable,
                        "-m",
                        "demo",
                        "--data-dir",
                        tmp,
                        "generate",
                        "--scale",
                        str(scale),
                        "--days",
                        str(args.days),
                        "--quiet",
                    ]
                )
                manifest = json.loads((Path(tmp) / "manifest.json").read_text())
                times.append(m.seconds)
                peaks.append(m.peak_rss_mb)
        rows.append((scale, median(times), median(peaks), manifest))
    base_t, base_m = rows[0][1], rows[0][2]
    print(f"generator: {args.days} days, median of {args.repeat} run(s) per scale, {sys.platform}")
    print(
        f"{'SCALE':>6} {'seconds':>8} {'peak RSS MB':>12} {'orders':>9} {'events':>10} {'log lines':>10} "
        f"{'OLTP rows':>10} {'time ratio':>11} {'RSS ratio':>10}"
    )
    for scale, seconds, peak, mf in rows:
        print(
            f"{scale:>6g} {seconds:>8.1f} {peak:>12.0f} {mf['orders']['orders']:>9,} "
            f"{mf['events']['lines']:>10,} {mf['web_logs']['lines']:>10,} "
            f"{sum(mf['oltp']['row_counts'].values()):>10,} {seconds / base_t:>11.2f} {peak / base_m:>10.2f}"
        )
    records = []
    for scale, seconds, peak, _ in rows:
        if scale == 1:
            records.append(Record("generate", scale, "seconds", seconds, "s", SECONDS_TARGET))
            print(f"SCALE=1: {seconds:.1f} s, target ≤ {SECONDS_TARGET:.0f} s: {verdict(seconds, SECONDS_TARGET)}")
        if scale != rows[0][0]:
            growth = peak / base_m
            metric = f"peak_rss_vs_scale_{rows[0][0]:g}"
            records.append(Record("generate", scale, metric, growth, "ratio", RSS_GROWTH_TARGET))
            print(
                f"peak RSS SCALE={scale:g} / SCALE={rows[0][0]:g}: {growth:.2f}, target ≤ {RSS_GROWTH_TARGET}: "
                f"{verdict(growth, RSS_GROWTH_TARGET)}"
            )
    write_records(args.json, records)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
