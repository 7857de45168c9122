"""Speed of `triage failures` and `triage flaky` on 1,000 builds x 5,000 tests (5M results).

The history comes from tests/benchmarks/bigdb.py (cached in the temp folder between runs).
Two measurements each:
- in process: the use case alone on an open store (median of several warm runs);
- as a process: `python -m triage ...` wall time minus the wall time of
  `python -c "import triage.cli"` measured in the same run, i.e. the work after start-up.
Targets: failures < 300 ms of work, flaky for the whole job < 3 s.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.bigdb import HUNDRED_FAILURES_BUILD, JOB, make_big_history
from tests.benchmarks.common import table, timed
from triage.store import Store
from triage.triage_build import rank_flaky, triage

REPEAT = 5


def history_path() -> Path:
    folder = Path(tempfile.gettempdir()) / "triage-bench-bigdb"
    folder.mkdir(exist_ok=True)
    return folder / "history.db"


def in_process(path: Path) -> tuple[int, int, float, float]:
    """Return (failures, flaky tests, median failures seconds, median flaky seconds)."""
    with Store.open(path) as store:
        result = triage(store, JOB, HUNDRED_FAILURES_BUILD)  # warm the page cache
        failures = []
        for _ in range(REPEAT):
            with timed() as t:
                triage(store, JOB, HUNDRED_FAILURES_BUILD)
            failures.append(t["seconds"])
        ranked = rank_flaky(store, JOB)
        flaky = []
        for _ in range(3):
            with timed() as t:
                rank_flaky(store, JOB)
            flaky.append(t["seconds"])
    return len(result.failures), len(ranked), statistics.median(failures), statistics.median(flaky)


def wall(args: list[str], repeat: int = 3) -> float:
    """Return the median wall time of running `python args` (output discarded)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    with timed() as made:
        path = make_big_history(history_path())
    print(f"history: {path} ({path.stat().st_size / 1e6:.0f} MB, ready in {made['seconds']:.1f} s)")
    count, ranked, failures_s, flaky_s = in_process(path)
    base = wall(["-c", "import triage.cli"])
    common = ["--db", str(path), "--job", JOB, "--format", "json"]
    failures_wall = wall(
        ["-m", "triage", "failures", "--build", str(HUNDRED_FAILURES_BUILD), *common]
    )
    flaky_wall = wall(["-m", "triage", "flaky", *common])
    rows = [
        (
            f"triage failures --build {HUNDRED_FAILURES_BUILD} ({count} failures)",
            f"{failures_s * 1000:.0f} ms",
            f"{(failures_wall - base) * 1000:.0f} ms",
            "< 300 ms",
            "ok" if max(failures_s, failures_wall - base) < 0.3 else "SLOW",
        ),
        (
            f"triage flaky (all 1,000 builds; {ranked} tests ranked)",
            f"{flaky_s * 1000:.0f} ms",
            f"{(flaky_wall - base) * 1000:.0f} ms",
            "< 3 s",
            "ok" if max(flaky_s, flaky_wall - base) < 3 else "SLOW",
        ),
    ]
    print(f"process start-up baseline (python -c 'import triage.cli'): {base * 1000:.0f} ms")
    print(table(rows, ("command", "in process (median)", "process minus start-up", "target", "")))


if __name__ == "__main__":
    main()
