"""A realistic sample history for looking at reports (tests/render_report.py, the demo tests).

Two jobs: `shop/app` (a simulated 160-build history with flaky tests, regressions, outages and
retries on the same commit, a build every 7 hours from mid-December across the new year) and
`shop/ui` on another server, whose test is named `<script>alert(1)</script>`. Every third build
of `shop/app` paused at a release gate that a person decided 10 minutes to 3 hours later; from
build 41 on, `triage gate` judged one build in three; some failures are marked, one noise
suggestion was marked real.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from triage.domain import Attempt, BuildInfo, Outcome, TestResult
from triage.flakiness.simulate import generate
from triage.store import Store, gates
from triage.store import decisions as decision_store
from triage.store.importer import import_build
from triage.triage_build import mark, triage

START_MS = 1_797_465_600_000  # 2026-12-15T00:00:00Z
STEP_MS = 7 * 3_600_000
BUILDS = 160


def sample_history(path: Path) -> Path:
    """Write the sample history to `path` (a new file) and return it."""
    sim = generate(3001, builds=BUILDS, tests=300)
    rng = random.Random(7)
    with Store.open(path) as store:
        for build in sim.builds:
            at = START_MS + build.number * STEP_MS
            info = BuildInfo("shop/app", build.number, revision=build.revision, branch="main",
                             timestamp_ms=at, duration_ms=rng.randint(8, 25) * 60_000,
                             result="UNSTABLE")
            import_build(store, info, sim.results(build))
            if build.number % 3 == 0:
                _decide(store, build.number, at, rng)
            elif build.number % 3 == 1 and build.number > 40:
                _gate(store, build.number, at)
        _ui_job(store)
        _marks(store)
    return path


def _decide(store: Store, number: int, at: int, rng: random.Random) -> None:
    paused = at + 6 * 60_000
    wait = rng.choice([10, 12, 15, 20, 25, 40, 60, 90, 180]) * 60_000 + rng.randint(0, 59_000)
    failures = triage(store, "shop/app", number).failures
    real = any(f.suggestion == "real" for f in failures)
    action = "abort" if real and rng.random() < 0.6 else "proceed"
    decision_store.record(store, decision_store.Decision(
        "local", "shop/app", number, "Release", action, at=paused + wait,
        message="Deploy to staging?", who=rng.choice(["alice", "bob", "carol"]),
        paused_at=paused,
    ))


def _gate(store: Store, number: int, at: int) -> None:
    """What `triage gate` said: no one needed when every failure is noise."""
    failures = triage(store, "shop/app", number).failures
    noise = sum(f.suggestion == "noise" for f in failures)
    passed = noise == len(failures)
    gates.record_gate(store, gates.GateDecision(
        "local", "shop/app", number, "pass" if passed else "ask", 0 if passed else 10,
        at=at + 5 * 60_000, failures=len(failures), noise=noise,
    ))


def _ui_job(store: Store) -> None:
    hostile = "<script>alert(1)</script>"
    for number in range(1, 13):
        failed = number in (4, 9)
        result = TestResult(
            "ui.<b>Login</b>", hostile, Outcome.FAILED if failed else Outcome.PASSED, 1.5,
            attempts=(Attempt("failure", "Error", "<img src=x onerror=alert(1)>"),) if failed
            else (),
        )
        info = BuildInfo("shop/ui", number, server="ci-eu", revision=f"{number:040x}",
                         branch="main", timestamp_ms=START_MS + number * 86_400_000,
                         duration_ms=300_000, result="UNSTABLE" if failed else "SUCCESS")
        import_build(store, info, [result, replace(result, name="rendersHome",
                                                   outcome=Outcome.PASSED, attempts=())])


def _marks(store: Store) -> None:
    """Mark a few failures as a person would: agreeing mostly, overruling once."""
    marked, overruled = 0, False
    for number in range(20, BUILDS + 1):
        result = triage(store, "shop/app", number)
        for item in result.failures:
            if marked >= 12:
                return
            verdict = item.suggestion if item.suggestion != "unsure" else "real"
            if not overruled and marked >= 3 and item.suggestion == "noise":
                verdict, overruled = "real", True  # a person overruled a noise suggestion
            when = (START_MS + number * STEP_MS) / 1000
            mark(store, "shop/app", number, verdict, test=item.failure.test, who="alice",
                 note="checked the logs", clock=lambda when=when: when)
            marked += 1
            break
