"""URL routing over the world, Stapler style (reference §4.3): `job/<name>` per level, then a
build number or permalink, then the action (`api/json`, `testReport`, `input`, `wfapi`, ...).

Each route returns a `Response`; the HTTP layer only writes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

from triage.jenkins.server.builds import Build
from triage.jenkins.server.export import MalformedTree, pruner_for, to_json
from triage.jenkins.server.inputs import Decision, InputExecution, InputFailure, ServerFault
from triage.jenkins.server.jobs import Container, PipelineJob
from triage.jenkins.server.wfapi import (
    job_describe,
    job_runs,
    pending_input,
    run_describe,
    stage_describe,
)

if TYPE_CHECKING:
    from triage.jenkins.server.security import Auth
    from triage.jenkins.server.server import JenkinsServer

PERMALINKS = ("firstBuild", "lastBuild", "lastCompletedBuild", "lastFailedBuild",
              "lastStableBuild", "lastSuccessfulBuild", "lastUnstableBuild",
              "lastUnsuccessfulBuild")
JSON_TYPE = "application/json;charset=utf-8"
HTML_TYPE = "text/html;charset=utf-8"


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = HTML_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)


def html(status: int, title: str, text: str = "", headers=None) -> Response:
    title, text = escape(title), escape(text)
    page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1><p>{text}</p></body>"
    return Response(status, (page + "</html>").encode(), HTML_TYPE, list(headers or []))


def not_found() -> Response:
    return html(404, "Not Found", "Jenkins could not find what you asked for.")


def json_response(data: Any, status: int = 200) -> Response:
    return Response(status, json.dumps(data, separators=(",", ":")).encode(), JSON_TYPE)


@dataclass
class Request:
    """What a route needs: method, decoded path tokens, query and form parameters, caller."""

    method: str
    tokens: list[str]
    query: dict[str, str]
    form: dict[str, str]
    content_type: str
    auth: Auth
    server: JenkinsServer


def export(obj: Any, req: Request) -> Response:
    """Serve `api/json` with Stapler's tree/depth rules; malformed expressions are 500 (§0)."""
    try:
        pruner = pruner_for(req.query.get("tree"), req.query.get("depth"))
    except MalformedTree as exc:
        return html(500, "Oops!", str(exc))
    return json_response(to_json(obj, pruner))


class Deferred:
    """Work a route hands back to run outside the world lock (report generation, big JSON)."""

    def __init__(self, work: Callable[[], Response]):
        self.work = work


def route(req: Request) -> Response:
    """Dispatch under the world lock; heavy, read-only work runs after releasing it."""
    with req.server.world.lock:
        resp = _route(req)
    return resp.work() if isinstance(resp, Deferred) else resp


def _route(req: Request) -> Response | Deferred:
    world = req.server.world
    obj: Any = world
    tokens = req.tokens
    while len(tokens) >= 2 and tokens[0] == "job" and isinstance(obj, Container):
        obj = obj.child(tokens[1])
        if obj is None:
            return not_found()
        tokens = tokens[2:]
    if isinstance(obj, PipelineJob) and tokens and tokens[0] == "wfapi":
        return _job_wfapi(obj, tokens[1:], req)
    if isinstance(obj, PipelineJob) and tokens and tokens[0] != "api":
        build = _resolve_build(obj, tokens[0])
        if build is None:
            return not_found()
        return _build_route(build, tokens[1:], req)
    if tokens == ["api", "json"]:
        return export(obj, req)
    if not tokens:
        return _page(obj)
    if obj is world:
        return _root_route(tokens, req)
    return not_found()


def _resolve_build(job: PipelineJob, token: str) -> Build | None:
    if token.isdigit():
        return job.build(int(token))
    if token in PERMALINKS:
        return job.permalink(token)
    return None


def _page(obj: Any) -> Response:
    name = getattr(obj, "full_display_name", "Dashboard")
    return html(200, f"{name} [Jenkins]")


def _root_route(tokens: list[str], req: Request) -> Response:
    server = req.server
    if tokens == ["crumbIssuer", "api", "json"]:
        if not server.security.csrf:
            return not_found()  # CSRF protection disabled: no crumb issuer (§4.1)
        crumb, new_session = server.security.issue_crumb(req.auth)
        resp = json_response({
            "_class": "hudson.security.csrf.DefaultCrumbIssuer",
            "crumb": crumb,
            "crumbRequestField": "Jenkins-Crumb",
        })
        if new_session:
            cookie = f"{server.security.cookie_name}={new_session}; Path={server.context_path}/"
            resp.headers.append(("Set-Cookie", cookie + "; HttpOnly"))
        return resp
    if tokens in (["me", "api", "json"], ["whoAmI", "api", "json"]):
        return _whoami(tokens[0], req)
    if tokens == ["queue", "api", "json"]:
        return json_response({"_class": "hudson.model.Queue", "discoverableItems": [],
                              "items": []})
    return not_found()


def _whoami(kind: str, req: Request) -> Response:
    user = req.auth.user
    if kind == "whoAmI":
        return json_response({
            "_class": "hudson.security.WhoAmI", "anonymous": user is None,
            "authenticated": user is not None, "name": req.auth.user_id,
            "authorities": list(user.groups) + ["authenticated"] if user else ["anonymous"],
        })
    if user is None:
        return html(403, "Access Denied", "anonymous is missing the Overall/Read permission")
    root = req.server.world.root_url
    return json_response({
        "_class": "hudson.model.User", "absoluteUrl": f"{root}user/{user.id}",
        "description": None, "fullName": user.full_name, "id": user.id, "property": [],
    })


def _build_route(build: Build, tokens: list[str], req: Request) -> Response:
    if tokens == ["api", "json"]:
        return export(build, req)
    if not tokens:
        return _page(build)
    head, rest = tokens[0], tokens[1:]
    if head == "testReport":
        return _test_report(build, rest, req)
    if head == "input":
        return _input_route(build, rest, req)
    if head == "wfapi":
        return _wfapi_route(build, rest, req)
    if head == "execution" and len(rest) == 4 and rest[0] == "node" and rest[2:] == [
            "wfapi", "describe"]:
        stage = stage_describe(build, rest[1], req.server.context_path,
                               req.server.world.now_ms())
        return not_found() if stage is None else json_response(stage)
    if head == "artifact":
        return _artifact(build, "/".join(rest))
    if tokens == ["consoleText"]:
        text = "\n".join(build.log) + "\n"
        return Response(200, text.encode(), "text/plain;charset=UTF-8")
    if tokens == ["logText", "progressiveText"]:
        return _progressive(build, req)
    if tokens in (["console"], ["consoleFull"]):
        return _page(build)
    return not_found()


def _test_report(build: Build, rest: list[str], req: Request) -> Response:
    # §3.1: no TestResultAction means 404, also through permalinks (trap 12).
    if not build.has_report:
        return not_found()
    if rest == ["api", "json"]:
        # Reports are pure once made: generate and serialise them outside the lock.
        legacy = build.job.legacy_status
        return Deferred(lambda: export(build.report().view(build.number, legacy), req))
    if not rest:
        return html(200, f"Test Result : {build.full_display_name} [Jenkins]")
    if len(rest) in (2, 3):  # {package}/{class}/ and {package}/{class}/{case}/ (junit pages)
        case = build.report().find_page(*rest)
        if case is None:
            return not_found()
        title = case.name if len(rest) == 3 else case.class_name
        return html(200, f"{title} [Jenkins]", f"{case.class_name}.{case.name}: {case.outcome}")
    return not_found()


def _artifact(build: Build, path: str) -> Response:
    content = build.artifacts.get(path)
    if content is None:
        return not_found()
    kind = "application/xml" if path.endswith(".xml") else "application/octet-stream"
    if callable(content):
        return Deferred(lambda: Response(200, content(), kind))
    return Response(200, content, kind)


def _progressive(build: Build, req: Request) -> Response:
    """`logText/progressiveText` (§4.8): X-Text-Size, X-More-Data only while running."""
    data = ("\n".join(build.log) + "\n").encode()
    try:
        start = int(req.query.get("start", "0"))
    except ValueError:
        start = 0
    if start > len(data):
        start = 0  # beyond the end: Jenkins restarts from 0
    headers = [("X-Text-Size", str(len(data)))]
    if build.building:
        headers.append(("X-More-Data", "true"))
    return Response(200, data[start:], "text/plain;charset=UTF-8", headers)


# --- input step (§1.4-§1.6) -------------------------------------------------------------------


def _input_route(build: Build, rest: list[str], req: Request) -> Response:
    action = build.input_action
    if action is None:
        return not_found()  # the run never reached an input step (§1.1)
    if rest == ["api", "json"]:
        # Before input-step 466 the action had no API (reference 1.2, trap 4).
        return export(action, req) if req.server.world.input_exports else not_found()
    if not rest:
        return html(200, f"{build.full_display_name} [Jenkins]", "Paused for Input")
    execution = action.find(rest[0])
    if execution is None:
        return not_found()  # unknown, or already decided (§1.6)
    if len(rest) == 1:
        return html(200, execution.step.message)
    if len(rest) != 2 or rest[1] not in ("proceed", "proceedEmpty", "abort", "submit"):
        return not_found()
    if req.method != "POST":
        # @RequirePOST: CrumbFilter/retry.jelly answers 405 (§1.4).
        return html(405, "This URL requires POST",
                    "The URL you're trying to access requires that requests be sent using POST")
    try:
        return _decide(build, execution, rest[1], req)
    except InputFailure as exc:
        return html(400, "Error", str(exc), headers=[("X-Error", str(exc))])
    except _BadForm as exc:
        return html(400, "Bad Request", str(exc))
    except ServerFault as exc:
        return html(500, "Oops!", str(exc))


def _decide(build: Build, execution: InputExecution, verb: str, req: Request) -> Response:
    user = req.auth.user
    now = req.server.world.now_ms()
    if verb == "submit":
        # §1.4 / trap 7: submit proceeds only with a `proceed` parameter, else aborts; 302.
        verb = "proceed" if "proceed" in req.form else "abort"
        _decide(build, execution, verb, req)
        return Response(302, b"", HTML_TYPE, [("Location", build.url + "console")])
    if verb == "abort":
        execution.check_abort(user)
        build.decide(execution, _decision(False, req), now)
        return Response(200)
    execution.check_proceed(user)
    if verb == "proceedEmpty":
        values = execution.parse_values({}, req.auth.user_id)
    else:
        values = execution.parse_values(submitted_form(req), req.auth.user_id)
    build.decide(execution, _decision(True, req, values), now)
    return Response(200)


def _decision(proceeded: bool, req: Request, values=None) -> Decision:
    return Decision(proceeded, req.auth.user_id, dict(values or {}))


def submitted_form(req: Request) -> Any:
    """Read the `json` form field as `RequestImpl.getSubmittedForm` does (§1.4, trap 5)."""
    raw = req.form.get("json")
    if raw is None and not req.content_type.startswith(("application/x-www-form-urlencoded",
                                                         "multipart/form-data")):
        raise _BadForm("This page expects a form submission")
    if not raw:
        raise _BadForm("Nothing is submitted")
    try:
        return json.loads(raw)
    except ValueError:
        raise ServerFault(f"Failed to parse JSON:{raw}") from None


class _BadForm(Exception):
    """Missing `json` field: 400 without X-Error (not a `Failure`)."""


def _wfapi_route(build: Build, rest: list[str], req: Request) -> Response:
    ctx = req.server.context_path
    if rest in ([], ["describe"]):
        full = req.query.get("fullStages") == "true"
        return json_response(run_describe(build, ctx, req.server.world.now_ms(), full))
    if rest == ["pendingInputActions"]:
        pending = build.input_action.pending if build.input_action else []
        return json_response([pending_input(build, e, ctx) for e in pending])
    if rest == ["nextPendingInputAction"]:
        pending = build.input_action.pending if build.input_action else []
        return json_response(pending_input(build, pending[0], ctx) if pending else None)
    if rest == ["inputSubmit"]:
        return _input_submit(build, req)
    return not_found()


def _job_wfapi(job: PipelineJob, rest: list[str], req: Request) -> Response:
    ctx = req.server.context_path
    if rest in ([], ["describe"]):
        return json_response(job_describe(job, ctx))
    if rest == ["runs"]:
        now = req.server.world.now_ms()
        return json_response(job_runs(job, ctx, req.query.get("since"), now))
    return not_found()


def _input_submit(build: Build, req: Request) -> Response:
    """`POST wfapi/inputSubmit?inputId=` (§2.5): body `null` on success, every error a 500."""
    if req.method != "POST":
        return html(405, "This URL requires POST")
    failed = html(500, "Oops!", "Unexpected exception while serving JSON")
    execution = build.input_action.find(req.query.get("inputId", "")) if build.input_action \
        else None
    if execution is None:
        return failed
    try:
        _decide(build, execution, "proceed", req)
    except (InputFailure, ServerFault, _BadForm):
        return failed
    return json_response(None)

