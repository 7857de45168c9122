"""The report's data: plain records whose field names are the JSON schema's keys.

`build_report` fills one `ReportData`; every renderer only formats it. Times are ISO 8601 UTC
strings ("2026-11-26T10:00:00Z"), durations seconds, shares fractions in [0, 1] (None when
there is nothing to divide by). The JSON schema (`schema/report-v1.schema.json`) describes the
same records; a test checks the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ReportFilters:
    """Which builds a report covers. `since_ms` is inclusive, `until_ms` exclusive (epoch ms)."""

    jobs: tuple[str, ...] = ()  # empty: every job (on `server`, if given)
    server: str | None = None
    since_ms: int | None = None
    until_ms: int | None = None
    branch: str | None = None


@dataclass(frozen=True)
class BuildRef:
    """One build, as the report points at it."""

    server: str
    job: str
    build: int
    at: str | None  # when the build started
    revision: str | None


@dataclass(frozen=True)
class TestRow:
    """One test of one job that failed at least once in the window (or passed on a rerun)."""

    __test__ = False  # not a pytest class, despite the name

    server: str
    job: str
    rank: int  # 1 = flakiest in its job
    test: str
    classname: str
    name: str
    score: float  # the engine's flakiness score in [0, 1]
    runs: int  # results that passed, failed, errored or passed on rerun (skips left out)
    failures: int  # failed or errored results
    passed_on_rerun: int
    flips: int  # changes between failing and passing from one run to the next
    same_commit_contradictions: int  # commits it both failed and passed on
    failure_rate: float | None
    failure_rate_interval: tuple[float, float] | None  # 95% Wilson interval
    first_flaked: BuildRef | None
    last_flaked: BuildRef | None
    red_builds: int  # builds it failed in
    held_builds: int  # of those, builds that paused at an input
    ci_time_s: float  # the time those red builds took
    noise_failures: int  # failures judged noise (verdict, else suggestion)
    verdicts: dict[str, int]  # {"real": n, "noise": n}: marks in force on its failures


@dataclass(frozen=True)
class SignatureRow:
    """One error signature across the window, ranked by the noise it caused."""

    signature: str
    type: str | None
    message: str  # one readable line of its latest failure
    failures: int
    noise: int
    tests: int
    builds: int
    jobs: tuple[str, ...]
    first_seen: BuildRef
    last_seen: BuildRef


@dataclass(frozen=True)
class HeldBuild:
    """A red or paused build whose every failure was noise."""

    build: BuildRef
    result: str | None
    failures: int
    paused: bool  # a decision on an input step was recorded for it
    decision: str | None  # the last recorded action: proceed | abort
    ci_time_s: float | None
    wait_s: float | None  # time its inputs waited for a person


@dataclass(frozen=True)
class Counts:
    """What happened in a set of builds: the whole window (`Summary`) or one week (`Week`)."""

    builds: int
    red_builds: int  # builds with a failure
    failures: int  # failed or errored results
    noise: int  # of those, judged noise
    noise_share: float | None
    flaky_tests: int  # tests with a pass on rerun or a failure judged noise


@dataclass(frozen=True)
class Week(Counts):
    week: str  # ISO week, "2026-W53"
    start: str  # its Monday, "2026-12-28"


@dataclass(frozen=True)
class TimeStats:
    count: int
    median: float | None
    p90: float | None
    mean: float | None


@dataclass(frozen=True)
class InterventionWeek:
    week: str
    start: str
    builds: int  # paused builds a person decided
    auto_approved: int  # builds the gate let through that nobody had to decide


@dataclass(frozen=True)
class Interventions:
    builds: int  # paused builds a person decided
    auto_approved: int  # builds `triage gate` let through that nobody had to decide
    gate_builds: dict[str, int]  # builds the gate judged, by its newest outcome: pass/ask/error
    per_week: tuple[InterventionWeek, ...]


@dataclass(frozen=True)
class Effectiveness:
    decisions: int  # applied decisions on builds whose results are in the history
    unknown: int  # applied decisions on builds without results in the history
    aborted_with_real: int
    proceeded_with_nothing_real: int
    proceeded_with_real: int
    aborted_with_nothing_real: int
    aborted_with_real_share: float | None
    proceeded_with_nothing_real_share: float | None


@dataclass(frozen=True)
class Disagreement:
    build: BuildRef
    test: str
    who: str | None
    note: str | None


@dataclass(frozen=True)
class Agreement:
    verdicts: int  # marks compared with the engine's own suggestion
    agreed: int  # suggested real and marked real, or suggested noise and marked noise
    share: float | None  # agreed / marks on failures suggested real or noise
    matrix: dict[str, dict[str, int]]  # suggestion -> verdict -> count
    noise_marked_real: tuple[Disagreement, ...]  # the dangerous direction, by test
    real_marked_noise: int


@dataclass(frozen=True)
class Wait:
    build: BuildRef
    input_id: str
    message: str | None
    action: str
    who: str | None
    paused_at: str
    decided_at: str
    wait_s: float


@dataclass(frozen=True)
class Hitl:
    decisions: int  # decisions recorded in the window, whatever Jenkins answered
    decision_outcomes: dict[str, int]
    time_to_decision_s: TimeStats
    interventions: Interventions
    effectiveness: Effectiveness
    agreement: Agreement
    longest_waits: tuple[Wait, ...]


@dataclass(frozen=True)
class JobSummary:
    server: str
    job: str
    builds: int
    red_builds: int
    failures: int
    tests_failing: int


@dataclass(frozen=True)
class Summary(Counts):
    tests_failing: int
    first_build_at: str | None
    last_build_at: str | None
    noise_only_builds: int
    noise_only_ci_time_s: float
    noise_only_wait_s: float


@dataclass(frozen=True)
class ReportData:
    schema: int
    generated_at: str
    filters: dict
    summary: Summary
    jobs: tuple[JobSummary, ...]
    tests: tuple[TestRow, ...]
    signatures: tuple[SignatureRow, ...]
    held_builds: tuple[HeldBuild, ...]
    weeks: tuple[Week, ...]
    hitl: Hitl
    notes: tuple[str, ...] = field(default=())  # what the reader should know about the data
