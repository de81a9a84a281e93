"""nginx access-log lines (combined format) in the web server's local time zone (Europe/Berlin).

$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"
"""

from __future__ import annotations

import datetime as dt
import random
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

SERVER_TZ = ZoneInfo("Europe/Berlin")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

CRAWLERS = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
)
TOOLS = ("python-requests/2.32.3", "curl/8.5.0", "Go-http-client/1.1", "Mozilla/5.0 zgrab/0.x")
SCANNER_PATHS = (
    "/wp-login.php",
    "/.env",
    "/admin/config.php",
    "/phpmyadmin/",
    "/.git/config",
    "/cgi-bin/luci",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
)
TLS_PROBE = "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03"


class Request(NamedTuple):  # a tuple: tens of thousands a day, made much faster than a frozen dataclass
    ts: int  # epoch seconds
    ip: str
    method: str
    path: str
    status: int
    size: int
    referrer: str | None
    user_agent: str
    kind: str  # human | bot | invalid
    raw_request: str | None = None  # as logged when not "METHOD PATH HTTP/1.1"


@lru_cache(maxsize=4096)
def _local_hour(epoch_hour: int) -> tuple[str, str]:
    """Local date/hour prefix and UTC offset for one UTC hour: ('01/Jan/2025:10', '+0100')."""
    local = dt.datetime.fromtimestamp(epoch_hour * 3600, SERVER_TZ)
    offset = local.strftime("%z")
    return f"{local.day:02d}/{MONTHS[local.month - 1]}/{local.year}:{local.hour:02d}", offset


def time_local(ts: int) -> str:
    prefix, offset = _local_hour(ts // 3600)
    rem = ts % 3600
    return f"{prefix}:{rem // 60:02d}:{rem % 60:02d} {offset}"


def render(req: Request) -> str:
    request = req.raw_request if req.raw_request is not None else f"{req.method} {req.path} HTTP/1.1"
    return (
        f'{req.ip} - - [{time_local(req.ts)}] "{request}" {req.status} {req.size} '
        f'"{req.referrer or "-"}" "{req.user_agent}"'
    )


def bot_requests(r: random.Random, day_start: int, n: int, product_paths: list[str]) -> list[Request]:
    """Crawlers reading product pages, scanners probing for admin pages, and TLS probes on port 80."""
    out: list[Request] = []
    for _ in range(n):
        ts = day_start + r.randrange(86_400)
        ip = f"{r.choice((66, 157, 185, 45, 193))}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"
        roll = r.random()
        if roll < 0.70:
            path = r.choice(product_paths) if product_paths and r.random() < 0.85 else "/robots.txt"
            status = 200 if r.random() < 0.93 else r.choice((301, 404))
            out.append(
                Request(ts, ip, "GET", path, status, 44_000 if status == 200 else 162, None, r.choice(CRAWLERS), "bot")
            )
        elif roll < 0.95:
            out.append(
                Request(
                    ts,
                    ip,
                    r.choice(("GET", "GET", "POST")),
                    r.choice(SCANNER_PATHS),
                    404,
                    153,
                    None,
                    r.choice(TOOLS),
                    "bot",
                )
            )
        else:
            # nginx logs unparsable requests with status 400 and the raw bytes escaped.
            raw = TLS_PROBE if r.random() < 0.6 else "-"
            out.append(Request(ts, ip, "-", "-", 400, 150 if raw != "-" else 0, None, "-", "invalid", raw))
    return out
