"""Plain records shared by the importer, the store, Jenkins sync and the flakiness engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class Outcome(IntEnum):
    """One test's final outcome in one build. The integer is what the store keeps."""

    PASSED = 0
    FAILED = 1
    ERROR = 2
    SKIPPED = 3
    FLAKY = 4  # passed after one or more failed attempts in the same build

    @property
    def letter(self) -> str:
        return "PFESR"[self.value]

    @property
    def label(self) -> str:
        return ("passed", "failed", "error", "skipped", "flaky-passed")[self.value]

    @property
    def is_failure(self) -> bool:
        """True for outcomes that turned the build red."""
        return self in (Outcome.FAILED, Outcome.ERROR)


def qualified_name(classname: str, name: str) -> str:
    """Return how a test is shown and matched: "classname.name", or the name alone."""
    return f"{classname}.{name}" if classname else name


@dataclass(frozen=True, slots=True)
class Attempt:
    """Details of one failed (or skipped) attempt.

    kind: "failure", "error", "skipped", or a Surefire retry element
    ("flakyFailure", "flakyError", "rerunFailure", "rerunError").
    """

    kind: str
    type: str | None = None
    message: str | None = None
    trace: str | None = None
    stdout: str | None = None
    stderr: str | None = None


@dataclass(slots=True)
class TestResult:
    """One test's merged result in one build (all files and retries of that build folded in).

    `attempts` lists failure details, the final failure first for FAILED/ERROR results, then
    earlier failed attempts; for FLAKY results every failed attempt before the pass.
    """

    __test__ = False  # not a pytest class, despite the name

    classname: str
    name: str
    outcome: Outcome
    duration: float | None = None  # seconds
    reruns: int = 0  # extra attempts beyond the first
    suite: str | None = None
    file: str | None = None
    attempts: tuple[Attempt, ...] = ()
    stdout: str | None = None
    stderr: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.classname, self.name)

    def __reduce__(self):
        # Positional arguments pickle in a third of the default time; manifest imports send
        # every result from the parsing processes to the writer.
        return (TestResult, (self.classname, self.name, self.outcome, self.duration,
                             self.reruns, self.suite, self.file, self.attempts, self.stdout,
                             self.stderr))

    @property
    def full_name(self) -> str:
        return qualified_name(self.classname, self.name)


@dataclass(frozen=True, slots=True)
class BuildInfo:
    """Facts about one build, as Jenkins or the user gives them."""

    job: str  # full name, folders and branches joined by "/": "team/app/feature%2Fx"
    number: int
    server: str = "local"
    revision: str | None = None
    branch: str | None = None
    timestamp_ms: int | None = None  # epoch milliseconds, UTC
    duration_ms: int | None = None
    result: str | None = None  # SUCCESS | UNSTABLE | FAILURE | ABORTED | NOT_BUILT | None
    url: str | None = None
    building: bool = False
    causes: tuple[str, ...] = field(default_factory=tuple)


BUILD_RESULTS = ("SUCCESS", "UNSTABLE", "FAILURE", "ABORTED", "NOT_BUILT")
MAX_BUILD = 2**63 - 1  # SQLite's largest integer; Jenkins' own limit is far below
