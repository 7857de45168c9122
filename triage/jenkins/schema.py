"""The one validation boundary for what Jenkins returns: a shape per endpoint, checked on decode.

Every JSON body the client reads is decoded by `decode` against the shape of its endpoint
(msgspec: it validates while it parses, faster than `json.loads` alone). A body that does not
fit raises JenkinsBadResponse naming the URL and the field ("…/api/json: Expected `array`,
got `str` - at `$.allBuilds`"); past this line the client, `facts`, `inputs` and the report
reader trust the plain dicts they get. So a wrong type, a number SQLite cannot hold (build
numbers, times and counts are 64-bit) or JSON nested 100,000 deep is one clear error for that
one request, and nothing half-valid goes further.

The shapes name only the fields our `tree=` queries ask for (reference section 0: `tree` gives
exactly the named fields); anything else a server adds is skipped. Fields may be missing or
null where Jenkins leaves them out (older plugins, running builds); only what the code cannot
do without is `Required`.
"""

from __future__ import annotations

from typing import Annotated, Any, Required, TypedDict

import msgspec

from triage.errors import JenkinsBadResponse
from triage.junit.jenkins_json import ReportJson

INT64 = 2**63 - 1  # SQLite's integers are signed 64-bit
Number = Annotated[int, msgspec.Meta(ge=0, le=INT64)]  # a build number
Count = Annotated[int, msgspec.Meta(ge=0, le=INT64)]
Millis = Annotated[int, msgspec.Meta(ge=-INT64 - 1, le=INT64)]  # epoch or duration, ms
# An item name as Jenkins allows it (`Jenkins.checkGoodName`): never "/" or "\\", "." or "..".
ItemName = Annotated[str, msgspec.Meta(min_length=1, pattern=r"^(?!\.\.?$)[^/\\]+$")]

# --- builds (sections 4.5-4.6) ------------------------------------------------------------------


class Cause(TypedDict, total=False):
    shortDescription: str | None


class GitBranch(TypedDict, total=False):
    SHA1: str | None
    name: str | None


class Revision(TypedDict, total=False):
    SHA1: str | None
    branch: list[GitBranch] | None


class DefaultValue(TypedDict, total=False):
    name: str | None
    value: Any


class ParamDef(TypedDict, total=False):
    _class: str
    name: Required[str]
    type: str | None
    description: str | None
    choices: list[str] | None
    defaultParameterValue: DefaultValue | None


class InputStep(TypedDict, total=False):
    id: str | None
    message: str | None
    ok: str | None
    cancel: str | None
    submitter: str | None
    submitterParameter: str | None
    parameters: list[ParamDef] | None


class Execution(TypedDict, total=False):
    id: Required[str]
    settled: bool | None
    input: InputStep | None


# One element of `actions`: every class we read, by `_class` (placeholders are `{}`, trap 18).


class Action(TypedDict, total=False):
    _class: str
    causes: list[Cause] | None
    lastBuiltRevision: Revision | None
    remoteUrls: list[str] | None
    failCount: Count | None
    skipCount: Count | None
    totalCount: Count | None
    urlName: str | None
    userId: str | None
    waitingForInput: bool | None
    executions: list[Execution] | None


class Artifact(TypedDict, total=False):
    relativePath: str | None


class Build(TypedDict, total=False):
    _class: str
    number: Required[Number]
    url: str | None
    building: bool | None
    inProgress: bool | None
    result: str | None
    timestamp: Millis | None
    duration: Millis | None
    actions: list[Action | None] | None
    artifacts: list[Artifact] | None


# --- jobs and folders (sections 4.3-4.5) --------------------------------------------------------


class JobItem(TypedDict, total=False):
    _class: str
    name: Required[ItemName]
    displayName: str | None
    fullDisplayName: str | None
    color: str | None
    builds: list[Build] | None
    jobs: list[JobItem] | None


class Listing(TypedDict, total=False):
    _class: str
    jobs: list[JobItem] | None


class BuildRef(TypedDict, total=False):
    number: Required[Number]


class Job(TypedDict, total=False):
    _class: str
    name: str | None
    displayName: str | None
    fullDisplayName: str | None
    color: str | None
    firstBuild: BuildRef | None
    allBuilds: list[Build] | None


# --- inputs (sections 1.2, 2.4) -----------------------------------------------------------------


class InputActionDoc(TypedDict, total=False):
    _class: str
    waitingForInput: bool | None
    executions: list[Execution] | None


class WfDefinition(TypedDict, total=False):
    defaultVal: Any
    choices: list[str] | None


class WfParam(TypedDict, total=False):
    name: Required[str]
    type: str | None
    description: str | None
    definition: WfDefinition | None


class WfInput(TypedDict, total=False):
    id: Required[str]
    message: str | None
    proceedText: str | None
    inputs: list[WfParam] | None


PendingInputActions = list[WfInput]

# --- Stage View (section 2.3), crumbs (4.1), the current user -----------------------------------


class Stage(TypedDict, total=False):
    status: str | None
    pauseDurationMillis: Millis | None


class RunExt(TypedDict, total=False):
    status: str | None
    startTimeMillis: Millis | None
    endTimeMillis: Millis | None
    pauseDurationMillis: Millis | None
    stages: list[Stage] | None


class Crumb(TypedDict, total=False):
    crumb: Required[str]
    crumbRequestField: Required[str]


class Me(TypedDict, total=False):
    id: str | None


__all__ = ["ReportJson", "decode", "convert"]

_decoders: dict[Any, msgspec.json.Decoder] = {}


def decode(body: bytes | bytearray | memoryview, shape: Any, url: str) -> Any:
    """Decode a JSON body against `shape`; raise JenkinsBadResponse naming `url` and the field."""
    decoder = _decoders.get(shape)
    if decoder is None:
        decoder = _decoders[shape] = msgspec.json.Decoder(shape)
    try:
        return decoder.decode(body)
    except msgspec.ValidationError as exc:
        raise _bad(url, f"{exc}", "not what the Jenkins API sends") from None
    except msgspec.DecodeError as exc:
        raise _bad(url, f"not JSON ({exc})", "a proxy or a broken server?") from None
    except RecursionError:
        raise _bad(url, "JSON nested too deeply to be a Jenkins answer",
                   "a broken or hostile server?") from None


def convert(data: Any, shape: Any, where: str) -> Any:
    """Check already-decoded JSON (a recording, a test's dict) against `shape` like `decode`."""
    try:
        return msgspec.convert(data, shape)
    except msgspec.ValidationError as exc:
        raise _bad(where, f"{exc}", "not what the Jenkins API sends") from None
    except RecursionError:
        raise _bad(where, "JSON nested too deeply to be a Jenkins answer",
                   "a broken or hostile server?") from None


def _bad(url: str, what: str, why: str) -> JenkinsBadResponse:
    where = url.split("?", 1)[0]  # a `tree=` query can be hundreds of characters long
    return JenkinsBadResponse(f"{where}: {what} ({why}); nothing of it was used.", url=url)
