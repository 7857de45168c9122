"""Deterministic, lazily generated test history for one job.

Whether test *t* fails in build *n* is a pure function (`failure(t, n)`), so a report is built on
request without keeping any history in memory, and `failedSince` is found by asking the same
function about earlier builds. Flaky tests fail at a low rate, regressions fail for a span of
builds until fixed, and one build has an infrastructure outage in one module.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field

from triage.jenkins.server.reports import Case, Failure, Report, Suite
from triage.jenkins.server.samples import (
    FailureText,
    TestId,
    case_stdout,
    catalogue,
    flaky_failure,
    outage_failure,
    regression_failure,
)

BACKTRACK = 25  # junit looks at most 25 builds back for the previous result (§3.4)


def unit(*key: object) -> float:
    """Return a deterministic float in [0, 1) for the key."""
    digest = hashlib.blake2b(repr(key).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@dataclass
class Plan:
    """How a job's history should look. Build numbers are 1-based."""

    style: str = "java"
    tests: int = 300
    builds: int = 100
    flaky: int = 6
    flaky_rate: tuple[float, float] = (0.03, 0.12)
    regressions: int = 3
    outage_build: int | None = None
    outage_module: str | None = None
    outage_size: int = 20
    skipped_share: float = 0.01
    no_report: set[int] = field(default_factory=set)  # e.g. compile failures: no testReport
    reruns: bool = False  # surefire rerunFailingTestsCount: flaky passes show flakyFailures


class History:
    """The test outcomes of one job, generated on demand."""

    def __init__(self, seed: int, key: str, plan: Plan, catalogue_key: str | None = None):
        """`catalogue_key` lets branches of one repository share their test names."""
        self.seed, self.key, self.plan = seed, key, plan
        names_rng = random.Random(f"{seed}:{catalogue_key or key}:names")
        self.tests: list[TestId] = catalogue(plan.style, plan.tests, names_rng)
        rng = random.Random(f"{seed}:{key}")
        idx = list(range(len(self.tests)))
        rng.shuffle(idx)
        self.skipped = set(idx[: int(len(idx) * plan.skipped_share)])
        rest = idx[len(self.skipped):]
        self.flaky = {t: rng.uniform(*plan.flaky_rate) for t in rest[: plan.flaky]}
        self.regressions: dict[int, tuple[int, int]] = {}
        for t in rest[plan.flaky: plan.flaky + plan.regressions]:
            start = rng.randint(max(2, plan.builds // 5), max(3, plan.builds - 5))
            length = rng.randint(3, 25)
            # The last regression is still open: it persists to the newest build.
            self.regressions[t] = (start, start + length)
        if self.regressions:
            last = max(self.regressions)
            self.regressions[last] = (max(2, plan.builds - 8), plan.builds + 10_000)
        self.outage: set[int] = set()
        if plan.outage_build is not None:
            module = plan.outage_module or self.tests[0].module
            members = [t for t in idx if self.tests[t].module == module and t not in self.skipped]
            self.outage = set(sorted(members)[: plan.outage_size])

    # --- outcomes ---------------------------------------------------------------------------

    def failure(self, t: int, n: int) -> str | None:
        """Return why test t fails in build n ("outage", "regression", "flaky") or None."""
        if n in self.plan.no_report or t in self.skipped:
            return None
        if n == self.plan.outage_build and t in self.outage:
            return "outage"
        span = self.regressions.get(t)
        if span and span[0] <= n < span[1]:
            return "regression"
        rate = self.flaky.get(t)
        if rate is not None and unit(self.seed, self.key, t, n) < rate:
            if self.plan.reruns and unit(self.seed, self.key, t, n, "rerun") < 0.5:
                return "flaky-passed"
            return "flaky"
        return None

    def red(self, n: int) -> bool:
        """True when build n has a failing test (cheap: only special tests can fail)."""
        special = set(self.flaky) | set(self.regressions)
        if n == self.plan.outage_build:
            special |= self.outage
        return any(self.failure(t, n) in ("outage", "regression", "flaky") for t in special)

    def counts(self, n: int) -> tuple[int, int, int]:
        """Return (fail, skip, total) of build n's report without generating it."""
        special = set(self.flaky) | set(self.regressions) | self.outage
        fail = sum(1 for t in special if self.failure(t, n) in ("outage", "regression", "flaky"))
        return fail, len(self.skipped), len(self.tests)

    def failed_since(self, t: int, n: int) -> tuple[int, bool | None]:
        """Return (failedSince, previous build failed?) for a test failing in build n."""
        since, previous, looked = n, None, 0
        b = n - 1
        while b >= 1 and looked < BACKTRACK:
            if b in self.plan.no_report:
                b, looked = b - 1, looked + 1
                continue
            failed = self.failure(t, b) in ("outage", "regression", "flaky")
            if previous is None:
                previous = failed
            if not failed:
                break
            since, b, looked = b, b - 1, 0
        return since, previous

    # --- reports ----------------------------------------------------------------------------

    def report(self, n: int) -> Report:
        """Build the full report of build n (deterministic)."""
        rng = random.Random(f"{self.seed}:{self.key}:{n}")
        style = self.plan.style
        suites: dict[str, Suite] = {}
        report = Report()
        for t, test in enumerate(self.tests):
            suite = suites.get(test.suite)
            if suite is None:
                suite = suites[test.suite] = report.add_suite(self._suite(test))
            suite.add(self._case(t, test, n, style, rng))
        return report

    def _suite(self, test: TestId) -> Suite:
        blocks = ["integration", "Test"] if test.module in ("orders", "db") else ["unit", "Test"]
        return Suite(test.suite, node_id="27" if blocks[0] == "unit" else "31",
                     enclosing_blocks=["26", "12"], enclosing_block_names=blocks)

    def _case(self, t: int, test: TestId, n: int, style: str, rng: random.Random) -> Case:
        duration = round(test.base_duration * rng.uniform(0.8, 1.3), 3)
        case = Case(test.class_name, test.name, duration=duration)
        if t in self.skipped:
            case.outcome = "skipped"
            case.skipped_message = "Disabled until SHOP-1234 is fixed"
            return case
        why = self.failure(t, n)
        if why in (None, "flaky-passed"):
            if t in self.flaky or t in self.regressions or t in self.outage:
                case.previous_failed = self.failed_since(t, n)[1]  # for FIXED (§3.3)
        if why is None:
            return case
        text = self._text(why, t, test, n)
        if why == "flaky-passed":
            case.flaky_failures = [Failure(text.message, text.type, text.trace)]
            return case
        case.outcome = "error" if why == "outage" else "failed"
        case.message, case.error_type, case.trace = text.message, text.type, text.trace
        case.stdout = case_stdout(style, test, True)
        if why == "flaky" and self.plan.reruns:
            case.rerun_failures = [Failure(text.message, text.type, text.trace)]
        case.failed_since, case.previous_failed = self.failed_since(t, n)
        return case

    def _text(self, why: str, t: int, test: TestId, n: int) -> FailureText:
        style = self.plan.style
        if why == "outage":
            return outage_failure(style, test)
        if why == "regression":
            return regression_failure(style, test, t)
        return flaky_failure(style, test, int(unit(self.seed, t, n, "v") * 1000))
