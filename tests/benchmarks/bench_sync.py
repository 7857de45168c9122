"""Sync throughput from the built-in server, and the cost of refreshing the inbox.

The server runs in a child process (its own interpreter, so its report generation does not
share our GIL), serving `bench_world(200 builds x 2,000 tests)`. Measured in the same run:
- floor: plain `requests` GETs of every build's test report (same `tree=`, same 4 threads),
  bodies read but not parsed: what the network and the server allow;
- full sync into a fresh SQLite history: builds/s, tests/s, HTTP requests per build;
- a second sync (nothing new): requests and time;
- inbox refresh for `inbox_world(50 jobs)`: requests for the attention list, and for
  `triage pending` (which adds one Stage View request per paused build for its exact wait).
BENCH_SCALE=0.1 runs a tenth of the builds.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.benchmarks.common import scale, table, timed
from triage.decide import attention, paused_builds
from triage.jenkins import urls
from triage.jenkins.client import JenkinsClient
from triage.jenkins.http import HttpSettings
from triage.junit.jenkins_json import REPORT_TREE
from triage.store import Store
from triage.sync import SyncOptions, sync

BUILDS = 200
TESTS = 2000
WORKERS = 4

_SERVE = """
import sys
from triage.jenkins.server import JenkinsServer, bench_world, inbox_world
kind, n = sys.argv[1], int(sys.argv[2])
world = bench_world(builds=n, tests=int(sys.argv[3])) if kind == "bench" else inbox_world(jobs=n)
with JenkinsServer(world=world, context_path="/jenkins") as srv:
    print(srv.url, srv.users["alice"], flush=True)
    sys.stdin.read()  # serve until the parent closes our stdin
"""


class _Server:
    """The built-in server in a child process; stopped by closing its stdin."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen([sys.executable, "-c", _SERVE, *args], text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     cwd=Path(__file__).resolve().parents[2])
        self.url, self.token = self.proc.stdout.readline().split()

    def client(self) -> JenkinsClient:
        return JenkinsClient("bench", self.url, "alice", self.token,
                             HttpSettings(timeout=(10.0, 120.0), pool_size=WORKERS * 2))

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _floor(server: _Server, builds: int) -> tuple[float, int]:
    """GET every report with plain requests on WORKERS threads; return (seconds, bytes)."""
    session = requests.Session()
    session.auth = ("alice", server.token)
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=WORKERS * 2)
    session.mount("http://", adapter)
    path = urls.job_path("bench")

    def get(number: int) -> int:
        url = urls.join(server.url, f"{path}{number}/testReport/api/json")
        response = session.get(url, params={"tree": REPORT_TREE}, timeout=120)
        response.raise_for_status()
        return len(response.content)

    started = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        sizes = list(pool.map(get, range(1, builds + 1)))
    return time.perf_counter() - started, sum(sizes)


def _sync_figures(builds: int, tests: int) -> list[tuple]:
    server = _Server("bench", str(builds), str(tests))
    try:
        _floor(server, min(builds, 8))  # warm the server's code paths
        floor_s, size = _floor(server, builds)
        with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "h.db") as store:
            client = server.client()
            with timed() as full:
                summary = sync(client, store, SyncOptions(max_builds=builds, workers=WORKERS))
            full_requests = client.request_count
            with timed() as again:
                second = sync(client, store, SyncOptions(max_builds=builds, workers=WORKERS))
            again_requests = client.request_count - full_requests
    finally:
        server.close()
    stored = summary.stored
    return [
        ("floor: raw GET of every report", builds, f"{builds / floor_s:.1f}",
         f"{builds * tests / floor_s:,.0f}", 1.0, f"{floor_s:.1f}",
         f"{size / builds / 1e6:.2f} MB/report"),
        ("full sync (fetch+parse+store)", stored, f"{stored / full['seconds']:.1f}",
         f"{summary.tests / full['seconds']:,.0f}", f"{full_requests / stored:.3f}",
         f"{full['seconds']:.1f}", f"{full['seconds'] / floor_s:.2f}x the floor"),
        ("second sync (nothing new)", second.stored, "-", "-",
         f"{again_requests} total", f"{again['seconds']:.2f}", ""),
    ]


def _inbox_figures(jobs: int) -> list[tuple]:
    server = _Server("inbox", str(jobs), "0")
    try:
        client = server.client()
        with timed() as listing:
            found = attention(client, recent=10)
        inbox_requests = client.request_count
        with timed() as pending:
            paused = paused_builds([client])
        pending_requests = client.request_count - inbox_requests
    finally:
        server.close()
    exact = sum(p.wait_source == "wfapi" for p in paused)
    return [
        (f"inbox: attention list, {jobs} jobs", len(found), inbox_requests,
         f"{listing['seconds']:.2f}", ""),
        (f"triage pending, {jobs} jobs", len(paused), pending_requests,
         f"{pending['seconds']:.2f}", f"{exact}/{len(paused)} waits exact (Stage View)"),
    ]


def main() -> None:
    builds = max(4, int(BUILDS * scale()))
    print(f"sync: {builds} builds x {TESTS} tests, {WORKERS} workers, server in a child "
          "process")
    print(table(_sync_figures(builds, TESTS),
                ("case", "builds", "builds/s", "tests/s", "requests/build", "seconds", "note")))
    print()
    print(table(_inbox_figures(50), ("case", "builds found", "HTTP requests", "seconds",
                                     "note")))


if __name__ == "__main__":
    main()
