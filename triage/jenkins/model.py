"""Plain records the Jenkins client returns; no HTTP here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from triage.domain import BuildInfo

# `_class` values from reference section 4.4.
FOLDER_CLASSES = frozenset({
    "com.cloudbees.hudson.plugins.folder.Folder",
    "org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject",
    "jenkins.branch.OrganizationFolder",
})
INPUT_ACTION = "org.jenkinsci.plugins.workflow.support.steps.input.InputAction"
APPROVER_ACTION = "org.jenkinsci.plugins.workflow.support.steps.input.ApproverAction"
BUILD_DATA = "hudson.plugins.git.util.BuildData"
CAUSE_ACTION = "hudson.model.CauseAction"
TEST_RESULT_ACTION = "hudson.tasks.junit.TestResultAction"
PASSWORD_PARAMETER = "PasswordParameterDefinition"
PASSWORD_DEFAULT = "<DEFAULT>"  # section 1.4: Jenkins substitutes the real default


@dataclass(frozen=True, slots=True)
class JobRef:
    """One job (or folder) found by walking the server."""

    full_name: str  # Jenkins fullName: names joined by "/", branch names NameEncoder-encoded
    klass: str | None
    display_name: str | None = None
    color: str | None = None
    full_display_name: str | None = None  # Jenkins' fullDisplayName: "Shop » feature/x"

    @property
    def is_folder(self) -> bool:
        return self.klass in FOLDER_CLASSES


@dataclass(frozen=True, slots=True)
class InputParam:
    """One parameter definition of an input step (section 1.2; wfapi shape in 2.4)."""

    name: str
    type: str  # simple class name, e.g. "ChoiceParameterDefinition"
    description: str | None = None
    default: Any = None
    choices: tuple[str, ...] | None = None

    @property
    def is_password(self) -> bool:
        return self.type == PASSWORD_PARAMETER


@dataclass(frozen=True, slots=True)
class PendingInput:
    """One input step waiting for a decision; `id` exactly as Jenkins exported it."""

    id: str
    message: str | None
    ok: str | None = "Proceed"
    cancel: str | None = "Abort"
    submitter: str | None = None
    submitter_parameter: str | None = None
    parameters: tuple[InputParam, ...] = ()


@dataclass(frozen=True, slots=True)
class BuildState:
    """A build as seen in a job listing: the facts plus what the inbox needs."""

    info: BuildInfo
    in_progress: bool
    fail_count: int | None = None
    total_count: int | None = None
    has_report: bool = False
    # None when the listing could not tell (old input-step plugin, section 1.2).
    inputs: tuple[PendingInput, ...] | None = ()
    approver: str | None = None
    artifacts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Pause:
    """How long a build has waited at its input, and how we know.

    source "wfapi": exact, from Stage View's paused stage; `since_ms` is when the wait began.
    source "build-start": an upper bound, the time since the build started (no pause known).
    source "unknown": Jenkins said nothing usable.
    """

    since_ms: int | None
    waited_ms: int | None
    source: str


@dataclass(frozen=True, slots=True)
class PausedBuild:
    """A running build waiting at one or more input steps."""

    server: str
    job: str
    number: int
    url: str | None
    inputs: tuple[PendingInput, ...]
    failures: int | None
    started_ms: int | None
    paused_ms: int | None = None  # epoch ms when the wait began, None if unknown
    waited_ms: int | None = None
    wait_source: str = "unknown"  # "wfapi" (exact), "build-start" (upper bound), "unknown"


@dataclass(frozen=True, slots=True)
class AttentionBuild:
    """A build the inbox shows: paused at an input, or finished UNSTABLE/FAILURE."""

    state: BuildState
    reason: str  # "paused" | "UNSTABLE" | "FAILURE"
    job: JobRef | None = None  # the job as listed, with its display names
    listing: JobBuilds | None = None  # the listing it came from (its job's newest builds)


@dataclass(slots=True)
class JobBuilds:
    """One job's recent builds as listed in one request."""

    job: JobRef
    builds: list[BuildState] = field(default_factory=list)
    first_build: int | None = None  # the job's oldest build number on Jenkins, when asked


@dataclass(frozen=True, slots=True)
class ConsoleLog:
    """What was read of a build's console log: `text` starts at byte `start` of a log `size`
    bytes long (reference section 4.8)."""

    text: str
    size: int
    start: int = 0
    more: bool = False  # the build is still writing it

    @property
    def cut(self) -> bool:
        """True when the beginning of the log was left out (it was longer than the cap)."""
        return self.start > 0
