"""The ground truth: what the generator wrote, so the warehouse can be reconciled against it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..adplatform.metrics import served_totals
from ..paths import SourcePaths
from .behaviour import CHURN_HORIZON_DAYS
from .oltp import TABLES
from .shop_rules import DOC_SCHEMA_V2_DAY
from .state import GeneratorState
from .world import CAMPAIGNS, START_DATE, cents_str

MANIFEST_VERSION = 1


def _sum_nested(days: dict[str, Any], *keys: str) -> dict[str, int]:
    """Add up days[*][keys...] (a dict of counters) over all days."""
    total: dict[str, int] = {}
    for day in days.values():
        node: Any = day
        for key in keys:
            node = node.get(key, {}) if isinstance(node, dict) else {}
        for k, v in node.items():
            if isinstance(v, int):
                total[k] = total.get(k, 0) + v
    return dict(sorted(total.items()))


def _money(by_currency: dict[str, int]) -> dict[str, str]:
    return {cur: cents_str(v) for cur, v in sorted(by_currency.items())}


def _customer_behaviour(state: GeneratorState, paths: SourcePaths, end: dt.date) -> dict[str, Any]:
    """The oracle (behaviour.py): per scoring date, each customer's true probability of no order in the
    next `horizon_days`, in a parquet file; `label_mature` once the horizon has passed."""
    folder = paths.state_dir / "oracle"
    files = sorted(folder.glob("*.parquet")) if folder.exists() else []
    deleted = set(state.deleted_customers)
    return {
        "horizon_days": CHURN_HORIZON_DAYS,
        "active_customers": sum(1 for i, d in enumerate(state.churn_day, start=1) if d < 0 and i not in deleted),
        "churned_customers": sum(1 for d in state.churn_day if d >= 0),
        "oracle": [
            {
                "scoring_date": f.stem,
                "path": str(f.relative_to(paths.data_dir)),
                "label_mature": dt.date.fromisoformat(f.stem) + dt.timedelta(days=CHURN_HORIZON_DAYS) <= end,
            }
            for f in files
        ],
    }


def build_manifest(state: GeneratorState, paths: SourcePaths) -> dict[str, Any]:
    """Assemble the manifest from the state's per-day ground truth."""
    days: dict[str, Any] = dict(sorted(state.truth.get("days", {}).items()))
    oltp = state.truth.get("oltp", {})
    inserted, deleted = oltp.get("inserted", {}), oltp.get("deleted", {})
    end = START_DATE + dt.timedelta(days=state.days_generated - 1)

    by_currency: dict[str, dict[str, int]] = {}
    for day in days.values():
        for cur, v in day.get("orders", {}).get("by_currency", {}).items():
            node = by_currency.setdefault(cur, {"orders": 0, "gross_cents": 0})
            node["orders"] += v["orders"]
            node["gross_cents"] += v["gross_cents"]
    captured = _sum_nested(days, "payments", "captured_cents")
    refunded = _sum_nested(days, "refunds", "refunded_cents")
    order_days = []
    for date, day in days.items():
        o = day.get("orders", {})
        order_days.append(
            {
                "date": date,
                "orders": o.get("placed", 0),
                "gross_total_usd": cents_str(o.get("gross_usd_cents", 0)),
                "gross_total": _money({c: v["gross_cents"] for c, v in o.get("by_currency", {}).items()}),
                "captured": _money(day.get("payments", {}).get("captured_cents", {})),
                "refunded": _money(day.get("refunds", {}).get("refunded_cents", {})),
            }
        )

    events_by_date = [
        {
            "date": d,
            **{k: v for k, v in day["events"].items() if k != "purchase_cents"},
            "purchase_total": _money(day["events"].get("purchase_cents", {})),
        }
        for d, day in days.items()
        if "events" in day
    ]
    partitions = [{"dt": d, **day["event_files"]} for d, day in days.items() if "event_files" in day]
    logs_by_day = [{"date": d, **day["web_logs"]} for d, day in days.items() if "web_logs" in day]
    reviews = _sum_nested(days, "reviews")
    review_bad = _sum_nested(days, "reviews", "bad")
    ads = _sum_nested(days, "ad_metrics")
    ads_cost = _sum_nested(days, "ad_metrics", "cost_cents")
    event_bad = _sum_nested(days, "event_files", "bad")
    event_files = _sum_nested(days, "event_files")
    log_totals = _sum_nested(days, "web_logs")
    return {
        "manifest_version": MANIFEST_VERSION,
        "generator": {
            "seed": state.seed,
            "scale": state.scale,
            "dirty": state.dirty,
            "dirty_rate": state.dirty_rate,
            "start_date": START_DATE.isoformat(),
            "end_date": end.isoformat(),
            "days": state.days_generated,
        },
        "oltp": {
            "target": state.oltp_target,
            "row_counts": {t.name: inserted.get(t.name, 0) - deleted.get(t.name, 0) for t in TABLES},
            "hard_deleted": dict(sorted(deleted.items())),
            "soft_deleted": dict(sorted(oltp.get("soft_deleted", {}).items())),
            "customer_updates": oltp.get("customer_updates", 0),
            "late_committed_updates": oltp.get("late_committed_updates", 0),
            "pending_late_commits": sum(1 for tr in state.pending if tr.get("deferred")),
            "bad_records": dict(sorted(oltp.get("dirty", {}).items())),
        },
        "orders": {
            "orders": sum(v["orders"] for v in by_currency.values()),
            "by_channel": _sum_nested(days, "orders", "by_channel"),
            "items": sum(d.get("orders", {}).get("items", 0) for d in days.values()),
            "units": sum(d.get("orders", {}).get("units", 0) for d in days.values()),
            "gross_total": _money({c: v["gross_cents"] for c, v in by_currency.items()}),
            "orders_by_currency": {c: v["orders"] for c, v in sorted(by_currency.items())},
            "gross_total_usd": cents_str(sum(d.get("orders", {}).get("gross_usd_cents", 0) for d in days.values())),
            "payments": {
                "captured": sum(d.get("payments", {}).get("captured", 0) for d in days.values()),
                "failed": sum(d.get("payments", {}).get("failed", 0) for d in days.values()),
                "captured_amount": _money(captured),
            },
            "refunds": {
                "count": sum(d.get("refunds", {}).get("count", 0) for d in days.values()),
                "amount": _money(refunded),
            },
            "net_revenue": _money(
                {c: captured.get(c, 0) - refunded.get(c, 0) for c in sorted(set(captured) | set(refunded))}
            ),
            "status_changes": _sum_nested(days, "order_status_changes"),
            "customers_created": sum(d.get("customers_created", 0) for d in days.values()),
            "by_day": order_days,
        },
        "events": {
            "files": event_files.get("files", 0),
            "lines": event_files.get("lines", 0),
            "delivered_events": sum(e["events"] for e in events_by_date),
            "sessions": sum(e.get("sessions", 0) for e in events_by_date),
            "by_type": _sum_nested(days, "events", "by_type"),
            "purchase_total": _money(_sum_nested(days, "events", "purchase_cents")),
            "late_arriving": event_files.get("late_events", 0),
            "pending_late": len(state.late_events),
            "bad_records": event_bad,
            "by_event_date": events_by_date,
            "by_partition": partitions,
        },
        "web_logs": {
            "files": len(logs_by_day),
            **{
                k: log_totals.get(k, 0)
                for k in ("lines", "human", "bot", "invalid", "truncated", "tracked_page_views", "untracked_page_views")
            },
            "by_status": _sum_nested(days, "web_logs", "by_status"),
            "bad_records": {"truncated": log_totals.get("truncated", 0)},
            "by_day": logs_by_day,
        },
        "reviews": {
            "files": sum(1 for d in days.values() if "reviews" in d) if days else 0,
            "lines": reviews.get("lines", 0),
            "documents": reviews.get("documents", 0),
            "valid_documents": reviews.get("documents", 0)
            - review_bad.get("rating_out_of_range", 0)
            - review_bad.get("missing_product_id", 0),
            "schema_v1": reviews.get("schema_v1", 0),
            "schema_v2": reviews.get("schema_v2", 0),
            "schema_change_date": (START_DATE + dt.timedelta(days=DOC_SCHEMA_V2_DAY)).isoformat(),
            "bad_records": review_bad,
        },
        "lake": state.truth.get("lake", {}),
        "customer_behaviour": _customer_behaviour(state, paths, end),
        "ad_platform": {
            "campaigns": sum(1 for c in CAMPAIGNS if c.start_day - 3 <= state.days_generated - 1),
            "final": {"rows": ads.get("rows", 0), "clicks": ads.get("clicks", 0), "cost": _money(ads_cost)},
            "served": served_totals(paths.data_dir),
        },
    }
