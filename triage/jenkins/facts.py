"""Turn build JSON into history facts: revision, branch, timestamps, result, causes, inputs.

Reference: /work/shared/reference/jenkins-api.md, sections 4.5-4.6 and traps 15-18.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from triage.domain import BuildInfo
from triage.jenkins import inputs as input_contract
from triage.jenkins.model import (
    APPROVER_ACTION,
    BUILD_DATA,
    CAUSE_ACTION,
    INPUT_ACTION,
    TEST_RESULT_ACTION,
    BuildState,
)

# Everything sync and the inbox read from a build, in one `tree=` (section 0: `tree` ignores
# visibility, so the InputAction fields come without `depth`, trap 4).
BUILD_TREE = (
    "number,url,building,inProgress,result,timestamp,duration,"
    "actions[causes[shortDescription],lastBuiltRevision[SHA1,branch[SHA1,name]],remoteUrls,"
    "failCount,skipCount,totalCount,urlName,userId,"
    + input_contract.INPUT_TREE + "],artifacts[relativePath]"
)

# What sync needs: facts, and whether a report exists (`urlName` of the TestResultAction; its
# counts are left out because Jenkins may load each build's report to compute them).
SYNC_TREE = (
    "number,url,building,inProgress,result,timestamp,duration,"
    "actions[causes[shortDescription],lastBuiltRevision[SHA1,branch[SHA1,name]],remoteUrls,"
    "urlName],artifacts[relativePath]"
)

_BRANCH_PREFIXES = ("refs/heads/", "refs/remotes/origin/", "remotes/origin/", "origin/")


def build_state(job: str, data: Mapping[str, Any], server: str,
                remote_hint: str | None = None) -> BuildState:
    """Read one build of `job` (full name) from its JSON (section 4.6)."""
    actions = [a for a in data.get("actions") or () if a]  # `{}` placeholders, trap 18
    in_progress = bool(data.get("inProgress"))
    # A Pipeline can carry a result while still running (trap 15): building decides.
    building = bool(data.get("building")) or in_progress
    revision, branch = pick_revision(actions, job, remote_hint)
    tests = _first(actions, TEST_RESULT_ACTION)
    input_action = _first(actions, INPUT_ACTION)
    # One ApproverAction per approval, in order: the last one is the latest decision.
    approvers = [a for a in actions if a.get("_class") == APPROVER_ACTION]
    approver = approvers[-1] if approvers else None
    duration = data.get("duration")
    info = BuildInfo(
        job=job,
        number=int(data["number"]),
        server=server,
        revision=revision,
        branch=branch,
        timestamp_ms=data.get("timestamp"),
        duration_ms=None if building or duration is None else int(duration),  # 0 while running
        result=data.get("result"),
        url=data.get("url"),
        building=building,
        causes=tuple(_causes(actions)),
    )
    if input_action is None:
        inputs: tuple | None = ()
    else:
        inputs = input_contract.inputs_from_action(input_action)
    return BuildState(
        info=info,
        in_progress=in_progress,
        fail_count=tests.get("failCount") if tests else None,
        total_count=tests.get("totalCount") if tests else None,
        has_report=tests is not None or any(a.get("urlName") == "testReport" for a in actions),
        inputs=inputs if building else (),
        approver=approver.get("userId") if approver else None,
        artifacts=tuple(a["relativePath"] for a in data.get("artifacts") or ()
                        if a.get("relativePath")),
    )


def exports_inputs(data: Mapping[str, Any]) -> bool:
    """True when the build's InputAction carries `executions`: input-step 466 or later."""
    return any(a and a.get("_class") == INPUT_ACTION and "executions" in a
               for a in data.get("actions") or ())


def _first(actions: list[Mapping[str, Any]], klass: str) -> Mapping[str, Any] | None:
    return next((a for a in actions if a.get("_class") == klass), None)


def _causes(actions: list[Mapping[str, Any]]):
    for action in actions:
        if action.get("_class") == CAUSE_ACTION:
            for cause in action.get("causes") or ():
                if cause.get("shortDescription"):
                    yield cause["shortDescription"]


def pick_revision(actions: list[Mapping[str, Any]], job: str,
                  remote_hint: str | None = None) -> tuple[str | None, str | None]:
    """Choose the git BuildData of the job's own repository: by class and remote (trap 18).

    A Pipeline that loads a shared library carries one BuildData per repository, in no
    meaningful order, so position is never used. In order of preference: the remote the user
    configured; the repository named like one of the job's path segments (`shop/main` and
    `.../shop.git`); for a multibranch job, the BuildData that built this branch; the only
    repository there is. Anything else is ambiguous and yields no revision rather than a
    wrong one.
    """
    candidates = [a for a in actions if a.get("_class") == BUILD_DATA
                  and (a.get("lastBuiltRevision") or {}).get("SHA1")]
    if not candidates:
        return None, None
    chosen = None
    if remote_hint:
        chosen = next((a for a in candidates if remote_hint in (a.get("remoteUrls") or ())), None)
    segments = {unquote(name).lower() for name in job.split("/")}
    if chosen is None:
        chosen = next((a for a in candidates
                       if any(_repo_name(u) in segments for u in a.get("remoteUrls") or ())), None)
    if chosen is None:
        branch_name = unquote(job.rsplit("/", 1)[-1])
        chosen = next((a for a in candidates if branch_name in _branches(a)), None)
    if chosen is None and len({_identity(a) for a in candidates}) == 1:
        chosen = candidates[0]
    if chosen is None:
        return None, None
    revision = chosen["lastBuiltRevision"]
    branches = _branches(chosen)
    return revision["SHA1"], (branches[0] if branches else None)


def _identity(action: Mapping[str, Any]) -> tuple:
    return tuple(action.get("remoteUrls") or ()), action["lastBuiltRevision"]["SHA1"]


def _branches(action: Mapping[str, Any]) -> list[str]:
    names = []
    for branch in (action.get("lastBuiltRevision") or {}).get("branch") or ():
        name = branch.get("name") or ""
        for prefix in _BRANCH_PREFIXES:
            if name.startswith(prefix):
                name = name[len(prefix):]
                break
        if name:
            names.append(name)
    return names


def _repo_name(url: str) -> str:
    path = urlsplit(url).path if "://" in url else url.rsplit(":", 1)[-1]
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return (name[:-4] if name.endswith(".git") else name).lower()
