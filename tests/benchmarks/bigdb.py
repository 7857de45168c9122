"""A realistic large history for speed benchmarks, built straight through the store.

`make_big_history(path, builds=1000, tests=5000)` writes `builds` builds of one job
(`bench/app`, server `local`) with `tests` tests each:
- most tests always pass; 1% are skipped;
- 40 flaky tests with failure rates between 0.3% and 5%, some passing on rerun inside a build;
- a real regression every ~150 builds, failing 5 tests until fixed ~20 builds later;
- every ~10th red build is retried on the same revision;
- build number HUNDRED_FAILURES_BUILD has an outage: ~90 tests of one module fail with
  "Connection refused: db:5432", plus whatever flaky and regression failures land there,
  so `triage failures` has about 100 failures to explain.
The same (path, builds, tests, seed) is reused if it exists, since building takes a while.
"""

from __future__ import annotations

import random
from pathlib import Path

from triage.domain import Attempt, BuildInfo, Outcome, TestResult
from triage.store import Store
from triage.store.importer import import_build

JOB = "bench/app"
HUNDRED_FAILURES_BUILD = 900

_MODULES = ["billing", "cart", "search", "auth", "catalog", "orders", "shipping", "users",
            "reports", "payments"]


def _test_names(tests: int) -> list[tuple[str, str]]:
    names = []
    for i in range(tests):
        module = _MODULES[i % len(_MODULES)]
        names.append((f"com.shop.{module}.{module.title()}Test{i // 50:03d}", f"test_case_{i:05d}"))
    return names


def _failure(kind: str, type_: str, message: str, frame: str) -> Attempt:
    trace = f"{type_}: {message}\n\tat {frame}\n\tat org.junit.runner.JUnitCore.run(JUnitCore.java:115)"
    return Attempt(kind, type_, message, trace)


def build_results(number: int, names, rng: random.Random, plan: dict) -> list[TestResult]:
    """Return one build's results following the flaky/regression/outage plan."""
    out = []
    outage = number == HUNDRED_FAILURES_BUILD
    for index, (classname, name) in enumerate(names):
        outcome, attempts, reruns = Outcome.PASSED, (), 0
        if index in plan["skipped"]:
            outcome = Outcome.SKIPPED
        elif outage and classname.startswith("com.shop.billing") and (index // 10) % 5 == 0:
            outcome = Outcome.ERROR
            attempts = (_failure("error", "java.net.ConnectException",
                                 f"Connection refused: db:5432 after {rng.randint(10, 900)} ms",
                                 f"{classname}.{name}({classname.rsplit('.', 1)[1]}.java:{40 + index % 7})"),)
        elif any(start <= number < end and index in tests for start, end, tests in plan["regressions"]):
            outcome = Outcome.FAILED
            attempts = (_failure("failure", "org.opentest4j.AssertionFailedError",
                                 "expected: <200> but was: <500>", f"{classname}.{name}(X.java:12)"),)
        elif index in plan["flaky"] and rng.random() < plan["flaky"][index]:
            message = f"Timed out after {rng.randint(1000, 30000)} ms waiting for element #{rng.randint(1, 99)}"
            attempt = _failure("failure", "java.util.concurrent.TimeoutException", message,
                               f"{classname}.{name}(Y.java:77)")
            if rng.random() < 0.5:
                outcome, reruns = Outcome.FLAKY, 1
                attempts = (Attempt("flakyFailure", attempt.type, attempt.message, attempt.trace),)
            else:
                outcome, attempts = Outcome.FAILED, (attempt,)
        duration = round(rng.random() * 0.2, 3)
        out.append(TestResult(classname, name, outcome, duration, reruns, attempts=attempts))
    return out


def make_plan(builds: int, tests: int, rng: random.Random) -> dict:
    indices = list(range(tests))
    rng.shuffle(indices)
    flaky = {i: rng.uniform(0.003, 0.05) for i in indices[:40]}
    skipped = set(indices[40 : 40 + tests // 100])
    regressions = []
    for start in range(100, builds, 150):
        regressions.append((start, start + 20, set(rng.sample(indices[100:], 5))))
    return {"flaky": flaky, "skipped": skipped, "regressions": regressions}


def make_big_history(path: str | Path, builds: int = 1000, tests: int = 5000, seed: int = 0) -> Path:
    """Create (or reuse) the benchmark history at `path` and return the path."""
    path = Path(path)
    marker = path.with_suffix(".done")
    if path.exists() and marker.exists() and marker.read_text() == f"{builds} {tests} {seed}":
        return path
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), marker):
        stale.unlink(missing_ok=True)
    rng = random.Random(seed)
    names = _test_names(tests)
    plan = make_plan(builds, tests, rng)
    revision, previous_red = None, False
    with Store.open(path) as store:
        store.conn.execute("PRAGMA synchronous=OFF")
        for number in range(1, builds + 1):
            retry = previous_red and rng.random() < 0.3  # a red build retried on its commit
            if not retry:
                revision = f"{rng.getrandbits(160):040x}"
            results = build_results(number, names, rng, plan)
            red = any(r.outcome.is_failure for r in results)
            info = BuildInfo(JOB, number, revision=revision, branch="main",
                             timestamp_ms=1_700_000_000_000 + number * 600_000,
                             duration_ms=300_000, result="UNSTABLE" if red else "SUCCESS")
            import_build(store, info, results)
            previous_red = red
    marker.write_text(f"{builds} {tests} {seed}")
    return path
