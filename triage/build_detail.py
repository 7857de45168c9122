"""Use cases behind a build's full view: its triage with who marked what, and one failure in full.

`triage failures` prints the engine's answer; the app also shows who marked each failure and
with which note, and for the failure under the cursor its whole message, trace and output, the
test's recent builds with their commits, and the verdicts given on it before.
"""

from __future__ import annotations

from dataclasses import dataclass

from triage.flakiness.model import BuildTriage
from triage.store import details
from triage.store import evidence as q
from triage.store import verdicts as v
from triage.store.db import Store
from triage.store.gates import GateDecision, gate_for_build
from triage.triage_build import triage

RECENT_RUNS = 30


@dataclass(frozen=True)
class BuildView:
    """A build's triage plus the marks in force on it, by test id."""

    server: str
    job: str
    number: int
    build_id: int
    url: str | None
    result: str | None
    triage: BuildTriage
    marks: dict[int, v.VerdictRow]
    gate: GateDecision | None = None  # what `triage gate` decided for this build, if it ran


@dataclass(frozen=True)
class FailureDetail:
    test_id: int
    attempts: list[details.AttemptText]  # final failure first, then earlier failed attempts
    runs: list[details.PastRun]  # newest first, this build included
    verdicts: list[v.VerdictRow]  # every verdict on the test in this job, newest first


def build_view(store: Store, job: str, number: int, server: str = "local") -> BuildView:
    """Return the engine's triage of a stored build with the marks in force on it."""
    build = q.build_row(store, job, number, server)
    result = triage(store, job, number, server)
    marks = {row.test_id: row for row in v.for_build(store, build.id)}
    url, outcome, _ = details.build_facts(store, build.id)
    gate = gate_for_build(store, server, job, number)
    return BuildView(server, job, number, build.id, url, outcome, result, marks, gate)


def failure_detail(store: Store, job: str, number: int, test_id: int, server: str = "local",
                   last: int = RECENT_RUNS) -> FailureDetail:
    """Return one failure in full: texts, the test's last `last` builds, its verdicts."""
    build = q.build_row(store, job, number, server)
    return FailureDetail(
        test_id=test_id,
        attempts=details.attempts(store, build.id, test_id),
        runs=details.recent_runs(store, build.job_id, number, test_id, last),
        verdicts=details.test_verdicts(store, build.job_id, test_id),
    )

