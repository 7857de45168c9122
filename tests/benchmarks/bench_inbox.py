"""What `triage builds` costs on the demo Jenkins, beside what it replaces.

The demo world (`triage demo`) is served from a child process. Measured in the
same run, each from a fresh history and then again with nothing new:
- baseline: what a user typed before `triage builds` existed: `triage sync` of the whole
  server, then `triage pending` (requests and seconds);
- `builds_needing_attention(sync=True)`: the list with each build's triage summary;
- the same with `sync=False` (the history as it is).
Figures are requests (the client's count; the server logs the same) and wall seconds, with
the ratio to the baseline measured in the same run.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tests.benchmarks.common import table, timed
from triage.attention import paused_builds
from triage.inbox import builds_needing_attention
from triage.jenkins.client import JenkinsClient
from triage.jenkins.http import HttpSettings
from triage.store import Store
from triage.sync import SyncOptions, sync

_SERVE = """
import sys
from triage.jenkins.server import JenkinsServer, demo_world
with JenkinsServer(world=demo_world(seed=1), context_path="/jenkins") as srv:
    print(srv.url, srv.users["alice"], flush=True)
    sys.stdin.read()  # serve until the parent closes our stdin
"""


def _client(url: str, token: str) -> JenkinsClient:
    return JenkinsClient("demo", url, "alice", token, HttpSettings(timeout=(10.0, 120.0)))


def _baseline(url: str, token: str, store: Store) -> tuple[int, float]:
    client = _client(url, token)
    with timed() as spent:
        sync(client, store, SyncOptions(max_builds=210))
        paused_builds([client])
    return client.request_count, spent["seconds"]


def _inbox(url: str, token: str, store: Store, with_sync: bool) -> tuple[int, float, int]:
    client = _client(url, token)
    with timed() as spent:
        items = builds_needing_attention([client], store, sync=with_sync)
    return client.request_count, spent["seconds"], len(items)


def _size() -> str:
    from triage.jenkins.server import demo_world

    jobs = demo_world(seed=1).all_jobs()
    builds = [b for j in jobs for b in j.builds.values()]
    paused = sum(bool(b.input_action and b.input_action.pending) for b in builds)
    return f"{len(jobs)} jobs, {len(builds)} builds, {paused} paused"


def main() -> None:
    proc = subprocess.Popen([sys.executable, "-c", _SERVE], text=True, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, cwd=Path(__file__).resolve().parents[2])
    url, token = proc.stdout.readline().split()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            with Store.open(Path(tmp) / "warm.db") as store:
                _baseline(url, token, store)  # warm both processes' code paths first
            with Store.open(Path(tmp) / "base.db") as store:
                first = _baseline(url, token, store)
                again = _baseline(url, token, store)
            with Store.open(Path(tmp) / "inbox.db") as store:
                inbox_first = _inbox(url, token, store, True)
                inbox_again = _inbox(url, token, store, True)
                no_sync = _inbox(url, token, store, False)
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
    for label, (requests, seconds, *items), base in (
            ("baseline: sync + pending, empty history", first, first),
            ("triage builds, empty history", inbox_first, first),
            ("baseline again, nothing new", again, again),
            ("triage builds again, nothing new", inbox_again, again),
            ("triage builds --no-sync", no_sync, again)):
        rows.append((label, items[0] if items else "-", requests, f"{seconds:.2f}",
                     f"{seconds / base[1]:.2f}x"))
    print(f"demo Jenkins ({_size()}), server in a child process")
    print(table(rows, ("what", "builds listed", "requests", "seconds", "time vs baseline")))


if __name__ == "__main__":
    main()
