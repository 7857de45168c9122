"""Pause the cyclic garbage collector around bulk work that makes no reference cycles.

Parsing a report creates tens of thousands of short-lived objects (elements, results,
strings); each batch of 700 allocations triggers a collection that walks every tracked object
still alive. Parse trees and results hold no cycles, so reference counting frees them anyway:
pausing the collector made import 20% faster (measured, tests/benchmarks/bench_import.py).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block; restore its previous state after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
