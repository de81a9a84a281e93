"""Web and app sessions: the clickstream events a tracking SDK sends and the requests nginx sees.

A session is planned once (visitor, traffic source, pages, cart, purchase) and rendered twice: as
JSON events for the lake and as access-log requests for the web server, so both sources agree.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field, fields
from functools import lru_cache
from operator import attrgetter
from typing import Any

import numpy as np

from .world import AD_PLATFORM_SOURCE, SEARCH_TERMS, SITE, Campaign

WEB_UAS = (
    (
        "desktop",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
    ),
    (
        "desktop",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/18.1 Safari/605.1.15",
    ),
    ("desktop", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"),
    (
        "mobile",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/18.1 Mobile/15E148 Safari/604.1",
    ),
    (
        "mobile",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36",
    ),
)
APP_DEVICES = {
    "ios": (
        ("Apple", "iPhone15,2", "iOS", "18.1"),
        ("Apple", "iPhone16,1", "iOS", "18.2"),
        ("Apple", "iPad13,4", "iPadOS", "18.1"),
    ),
    "android": (
        ("Google", "Pixel 8", "Android", "14"),
        ("Samsung", "SM-S921B", "Android", "14"),
        ("Xiaomi", "2201116SG", "Android", "13"),
    ),
}
APP_VERSION = {"ios": ("5.3.0", "5300"), "android": ("5.3.1", "5301")}
WEB_LIBRARY = {"name": "shop-analytics.js", "version": "2.14.0"}

# (source, medium, referrer) for unpaid traffic
ORGANIC = ("google", "organic", "https://www.google.com/")
SOCIAL = ("instagram", "social", "https://l.instagram.com/")
REFERRAL = ("outdoorblog.example", "referral", "https://outdoorblog.example/best-gear-2025")


def _pickled_as_fields(cls: type) -> type:
    """Pickle a slots dataclass as (class, field values): half the time and bytes of the default
    (a day's sessions go to the render worker), and unpickled by the class's own __init__."""
    values = attrgetter(*(f.name for f in fields(cls)))

    def __reduce__(self: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls


@_pickled_as_fields
@dataclass(slots=True)
class Source:
    """Where a session came from (UTM parameters, when any) and the ad campaign behind it."""

    channel: str  # paid | organic | direct | email | social | referral | push
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_id: str | None = None
    referrer: str | None = None
    campaign_id: int | None = None

    def query(self) -> str:
        if not self.utm_source:
            return ""
        parts = [f"utm_source={self.utm_source}", f"utm_medium={self.utm_medium}", f"utm_campaign={self.utm_campaign}"]
        if self.utm_id:
            parts.append(f"utm_id={self.utm_id}")
        return "?" + "&".join(parts)

    def context(self) -> dict[str, str] | None:
        if not self.utm_source:
            return None
        ctx = {"source": self.utm_source, "medium": self.utm_medium, "name": self.utm_campaign}
        if self.utm_id:
            ctx["id"] = self.utm_id
        return ctx


def paid_source(campaign: Campaign) -> Source:
    return Source(
        "paid",
        AD_PLATFORM_SOURCE,
        campaign.utm_medium,
        campaign.utm_campaign,
        str(campaign.campaign_id),
        "https://ads.adwise.example/",
        campaign.campaign_id,
    )


def email_source(day_of_year_week: int) -> Source:
    return Source("email", "newsletter", "email", f"weekly_{day_of_year_week:02d}", None, None)


@_pickled_as_fields
@dataclass(slots=True)
class Hit:
    """One thing that happened in a session, at a time in epoch milliseconds."""

    ts_ms: int
    event_type: str
    path: str | None = None  # page path (web) or screen name (app)
    title: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    request: tuple[str, str, int, int] | None = None  # method, path, status, bytes for the access log
    referrer: str | None = None


@_pickled_as_fields
@dataclass(slots=True)
class Session:
    index: int
    platform: str  # web | ios | android
    anonymous_id: str
    customer_id: int | None  # known before the session (returning visitor)
    source: Source
    start_ms: int
    converts: bool
    logged_in: bool
    ip: str
    ua_index: int
    locale: str
    late: bool = False
    bounces: bool = False  # leaves after the landing page
    hits: list[Hit] = field(default_factory=list)
    order_id: int | None = None
    signup_customer_id: int | None = None

    @property
    def user_id(self) -> int | None:
        return self.customer_id or self.signup_customer_id


_UUID_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def uuid_from_ints(a: int, b: int) -> str:
    h = f"{a & 0xFFFFFFFFFFFFFFFF:016x}{b & 0xFFFFFFFFFFFFFFFF:016x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_UUID_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


def uuid_bits(rng: np.random.Generator, n: int) -> list[list[int]]:
    """The random bits of n UUIDs (uuid_from_ints(*bits) each), drawn now, formatted when needed."""
    return rng.integers(0, np.iinfo(np.int64).max, size=(n, 2), dtype=np.int64).tolist()


def uuids(rng: np.random.Generator, n: int) -> list[str]:
    return [uuid_from_ints(a, b) for a, b in uuid_bits(rng, n)]


def ip_from_int(x: int) -> str:
    """A public-looking IPv4 address derived from an integer (never private or loopback ranges)."""
    first = (11, 23, 31, 45, 51, 62, 77, 81, 86, 91, 98, 109, 141, 151, 176, 185, 188, 203, 212, 217)
    return f"{first[x % len(first)]}.{(x >> 8) % 256}.{(x >> 16) % 256}.{(x >> 24) % 254 + 1}"


@lru_cache(maxsize=4096)
def _iso_minute(epoch_minute: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:", time.gmtime(epoch_minute * 60))


_SECONDS = tuple(f"{s:02d}." for s in range(60))
_MILLIS = tuple(f"{ms:03d}Z" for ms in range(1000))


def iso_ms(ts_ms: int) -> str:
    """Epoch milliseconds as ISO-8601 UTC: 2025-01-01T10:00:00.123Z."""
    sec, ms = divmod(ts_ms, 1000)
    minute, s = divmod(sec, 60)
    return _iso_minute(minute) + _SECONDS[s] + _MILLIS[ms]  # three events per line: looked up, not formatted


def plan_hits(
    session: Session,
    r: random.Random,
    product_slugs: dict[int, str],
    product_skus: dict[int, str],
    browse_pool: list[int],
    cart: list[tuple[int, int, int]],
    currency: str,
    reaches_checkout: bool,
) -> int:
    """Fill session.hits with the pages and actions of a visit; return the purchase time (ms).

    `cart` holds (product_id, quantity, unit_price_cents) the visitor adds; a purchase happens when
    the session converts. Gaps between hits stay under 30 minutes (one session by the usual rule).
    """
    t = session.start_ms
    web = session.platform == "web"
    src = session.source
    hits = session.hits

    def step(lo: int = 8, hi: int = 240) -> int:
        nonlocal t
        t += int((lo + r.random() * (hi - lo)) * 1000)
        return t

    def view(
        path: str,
        title: str,
        props: dict[str, Any] | None = None,
        status: int = 200,
        size: int = 48_000,
        referrer: str | None = None,
    ) -> None:
        if web:
            hits.append(
                Hit(
                    t,
                    "page_view",
                    path,
                    title,
                    props or {},
                    ("GET", path, status, size - 4_000 + int(r.random() * 8_000)),
                    referrer,
                )
            )
        else:
            hits.append(Hit(t, "screen_view", title.replace(" ", ""), title, props or {}, None))

    # Landing page
    landing_pid = browse_pool[0] if src.channel in ("paid", "social", "referral") and browse_pool else None
    landing_path = f"/p/{product_slugs[landing_pid]}" if landing_pid else "/"
    view(
        landing_path + src.query(),
        "Product" if landing_pid else "Home",
        {"product_id": landing_pid} if landing_pid else {},
        referrer=src.referrer,
    )
    if not session.bounces and r.random() < 0.3:
        term = SEARCH_TERMS[r.randrange(len(SEARCH_TERMS))]
        step()
        hits.append(
            Hit(
                t,
                "search",
                None,
                None,
                {"query": term, "results_count": r.randint(0, 60)},
                ("GET", f"/api/search?q={term.replace(' ', '+')}", 200, 3_100) if web else None,
            )
        )
        view(f"/search?q={term.replace(' ', '+')}", "Search")
    for pid in browse_pool[1:]:
        step()
        view(f"/p/{product_slugs[pid]}", "Product", {"product_id": pid})
    for pid, qty, price in cart:
        step()
        view(f"/p/{product_slugs[pid]}", "Product", {"product_id": pid})
        step(3, 60)
        hits.append(
            Hit(
                t,
                "add_to_cart",
                None,
                None,
                {
                    "product_id": pid,
                    "sku": product_skus[pid],
                    "quantity": qty,
                    "price": price / 100,
                    "currency": currency,
                },
                ("POST", "/api/cart/items", 201, 118),
            )
        )
    if cart and reaches_checkout:
        step()
        view("/cart", "Cart")
        step(5, 90)
        cart_value = sum(q * p for _, q, p in cart)
        hits.append(
            Hit(
                t,
                "checkout_started",
                None,
                None,
                {"cart_value": cart_value / 100, "currency": currency, "item_count": sum(q for _, q, _ in cart)},
                None,
            )
        )
        view("/checkout", "Checkout")
    if session.converts:
        step(20, 200)
        return t
    return 0


def add_purchase(
    session: Session, ts_ms: int, order: dict[str, Any], items: list[dict[str, Any]], product_skus: dict[int, str]
) -> None:
    """The purchase event (and its API call) for the order a converting session placed."""
    props = {
        "order_id": str(order["order_id"]),
        "order_number": order["order_number"],
        "total": order["total_cents"] / 100,
        "currency": order["currency"],
        "coupon": order["coupon_code"],
        "products": [
            {
                "product_id": i["product_id"],
                "sku": product_skus[i["product_id"]],
                "quantity": i["quantity"],
                "price": i["unit_price_cents"] / 100,
            }
            for i in items
        ],
    }
    session.hits.append(Hit(ts_ms, "purchase", None, None, props, ("POST", "/api/orders", 201, 342)))
    if session.platform == "web":
        session.hits.append(
            Hit(
                ts_ms + 900,
                "page_view",
                "/checkout/confirmation",
                "Order confirmed",
                {},
                ("GET", "/checkout/confirmation", 200, 21_000),
            )
        )
    else:
        session.hits.append(Hit(ts_ms + 900, "screen_view", "OrderConfirmed", "Order confirmed", {}, None))


def event_context(session: Session) -> dict[str, Any]:
    """The `context` of a session's events (the landing event's adds `campaign`): the same for every hit."""
    if session.platform == "web":
        device_type, ua = WEB_UAS[session.ua_index % len(WEB_UAS)]
        return {
            "ip": session.ip,
            "user_agent": ua,
            "locale": session.locale,
            "device": {"type": device_type},
            "library": WEB_LIBRARY,
        }
    manufacturer, model, os_name, os_version = APP_DEVICES[session.platform][
        session.ua_index % len(APP_DEVICES[session.platform])
    ]
    version, build = APP_VERSION[session.platform]
    return {
        "ip": session.ip,
        "locale": session.locale,
        "app": {"name": "Shop", "version": version, "build": build},
        "device": {"manufacturer": manufacturer, "model": model, "type": session.platform},
        "os": {"name": os_name, "version": os_version},
        "library": {"name": f"shop-analytics-{session.platform}", "version": "3.2.1"},
    }


def render_event(
    session: Session,
    hit: Hit,
    event_id: str,
    sent_ms: int,
    received_ms: int,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON event the SDK sends for one hit; `context` is event_context(session), passed in to be shared."""
    user_id = None
    if session.user_id is not None and (
        session.logged_in
        or hit.event_type in ("checkout_started", "purchase")
        or (hit.path or "").startswith(("/checkout", "OrderConfirmed"))
    ):
        user_id = str(session.user_id)
    event: dict[str, Any] = {
        "event_id": event_id,
        "event_type": hit.event_type,
        "event_ts": iso_ms(hit.ts_ms),
        "sent_at": iso_ms(sent_ms),
        "received_at": iso_ms(received_ms),
        "anonymous_id": session.anonymous_id,
        "user_id": user_id,
        "platform": session.platform,
    }
    if session.platform == "web":
        if hit.path:
            event["page"] = {
                "path": hit.path.split("?")[0],
                "url": SITE + hit.path,
                "title": hit.title,
                "referrer": hit.referrer,
            }
    elif hit.event_type == "screen_view":
        event["screen"] = {"name": hit.path}
    if context is None:
        context = event_context(session)
    if hit is session.hits[0]:
        campaign = session.source.context()
        if campaign:
            context = {**context, "campaign": campaign}
    event["context"] = context
    event["properties"] = hit.properties
    return event


def app_user_agent(session: Session) -> str:
    manufacturer, model, os_name, os_version = APP_DEVICES[session.platform][
        session.ua_index % len(APP_DEVICES[session.platform])
    ]
    version, _ = APP_VERSION[session.platform]
    return f"Shop/{version} ({model}; {os_name} {os_version})"


def web_user_agent(session: Session) -> str:
    return WEB_UAS[session.ua_index % len(WEB_UAS)][1]
