"""The monitoring report: one self-contained HTML page (inline SVG, no scripts, no network).

    python -m tools.monitoring_report [--warehouse PATH] [--out PATH]

`make monitor` writes it to DATA_DIR/reports/monitoring.html after printing the checks. It reads the
monitoring tables of the built warehouse (read-only) and shows, for the newest check date:

- the checks that warn or error (table, column, measure, value, threshold);
- each drifted column's distribution, reference window against the day: category shares for
  categories, the quantiles (p05, p25, median, p75, p95) and mean for numbers. A column counts as
  drifted when one of its checks warns or errors; when none does, the three columns of the largest
  PSI are shown so the reader sees what "no drift" looks like;
- PSI per column over the judged days, one chart per table, with the warn and error levels;
- each table's daily rows with the expected band (the same weekday's mean in the reference window,
  widened to the error threshold) over the judged days.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import math
import sys
from collections import defaultdict
from pathlib import Path

import duckdb

from tools.warehouse_lock import default_warehouse

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f")
REFERENCE, CURRENT = "#9aa7b8", "#d62728"
W, H, PAD_L, PAD_R, PAD_T, PAD_B = 560, 220, 56, 150, 16, 36


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _axis(ymin: float, ymax: float) -> tuple[float, float, list[float]]:
    if ymax <= ymin:
        ymax = ymin + 1
    span = ymax - ymin
    step = 10 ** math.floor(math.log10(span / 4))
    for k in (1, 2, 5, 10):
        if span / (step * k) <= 5:
            step *= k
            break
    lo = math.floor(ymin / step) * step
    hi = math.ceil(ymax / step) * step
    ticks = [lo + i * step for i in range(int(round((hi - lo) / step)) + 1)]
    return lo, hi, ticks


def line_chart(
    title: str,
    xs: list[str],
    series: dict[str, list[float | None]],
    levels: dict[str, float] | None = None,
    band: tuple[list[float | None], list[float | None]] | None = None,
) -> str:
    """An SVG line chart over the x labels, with optional horizontal levels and a shaded band."""
    values = [v for s in series.values() for v in s if v is not None]
    values += list((levels or {}).values())
    if band:
        values += [v for side in band for v in side if v is not None]
    lo, hi, ticks = _axis(min(values + [0.0]), max(values + [0.0]))
    pw, ph = W - PAD_L - PAD_R, H - PAD_T - PAD_B

    def x(i: int) -> float:
        return PAD_L + (pw * i / max(len(xs) - 1, 1))

    def y(v: float) -> float:
        return PAD_T + ph * (1 - (v - lo) / (hi - lo))

    out = [
        f'<svg class="chart" role="img" aria-label="{html.escape(title)}" width="{W}" height="{H}" '
        f'viewBox="0 0 {W} {H}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for t in ticks:
        out.append(f'<line x1="{PAD_L}" x2="{PAD_L + pw}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{PAD_L - 4}" y="{y(t) + 4:.1f}" text-anchor="end" font-size="10">{_fmt(t)}</text>')
    step = max(1, len(xs) // 7)
    for i, label in enumerate(xs):
        if i % step == 0 or i == len(xs) - 1:
            out.append(f'<text x="{x(i):.1f}" y="{H - 18}" text-anchor="middle" font-size="10">{label[5:]}</text>')
    if band:
        upper, lower = band
        pts = [(i, u, v) for i, (u, v) in enumerate(zip(upper, lower, strict=True)) if u is not None and v is not None]
        if pts:
            poly = [f"{x(i):.1f},{y(u):.1f}" for i, u, _ in pts] + [
                f"{x(i):.1f},{y(v):.1f}" for i, _, v in reversed(pts)
            ]
            out.append(f'<polygon class="band" points="{" ".join(poly)}" fill="#cfe3f7" stroke="none"/>')
    for name, level in (levels or {}).items():
        color = "#d62728" if name == "error" else "#ff7f0e"
        out.append(
            f'<line x1="{PAD_L}" x2="{PAD_L + pw}" y1="{y(level):.1f}" y2="{y(level):.1f}" stroke="{color}" '
            f'stroke-dasharray="4 3"/><text x="{PAD_L + pw + 4}" y="{y(level) + 4:.1f}" font-size="10" '
            f'fill="{color}">{name} {_fmt(level)}</text>'
        )
    for k, (name, points) in enumerate(series.items()):
        color = COLORS[k % len(COLORS)]
        path = [f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(points) if v is not None]
        if path:
            out.append(
                f'<polyline class="series" points="{" ".join(path)}" fill="none" stroke="{color}" stroke-width="2"/>'
            )
        legend_y = PAD_T + 14 * (k + len(levels or {})) + 30
        out.append(
            f'<text x="{PAD_L + pw + 4}" y="{legend_y}" font-size="10" fill="{color}">{html.escape(name[:24])}</text>'
        )
    out.append(f'<text x="{PAD_L}" y="{H - 4}" font-size="11" font-weight="bold">{html.escape(title)}</text>')
    out.append("</svg>")
    return "".join(out)


def bar_chart(title: str, labels: list[str], reference: list[float], current: list[float]) -> str:
    """Grouped horizontal bars: reference window (grey) against the day (red), one pair per label."""
    row = 22
    height = PAD_T + row * len(labels) + 40
    top = max(reference + current + [1e-9])
    pw = W - 170 - 110
    out = [
        f'<svg class="chart" role="img" aria-label="{html.escape(title)}" width="{W}" height="{height}" '
        f'viewBox="0 0 {W} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, ref, cur) in enumerate(zip(labels, reference, current, strict=True)):
        y0 = PAD_T + i * row
        out.append(f'<text x="166" y="{y0 + 13}" text-anchor="end" font-size="10">{html.escape(label[:28])}</text>')
        out.append(
            f'<rect class="bar" x="170" y="{y0 + 2}" width="{pw * ref / top:.1f}" height="8" fill="{REFERENCE}"/>'
        )
        out.append(
            f'<rect class="bar" x="170" y="{y0 + 10}" width="{pw * cur / top:.1f}" height="8" fill="{CURRENT}"/>'
        )
        out.append(
            f'<text x="{174 + pw * max(ref, cur) / top:.1f}" y="{y0 + 14}" font-size="9">'
            f"{_fmt(ref)} / {_fmt(cur)}</text>"
        )
    out.append(
        f'<text x="4" y="{height - 20}" font-size="10"><tspan fill="{REFERENCE}">&#9632; reference window</tspan>'
        f' <tspan fill="{CURRENT}">&#9632; check day</tspan></text>'
    )
    out.append(f'<text x="4" y="{height - 4}" font-size="11" font-weight="bold">{html.escape(title)}</text>')
    out.append("</svg>")
    return "".join(out)


class Report:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.latest = con.execute("select max(check_date) from monitoring.mon_checks").fetchone()[0]
        self.reference_days = self._reference_days()

    def _reference_days(self) -> int:
        # the reference window in use: rows of the psi check of the newest day are over that many days
        row = self.con.execute("select min(profile_date) from monitoring.mon_column_profiles_daily").fetchone()
        first = row[0] if row else None
        return max(1, min(28, (self.latest - first).days)) if self.latest and first else 28

    def rows(self, sql: str, *params: object) -> list[tuple]:
        return self.con.execute(sql, list(params)).fetchall()

    def checks(self) -> list[tuple]:
        return self.rows(
            "select table_name, column_name, measure, measure_value, "
            "case when check_status = 'error' then error_threshold else warn_threshold end, check_status "
            "from monitoring.mon_checks where is_latest_check and check_status <> 'ok' "
            "order by check_status, table_name, column_name, measure"
        )

    def drifted_columns(self) -> tuple[list[tuple[str, str, str]], bool]:
        found = self.rows(
            "select distinct table_name, column_name, column_kind from monitoring.mon_checks "
            "where is_latest_check and check_status <> 'ok' and column_kind in ('numeric', 'categorical') "
            "order by 1, 2"
        )
        if found:
            return found, True
        top = self.rows(
            "select table_name, column_name, column_kind from monitoring.mon_checks "
            "where is_latest_check and measure = 'psi' order by measure_value desc, 1, 2 limit 3"
        )
        return top, False

    def distribution(self, table: str, column: str, kind: str) -> str:
        start = self.latest - dt.timedelta(days=28)
        title = f"{table}.{column} on {self.latest}: reference window vs the day"
        if kind == "categorical":
            data = self.rows(
                "select category_value, "
                "sum(case when profile_date < ? then row_count else 0 end), "
                "sum(case when profile_date = ? then row_count else 0 end) "
                "from monitoring.mon_category_counts_daily where table_name = ? and column_name = ? "
                "and profile_date between ? and ? group by 1 order by 2 desc, 1 limit 12",
                self.latest,
                self.latest,
                table,
                column,
                start,
                self.latest,
            )
            ref_total = sum(r[1] for r in data) or 1
            cur_total = sum(r[2] for r in data) or 1
            return bar_chart(
                title + " (share of rows)",
                [str(r[0]) for r in data],
                [r[1] / ref_total for r in data],
                [r[2] / cur_total for r in data],
            )
        stats = ("p05_value", "p25_value", "median_value", "p75_value", "p95_value", "mean_value", "null_rate")
        ref = self.rows(
            f"select {', '.join(f'avg({s})' for s in stats)} from monitoring.mon_column_profiles_daily "
            "where table_name = ? and column_name = ? and profile_date >= ? and profile_date < ?",
            table,
            column,
            start,
            self.latest,
        )[0]
        cur = self.rows(
            f"select {', '.join(stats)} from monitoring.mon_column_profiles_daily "
            "where table_name = ? and column_name = ? and profile_date = ?",
            table,
            column,
            self.latest,
        )
        cur_row = cur[0] if cur else (None,) * len(stats)
        labels = ["p05", "p25", "median", "p75", "p95", "mean", "null share"]
        return bar_chart(
            title + " (quantiles, mean, null share)",
            labels,
            [float(v or 0) for v in ref],
            [float(v or 0) for v in cur_row],
        )

    def psi_over_time(self) -> list[str]:
        data = self.rows(
            "select table_name, column_name, cast(check_date as varchar), measure_value, warn_threshold, "
            "error_threshold from monitoring.mon_checks where measure = 'psi' order by 1, 2, 3"
        )
        days = sorted({r[2] for r in data})
        by_table: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
        levels: dict[str, tuple[float, float]] = {}
        for table, column, day, value, warn, error in data:
            by_table[table][column][day] = value
            levels[table] = (
                min(warn, levels.get(table, (warn, error))[0]),
                min(error, levels.get(table, (warn, error))[1]),
            )
        charts = []
        for table, columns in sorted(by_table.items()):
            series = {c: [vals.get(d) for d in days] for c, vals in sorted(columns.items())}
            warn, error = levels[table]
            charts.append(line_chart(f"PSI per column: {table}", days, series, {"warn": warn, "error": error}))
        return charts

    def volumes(self) -> list[str]:
        checks = self.rows(
            "select table_name, cast(check_date as varchar), reference_value, error_threshold "
            "from monitoring.mon_checks where measure = 'volume_change' order by 1, 2"
        )
        expected: dict[str, dict[str, tuple[float, float]]] = defaultdict(dict)
        for table, day, ref, error in checks:
            expected[table][day] = (ref, error)
        first = self.latest - dt.timedelta(days=56)
        counts = self.rows(
            "select table_name, cast(profile_date as varchar), max(row_count) "
            "from monitoring.mon_column_profiles_daily where profile_date >= ? group by 1, 2 order by 1, 2",
            first,
        )
        by_table: dict[str, dict[str, float]] = defaultdict(dict)
        for table, day, n in counts:
            by_table[table][day] = n
        charts = []
        for table, series in sorted(by_table.items()):
            days = sorted(series)
            exp = expected.get(table, {})
            upper = [math.exp(math.log(exp[d][0] + 1) + exp[d][1]) - 1 if d in exp else None for d in days]
            lower = [max(0.0, math.exp(math.log(exp[d][0] + 1) - exp[d][1]) - 1) if d in exp else None for d in days]
            note = "band: expected, to the error threshold" if exp else "too few rows a day for a volume check"
            charts.append(
                line_chart(
                    f"daily rows: {table} ({note})",
                    days,
                    {"rows": [series[d] for d in days], "expected": [exp[d][0] if d in exp else None for d in days]},
                    band=(upper, lower),
                )
            )
        return charts


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222;max-width:1240px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}
.error{color:#b00020;font-weight:bold}.warn{color:#b36b00;font-weight:bold}
.grid{display:flex;flex-wrap:wrap;gap:12px}.chart{background:#fff;border:1px solid #eee}
"""


def render(con: duckdb.DuckDBPyConnection) -> str:
    """The whole page as HTML text."""
    report = Report(con)
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Monitoring report {report.latest}</title><style>{CSS}</style></head><body>",
        f"<h1>Data monitoring: checks of {report.latest}</h1>",
    ]
    if report.latest is None:
        parts.append("<p>No checks yet: the monitored tables need more history than the reference window.</p>")
        return "".join(parts) + "</body></html>\n"
    checks = report.checks()
    counts = dict(
        report.rows("select check_status, count(*) from monitoring.mon_checks where is_latest_check group by 1")
    )
    parts.append(
        f"<p id='summary'>{sum(counts.values())} checks: {counts.get('ok', 0)} ok, "
        f"<span class='warn'>{counts.get('warn', 0)} warn</span>, "
        f"<span class='error'>{counts.get('error', 0)} error</span>.</p>"
    )
    if checks:
        parts.append(
            "<table id='alarms'><tr><th>table</th><th>column</th><th>measure</th><th>value</th>"
            "<th>threshold</th><th>status</th></tr>"
        )
        for table, column, measure, value, threshold, status in checks:
            parts.append(
                f"<tr class='{status}'><td>{html.escape(table)}</td><td>{html.escape(column)}</td>"
                f"<td>{measure}</td><td>{value:.4f}</td><td>{threshold:.4f}</td><td>{status.upper()}</td></tr>"
            )
        parts.append("</table>")
    columns, drifted = report.drifted_columns()
    parts.append(
        "<h2 id='distributions'>"
        + ("Drifted columns" if drifted else "No drifted column: the three largest PSI")
        + "</h2><div class='grid'>"
    )
    parts.extend(report.distribution(t, c, k) for t, c, k in columns)
    parts.append("</div><h2 id='psi'>PSI per column over the judged days</h2><div class='grid'>")
    parts.extend(report.psi_over_time())
    parts.append("</div><h2 id='volume'>Daily volume and its expected band</h2><div class='grid'>")
    parts.extend(report.volumes())
    parts.append("</div></body></html>\n")
    return "".join(parts)


def write_report(warehouse: Path, out: Path) -> Path:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        page = render(con)
    finally:
        con.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.monitoring_report", description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=None, help="default: $DATA_DIR/warehouse.duckdb")
    parser.add_argument("--out", type=Path, default=None, help="default: DATA_DIR/reports/monitoring.html")
    args = parser.parse_args(argv)
    warehouse = args.warehouse or default_warehouse()
    out = args.out or warehouse.parent / "reports" / "monitoring.html"
    print(f"monitoring report: {write_report(warehouse, out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
