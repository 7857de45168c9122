"""Stage View REST shapes (`/wfapi`, reference §2): Jackson-written, so no `_class`, nulls kept
unless noted, and hrefs root-relative with the context path (trap 9).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

from triage.jenkins.server.jobs import raw_encode

if TYPE_CHECKING:
    from triage.jenkins.server.builds import Build
    from triage.jenkins.server.inputs import InputExecution
    from triage.jenkins.server.jobs import PipelineJob

MAX_RUNS = 10  # JobExt.maxRunsPerJob default (§2.1)

# §2.3: core Result -> StatusExt (FAILED and NOT_EXECUTED, not FAILURE and NOT_BUILT).
STATUS = {"SUCCESS": "SUCCESS", "UNSTABLE": "UNSTABLE", "FAILURE": "FAILED",
          "ABORTED": "ABORTED", "NOT_BUILT": "NOT_EXECUTED"}


def _href(ctx: str, build: Build, tail: str) -> str:
    return f"{ctx}/{build.path}{tail}"


def run_status(build: Build) -> str:
    if build.input_action is not None and build.input_action.pending:
        return "PAUSED_PENDING_INPUT"
    if build.building:
        return "IN_PROGRESS"
    return STATUS[build.result or "SUCCESS"]


def run_describe(build: Build, ctx: str, now_ms: int,
                 full_stages: bool = False) -> dict[str, Any]:
    """`RunExt` (§2.3), with synthesised stages (see `stages`)."""
    links: dict[str, Any] = {"self": {"href": _href(ctx, build, "wfapi/describe")}}
    if build.input_action is not None and build.input_action.pending:
        links["pendingInputActions"] = {"href": _href(ctx, build, "wfapi/pendingInputActions")}
        links["nextPendingInputAction"] = {
            "href": _href(ctx, build, "wfapi/nextPendingInputAction")
        }
    if build.artifacts:
        links["artifacts"] = {"href": _href(ctx, build, "wfapi/artifacts")}
    end = _end(build, now_ms)
    return {
        "_links": links,
        "id": str(build.number),
        "name": f"#{build.number}",
        "status": run_status(build),
        "startTimeMillis": build.timestamp_ms,
        "endTimeMillis": end,
        "durationMillis": max(end - build.timestamp_ms, 0),
        "queueDurationMillis": 7,
        # As the reference's example (§2.3): the run-level pause stays 0; the wait is on
        # the paused stage.
        "pauseDurationMillis": 0,
        "stages": stages(build, ctx, now_ms, full_stages),
    }


def _end(build: Build, now_ms: int) -> int:
    """While running, Stage View's `endTimeMillis` is the server's now (§2.3)."""
    return now_ms if build.building else build.timestamp_ms + build.duration_ms


def stages(build: Build, ctx: str, now_ms: int, full: bool = False) -> list[dict[str, Any]]:
    """Return `StageNodeExt`s: the work before the first input, then one stage per input.

    The server models no flow graph, so a run is one "Build" stage, followed by the stage of
    each `input` step (named by `add_input(stage=...)`). A pending input's stage is
    PAUSED_PENDING_INPUT, started when the run reached the step, paused until the server's
    now; a decided one is SUCCESS (proceeded) or ABORTED, paused until the decision.
    """
    executions = build.input_action.all if build.input_action is not None else []
    end = _end(build, now_ms)
    work_end = min([e.started_ms for e in executions] + [end])
    found = [_stage(ctx, build, "6", "Build", _work_status(build, bool(executions)),
                    build.timestamp_ms, work_end - build.timestamp_ms, 0, full)]
    for index, execution in enumerate(executions):
        if execution.decision is None:
            status, stop = "PAUSED_PENDING_INPUT", now_ms
        else:
            status = "SUCCESS" if execution.decision.proceeded else "ABORTED"
            stop = execution.decided_ms if execution.decided_ms is not None else now_ms
        paused = max(stop - execution.started_ms, 0)
        found.append(_stage(ctx, build, str(40 + 10 * index), execution.stage, status,
                            execution.started_ms, paused, paused, full))
    return found


def _work_status(build: Build, has_inputs: bool) -> str:
    if build.building and not has_inputs:
        return "IN_PROGRESS"
    if build.result in ("FAILURE", "NOT_BUILT") or (build.result == "ABORTED" and not has_inputs):
        return STATUS[build.result]
    failed = build.has_report and build.report_counts()[0] > 0
    return "UNSTABLE" if failed or build.result == "UNSTABLE" else "SUCCESS"


def _stage(ctx: str, build: Build, node: str, name: str, status: str, start: int,
           duration: int, pause: int, full: bool) -> dict[str, Any]:
    stage: dict[str, Any] = {
        "_links": {"self": {"href": _href(ctx, build, f"execution/node/{node}/wfapi/describe")}},
        "id": node, "name": name, "execNode": "", "status": status,
        "startTimeMillis": start, "durationMillis": max(duration, 0),
        "pauseDurationMillis": pause,
    }
    if full:
        stage["stageFlowNodes"] = []  # the server models no flow nodes
    return stage


def stage_describe(build: Build, node: str, ctx: str, now_ms: int) -> dict[str, Any] | None:
    """`{run}/execution/node/{id}/wfapi/describe` for one stage (§2.6), or None."""
    for stage in stages(build, ctx, now_ms, full=True):
        if stage["id"] == node:
            return stage
    return None


def pending_input(build: Build, execution: InputExecution, ctx: str) -> dict[str, Any]:
    """`PendingInputActionsExt` (§2.4): proceedUrl is `wfapi/inputSubmit?inputId=`."""
    step = execution.step
    inputs = []
    for p in step.parameters:
        entry: dict[str, Any] = {"type": p.type_name, "name": p.name}
        if p.description is not None:
            entry["description"] = p.description
        definition: dict[str, Any] = {"defaultVal": p.default}  # passwords in plain (§2.4)
        if p.kind == "choice":
            definition["choices"] = list(p.choices)
        entry["definition"] = definition
        inputs.append(entry)
    ident = execution.id
    return {
        "id": ident,
        "proceedText": step.ok or "Proceed",
        "message": step.message,
        "inputs": inputs,
        "proceedUrl": _href(ctx, build, f"wfapi/inputSubmit?inputId={quote_plus(ident)}"),
        "abortUrl": _href(ctx, build, f"input/{raw_encode(ident)}/abort"),
        "redirectApprovalUrl": _href(ctx, build, "input/"),
    }


def job_describe(job: PipelineJob, ctx: str) -> dict[str, Any]:
    """`JobExt` (§2.1): `runCount` is capped at maxRunsPerJob."""
    base = f"{ctx}/{job.path}wfapi/"
    return {"_links": {"self": {"href": base + "describe"}, "runs": {"href": base + "runs"}},
            "name": job.name, "runCount": min(len(job.builds), MAX_RUNS)}


def job_runs(job: PipelineJob, ctx: str, since: str | None, now_ms: int) -> list[dict]:
    """`GET {job}/wfapi/runs` (§2.2): newest first, at most 10, `since` inclusive by `#N`."""
    runs = []
    for build in job.newest_first()[:MAX_RUNS]:
        runs.append(run_describe(build, ctx, now_ms))
        if since is not None and f"#{build.number}" == since:
            break
    return runs
