"""Builds needing attention, and proceed/abort decisions on paused input steps.

Reference: /work/shared/reference/jenkins-api.md, sections 1.2-1.7, 2.3-2.4 and traps 1-8.

Listing is cheap: one request per folder level lists every job with its newest builds, their
results, test counts and pending inputs (`tree=` ignores visibility, so the InputAction fields
come inline, section 0). Extra requests happen only per *paused* build: the pause time from
Stage View, and the wfapi fallback on input-step plugins older than 466.v6d0a_5df34f81.

How long a build has waited: Stage View's paused stage (`status: PAUSED_PENDING_INPUT`) carries
`pauseDurationMillis`, measured on the server's clock up to its "now" (`endTimeMillis` of a
running run), so it is exact and free of clock skew (`wait_source="wfapi"`). Jenkins exposes
no other pause time in JSON (the console marks the pause, section 1.7, but without a time).
Without a paused stage we show the time since the build started, an upper bound, taken from
the server's clock when Stage View answers and from ours otherwise (`"build-start"`).
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from itertools import repeat

from triage.errors import (
    AmbiguousInput,
    Cancelled,
    ConfigError,
    InputAlreadyDecided,
    InputRefused,
    JenkinsError,
    JenkinsNotFound,
    JenkinsServerError,
    JenkinsUnreachable,
    StoreError,
)
from triage.jenkins import JenkinsSource
from triage.jenkins import inputs as input_contract
from triage.jenkins.model import (
    AttentionBuild,
    BuildState,
    JobBuilds,
    Pause,
    PausedBuild,
    PendingInput,
)
from triage.progress import NullReporter, Reporter
from triage.store import decisions as decision_store
from triage.store.db import Store

RED = ("UNSTABLE", "FAILURE")


def listings(source: JenkinsSource, jobs: Iterable[str] | None, recent: int,
             reporter: Reporter | None = None) -> list[JobBuilds]:
    """Return each job's newest `recent` builds: all jobs in few requests, or the named ones.

    With a reporter, a named job Jenkins does not have is warned about and the others are
    still listed; without one, it raises.
    """
    if not jobs:
        return list(source.walk(builds=recent))
    found = []
    for job in jobs:
        try:
            listing = source.job_builds(job, recent)
        except JenkinsNotFound as exc:
            if reporter is None:
                raise
            reporter.warn(f"{source.name}: {exc.message}")
            continue
        if listing.job.is_folder:  # a folder or multibranch project: every job below it
            found.extend(source.walk(job, builds=recent))
        else:
            found.append(listing)
    return found


def attention(source: JenkinsSource, jobs: Iterable[str] | None = None,
              recent: int = 10, reporter: Reporter | None = None) -> list[AttentionBuild]:
    """Return builds paused at an input, and red finished builds newer than the last green one.

    A red build older than a later SUCCESS no longer needs anyone; a running build's `result`
    may already be set (trap 15), so only `building` decides whether it finished.
    """
    found = []
    for listing in listings(source, jobs, recent, reporter):
        for state in _resolved(source, listing):
            if state.info.building:
                if state.inputs:
                    found.append(AttentionBuild(state, "paused"))
                continue
            if state.info.result == "SUCCESS":
                break  # builds come newest first
            if state.info.result in RED:
                found.append(AttentionBuild(state, state.info.result))
    return found


def _resolved(source: JenkinsSource, listing: JobBuilds) -> Iterable[BuildState]:
    """Yield the listing's builds, reading inputs per build where the listing could not."""
    for state in listing.builds:
        if state.info.building and state.inputs is None:
            found = source.pending_inputs(state.info.job, state.info.number)
            state = replace(state, inputs=found)
        yield state


def paused_builds(sources: Iterable[JenkinsSource], jobs: Iterable[str] | None = None,
                  recent: int = 10, reporter: Reporter | None = None,
                  with_wait: bool = True) -> list[PausedBuild]:
    """Return every build waiting at an input step, oldest wait first."""
    reporter = reporter or NullReporter()
    found = []
    for source in sources:
        try:
            items = [a.state for a in attention(source, jobs, recent, reporter)
                     if a.reason == "paused"]
            # One Stage View request per paused build for its wait: done side by side.
            with ThreadPoolExecutor(4, thread_name_prefix="pending") as pool:
                found.extend(pool.map(_paused, repeat(source), items, repeat(with_wait),
                                      repeat(reporter)))
        except JenkinsError as exc:
            reporter.warn(f"{source.name}: {exc.message}")
    return sorted(found, key=lambda p: (-(p.waited_ms or 0), p.job, p.number))


def _paused(source: JenkinsSource, state: BuildState, with_wait: bool,
            reporter: Reporter) -> PausedBuild:
    info = state.info
    pause = Pause(None, None, "unknown")
    if with_wait:
        try:
            pause = source.pause(info.job, info.number)
        except JenkinsError as exc:  # the wait is a detail: the paused build is still listed
            reporter.warn(f"{source.name}: {exc.message}")
    if with_wait and pause.source == "unknown" and info.timestamp_ms:
        # No Stage View: our clock against the build's start, an upper bound.
        waited = max(0, int(time.time() * 1000) - info.timestamp_ms)
        pause = Pause(None, waited, "build-start")
    return PausedBuild(
        server=source.name, job=info.job, number=info.number, url=info.url,
        inputs=tuple(state.inputs or ()), failures=state.fail_count,
        started_ms=info.timestamp_ms, paused_ms=pause.since_ms, waited_ms=pause.waited_ms,
        wait_source=pause.source,
    )


def choose_input(pending: tuple[PendingInput, ...], wanted: str | None,
                 job: str, number: int) -> PendingInput:
    """Pick the input to decide; refuse to guess among several (the issue's rule)."""
    where = f"{job} #{number}"
    if wanted:
        found = input_contract.find_input(pending, wanted)
        if found is None:
            raise ConfigError(f"No pending input {wanted!r} on {where}; pending: "
                              f"{_describe(pending)}.")
        return found
    if len(pending) > 1:
        raise AmbiguousInput(f"{where} waits for {len(pending)} inputs; choose one with "
                             f"--input: {_describe(pending)}.")
    return pending[0]


def _describe(pending: tuple[PendingInput, ...]) -> str:
    return "; ".join(f"{p.id} ({p.message!r})" for p in pending) or "none"


def decide(source: JenkinsSource, store: Store, job: str, number: int, action: str,
           wanted: str | None = None, params: Mapping[str, str] | None = None,
           who: str | None = None) -> decision_store.Decision:
    """Proceed or abort one pending input and record the decision, whatever Jenkins answers."""
    if action not in ("proceed", "abort"):
        raise ConfigError(f"Unknown action {action!r}; use proceed or abort.")
    pending = source.pending_inputs(job, number)
    if not pending:
        raise _not_waiting(source, job, number)
    chosen = choose_input(pending, wanted, job, number)
    values = {}
    if action == "proceed":
        values = input_contract.parameter_values(chosen.parameters, params or {})
    elif params:
        raise ConfigError("--param is only for proceed; abort takes no parameters.")
    paused_ms = _pause_time(source, job, number)
    record = decision_store.Decision(
        server=source.name, job=job, build=number, input_id=chosen.id, action=action,
        at=int(time.time() * 1000), message=chosen.message,
        parameters=input_contract.public_values(chosen.parameters, values),
        who=who, paused_at=paused_ms)
    try:
        if action == "proceed":
            source.proceed(job, number, chosen, values)
        else:
            source.abort(job, number, chosen)
    except InputAlreadyDecided:
        _record(store, _with(record, "already-decided"))
        raise
    except InputRefused:
        _record(store, _with(record, "refused"))
        raise
    except JenkinsError as exc:
        _record(store, _with(record, "failed"))
        if isinstance(exc, JenkinsUnreachable):
            # A POST is never retried (trap 2): it may or may not have arrived.
            exc.message += " The decision may or may not have reached Jenkins; check " \
                "`triage pending` before trying again."
        elif isinstance(exc, JenkinsServerError):
            # A 5xx can come from a proxy after Jenkins applied the decision, or from Jenkins
            # failing after the step moved on: nobody can tell from here.
            exc.message += (" The decision may have been applied all the same: check "
                            f"`triage pending --job {shlex.quote(job)}` before trying again.")
        raise
    except KeyboardInterrupt:
        # Ctrl+C while the POST was out: Jenkins may already have applied it (trap 2).
        _record(store, _with(record, "unknown"))
        raise Cancelled(
            f"Interrupted while sending the {action} of {job} #{number}: Jenkins may or may "
            "not have it. Check `triage pending` before trying again.") from None
    _record(store, record)
    return record


def _record(store: Store, record: decision_store.Decision) -> None:
    """Store the decision; if the history cannot take it, say what Jenkins already did."""
    try:
        decision_store.record(store, record)
    except StoreError as exc:
        exc.message = (f"The {record.action} of {record.job} #{record.build} was sent to "
                       f"Jenkins ({record.outcome}) but is not in the history: {exc.message}")
        raise


def _with(record: decision_store.Decision, outcome: str) -> decision_store.Decision:
    return replace(record, outcome=outcome)


def _pause_time(source: JenkinsSource, job: str, number: int) -> int | None:
    try:
        return source.pause(job, number).since_ms
    except JenkinsError:
        return None  # the decision matters more than its timing


def _not_waiting(source: JenkinsSource, job: str, number: int) -> JenkinsError:
    state = source.build(job, number)
    if state.info.building:
        now = "it is running but not waiting for input"
    else:
        now = f"it finished {state.info.result or 'without a result'}"
    by = f" (last approved by {state.approver})" if state.approver else ""
    return InputAlreadyDecided(f"{job} #{number} is not waiting for any input: {now}{by}.")


def paused_as_dict(paused: PausedBuild) -> dict:
    """Return a paused build as plain JSON data (`triage pending --format json`)."""
    return {
        "server": paused.server, "job": paused.job, "build": paused.number, "url": paused.url,
        "started_ms": paused.started_ms, "paused_ms": paused.paused_ms,
        "waited_ms": paused.waited_ms, "wait_source": paused.wait_source,
        "failures": paused.failures,
        "inputs": [{
            "id": p.id, "message": p.message, "ok": p.ok, "cancel": p.cancel,
            "submitter": p.submitter,
            "parameters": [{
                "name": d.name, "type": d.type, "description": d.description,
                "default": None if d.is_password else d.default,
                "choices": list(d.choices) if d.choices is not None else None,
            } for d in p.parameters],
        } for p in paused.inputs],
    }
