"""Helpers shared by the benchmarks: scale, timing and table printing."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager


def scale(default: float = 1.0) -> float:
    """BENCH_SCALE=0.1 runs a tenth of the work, for a quick look."""
    return float(os.environ.get("BENCH_SCALE", default))


@contextmanager
def timed():
    box = {}
    started = time.perf_counter()
    yield box
    box["seconds"] = time.perf_counter() - started


def table(rows: list[tuple], headers: tuple) -> str:
    cells = [tuple(str(c) for c in headers)] + [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)
