"""Builds needing attention on Jenkins: paused at an input step, or red since the last green.

Reference: /work/shared/reference/jenkins-api.md, sections 1.2, 2.3-2.4 and traps 3-4, 15.

Listing is cheap: one request per folder level lists every job with its newest builds, their
results, test counts and pending inputs (`tree=` ignores visibility, so the InputAction fields
come inline, section 0). Extra requests happen only per *paused* build: the pause time from
Stage View; and per running build whose inputs the listing cannot show (input-step plugins
older than 466.v6d0a_5df34f81 export nothing: the client falls back to Stage View).

How long a build has waited: Stage View's paused stage (`status: PAUSED_PENDING_INPUT`) carries
`pauseDurationMillis`, measured on the server's clock up to its "now" (`endTimeMillis` of a
running run), so it is exact and free of clock skew (`wait_source="wfapi"`). Jenkins exposes
no other pause time in JSON (the console marks the pause, section 1.7, but without a time).
Without a paused stage we show the time since the build started, an upper bound, taken from
the server's clock when Stage View answers and from ours otherwise (`"build-start"`).

What cannot be read is warned about through the reporter and the rest is still listed; a
caller that needs the errors themselves (to choose an exit code) passes a `problems` list.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from itertools import repeat

from triage.errors import InputsUnreadable, JenkinsError, JenkinsNotFound
from triage.jenkins import JenkinsSource
from triage.jenkins.model import (
    AttentionBuild,
    BuildState,
    JobBuilds,
    Pause,
    PausedBuild,
    PendingInput,
)
from triage.progress import NullReporter, Reporter

RED = ("UNSTABLE", "FAILURE")


def _warn(reporter: Reporter | None, problems: list | None, source: JenkinsSource,
          exc: JenkinsError) -> None:
    if problems is not None:
        problems.append(exc)
    if reporter is not None:
        reporter.warn(f"{source.name}: {exc.message}")


def listings(source: JenkinsSource, jobs: Iterable[str] | None, recent: int,
             reporter: Reporter | None = None,
             problems: list | None = None) -> list[JobBuilds]:
    """Return each job's newest `recent` builds: all jobs in few requests, or the named ones.

    With a reporter (or a problems list), a named job Jenkins does not have is warned about
    and the others are still listed; without either, it raises.
    """
    if not jobs:
        return list(source.walk(builds=recent))
    found = []
    for job in jobs:
        try:
            listing = source.job_builds(job, recent)
        except JenkinsNotFound as exc:
            if reporter is None and problems is None:
                raise
            _warn(reporter, problems, source, exc)
            continue
        if listing.job.is_folder:  # a folder or multibranch project: every job below it
            found.extend(source.walk(job, builds=recent))
        else:
            found.append(listing)
    return found


def attention(source: JenkinsSource, jobs: Iterable[str] | None = None,
              recent: int = 10, reporter: Reporter | None = None,
              problems: list | None = None) -> list[AttentionBuild]:
    """Return builds paused at an input, and red finished builds newer than the last green one.

    A red build older than a later SUCCESS no longer needs anyone; a running build's `result`
    may already be set (trap 15), so only `building` decides whether it finished.
    """
    found = []
    for listing in listings(source, jobs, recent, reporter, problems):
        for state in _resolved(source, listing, reporter, problems):
            if state.info.building:
                if state.inputs:
                    found.append(AttentionBuild(state, "paused", listing.job, listing))
                continue
            if state.info.result == "SUCCESS":
                break  # builds come newest first
            if state.info.result in RED:
                found.append(AttentionBuild(state, state.info.result, listing.job, listing))
    return found


def _resolved(source: JenkinsSource, listing: JobBuilds, reporter: Reporter | None,
              problems: list | None) -> Iterable[BuildState]:
    """Yield the listing's builds, reading inputs per build where the listing could not.

    A build whose inputs nothing can show (an old input-step plugin without Stage View) is
    warned about and listed as not waiting.
    """
    for state in listing.builds:
        if state.info.building and state.inputs is None:
            try:
                found = source.pending_inputs(state.info.job, state.info.number)
            except InputsUnreadable as exc:
                _warn(reporter or NullReporter(), problems, source, exc)
                found = ()
            state = replace(state, inputs=found)
        yield state


def paused_builds(sources: Iterable[JenkinsSource], jobs: Iterable[str] | None = None,
                  recent: int = 10, reporter: Reporter | None = None,
                  with_wait: bool = True, problems: list | None = None) -> list[PausedBuild]:
    """Return every build waiting at an input step, oldest wait first."""
    reporter = reporter or NullReporter()
    found = []
    for source in sources:
        try:
            items = [a.state for a in attention(source, jobs, recent, reporter, problems)
                     if a.reason == "paused"]
            # One Stage View request per paused build for its wait: done side by side.
            found.extend(paused_details(source, items, with_wait, reporter))
        except JenkinsError as exc:
            _warn(reporter, problems, source, exc)
    return sorted(found, key=lambda p: (-(p.waited_ms or 0), p.job, p.number))


def paused_details(source: JenkinsSource, states: Iterable[BuildState],
                   with_wait: bool = True,
                   reporter: Reporter | None = None) -> list[PausedBuild]:
    """Return each paused build with its wait: one Stage View request per build, side by side."""
    with ThreadPoolExecutor(4, thread_name_prefix="pending") as pool:
        return list(pool.map(_paused, repeat(source), states, repeat(with_wait),
                             repeat(reporter or NullReporter())))


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


def paused_as_dict(paused: PausedBuild) -> dict:
    """Return a paused build as plain JSON data (`triage pending --format json`)."""
    return {
        "server": paused.server, "job": paused.job, "build": paused.number, "url": paused.url,
        "started_ms": paused.started_ms, "paused_ms": paused.paused_ms,
        "waited_ms": paused.waited_ms, "wait_source": paused.wait_source,
        "failures": paused.failures, "inputs": pending_inputs_as_dicts(paused.inputs),
    }


def pending_inputs_as_dicts(inputs: Iterable[PendingInput]) -> list[dict]:
    """Return pending inputs as plain JSON data; password defaults are never included."""
    return [{
        "id": p.id, "message": p.message, "ok": p.ok, "cancel": p.cancel,
        "submitter": p.submitter,
        "parameters": [{
            "name": d.name, "type": d.type, "description": d.description,
            "default": None if d.is_password else d.default,
            "choices": list(d.choices) if d.choices is not None else None,
        } for d in p.parameters],
    } for p in inputs]
