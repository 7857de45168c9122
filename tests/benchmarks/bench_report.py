"""Speed of `triage report` on 1,000 builds x 5,000 tests (5M results), HTML and JSON.

The history is tests/benchmarks/bigdb.py's (shared with bench_failures_speed, cached in the
temp folder), copied so that what a gate leaves can be added without changing the other
benchmark's input: a decision on every 4th build (waits of 2 minutes to 3 hours) and 200
marks on failures. Measured in the same run:
- baseline: `triage flaky` for the job (`rank_flaky`: every failing test's whole history read
  and scored once), in process;
- the report's data (`build_report`: the engine over each of the ~480 red builds, plus every
  figure), then rendered as HTML (charts drawn by matplotlib) and as JSON, in process
  (median of 3 warm runs) and as `python -m triage report ...` processes minus the start-up
  of `python -c "import triage.cli"`.
Targets: HTML < 5 s, JSON < 3 s (the slower of in process and as a process).
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

REPEAT = 3


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


def median_seconds(work, repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        with timed() as t:
            work()
        times.append(t["seconds"])
    return statistics.median(times)


def wall(args: list[str], repeat: int = REPEAT) -> float:
    """Return the median wall time of `python args`, its output (and stderr) discarded."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    with timed() as made:
        shared = make_big_history(history_path())
    with tempfile.TemporaryDirectory(prefix="triage-bench-report-") as tmp:
        path = Path(tmp) / "history.db"
        shutil.copyfile(shared, path)
        with Store.open(path) as store:
            decided, marked = add_gate_history(store)
            print(f"history: {shared} copied ({path.stat().st_size / 1e6:.0f} MB, ready in "
                  f"{made['seconds']:.1f} s), plus {decided} decisions and {marked} marks")
            _figures(store, path)


def _figures(store: Store, path: Path) -> None:
    filters = ReportFilters(jobs=(JOB,))
    data = build_report(store, filters)  # warm the page cache
    render(data, "html")  # and import matplotlib once
    flaky_s = median_seconds(lambda: rank_flaky(store, JOB))
    data_s = median_seconds(lambda: build_report(store, filters))
    html_s = median_seconds(lambda: render(build_report(store, filters), "html"))
    json_s = median_seconds(lambda: render(build_report(store, filters), "json"))
    base = wall(["-c", "import triage.cli"])
    out = path.parent
    command = ["-m", "triage", "report", "--db", str(path), "--job", JOB, "-o"]
    html_wall = wall([*command, str(out / "r.html")]) - base
    json_wall = wall([*command, str(out / "r.json")]) - base
    s = data.summary
    print(f"report of {JOB}: {s.builds:,} builds, {s.red_builds} red, {s.failures:,} failures, "
          f"{len(data.tests)} tests ranked, {data.hitl.decisions} decisions")
    print(f"process start-up baseline (python -c 'import triage.cli'): {base * 1000:.0f} ms")
    rows = [
        ("baseline: triage flaky (rank_flaky)", f"{flaky_s:.2f} s", "-", "1.00x", "", ""),
        ("report data (build_report)", f"{data_s:.2f} s", "-", f"{data_s / flaky_s:.2f}x", "",
         ""),
        ("triage report --format html", f"{html_s:.2f} s", f"{html_wall:.2f} s",
         f"{html_s / flaky_s:.2f}x", "< 5 s", _verdict(max(html_s, html_wall), 5)),
        ("triage report --format json", f"{json_s:.2f} s", f"{json_wall:.2f} s",
         f"{json_s / flaky_s:.2f}x", "< 3 s", _verdict(max(json_s, json_wall), 3)),
    ]
    print(table(rows, ("", "in process (median)", "process minus start-up", "vs baseline",
                       "target", "")))


def _verdict(seconds: float, target: float) -> str:
    return "ok" if seconds < target else "SLOW"


if __name__ == "__main__":
    main()
