"""The Jenkins client: jobs, builds, reports, pending inputs and decisions, over `JenkinsHttp`.

Reference: /work/shared/reference/jenkins-api.md. Every URL is built from job *names*, segment
by segment (section 4.3), relative to our base so a context path survives (trap 22); absolute
`url` fields are never followed (trap 21).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from triage.errors import (
    InputAlreadyDecided,
    InputRefused,
    InputsUnreadable,
    JenkinsBadResponse,
    JenkinsError,
    JenkinsForbidden,
    JenkinsNotFound,
    JenkinsServerError,
    JenkinsUnreachable,
)
from triage.jenkins import facts, schema, urls
from triage.jenkins import inputs as input_contract
from triage.jenkins.http import HttpSettings, JenkinsHttp
from triage.jenkins.model import (
    BuildState,
    ConsoleLog,
    JobBuilds,
    JobRef,
    Pause,
    PendingInput,
)
from triage.jobnames import did_you_mean

# One request lists a folder level and two levels below it (section 4.5: `jobs[]`); deeper
# folders cost one more request each.
_JOB_FIELDS = "name,displayName,fullDisplayName,color"
NEST_LEVELS = 3


def _jobs_tree(levels: int, builds: int) -> str:
    """Return `jobs[...]` nested `levels` deep, each job with its newest `builds` builds."""
    part = f",builds[{facts.BUILD_TREE}]{{0,{builds}}}" if builds else ""
    # The deepest level asks for its children's names only to tell folders of any kind
    # (including folder classes we do not know) from jobs.
    tree = "jobs[name]"
    for _ in range(levels):
        tree = f"jobs[{_JOB_FIELDS}{part},{tree}]"
    return tree


class JenkinsClient:
    """One configured Jenkins server. Thread-safe for concurrent GETs."""

    def __init__(self, name: str, url: str, user: str | None, token: str | None,
                 settings: HttpSettings | None = None, remotes: Mapping[str, str] | None = None):
        self.name = name
        self.http = JenkinsHttp(url, user, token, settings)
        self.base = self.http.base
        self.user = user
        self.remotes = dict(remotes or {})
        # Whether this server's input-step plugin exports its inputs (466+): None until seen.
        self.input_exports: bool | None = None

    @property
    def request_count(self) -> int:
        return self.http.request_count

    # --- server ---------------------------------------------------------------------------

    def probe(self) -> dict[str, Any]:
        """Check URL, credentials and JSON; return the version, the user and top-level jobs."""
        response = self.http.get("api/json", {"tree": "jobs[name]"})
        data = self.http.decode_json(response, schema.Listing)
        who = None
        try:
            who = self.http.get_json("me/api/json", {"tree": "id"}, schema.Me).get("id")
        except (JenkinsNotFound, JenkinsForbidden):
            pass  # anonymous, or an older core without `me`
        return {"version": response.headers.get("X-Jenkins"), "user": who,
                "jobs": len(data.get("jobs") or ())}

    def reachable(self) -> bool:
        """Return False when the server itself does not answer (after the GET retries).

        Any answer, even an error status, means it is up: one job or build may be failing.
        """
        try:
            self.http.get("api/json", {"tree": "mode"}).close()
        except JenkinsUnreachable:
            return False
        except JenkinsError:
            pass
        return True

    # --- jobs -----------------------------------------------------------------------------

    def walk(self, folder: str | None = None, builds: int = 0) -> Iterator[JobBuilds]:
        """Yield every job under `folder` (all when None), with its newest `builds` builds.

        Folders, multibranch projects and organisation folders are descended; their items'
        full names are the folder names joined by "/" (section 4.3).
        """
        tree = _jobs_tree(NEST_LEVELS, builds)
        pending = [folder or ""]
        while pending:
            prefix = pending.pop(0)
            path = urls.job_path(prefix) if prefix else ""
            data = self.http.get_json(path + "api/json", {"tree": tree}, schema.Listing)
            yield from self._level(prefix, data.get("jobs") or (), NEST_LEVELS, pending)

    def _level(self, prefix: str, items, levels: int, pending: list[str]) -> Iterator[JobBuilds]:
        for item in items:
            full = f"{prefix}/{item['name']}" if prefix else item["name"]
            ref = _job_ref(full, item)
            if ref.is_folder or "jobs" in item:
                if levels > 1 and "jobs" in item:
                    yield from self._level(full, item["jobs"], levels - 1, pending)
                else:
                    pending.append(full)
                continue
            yield JobBuilds(ref, self._states(full, item.get("builds")))

    def job_builds(self, job: str, limit: int, fields: str = facts.BUILD_TREE) -> JobBuilds:
        """Return the newest `limit` builds of one job with their facts, in one request.

        `builds` holds only the newest 100 (trap 17); `allBuilds` with a range has no cap.
        `fields` is the per-build tree: everything by default, `facts.SYNC_TREE` for sync.
        """
        try:
            data = self.http.get_json(urls.job_path(job) + "api/json", {
                "tree": f"{_JOB_FIELDS},firstBuild[number],allBuilds[{fields}]{{0,{int(limit)}}}"},
                schema.Job)
        except JenkinsNotFound as exc:
            raise self._missing(job, None, exc) from exc
        first = (data.get("firstBuild") or {}).get("number")
        return JobBuilds(_job_ref(job, data), self._states(job, data.get("allBuilds")),
                         int(first) if isinstance(first, int) else None)

    def build(self, job: str, number: int) -> BuildState:
        try:
            data = self.http.get_json(urls.run_path(job, number) + "api/json",
                                      {"tree": facts.BUILD_TREE}, schema.Build)
        except JenkinsNotFound as exc:
            raise self._missing(job, number, exc) from exc
        return self._state(job, data)

    def _exists(self, job: str) -> bool:
        try:
            self.http.get_json(urls.job_path(job) + "api/json", {"tree": "name"}, schema.Job)
        except JenkinsNotFound:
            return False
        return True

    def _missing(self, job: str, number: int | None, exc: JenkinsNotFound) -> JenkinsNotFound:
        """Say what is missing, the job or its build, and what to type instead (a 404 alone
        names a URL the user never typed)."""
        if number is not None and self._exists(job):
            message = (f"{job} #{number} is not on Jenkins at {self.base}: it was deleted, "
                       "or has not started yet; check the build number.")
        else:
            guess = next((name for name in urls.branch_readings(job) if self._exists(name)),
                         None)
            hint = (f"did you mean {guess!r} (a multibranch branch is named with %2F)?" if guess
                    else self._close_names(job) or "check its full name (folders joined by "
                    "/, a branch as Jenkins names it, e.g. shop/feature%2Fx), or whether it "
                    "was renamed or deleted.")
            message = f"No job {job!r} on Jenkins at {self.base}; {hint}"
        return JenkinsNotFound(message, url=exc.url, status=404, details=exc.details)

    def _close_names(self, job: str) -> str | None:
        """A did-you-mean from the job names Jenkins has (one listing, on the error path)."""
        try:
            names = [listing.job.full_name for listing in self.walk()]
        except JenkinsError:
            return None
        return did_you_mean(job, names)

    def _state(self, job: str, data: Mapping[str, Any]) -> BuildState:
        state = facts.build_state(job, data, self.name, urls.for_job(self.remotes, job))
        # Keep our own address, not Jenkins' configured root URL (trap 21).
        url = self.http.url(urls.run_path(job, state.info.number))
        if facts.exports_inputs(data):
            self.input_exports = True
        return replace(state, info=replace(state.info, url=url))

    def _states(self, job: str, builds) -> list[BuildState]:
        """Read a listing's builds; running ones may sit at an input the listing cannot show.

        An older input step lists as `{}` (trap 4): unless this server has shown a modern
        export (in this listing or before), a running build's inputs are unknown (None) and
        the caller asks the build.
        """
        states = [self._state(job, b) for b in builds or ()]
        if self.input_exports:
            return states
        return [replace(s, inputs=None) if s.info.building and s.inputs == () else s
                for s in states]

    # --- reports and artifacts ------------------------------------------------------------

    def test_report(self, job: str, number: int, tree: str) -> dict | None:
        """Return `{run}/testReport/api/json` limited by `tree`; None when there is no report.

        No report is a 404 (section 3.1, trap 12); a default report is huge (trap 11).
        """
        try:
            return self.http.get_json(urls.run_path(job, number) + "testReport/api/json",
                                      {"tree": tree}, schema.ReportJson)
        except JenkinsNotFound:
            return None

    def artifact(self, job: str, number: int, relative_path: str) -> bytes:
        """Download one archived artifact by its `relativePath`."""
        return self.http.get(urls.artifact_path(job, number, relative_path)).content

    def console_log(self, job: str, number: int, max_bytes: int) -> ConsoleLog:
        """Return the end of a build's console log, at most `max_bytes` (section 4.8).

        The first answer's `X-Text-Size` is the log's length (one byte of its body is read);
        the log is then read from `size - max_bytes`, so its end is always there.
        """
        path = urls.run_path(job, number) + "logText/progressiveText"
        try:
            first = self.http.get(path, {"start": 0}, head=1)
        except JenkinsNotFound as exc:
            raise self._missing(job, number, exc) from exc
        size = _int_header(first, "X-Text-Size")
        start = max(0, size - max_bytes) if size is not None else 0
        response = self.http.get(path, {"start": start}, head=max_bytes)
        more = response.headers.get("X-More-Data", "").lower() == "true"
        data = response.content
        text = data.decode("utf-8", errors="replace")
        if start:
            text = text.partition("\n")[2]  # the first line read is cut in two
        return ConsoleLog(text, size if size is not None else len(data), start, more)

    # --- inputs ---------------------------------------------------------------------------

    def pending_inputs(self, job: str, number: int) -> tuple[PendingInput, ...]:
        """List the inputs a build waits for (section 1.2), with the older plugin's fallback.

        Input-step releases before 466.v6d0a_5df34f81 export nothing (trap 4): the action is
        not an exported bean, so `input/api/json` is a 404 and the build lists it as `{}` (or
        as a bare `_class`). Stage View's `wfapi/pendingInputActions` (section 2.4) then says
        what waits. Once this server has shown a modern export, a 404 means "no input step
        reached" (trap 3) and costs nothing more. Raises InputsUnreadable when neither answers
        for a build that does sit at an input step.
        """
        run = urls.run_path(job, number)
        try:
            data = self.http.get_json(run + "input/api/json", {"tree": input_contract.INPUT_TREE},
                                      schema.InputActionDoc)
        except JenkinsNotFound:
            data = None
        found = input_contract.inputs_from_action(data)
        if found is not None:
            self.input_exports = True
            return found
        if data is None and self.input_exports:
            return ()  # never reached an input step (trap 3)
        try:
            return input_contract.inputs_from_wfapi(
                self.http.get_json(run + "wfapi/pendingInputActions", None,
                                   schema.PendingInputActions))
        except JenkinsNotFound:
            pass
        if data is None and not self._has_input_page(run):
            return ()
        raise InputsUnreadable(
            f"{job} #{number} sits at an input step, but this Jenkins tells neither which one "
            "nor its parameters: its pipeline-input-step plugin is older than 466 (Nov 2022) "
            "and Stage View (pipeline-stage-view) does not answer. Update either plugin, or "
            f"decide on the build's page: {self.http.url(run)}input/",
            url=self.http.url(run + "input/api/json"), status=404)

    def _has_input_page(self, run: str) -> bool:
        """True when the run has an InputAction at all (its page answers, section 1.1)."""
        try:
            self.http.get(run + "input/").close()
        except JenkinsNotFound:
            return False
        return True

    def pause(self, job: str, number: int) -> Pause:
        """Return how long a paused build has waited, from Stage View (section 2.3)."""
        try:
            data = self.http.get_json(urls.run_path(job, number) + "wfapi/describe", None,
                                      schema.RunExt)
        except JenkinsNotFound:
            return Pause(None, None, "unknown")  # Stage View not installed
        return pause_from_describe(data)

    # --- decisions (never retried: section 1.6, trap 2) ------------------------------------

    def proceed(self, job: str, number: int, pending: PendingInput,
                values: Mapping[str, Any]) -> None:
        """Proceed with every parameter; `proceedEmpty` when the input has none (section 1.4)."""
        if pending.parameters:
            self._decide(job, number, pending.id, "proceed", input_contract.proceed_form(values))
        else:
            self._decide(job, number, pending.id, "proceedEmpty", None)

    def abort(self, job: str, number: int, pending: PendingInput) -> None:
        self._decide(job, number, pending.id, "abort", None)

    def _decide(self, job: str, number: int, input_id: str, endpoint: str,
                form: dict | None) -> None:
        response = self._post_decision(urls.input_path(job, number, input_id) + endpoint, form)
        status = response.status_code
        what = f"input {input_id} of {job} #{number}"
        if 200 <= status < 300:
            _check_empty_reply(response, what)
            return
        if status == 404:
            raise self._already_decided(job, number, input_id)
        if status == 400:
            reason = response.headers.get("X-Error")
            if not any(p.id == input_id for p in self.pending_inputs(job, number)):
                raise self._already_decided(job, number, input_id)
            raise InputRefused(
                f"Jenkins refused to {_verb(endpoint)} {what}: "
                f"{reason or 'bad request (400)'}", url=response.url, status=400)
        if status >= 500 and endpoint == "proceed":
            raise JenkinsServerError(
                f"Jenkins (or a proxy) failed with {status} on the proceed of {what}; Jenkins "
                "answers 500 to unknown parameters and choice values outside the list.",
                url=response.url, status=status, details=self.http.excerpt(response))
        self.http.check(response, response.url)

    def _post_decision(self, path: str, form: dict | None):
        """POST once; on a "No valid crumb" 403, once more with a crumb (section 4.1).

        Token requests need no crumb since Jenkins 2.96; a server that still asks gets one
        crumb and one retry, safe because the crumb filter refused the first POST before it
        was applied. Never with a session cookie next to the token (trap 24).
        """
        response = self.http.post(path, form)
        if response.status_code == 403 and _is_crumb_refusal(response):
            response = self.http.post(path, form, headers=self.http.crumb())
            if response.status_code == 403 and _is_crumb_refusal(response):
                raise JenkinsForbidden(
                    f"Jenkins at {self.base} refused the decision even with a crumb (403 No "
                    "valid crumb): it did not take the secret as an API token. Create an API "
                    "token (your user > Security) and store it with `triage servers add`.",
                    url=response.url, status=403)
        return response

    def _already_decided(self, job: str, number: int, input_id: str) -> JenkinsError:
        """Re-read the build and say what became of it (section 1.6, trap 2)."""
        try:
            state = self.build(job, number)
        except JenkinsError:
            state = None
        if state is None:
            now = "its build could not be read"
        elif state.info.building:
            now = "the build is still running"
        else:
            now = f"the build finished {state.info.result or 'without a result'}"
        what = f"Input {input_id} of {job} #{number}"
        if state is not None and state.approver:
            what += f" was already decided by someone else (approved by {state.approver})"
        elif state is not None and not state.info.building:
            # Nobody approved it: aborted by someone, or the build was stopped or timed out.
            what += " is no longer pending (aborted, stopped or timed out meanwhile)"
        else:
            what += " was already decided by someone else"
        return InputAlreadyDecided(f"{what}; {now}. Your decision was not applied.",
                                   url=self.base)


def _job_ref(full_name: str, item: Mapping[str, Any]) -> JobRef:
    return JobRef(full_name, item.get("_class"), item.get("displayName"), item.get("color"),
                  item.get("fullDisplayName"))


def pause_from_describe(data: Mapping[str, Any]) -> Pause:
    """Read the wait from a `RunExt` (`{run}/wfapi/describe`, section 2.3).

    While a run waits, its `endTimeMillis` is the server's "now" and the paused stage's
    `pauseDurationMillis` is how long it has waited, so both come from the server's clock (no
    skew with ours). With several paused stages (parallel branches) the build has waited as
    long as its longest pause. Without a paused stage, a run whose own status is
    PAUSED_PENDING_INPUT gives its total `pauseDurationMillis`. Failing both, the server's now
    minus the run's start is an upper bound.
    """
    now, start = data.get("endTimeMillis"), data.get("startTimeMillis")
    paused = [s.get("pauseDurationMillis") for s in data.get("stages") or ()
              if s.get("status") == "PAUSED_PENDING_INPUT"]
    paused = [int(p) for p in paused if p is not None]
    if paused:
        waited = max(paused)
    elif data.get("status") == "PAUSED_PENDING_INPUT":
        waited = data.get("pauseDurationMillis") or None
    else:
        waited = None
    if now is not None and waited is not None:
        return Pause(int(now) - int(waited), int(waited), "wfapi")
    if now is not None and start is not None:
        return Pause(None, max(0, int(now) - int(start)), "build-start")
    return Pause(None, None, "unknown")


def _check_empty_reply(response, what: str) -> None:
    """Jenkins answers a decision with an empty 200 (section 1.4); a page in its place is a
    login form or a proxy that kept the request from Jenkins."""
    if response.content.strip() and "html" in response.headers.get("Content-Type", ""):
        raise JenkinsBadResponse(
            f"{response.url} answered with an HTML page, not Jenkins' empty reply (a login "
            f"page or a proxy?); {what} was probably not decided: check `triage pending`, the "
            "URL and the credentials.", url=response.url, status=response.status_code)


def _int_header(response, name: str) -> int | None:
    try:
        return int(response.headers.get(name, ""))
    except ValueError:
        return None


def _verb(endpoint: str) -> str:
    return "abort" if endpoint == "abort" else "proceed with"


def _is_crumb_refusal(response) -> bool:
    """CrumbFilter answers 403 "No valid crumb was included in the request" (section 4.1).

    Jenkins gives no other signal (no header), so the status reason and body are read.
    """
    text = f"{response.reason} {response.text[:4000]}".lower()
    return "crumb" in text


