"""A Pipeline run (`WorkflowRun`) as core exports it (reference §4.6), plus its life cycle.

A `Build` is mutated under the world's lock: inputs get decided, the run finishes. Its test
report is a `Report` or a zero-argument factory called on demand, so big worlds stay light.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from triage.jenkins.server.actions import (
    BuildData,
    Cause,
    CauseAction,
    Marker,
    _Artifact,
    _ParametersAction,
    _TestResultAction,
)
from triage.jenkins.server.export import UNEXPORTABLE, Prop
from triage.jenkins.server.inputs import (
    ApproverAction,
    Decision,
    InputAction,
    InputExecution,
    InputStep,
    Param,
    ParamValue,
    is_safe_id,
)
from triage.jenkins.server.reports import Report

if TYPE_CHECKING:
    from triage.jenkins.server.jobs import PipelineJob

RUN_CLASS = "org.jenkinsci.plugins.workflow.job.WorkflowRun"
RESULTS = ("SUCCESS", "UNSTABLE", "FAILURE", "NOT_BUILT", "ABORTED")  # Result ordinal order
ReportSource = Report | Callable[[], Report]
Artifact = bytes | Callable[[], bytes]


def worse(a: str | None, b: str | None) -> str | None:
    """Combine two results as `Result.combine` does: the worse one wins."""
    if a is None or b is None:
        return a or b
    return a if RESULTS.index(a) >= RESULTS.index(b) else b


class Build:
    """One run of a Pipeline job. Create through `PipelineJob.add_build`."""

    export_class = RUN_CLASS

    def __init__(
        self,
        job: PipelineJob,
        number: int,
        *,
        result: str | None = None,
        building: bool = False,
        timestamp_ms: int = 0,
        duration_ms: int = 0,
        causes: Iterable[Cause] | None = None,
        build_data: Iterable[BuildData] | None = None,
        parameters: dict[str, Any] | None = None,
        description: str | None = None,
        queue_id: int | None = None,
        artifacts: dict[str, Artifact] | None = None,
        report: ReportSource | None = None,
        report_counts: Callable[[], tuple[int, int, int]] | None = None,
    ):
        """`duration_ms` of a running build is kept as the duration it will finish with."""
        if result is not None and result not in RESULTS:
            raise ValueError(f"result must be one of {RESULTS} or None, not {result!r}")
        self.job, self.number = job, number
        self.result, self.building = result, building
        self.timestamp_ms = timestamp_ms
        self.duration_ms = 0 if building else duration_ms
        self.planned_duration_ms = duration_ms
        self.causes: list[Cause] = list(causes or [Cause.scm()])
        # Copies: callers share one BuildData between builds; buildNumber is per build.
        self.build_data = [dataclasses.replace(d, number=number) for d in build_data or ()]
        self.parameters: dict[str, Any] = dict(parameters or {})
        self.description = description
        self.queue_id = queue_id if queue_id is not None else 1000 + number
        self.artifacts: dict[str, Artifact] = dict(artifacts or {})
        self._report: ReportSource | None = report
        # Cheap (fail, skip, total) for lazy reports, so build lists need not generate them.
        self._counts = report_counts
        self.input_action: InputAction | None = None
        self.approvers: list[ApproverAction] = []
        self.log: list[str] = [c.short_description for c in self.causes]
        self.log.append("[Pipeline] Start of Pipeline")
        if not building:
            self.log += ["[Pipeline] End of Pipeline", f"Finished: {result or 'SUCCESS'}"]

    # --- references -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"{self.job.url}{self.number}/"

    @property
    def path(self) -> str:
        """Root-relative path below the Jenkins root, e.g. `job/a/job/b/7/`."""
        return f"{self.job.path}{self.number}/"

    @property
    def full_display_name(self) -> str:
        return f"{self.job.full_display_name} #{self.number}"

    # --- test report ------------------------------------------------------------------------

    @property
    def has_report(self) -> bool:
        return self._report is not None

    def report(self) -> Report | None:
        """Return the report, generating it through the world's small cache when lazy."""
        if self._report is None or isinstance(self._report, Report):
            return self._report
        return self.job.world.report_cache.get((self.job.full_name, self.number), self._report)

    def report_counts(self) -> tuple[int, int, int]:
        """Return (fail, skip, total) of the report, without generating it when possible."""
        if self._counts is not None and not isinstance(self._report, Report):
            return self._counts()
        report = self.report()
        return report.counts() if report else (0, 0, 0)

    def set_report(self, report: ReportSource | None) -> None:
        if isinstance(report, Report):
            self.job.fill_failed_since(self.number, report)
        self._report = report

    def record_tests(self, report: Report) -> None:
        """Run a `junit` step in this (running) build: its report exists from now on.

        As junit's `JUnitResultArchiver.parseAndSummarize` does: the TestResultAction is added
        to the run when the step has parsed the files, while the run goes on (so
        `{run}/testReport` answers from then, not at the end); a second `junit` step merges
        into the same action; an empty result attaches nothing (and `junit` fails, unless
        `allowEmptyResults`). Failures make the run UNSTABLE at once
        (`JUnitResultsStepExecution`: `run.setResult(Result.UNSTABLE)`).
        """
        with self.job.world.lock:
            self.log.append("Recording test results")
            current = self.report()
            if current is not None:
                report = Report(current.suites + report.suites)
            if not report.counts()[2]:
                self.log.append("ERROR: None of the test reports contained any result")
                return
            self.set_report(report)
            if report.counts()[0]:
                self.result = worse(self.result, "UNSTABLE")

    def add_artifact(self, relative_path: str, content: Artifact) -> None:
        self.artifacts[relative_path] = content

    # --- inputs (§1) ------------------------------------------------------------------------

    def add_input(
        self,
        message: str,
        *,
        id: str | None = None,
        ok: str | None = None,
        cancel: str | None = None,
        submitter: str | None = None,
        submitter_parameter: str | None = None,
        parameters: Iterable[Param] = (),
        then: str | None = "SUCCESS",
        at_ms: int | None = None,
        stage: str = "Approve",
    ) -> InputExecution | None:
        """Pause this run at an input; `then` is the result once every input is proceeded.

        `then=None` keeps the run going after proceeding until `finish()` is called. An unsafe
        explicit id fails the run like SECURITY-2880 does (§1.3) and returns None. `at_ms` is
        when the run reached the step (default: the world's now, never before the run
        started); `stage` names the Stage View stage that pauses (§2.3).
        """
        if id and not is_safe_id(id):
            self.log.append(f"ERROR: The input step id {id!r} is unsafe")
            self.finish("FAILURE")
            return None
        step = InputStep(message, id, ok, cancel, submitter, submitter_parameter, list(parameters))
        if at_ms is None:
            at_ms = max(self.timestamp_ms, self.job.world.now_ms())
        execution = InputExecution(step, then, started_ms=at_ms, stage=stage)
        if self.input_action is None:
            self.input_action = InputAction()
        self.input_action.all.append(execution)
        self.building, self.duration_ms = True, 0
        if self.result == "SUCCESS":
            self.result = None  # a running Pipeline has no result unless set worse (trap 15)
        if self.log and self.log[-1].startswith("Finished: "):
            del self.log[-2:]
        # §1.7: without parameters the message and "<ok> or <cancel>" are printed.
        if step.parameters:
            self.log.append("Input requested")
        else:
            self.log += [message, f"{step.ok or 'Proceed'} or {step.cancel or 'Abort'}"]
        return execution

    def decide(self, execution: InputExecution, decision: Decision, now_ms: int) -> None:
        """Record a proceed or abort; finish the run once nothing is pending (§1.4, §1.6)."""
        execution.decision = decision
        execution.decided_ms = now_ms
        if decision.proceeded:
            self.approvers.append(ApproverAction(decision.user))
            self.log.append(f"Approved by {decision.user}")
            self.result = worse(self.result, execution.then) if execution.then else self.result
        else:
            self.log.append(f"Rejected by {decision.user}")
            self.result = "ABORTED"
        pending = self.input_action.pending if self.input_action else []
        if pending:
            return
        decided = self.input_action.all if self.input_action else []
        if any(e.decision and e.decision.proceeded and e.then is None for e in decided):
            if self.result != "ABORTED":
                return  # the script goes on until the test calls finish()
        self.finish(self.result or "SUCCESS", now_ms=now_ms)

    def finish(self, result: str = "SUCCESS", now_ms: int | None = None) -> None:
        """End the run with `result`; its duration is the planned one or, when it ran longer
        (it waited at an input), the time elapsed until `now_ms`."""
        if result not in RESULTS:
            raise ValueError(f"result must be one of {RESULTS}")
        self.result = worse(self.result, result)  # a Pipeline result only gets worse
        self.building = False
        # A run that ends (stopped, timed out) settles its pending inputs: they leave the
        # InputAction and a late proceed/abort gets a 404 (§1.6, "Build stopped or timed out").
        for execution in self.input_action.pending if self.input_action else ():
            execution.decision = Decision(proceeded=False, user="SYSTEM")
            execution.decided_ms = now_ms or self.job.world.now_ms()
        elapsed = (now_ms - self.timestamp_ms) if now_ms else 0
        self.duration_ms = max(self.planned_duration_ms, elapsed, 1)
        self.log += ["[Pipeline] End of Pipeline", f"Finished: {self.result}"]

    # --- export (§4.6) ----------------------------------------------------------------------

    def actions(self) -> list:
        acts: list = [CauseAction(self.causes)]
        if self.parameters:
            values = [ParamValue(Param(k, _kind(v)), v) for k, v in self.parameters.items()]
            acts.append(_ParametersAction(values))
        acts += self.build_data
        acts += [UNEXPORTABLE, Marker("org.jenkinsci.plugins.workflow.libs.LibrariesAction")]
        if self._report is not None:
            acts.append(_TestResultAction(self))
        if self.input_action is not None:
            exported = self.job.world.input_exports
            acts.append(self.input_action if exported else UNEXPORTABLE)
        acts += self.approvers
        acts += [UNEXPORTABLE, Marker("org.jenkinsci.plugins.workflow.job.views.FlowGraphAction")]
        return acts

    def export_props(self):
        job = self.job
        return (
            Prop("actions", self.actions, 1),
            Prop("artifacts", lambda: [_Artifact(p) for p in self.artifacts], 1,
                 declared=_Artifact.export_class),
            Prop("building", lambda: self.building, 1),
            Prop("description", lambda: self.description, 1),
            Prop("displayName", lambda: f"#{self.number}", 1),
            Prop("duration", lambda: self.duration_ms, 1),
            Prop("estimatedDuration", job.estimated_duration, 1),
            Prop("executor", lambda: Marker("hudson.model.OneOffExecutor") if self.building
                 else None, 1),
            Prop("fullDisplayName", lambda: self.full_display_name, 1),
            Prop("id", lambda: str(self.number), 1),
            Prop("keepLog", lambda: False, 1),
            Prop("number", lambda: self.number, 2),
            Prop("queueId", lambda: self.queue_id, 1),
            Prop("result", lambda: self.result, 1),
            Prop("timestamp", lambda: self.timestamp_ms, 1),
            Prop("url", lambda: self.url, 2),
            Prop("changeSets", list, 1),
            Prop("culprits", list, 1),
            Prop("inProgress", lambda: self.building, 1),
            Prop("nextBuild", lambda: job.neighbour(self.number, +1), 1, declared=RUN_CLASS),
            Prop("previousBuild", lambda: job.neighbour(self.number, -1), 1, declared=RUN_CLASS),
        )


def _kind(value: Any) -> str:
    return "boolean" if isinstance(value, bool) else "string"
