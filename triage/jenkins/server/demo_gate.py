"""The demo's `checkout` pipeline: the README's Jenkinsfile, with `triage gate` before its input.

40 builds of history with two flaky tests that each fail now and then with their own error and
pass again by the next build; then the two paths of the gate:

- #41: both flaky tests fail with their usual errors. The gate found nothing but known noise
  (exit 0), so the pipeline skipped its input and deployed: the build finished UNSTABLE with
  no input at all.
- #42: one flaky test fails, and a test that never failed before breaks with a new assertion.
  The gate asked (exit 10): the build is paused at the input `Gate`, whose message is the
  gate's summary. The demo keeps its first line, what Jenkins' input dialog shows as its title
  (a test checks that it is the line the gate writes for this build).

Histories, commits and failures are fixed, not drawn at random: these two builds must take
their paths whatever the seed.
"""

from __future__ import annotations

import hashlib
import random

from triage.jenkins.server.actions import BuildData, Cause
from triage.jenkins.server.jobs import PipelineJob
from triage.jenkins.server.reports import Case, Report, Suite
from triage.jenkins.server.samples import (
    TestId,
    case_stdout,
    catalogue,
    flaky_failure,
    regression_failure,
)
from triage.jenkins.server.world import World

JOB = "checkout"
HISTORY = 40
AUTO_APPROVED = HISTORY + 1
ASKED = HISTORY + 2
REMOTE = "https://git.example.com/shop/checkout.git"
BRANCH = "refs/remotes/origin/main"
SPACING_MS = 2 * 3600 * 1000
# Which builds each flaky test failed in: short episodes that went away by themselves.
FLAKY = {3: (6, 13, 21, 29, 35, AUTO_APPROVED), 11: (9, 17, 26, 33, AUTO_APPROVED),
         27: (4, 15, 24, 31, 38, ASKED)}
BROKEN = 20  # the test that breaks in #42
GATE_MESSAGE = ("triage gate: a human must decide on checkout #42 ({sha}): 1 of 2 failures "
                "needs a human: 1 new failure ({test}).")


def demo_checkout(world: World, newest_ms: int, seed: int = 1) -> PipelineJob:
    """Add the `checkout` job; its paused build reached the input at about `newest_ms`."""
    job = world.pipeline(JOB)
    job.description = "Jenkinsfile with `triage gate` before its deploy input (see the README)"
    tests = catalogue("java", 60, random.Random(f"{seed}:{JOB}:names"))
    for n in range(1, ASKED + 1):
        started = newest_ms - (ASKED - n) * SPACING_MS - 8 * 60_000
        build = job.add_build(
            n, result="UNSTABLE" if _failing(n) else "SUCCESS", timestamp_ms=started,
            duration_ms=6 * 60_000, causes=[Cause.scm()],
            build_data=[BuildData(commit(seed, n), BRANCH, REMOTE)],
            report=_report(tests, n))
        if n == AUTO_APPROVED:
            build.log[-2:-2] = _gate_log(n, 0, "no human needed; skipping the input")
    paused = job.build(ASKED)
    paused.log[-2:-2] = _gate_log(ASKED, 10, "a human must decide")
    message = GATE_MESSAGE.format(sha=commit(seed, ASKED)[:7], test=short(tests[BROKEN]))
    paused.add_input(message, id="Gate", ok="Deploy", at_ms=newest_ms, stage="Gate")
    return job


def commit(seed: int, n: int) -> str:
    return hashlib.sha1(f"{seed}:{JOB}:{n}".encode()).hexdigest()


def short(test: TestId) -> str:
    return f"{test.class_name.rsplit('.', 1)[-1]}.{test.name}"


def _failing(n: int) -> bool:
    return n == ASKED or any(n in builds for builds in FLAKY.values())


def _report(tests: list[TestId], n: int) -> Report:
    suites: dict[str, Suite] = {}
    report = Report()
    for t, test in enumerate(tests):
        suite = suites.get(test.suite)
        if suite is None:
            suite = suites[test.suite] = report.add_suite(Suite(test.suite))
        case = suite.add(Case(test.class_name, test.name, duration=test.base_duration))
        text = None
        if n in FLAKY.get(t, ()):
            text = flaky_failure("java", test, t)  # the test's one usual error
        elif t == BROKEN and n == ASKED:
            text = regression_failure("java", test, t)
        if text is not None:
            case.outcome = "failed"
            case.message, case.error_type, case.trace = text.message, text.type, text.trace
            case.stdout = case_stdout("java", test, True)
    return report


def _gate_log(n: int, code: int, verdict: str) -> list[str]:
    return [
        "[Pipeline] stage (Gate)",
        f"+ triage gate --server ci --job {JOB} --build {n} --policy ci/gate.toml "
        "--summary gate.md",
        f"triage gate: exit {code}: {verdict}",
    ]
