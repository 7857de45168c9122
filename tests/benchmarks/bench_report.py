"""Speed of `triage report` on 1,000 builds x 5,000 tests (5M results), HTML and JSON.

The history is tests/benchmarks/bigdb.py's (shared with bench_failures_speed, cached in the
temp folder), copied so that what a gate leaves can be added without changing the other
benchmark's input: a decision on every 4th build (waits of 2 minutes to 3 hours) and 200
marks on failures. Measured in the same run:
- baseline: `triage flaky` for the job (`rank_flaky`: every failing test's whole history read
  and scored once), in process;
- the report's data (`build_report`: the engine over each of the ~480 red builds, plus every
  figure), then rendered as HTML (charts drawn by matplotlib) and as JSON, in process and as
  `python -m triage report ...` processes minus the start-up of `python -c "import
  triage.cli"` measured in the same round.
Five rounds, each measuring everything once, interleaved; the ratios are per round. This
machine is shared, so the best round is the code's own cost and the median shows the load.
Targets: HTML < 5 s, JSON < 3 s (the slower of the best in process and as a process).
"""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.bench_failures_speed import history_path
from tests.benchmarks.bigdb import JOB, make_big_history
from tests.benchmarks.common import table, timed
from triage.report import ReportFilters, build_report, render
from triage.store import Store, verdicts
from triage.store import decisions as decision_store
from triage.store import reports as rq
from triage.triage_build import rank_flaky

ROUNDS = 5


def add_gate_history(store: Store) -> tuple[int, int]:
    """Add decisions on every 4th build and 200 marks; return (decisions, marks)."""
    rng = random.Random(1)
    builds = rq.job_builds(store, store.job_id(JOB))
    for build in builds[3::4]:
        paused = build.timestamp + 240_000
        decision_store.record(store, decision_store.Decision(
            "local", JOB, build.number, "Release", rng.choice(["proceed"] * 4 + ["abort"]),
            at=paused + rng.randint(120, 10_800) * 1000, paused_at=paused, who="alice"))
    failed = rq.failed_results(store, [b.id for b in builds])
    chosen = rng.sample(failed, 200)
    for row in chosen:
        verdicts.mark(store, row.build_id, [(row.test_id, row.signature)],
                      rng.choice(["real", "noise", "noise"]), who="bob", at=1_700_000_000_000)
    return len(builds[3::4]), len(chosen)


def seconds(work) -> float:
    with timed() as t:
        work()
    return t["seconds"]


def process_seconds(args: list[str]) -> float:
    """Return the wall time of `python args`, its output (and stderr) discarded."""
    started = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    with timed() as made:
        shared = make_big_history(history_path())
    with tempfile.TemporaryDirectory(prefix="triage-bench-report-") as tmp:
        path = Path(tmp) / "history.db"
        shutil.copyfile(shared, path)
        with Store.open(path) as store:
            decided, marked = add_gate_history(store)
        # Closed, so the writes (and any re-signing on open) are checkpointed into the file:
        # the processes below must not read through a large write-ahead log.
        print(f"history: {shared} copied ({path.stat().st_size / 1e6:.0f} MB, ready in "
              f"{made['seconds']:.1f} s), plus {decided} decisions and {marked} marks")
        with Store.open(path) as store:
            _figures(store, path)


def _rounds(store: Store, path: Path) -> dict[str, list[float]]:
    """Measure everything once per round, interleaved, so a busy moment of this shared
    machine hits the baseline and the report alike."""
    filters = ReportFilters(jobs=(JOB,))
    command = ["-m", "triage", "report", "--db", str(path), "--job", JOB, "-o"]
    times: dict[str, list[float]] = {}
    for _ in range(ROUNDS):
        found = {
            "flaky": seconds(lambda: rank_flaky(store, JOB)),
            "data": seconds(lambda: build_report(store, filters)),
            "html": seconds(lambda: render(build_report(store, filters), "html")),
            "json": seconds(lambda: render(build_report(store, filters), "json")),
            "start-up": process_seconds(["-c", "import triage.cli"]),
            "html process": process_seconds([*command, str(path.parent / "r.html")]),
            "json process": process_seconds([*command, str(path.parent / "r.json")]),
        }
        for kind in ("html", "json"):
            found[f"{kind} process"] -= found["start-up"]
        for key, value in found.items():
            times.setdefault(key, []).append(value)
    return times


def _figures(store: Store, path: Path) -> None:
    data = build_report(store, ReportFilters(jobs=(JOB,)))  # warm the page cache
    render(data, "html")  # and import matplotlib once
    times = _rounds(store, path)
    s = data.summary
    print(f"report of {JOB}: {s.builds:,} builds, {s.red_builds} red, {s.failures:,} failures, "
          f"{len(data.tests)} tests ranked, {data.hitl.decisions} decisions; {ROUNDS} rounds")
    start_up = times["start-up"]
    print(f"process start-up baseline (python -c 'import triage.cli'): best "
          f"{min(start_up) * 1000:.0f} ms, median {statistics.median(start_up) * 1000:.0f} ms")

    def ratio(key: str) -> str:
        pairs = zip(times[key], times["flaky"], strict=True)
        return f"{statistics.median(a / b for a, b in pairs):.2f}x"

    rows = [("baseline: triage flaky (rank_flaky)", _cell(times["flaky"]), "-", "1.00x", "", "")]
    rows.append(("report data (build_report)", _cell(times["data"]), "-", ratio("data"), "", ""))
    for kind, target in (("html", 5), ("json", 3)):
        worst_best = max(min(times[kind]), min(times[f"{kind} process"]))
        rows.append((f"triage report --format {kind}", _cell(times[kind]),
                     _cell(times[f"{kind} process"]), ratio(kind), f"< {target} s",
                     "ok" if worst_best < target else "SLOW"))
    print(table(rows, ("", "in process: best (median)", "process minus start-up",
                       "vs baseline (median ratio)", "target (best)", "")))


def _cell(values: list[float]) -> str:
    return f"{min(values):.2f} s ({statistics.median(values):.2f} s)"


if __name__ == "__main__":
    main()
