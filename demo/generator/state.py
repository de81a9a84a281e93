"""The generator's memory between runs: counters, pending order transitions and the ground truth so far.

Saved as one JSON file under DATA_DIR/.demo_state so that `advance` continues exactly where `generate`
(or the previous `advance`) stopped.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STATE_VERSION = 2


@dataclass
class GeneratorState:
    seed: int
    scale: float
    dirty: bool
    dirty_rate: float
    oltp_target: str
    days_generated: int = 0
    counters: dict[str, int] = field(default_factory=dict)
    n_products: int = 0
    discontinued: list[int] = field(default_factory=list)
    deleted_customers: list[int] = field(default_factory=list)
    email_versions: dict[str, int] = field(default_factory=dict)
    secondary_addresses: list[list[int]] = field(default_factory=list)
    inventory: list[int] = field(default_factory=list)
    pending: list[dict[str, Any]] = field(default_factory=list)
    late_events: list[str] = field(default_factory=list)
    refund_payment_links: dict[str, int] = field(default_factory=dict)
    truth: dict[str, Any] = field(default_factory=dict)
    # latent customer state (behaviour.py), index customer_id - 1: day of the last order; day of churn or -1
    last_order_day: list[int] = field(default_factory=list)
    churn_day: list[int] = field(default_factory=list)
    version: int = STATE_VERSION

    def next_id(self, name: str, n: int = 1) -> int:
        """Reserve n consecutive ids of a sequence and return the first."""
        first = self.counters.get(name, 0) + 1
        self.counters[name] = first + n - 1
        return first

    def last_id(self, name: str) -> int:
        return self.counters.get(name, 0)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(vars(self), separators=(",", ":"), sort_keys=True))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> GeneratorState:
        if not path.exists():
            raise FileNotFoundError(f"no demo data in {path.parent.parent}: run `make demo-data` first")
        raw = json.loads(path.read_text())
        if raw.get("version") != STATE_VERSION:
            raise ValueError(f"{path} was written by another generator version: run `make demo-data` again")
        return cls(**raw)
