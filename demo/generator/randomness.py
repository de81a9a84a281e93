"""The demo's randomness: one independent stream per (seed, day, stream name), and weighted draws.

Day d of the simulation and of the rendering (a separate process) draw from streams seeded by
(seed, d, stream), so a day's output depends only on the seed and that day's carried-over state.
"""

from __future__ import annotations

import bisect
import random
import zlib
from typing import Any

import numpy as np


def day_rng(seed: int, day: int, stream: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, day + 10_000, zlib.crc32(stream.encode())]))


def day_random(seed: int, day: int, stream: str) -> random.Random:
    return random.Random(f"{seed}:{day}:{stream}")


def cumulative(pairs: tuple[tuple[Any, float], ...]) -> tuple[tuple[Any, ...], tuple[float, ...]]:
    values = tuple(v for v, _ in pairs)
    total, cum = 0.0, []
    for _, w in pairs:
        total += w
        cum.append(total)
    return values, tuple(c / total for c in cum)


def weighted(r: random.Random, table: tuple[tuple[Any, ...], tuple[float, ...]]) -> Any:
    """One value drawn by weight (a cheaper `random.choices` for fixed tables)."""
    values, cum = table
    return values[min(bisect.bisect_right(cum, r.random()), len(values) - 1)]
