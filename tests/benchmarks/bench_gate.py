"""What `triage gate --server` costs a pipeline, beside what it is made of.

The built-in server runs in a child process (as in bench_sync) serving `bench_world(200 builds
x 2,000 tests)`; the gate judges the newest build. Measured in the same run:
- cold (the first gate on an agent: empty history): the gate, against a plain `triage sync`
  of the same job into another empty history;
- warm (every later gate: history up to date): the gate, against its parts done by hand, a
  sync with nothing new plus `triage failures` on the build; with the HTTP requests each made.
Target: the gate costs at most 1.2x its parts (its own work, the rules and the summary, is
small beside syncing and the engine). BENCH_SCALE=0.1 runs a tenth of the builds.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from tests.benchmarks.bench_sync import TESTS, _Server
from tests.benchmarks.common import scale, table, timed
from triage.gate import evaluate_gate
from triage.store import Store
from triage.sync import SyncOptions, sync
from triage.triage_build import triage

BUILDS = 200
REPEAT = 5


def _cold(server: _Server, folder: Path, builds: int) -> tuple[float, float, int, int]:
    """Return (gate s, sync s, gate requests, sync requests) on empty histories."""
    gate_client, sync_client = server.client(), server.client()
    with Store.open(folder / "gate.db") as store, timed() as gate_t:
        evaluate_gate(store, "bench", builds, source=gate_client)
    with Store.open(folder / "sync.db") as store, timed() as sync_t:
        sync(sync_client, store, SyncOptions(jobs=["bench"], max_builds=builds + 1))
    return (gate_t["seconds"], sync_t["seconds"], gate_client.request_count,
            sync_client.request_count)


def _warm(server: _Server, folder: Path, builds: int) -> tuple[float, float, int, int]:
    """Return median (gate s, parts s) and the requests of one of each, history up to date."""
    gate_s, parts_s = [], []
    with Store.open(folder / "gate.db") as store:
        for _ in range(REPEAT):
            client = server.client()
            with timed() as t:
                evaluate_gate(store, "bench", builds, source=client)
            gate_s.append(t["seconds"])
            gate_requests = client.request_count
            client = server.client()
            with timed() as t:
                sync(client, store, SyncOptions(jobs=["bench"], max_builds=builds + 1))
                triage(store, "bench", builds, client.name)
            parts_s.append(t["seconds"])
            parts_requests = client.request_count
    return statistics.median(gate_s), statistics.median(parts_s), gate_requests, parts_requests


def main() -> None:
    builds = max(30, int(BUILDS * scale()))
    server = _Server("bench", str(builds), str(TESTS))
    try:
        with tempfile.TemporaryDirectory(prefix="triage-bench-gate-") as tmp:
            folder = Path(tmp)
            cold = _cold(server, folder, builds)
            warm = _warm(server, folder, builds)
    finally:
        server.close()
    rows = [
        (f"cold: gate on #{builds} (empty history)", f"{cold[0]:.2f} s", f"{cold[2]}",
         f"plain sync: {cold[1]:.2f} s, {cold[3]} requests", f"{cold[0] / cold[1]:.2f}x"),
        (f"warm: gate on #{builds} (history up to date)", f"{warm[0] * 1000:.0f} ms",
         f"{warm[2]}", f"sync + failures: {warm[1] * 1000:.0f} ms, {warm[3]} requests",
         f"{warm[0] / warm[1]:.2f}x"),
    ]
    print(f"bench_world: {builds} builds x {TESTS} tests, server in a child process")
    print(table(rows, ("run", "gate", "requests", "baseline (same run)", "gate / baseline")))
    worst = max(cold[0] / cold[1], warm[0] / warm[1])
    print(f"target: gate within 1.2x of its parts: {'ok' if worst <= 1.2 else 'MISSED'}")
