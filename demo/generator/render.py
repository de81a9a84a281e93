"""Render a day's sessions as clickstream files (lake) and an nginx access log.

A function of its job and the day's sessions, so it can run in a worker process while the simulator
plans the next sessions: the random streams are seeded by (seed, day), whichever process draws them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import orjson

from . import clickstream as cs
from . import weblogs
from .files import GzipLinesWriter, partition_dir, write_gzip_lines

SESSIONS_PER_FILE = 4_000  # one part file per 4k sessions (~18k events)
LOG_LINES_PER_WRITE = 10_000  # the access log is rendered and compressed this many lines at a time
UNTRACKED_SHARE = 0.12  # web visitors whose ad blocker drops the SDK: in the logs, not the events
BOT_REQUESTS_PER_DAY = 2_500  # at SCALE=1


@dataclass
class RenderJob:
    seed: int
    day: int
    date: dt.date
    day_start: int  # epoch seconds
    scale: float
    dirty_rate: float
    events_dir: Path
    logs_dir: Path
    product_paths: list[str]
    arrived_late: list[list[Any]] | None = None  # None: those of the day this process rendered last


@dataclass
class RenderResult:
    late_events: list[list[Any]]  # [received_ms, event_date, event_type, is_first, currency, cents, line]
    truth: dict[str, Any]  # {"days": {date: {...counters}}}


def add(node: dict[str, Any], key: str, value: int = 1) -> None:
    node[key] = node.get(key, 0) + value


def sub(node: dict[str, Any], key: str) -> dict[str, Any]:
    return node.setdefault(key, {})


def merge_counts(dst: dict[str, Any], src: dict[str, Any]) -> None:
    """Add nested counters of src into dst."""
    for key, value in src.items():
        if isinstance(value, dict):
            merge_counts(dst.setdefault(key, {}), value)
        else:
            dst[key] = dst.get(key, 0) + value


def _rngs(job: RenderJob, stream: str) -> tuple[np.random.Generator, random.Random]:
    from .randomness import day_random, day_rng

    return day_rng(job.seed, job.day, stream), day_random(job.seed, job.day, stream)


class DayRenderer:
    """Renders one day: its sessions a chunk at a time (`add`), then the access log (`finish`).

    The simulator hands over SESSIONS_PER_FILE sessions at a time, in start order, so neither process
    holds a whole day of sessions and rendered lines: memory stays flat in SCALE. The random streams
    are drawn in the same order as when the whole day is rendered at once.
    """

    def __init__(self, job: RenderJob) -> None:
        self.job = job
        self.days: dict[str, Any] = {}
        self.rng, self.r = _rngs(job, "events")
        date = self.days.setdefault(job.date.isoformat(), {})
        self.part = sub(date, "event_files")
        self.log_truth = sub(date, "web_logs")
        self.out = partition_dir(job.events_dir, job.date)
        self.late: list[list[Any]] = []
        self.arrived = [(int(x[0]), x[-1]) for x in job.arrived_late]
        _count_events(self.days, [x[1:-1] for x in job.arrived_late])
        add(self.part, "late_events", len(self.arrived))
        self.files = 0
        self.requests: list[weblogs.Request] = []  # the tracked sessions' requests, in session order
        self.n_web = 0
        # A file is compressed (zlib releases the GIL) while the next one is rendered.
        self._gzip_io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-gzip")
        self._writes: list[Future[None]] = []

    def _submit(self, fn: Any, *args: Any) -> None:
        for future in self._writes:  # at most one write waits: memory does not grow with the day
            future.result()
        self._writes = [self._gzip_io.submit(fn, *args)]

    def add(self, sessions: list[cs.Session]) -> None:
        """The next (at most) SESSIONS_PER_FILE sessions of the day: one part file of events."""
        i = self.files
        late = self.late
        on_time = _render_sessions(self.job, self.r, sessions, self.days, late)
        bad = sub(self.part, "bad")
        lines = sorted(
            on_time + _dirty_copies(self.job, self.rng, self.r, on_time, bad) + (self.arrived if i == 0 else [])
        )
        self._submit(write_gzip_lines, self.out / f"part-{i:05d}.jsonl.gz", [x[1] for x in lines])
        add(self.part, "files")
        add(self.part, "lines", len(lines))
        self.files += 1
        self.requests.extend(_session_requests(sessions, self.log_truth))
        self.n_web += sum(1 for s in sessions if s.platform == "web")

    def finish(self) -> RenderResult:
        """The access log of the day; waits for every file. Returns the late events and the counters."""
        try:
            if not self.files:  # a day without sessions still has its (first) part file
                self.add([])
            log = _LineStream(self, self.job.logs_dir / f"access.log-{self.job.date:%Y%m%d}.gz")
            write_logs(self.job, self.days, log, self.requests, self.n_web)
            for future in self._writes:
                future.result()
        finally:
            self._gzip_io.shutdown(wait=True)
        return RenderResult(self.late, {"days": self.days})


class LineSink(Protocol):
    def write_lines(self, lines: list[str]) -> None: ...

    def close(self) -> None: ...


class _LineStream:
    """A .gz file written a block of lines at a time in the renderer's writer thread."""

    def __init__(self, renderer: DayRenderer, path: Path) -> None:
        self._renderer = renderer
        self._writer = GzipLinesWriter(path)

    def write_lines(self, lines: list[str]) -> None:
        self._renderer._submit(self._writer.write_lines, lines)

    def close(self) -> None:
        self._renderer._submit(self._writer.close)


def render_day(job: RenderJob, sessions: list[cs.Session]) -> RenderResult:
    """Write the day's events and access log; return the late events and the counters."""
    renderer = DayRenderer(job)
    for start in range(0, len(sessions), SESSIONS_PER_FILE):
        renderer.add(sessions[start : start + SESSIONS_PER_FILE])
    return renderer.finish()


_WORKER: dict[str, Any] = {}
"""The render worker process's day in progress and the previous day's late events."""


def start_day(job: RenderJob) -> None:
    """Begin a day in this process; `job.arrived_late` None: the late events of the day rendered last."""
    if job.arrived_late is None:
        job.arrived_late = _WORKER.pop("late", [])
    _WORKER["day"] = DayRenderer(job)


def add_sessions(sessions: list[cs.Session]) -> None:
    _WORKER["day"].add(sessions)


def finish_day() -> RenderResult:
    renderer: DayRenderer = _WORKER.pop("day")
    result = renderer.finish()
    _WORKER["late"] = result.late_events
    return result


def _count_events(days: dict[str, Any], metas: list[list[Any]]) -> None:
    """Count delivered events by event date: [date, event_type, is_session_start, currency, cents]."""
    counts = Counter((m[0], m[1]) for m in metas)
    for (date, event_type), n in sorted(counts.items()):
        ev = sub(days.setdefault(date, {}), "events")
        add(ev, "events", n)
        add(sub(ev, "by_type"), event_type, n)
    for date, event_type, first, currency, cents in metas:
        if first:
            add(sub(days.setdefault(date, {}), "events"), "sessions")
        if event_type == "purchase":
            add(sub(sub(days[date], "events"), "purchase_cents"), currency, cents)


def _render_sessions(
    job: RenderJob, r: random.Random, sessions: list[cs.Session], days: dict[str, Any], late: list[list[Any]]
) -> list[tuple[int, str]]:
    """JSON lines (with arrival time) of the sessions delivered today; late ones go to `late`."""
    date = job.date.isoformat()
    next_day_ms = (job.day_start + 86_400) * 1000
    on_time: list[tuple[int, str]] = []
    delivered: list[list[Any]] = []
    for s in sessions:
        ids = [cs.uuid_from_ints(r.getrandbits(64), r.getrandbits(64)) for _ in s.hits]
        delay = 30_000 if s.platform != "web" else 5_000
        context = cs.event_context(s)
        for k, hit in enumerate(s.hits):
            sent = hit.ts_ms + 100 + int(r.random() * delay)
            received = sent + 40 + int(r.random() * 360)
            if s.late:
                received = next_day_ms + int(r.random() * 2 * 3_600_000)
            line = orjson.dumps(cs.render_event(s, hit, ids[k], sent, received, context)).decode()
            purchase = hit.event_type == "purchase"
            meta = [
                date,
                hit.event_type,
                int(k == 0),
                hit.properties["currency"] if purchase else "",
                round(hit.properties["total"] * 100) if purchase else 0,
            ]
            if s.late:
                late.append([received, *meta, line])
            else:
                on_time.append((received, line))
                delivered.append(meta)
    _count_events(days, delivered)
    return on_time


def _dirty_copies(
    job: RenderJob, rng: np.random.Generator, r: random.Random, on_time: list[tuple[int, str]], bad: dict[str, Any]
) -> list[tuple[int, str]]:
    """Dirty data: extra lines only, so the business in the events stays intact."""
    extra: list[tuple[int, str]] = []
    rate = job.dirty_rate
    if not rate:
        return extra
    for received, line in on_time:
        roll = r.random()
        if roll < rate * 0.5:
            extra.append((received + r.randint(1, 60_000), line))  # SDK retry: exact duplicate
            add(bad, "duplicate")
        elif roll < rate * 0.7:
            extra.append((received, line[: r.randint(20, len(line) - 5)]))  # cut-off write
            add(bad, "malformed_json")
        elif roll < rate * 0.8 and '"event_type":"page_view"' in line:
            event = orjson.loads(line)
            event.update(event_id=cs.uuids(rng, 1)[0], event_type=None, anonymous_id=None)
            extra.append((received, orjson.dumps(event).decode()))
            add(bad, "null_required")
        elif roll < rate * 0.85 and '"event_type":"page_view"' in line:
            event = orjson.loads(line)
            event.update(event_id=cs.uuids(rng, 1)[0], event_ts="2037-" + event["event_ts"][5:])
            extra.append((received, orjson.dumps(event).decode()))
            add(bad, "future_timestamp")
    return extra


def _session_requests(sessions: list[cs.Session], truth: dict[str, Any]) -> list[weblogs.Request]:
    """The requests nginx logs for tracked sessions (no randomness: rendered chunk by chunk)."""
    reqs: list[weblogs.Request] = []
    for s in sessions:
        ua = cs.web_user_agent(s) if s.platform == "web" else cs.app_user_agent(s)
        prev = None
        for hit in s.hits:
            if not hit.request:
                continue
            method, path, status, size = hit.request
            referrer = hit.referrer if prev is None else cs.SITE + prev
            reqs.append(weblogs.Request(hit.ts_ms // 1000, s.ip, method, path, status, size, referrer, ua, "human"))
            if method == "GET" and hit.event_type == "page_view":
                add(truth, "tracked_page_views")
                prev = path
    return reqs


def write_logs(job: RenderJob, days: dict[str, Any], out: LineSink, reqs: list[weblogs.Request], n_web: int) -> None:
    """The day's access log: tracked (`reqs`, of `n_web` web sessions) and untracked visitors, app API
    calls, errors, bots, probes."""
    rng, r = _rngs(job, "weblogs")
    t0 = job.day_start
    truth = sub(days.setdefault(job.date.isoformat(), {}), "web_logs")
    for _ in range(int(rng.binomial(n_web, UNTRACKED_SHARE))):
        ts = t0 + r.randint(1_800, 79_200)
        ip = cs.ip_from_int(r.getrandbits(32))
        ua = cs.WEB_UAS[r.randrange(len(cs.WEB_UAS))][1]
        prev = None
        for _ in range(r.randint(1, 5)):
            path = r.choice(job.product_paths) if prev else "/"
            reqs.append(
                weblogs.Request(
                    ts,
                    ip,
                    "GET",
                    path,
                    200,
                    48_000 + r.randint(-4_000, 4_000),
                    cs.SITE + prev if prev else cs.ORGANIC[2],
                    ua,
                    "human",
                )
            )
            add(truth, "untracked_page_views")
            prev = path
            ts += r.randint(8, 240)
    for _ in range(int(rng.binomial(len(reqs), 0.004))):
        base = reqs[r.randrange(len(reqs))]
        reqs.append(
            weblogs.Request(
                base.ts,
                base.ip,
                "GET",
                f"/api/recommendations?product_id={r.randint(1, 99)}",
                r.choice((500, 502, 503, 504)),
                r.choice((0, 157, 494)),
                cs.SITE + "/",
                base.user_agent,
                "human",
            )
        )
    n_bots = int(rng.poisson(BOT_REQUESTS_PER_DAY * job.scale))
    reqs.extend(weblogs.bot_requests(r, t0, n_bots, job.product_paths))
    reqs.sort(key=attrgetter("ts"))  # stable: same-second requests keep their order
    merge_counts(truth, dict(Counter(req.kind for req in reqs)))
    merge_counts(sub(truth, "by_status"), dict(Counter(str(req.status) for req in reqs)))
    lines: list[str] = []
    truncate_p = job.dirty_rate * 0.3
    for req in reqs:
        line = weblogs.render(req)
        lines.append(line)
        if truncate_p and r.random() < truncate_p:
            lines.append(line[: r.randint(15, len(line) - 12)])  # a write cut off by a crash
            add(truth, "truncated")
        if len(lines) >= LOG_LINES_PER_WRITE:  # written as it is rendered: no whole day of lines at once
            add(truth, "lines", len(lines))
            out.write_lines(lines)
            lines = []
    add(truth, "lines", len(lines))
    out.write_lines(lines)
    out.close()
