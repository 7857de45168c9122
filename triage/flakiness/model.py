"""Plain records the flakiness engine reads and writes. No SQL, no I/O: the store fills them in
and the simulator builds them directly, so both drive exactly the same logic."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from triage.domain import Outcome, qualified_name

REAL = "real"
NOISE = "noise"
UNSURE = "unsure"
SUGGESTIONS = (REAL, NOISE, UNSURE)

# The engine looks at this many earlier builds of the job (and branch): long enough to see a
# test that fails once in a hundred runs fail twice, short enough to forget fixed flakiness.
HISTORY_WINDOW = 200


# A commit id: a git or Mercurial hash (7+ hex digits) or a Subversion revision number.
_COMMIT = re.compile(r"[0-9a-f]{7,64}|r?\d+", re.I)


def is_commit(revision: str | None) -> bool:
    """Return True when `revision` names one commit, not a branch or a tag like "main".

    A pass "on the same commit" is the strongest sign of noise, so a revision that names a
    moving branch (an import with --revision HEAD) must not make every build one commit.
    """
    return bool(revision) and _COMMIT.fullmatch(revision) is not None


class Run(NamedTuple):
    """One test's outcome in one build (a named tuple: histories hold hundreds of thousands)."""

    number: int
    outcome: Outcome
    revision: str | None = None
    signature: str | None = None  # of the final failure, for FAILED/ERROR runs
    job: str | None = None  # set only for runs of another job (same-commit evidence)
    # Failed with an error that struck MASS_MIN tests or more in that build: an outage says
    # nothing about this test, so the evidence skips the run (the history letters keep it).
    mass: bool = False

    @property
    def failed(self) -> bool:
        return self.outcome is Outcome.FAILED or self.outcome is Outcome.ERROR

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASSED or self.outcome is Outcome.FLAKY

    def where(self) -> str:
        """Return how a reason names this build: "#41", or "other-job #12"."""
        return f"{self.job} #{self.number}" if self.job else f"#{self.number}"


@dataclass(frozen=True, slots=True)
class PastVerdict:
    """A human mark on this test from another build, still in force (not undone)."""

    number: int
    signature: str | None
    verdict: str  # REAL or NOISE
    who: str | None = None
    at: int = 0  # epoch ms
    note: str | None = None


@dataclass(slots=True)
class FailureInput:
    """One failure of the build being triaged, with the history the engine may use.

    `history` holds this job's (and branch's) earlier builds, oldest first, the current build
    excluded; `same_revision` other builds on the same commit (any job, any order);
    `verdicts` active marks on this test from other builds.
    """

    test_id: int
    classname: str
    name: str
    outcome: Outcome
    signature: str | None
    message: str = ""  # one readable line
    type: str | None = None
    reruns: int = 0
    history: tuple[Run, ...] = ()
    same_revision: tuple[Run, ...] = ()
    verdicts: tuple[PastVerdict, ...] = ()
    own_verdict: str | None = None  # the mark on this very failure, if any
    frame: str | None = None  # the innermost frame of the code under test, from the trace

    @property
    def test(self) -> str:
        return qualified_name(self.classname, self.name)


@dataclass(frozen=True, slots=True)
class SignatureSpread:
    """How widely one signature struck in earlier builds of the job.

    Given for every signature failing in the build: for an outage (MASS_MIN tests or more in
    this build), how many tests it struck in each earlier build: did it strike many before?
    For any other error, the tests that failed with it in the window: did they get over it?
    """

    signature: str
    earlier: tuple[tuple[int, int], ...] = ()  # (build number, tests failing with it), oldest first
    # The tests that failed with it in the window, with their runs there, oldest first:
    # (test id, runs).
    tests: tuple[tuple[int, tuple[Run, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class BuildContext:
    job: str
    number: int
    revision: str | None = None


@dataclass(slots=True)
class Evidence:
    """What the history says about one test, each piece with the builds that support it."""

    runs: int = 0  # decisive earlier runs (passed, failed, flaky-passed)
    failures: int = 0
    rate_low: float = 0.0  # 95% Wilson interval of the failure rate
    rate_high: float = 1.0
    flip_rate: float = 0.0  # exponentially decayed pass/fail transitions per run
    prior_flip_rate: float = 0.0  # the same before the current streak
    passed_same_commit: tuple[Run, ...] = ()  # passes on the commit now failing
    same_commit_flips: tuple[tuple[str, int, int], ...] = ()  # (sha, failed #, passed #) earlier
    rerun_passes: tuple[int, ...] = ()  # builds where it passed on a rerun
    recovered: tuple[int, ...] = ()  # starts of short failure episodes that passed next build
    streak_start: int | None = None  # first build of the current unbroken failing run
    streak: int = 1  # builds failing in a row, the current one included
    streak_same_error: bool = True
    # Every failure of the streak has an error this test failed with and got over before.
    streak_known_errors: bool = False
    prior_runs: int = 0  # the runs and failures before the current streak
    prior_failures: int = 0
    # Before the streak: (failures followed by a failure, failures followed by a run).
    after_failure: tuple[int, int] = (0, 0)
    streak_chance: float = 1.0  # the chance of the streak at the test's own rate
    seen_signature: tuple[int, ...] = ()  # earlier transient failures with the same signature
    flaky_signatures: set[str | None] = field(default_factory=set)  # errors it got over
    bursts: tuple[tuple[int, int], ...] = ()  # (from, to) long episodes that ended by themselves
    regressed_signature: tuple[int, int] | None = None  # (from, to) a long episode, same signature
    verdict: PastVerdict | None = None  # latest mark on this test for the same signature
    # Tests failing in this build that failed together with this one before (groups.py), the
    # earlier builds where the group failed together, and those where a mate failed with this
    # test's error and got over it (each build once: one piece of evidence for the group).
    group_mates: tuple[str, ...] = ()
    group_together: tuple[int, ...] = ()
    group_shared: tuple[int, ...] = ()
    # Earlier builds where this very error came and went in other tests (elsewhere.py): the
    # first build of each short episode. About the error, not the test: the score ignores it.
    elsewhere: tuple[int, ...] = ()
    score: float = 0.0


@dataclass(slots=True)
class Suggestion:
    suggestion: str
    kind: str  # cluster kind it belongs to (see clusters.KINDS)
    reasons: list[str] = field(default_factory=list)


@dataclass(slots=True)
class TriagedFailure:
    failure: FailureInput
    evidence: Evidence
    suggestion: str
    reasons: list[str]
    kind: str
    cluster_id: str = ""


@dataclass(slots=True)
class Cluster:
    id: str
    kind: str
    label: str
    suggestion: str
    members: list[TriagedFailure] = field(default_factory=list)


@dataclass(slots=True)
class BuildTriage:
    build: BuildContext
    failures: list[TriagedFailure]
    clusters: list[Cluster]

    def cluster(self, cluster_id: str) -> Cluster | None:
        return next((c for c in self.clusters if c.id == cluster_id), None)
