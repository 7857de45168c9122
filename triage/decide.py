"""Proceed/abort decisions on paused input steps, and the safety check before a proceed.

Reference: /work/shared/reference/jenkins-api.md, sections 1.2-1.7, 2.4-2.5 and traps 1-8.
Listing what needs attention lives in `triage.attention` (its names are re-exported here).

A decision is prepared first (the input chosen, every parameter given a value), so a face can
show what would be sent and ask for confirmation, then sent and recorded whatever Jenkins
answers. `decide` does both; `blocking_failures` is the check before a proceed, and
`build_after` says what became of the build.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from triage.attention import (  # noqa: F401 (re-exported: callers import them from here)
    RED,
    attention,
    listings,
    paused_as_dict,
    paused_builds,
    paused_details,
    pending_inputs_as_dicts,
)
from triage.display import plural
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
from triage.flakiness.model import NOISE, REAL
from triage.jenkins import JenkinsSource
from triage.jenkins import inputs as input_contract
from triage.jenkins.model import PendingInput
from triage.store import decisions as decision_store
from triage.store import evidence as stored_evidence
from triage.store import verdicts as stored_verdicts
from triage.store.db import Store
from triage.triage_build import triage

ACTIONS = ("proceed", "abort")


def choose_input(pending: tuple[PendingInput, ...], wanted: str | None,
                 job: str, number: int) -> PendingInput:
    """Pick the input to decide: by id, Jenkinsfile id, message, or a unique id prefix.

    Never guesses among several: with more than one pending input (or an ambiguous prefix)
    the caller must say which, and is told the candidates.
    """
    where = f"{job} #{number}"
    if not wanted:
        if len(pending) > 1:
            raise AmbiguousInput(f"{where} waits for {len(pending)} inputs; choose one with "
                                 f"--input: {_describe(pending)}.")
        return pending[0]
    found = input_contract.match_inputs(pending, wanted)
    if not found:
        raise JenkinsNotFound(f"No pending input {wanted!r} on {where}; pending: "
                              f"{_describe(pending)}.")
    if len(found) > 1:
        raise AmbiguousInput(f"{wanted!r} matches {len(found)} inputs of {where}: "
                             f"{_describe(found)}; give more of the id.")
    return found[0]


def _describe(pending) -> str:
    return "; ".join(f"{p.id} ({p.message!r})" for p in pending) or "none"


@dataclass(frozen=True)
class Prepared:
    """A decision ready to send: the chosen input and the value of every parameter."""

    job: str
    number: int
    action: str  # "proceed" | "abort"
    input: PendingInput
    values: dict[str, Any]  # what is sent (passwords included)
    public: dict[str, Any]  # what may be shown and stored (passwords left out)


def prepare(source: JenkinsSource, job: str, number: int, action: str,
            wanted: str | None = None, params: Mapping[str, str] | None = None) -> Prepared:
    """Read the build's pending inputs and prepare `action` on one; nothing is sent."""
    if action not in ACTIONS:
        raise ConfigError(f"Unknown action {action!r}; use proceed or abort.")
    if params and action != "proceed":
        raise ConfigError("--param is only for proceed; abort takes no parameters.")
    pending = source.pending_inputs(job, number)
    if not pending:
        raise _not_waiting(source, job, number)
    chosen = choose_input(pending, wanted, job, number)
    values = {}
    if action == "proceed":
        values = input_contract.parameter_values(chosen.parameters, params or {})
    return Prepared(job, number, action, chosen, values,
                    input_contract.public_values(chosen.parameters, values))


def send(source: JenkinsSource, store: Store, prepared: Prepared, who: str | None = None,
         clock: Callable[[], float] = time.time) -> decision_store.Decision:
    """Send a prepared decision once and record it, whatever Jenkins answers."""
    job, number, action, chosen = prepared.job, prepared.number, prepared.action, prepared.input
    record = decision_store.Decision(
        server=source.name, job=job, build=number, input_id=chosen.id, action=action,
        at=int(clock() * 1000), message=chosen.message, parameters=prepared.public,
        who=who, paused_at=_pause_time(source, job, number))
    try:
        if action == "proceed":
            source.proceed(job, number, chosen, prepared.values)
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


def decide(source: JenkinsSource, store: Store, job: str, number: int, action: str,
           wanted: str | None = None, params: Mapping[str, str] | None = None,
           who: str | None = None,
           clock: Callable[[], float] = time.time) -> decision_store.Decision:
    """Proceed or abort one pending input and record the decision (`prepare`, then `send`)."""
    return send(source, store, prepare(source, job, number, action, wanted, params), who, clock)


@dataclass(frozen=True)
class BuildAfter:
    """What became of a build after a decision, as Jenkins says it right after."""

    building: bool
    result: str | None
    waiting: tuple[PendingInput, ...]  # inputs still pending (parallel branches)

    def describe(self) -> str:
        if self.waiting:
            ids = ", ".join(p.id for p in self.waiting)
            return (f"the build goes on waiting at {plural(len(self.waiting), 'other input')} "
                    f"({ids})")
        if not self.building:
            return f"the build ended {self.result or 'without a result'}"
        return "the build goes on"


def build_after(source: JenkinsSource, job: str, number: int) -> BuildAfter | None:
    """Read the build once more after a decision; None if Jenkins cannot say right now."""
    try:
        state = source.build(job, number)
        waiting = source.pending_inputs(job, number) if state.info.building else ()
    except JenkinsError:
        return None
    return BuildAfter(state.info.building, state.info.result, tuple(waiting))


@dataclass(frozen=True)
class BlockingFailure:
    """A failure of a paused build that speaks against proceeding."""

    test: str  # classname.name
    suggestion: str  # the engine's: real, noise or unsure
    verdict: str | None  # the human mark on this failure, if any
    reason: str  # why it blocks: the mark (who, note) or the engine's first reason
    verdict_by: str | None = None
    verdict_note: str | None = None


def blocking_failures(store: Store, server: str, job: str, number: int) -> list[BlockingFailure]:
    """Return the build's failures marked real, or suggested real and not marked noise.

    The check both faces run before a proceed. Raises NotFoundError when the build is not in
    the history (nothing is known about its failures then).
    """
    result = triage(store, job, number, server)
    build_id = stored_evidence.build_row(store, job, number, server).id
    marks = {row.test_id: row for row in stored_verdicts.for_build(store, build_id)}
    found = []
    for item in result.failures:
        verdict = item.failure.own_verdict
        if verdict == NOISE or (verdict is None and item.suggestion != REAL):
            continue
        mark = marks.get(item.failure.test_id)
        if verdict == REAL and mark is not None:
            by = f" by {mark.who}" if mark.who else ""
            reason = f"marked real{by}" + (f": {mark.note}" if mark.note else "")
        else:
            reason = item.reasons[0] if item.reasons else "suggested real"
        found.append(BlockingFailure(
            item.failure.test, item.suggestion, verdict, reason,
            mark.who if mark else None, mark.note if mark else None))
    return found


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


def still_pending(source: JenkinsSource, job: str, number: int,
                  input_id: str) -> PendingInput:
    """Return the input as Jenkins has it now; explain what became of it if it is settled.

    For a window that shows inputs listed a while ago: ask before the user fills a form for an
    input someone else already answered (that answer is explained, never retried).
    """
    pending = source.pending_inputs(job, number)
    found = next((p for p in pending if p.id == input_id), None)
    if found is not None:
        return found
    if pending:
        return choose_input(pending, input_id, job, number)  # says which ones still wait
    raise _not_waiting(source, job, number)


def _not_waiting(source: JenkinsSource, job: str, number: int) -> JenkinsError:
    state = source.build(job, number)
    if state.info.building:
        now = "it is running but not waiting for input"
    else:
        now = f"it finished {state.info.result or 'without a result'}"
    by = f" (last approved by {state.approver})" if state.approver else ""
    return InputAlreadyDecided(f"{job} #{number} is not waiting for any input: {now}{by}.")
