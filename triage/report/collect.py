"""Read what a report needs from the history, once per job: the only part that does I/O.

`collect` returns plain records (`Collected`); `figures.figures` turns them into the report's
data without touching the store, so every figure is computed (and tested) in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from triage.flakiness.model import Run, is_commit
from triage.progress import CancelToken, NullReporter, Reporter
from triage.report.model import ReportFilters
from triage.report.suggestions import EngineHistory, earlier_builds, suggest
from triage.store import decisions as decision_store
from triage.store import evidence as q
from triage.store import gates
from triage.store import reports as rq
from triage.store import verdicts as v
from triage.store.db import Store
from triage.store.decisions import Decision
from triage.store.gates import GateDecision
from triage.store.reports import BuildFacts, JobRef
from triage.triage_build import stored_runs


@dataclass(frozen=True, slots=True)
class JudgedFailure:
    """A failed or errored result in the window, with the engine's word and the human's."""

    build_id: int
    test_id: int
    outcome: int
    signature: str | None
    type: str | None
    message: str | None
    suggestion: str  # what `triage failures` suggests for it today
    alone: str | None  # the engine's suggestion without any mark (set when it carries one)
    verdict: str | None  # the mark in force on this very failure
    verdict_who: str | None = None
    verdict_note: str | None = None

    @property
    def judged(self) -> str:
        """Return what the failure was: the human's mark, else the engine's suggestion."""
        return self.verdict or self.suggestion


@dataclass
class JobWindow:
    ref: JobRef
    builds: list[BuildFacts]  # the job's builds inside the filters, by number
    tests: list[tuple[int, str, str, tuple[Run, ...]]]  # tests with a failed attempt: runs
    failures: list[JudgedFailure]


@dataclass(frozen=True, slots=True)
class DecisionFacts:
    decision: Decision
    build: BuildFacts | None  # the build it answered, if stored
    has_results: bool


@dataclass(frozen=True, slots=True)
class GateFacts:
    decision: GateDecision
    build: BuildFacts | None  # the build it judged, if stored


@dataclass
class Collected:
    filters: ReportFilters
    generated_ms: int
    jobs: list[JobWindow]
    decisions: list[DecisionFacts]
    gate: list[GateFacts]


def in_window(build: BuildFacts, filters: ReportFilters) -> bool:
    """Return True when the build matches the branch and date filters.

    A build without a start time is outside any date filter: it cannot be placed in one.
    """
    if filters.branch is not None and build.branch != filters.branch:
        return False
    if filters.since_ms is None and filters.until_ms is None:
        return True
    if build.timestamp is None:
        return False
    if filters.since_ms is not None and build.timestamp < filters.since_ms:
        return False
    return filters.until_ms is None or build.timestamp < filters.until_ms


def collect(
    store: Store,
    filters: ReportFilters,
    generated_ms: int,
    reporter: Reporter | None = None,
    token: CancelToken | None = None,
) -> Collected:
    """Read every job of the report, then the people's and the gate's decisions on them."""
    reporter = reporter or NullReporter()
    token = token or CancelToken()
    refs = rq.report_jobs(store, filters.jobs, filters.server)
    jobs, all_builds = [], {}
    for ref in refs:
        token.raise_if_cancelled()
        builds = rq.job_builds(store, ref.id)
        all_builds[(ref.server, ref.name)] = builds
        jobs.append(_job_window(store, ref, builds, filters, reporter, token))
    token.raise_if_cancelled()
    decisions = _decisions(store, refs, all_builds, filters)
    gate = _gate_decisions(store, refs, all_builds, filters)
    return Collected(filters, generated_ms, jobs, decisions, gate)


def _job_window(
    store: Store, ref: JobRef, builds: list[BuildFacts], filters: ReportFilters,
    reporter: Reporter, token: CancelToken,
) -> JobWindow:
    """Read one job's window and triage each of its red builds."""
    window = [b for b in builds if in_window(b, filters)]
    window_ids = [b.id for b in window]
    failed = rq.failed_results(store, window_ids)
    failing: dict[int, list] = {}
    for row in failed:
        failing.setdefault(row.build_id, []).append(row)
    red = [b for b in window if b.id in failing]
    position = {b.id: i for i, b in enumerate(builds)}
    earlier = {b.id: earlier_builds(builds, position[b.id]) for b in red}
    revisions = sorted({b.revision for b in red if is_commit(b.revision)})
    same = rq.builds_on_revisions(store, revisions)
    history_ids = set(window_ids)
    for found in earlier.values():
        history_ids.update(i for i, _, _ in found)
    for on_commit in same.values():
        history_ids.update(i for i, _, _, _ in on_commit)
    candidates = q.candidate_tests(store, window_ids)
    # The engine also reads the runs of the tests that failed only in the look-back (did other
    # tests get over this error?); the report lists the window's own.
    looked_at = sorted(history_ids)
    engine_tests = sorted(set(candidates) | set(q.candidate_tests(store, looked_at)))
    outcomes, signatures = q.outcomes(store, looked_at, engine_tests)
    span = _span(builds, position, window, earlier)
    engine = EngineHistory(
        ref.name, ref.id, builds, failing, q.test_names(store, candidates), outcomes,
        signatures, rq.signature_counts(store, [b.id for b in builds[span[0] : span[1] + 1]]),
        same, v.active_for_tests(store, engine_tests, ref.id),
        earlier, span,
    )
    engine.traces = rq.outage_traces(store, sorted(k for k in engine.outages if k[0] in failing))
    reporter.start(len(red), f"Triaging {len(red)} red builds of {ref.name}")
    try:
        suggested = suggest(engine, red, reporter, token)
    finally:
        reporter.finish()
    tests = [(t, *engine.names[t], _window_runs(engine, t, window, position)) for t in candidates]
    judged = _judged(failed, suggested, engine, {b.id: b.number for b in window})
    return JobWindow(ref, window, tests, judged)


def _span(builds, position, window, earlier) -> tuple[int, int]:
    """Return the indexes of the first and last build the report looks at: from the engine's
    first look-back build to the window's end (spreads count every branch in between)."""
    if not window:
        return (0, -1)
    starts = [position[found[0][0]] for found in earlier.values() if found]
    return (min([position[window[0].id], *starts]), position[window[-1].id])


def _window_runs(engine: EngineHistory, test_id: int, window, position) -> tuple[Run, ...]:
    """Return a test's runs over the window builds, oldest first."""
    first, last = position[window[0].id], position[window[-1].id]
    if last - first + 1 == len(window):  # no build left out in between (branch, dates)
        return engine.runs(test_id, first, last + 1)
    triples = [(b.id, b.number, b.revision) for b in window]
    return stored_runs(triples, engine.outcomes.get(test_id, {}), engine.signatures, test_id,
                       engine.outages)


def _judged(failed, suggested, engine: EngineHistory, numbers: dict[int, int]):
    """Return the window's failures with their suggestion and the mark in force on each."""
    marks = {
        (row.build_number, test_id): row
        for test_id, rows in engine.verdicts.items()
        for row in rows
    }
    judged = []
    for row in failed:
        said = suggested[(row.build_id, row.test_id)]
        mark = marks.get((numbers[row.build_id], row.test_id))
        judged.append(
            JudgedFailure(
                row.build_id, row.test_id, row.outcome, row.signature, row.type, row.message,
                said.suggestion, said.alone, mark.verdict if mark else None,
                mark.who if mark else None, mark.note if mark else None,
            )
        )
    return judged


def _decisions(
    store: Store, refs: list[JobRef], all_builds: dict, filters: ReportFilters
) -> list[DecisionFacts]:
    """Return the people's decisions on the report's builds (see `_on_window_builds`)."""
    kept = _on_window_builds(
        decision_store.list_decisions(store, server=filters.server), refs, all_builds, filters,
        lambda d: d.paused_at if d.paused_at is not None else d.at,
    )
    with_results = rq.builds_with_results(store, [b.id for _, b in kept if b is not None])
    return [DecisionFacts(d, b, b is not None and b.id in with_results) for d, b in kept]


def _gate_decisions(
    store: Store, refs: list[JobRef], all_builds: dict, filters: ReportFilters
) -> list[GateFacts]:
    """Return what `triage gate` decided on the report's builds (see `_on_window_builds`)."""
    found = gates.gate_decisions(store, server=filters.server)
    return [GateFacts(g, b) for g, b in _on_window_builds(found, refs, all_builds, filters,
                                                          lambda g: g.at)]


def _on_window_builds(records, refs: list[JobRef], all_builds: dict, filters: ReportFilters,
                      asked) -> list[tuple]:
    """Return (record, its stored build or None) for records (named by server, job and build)
    that belong to the report.

    A record counts when its build is in the window. One on a build never stored counts when
    its job is in the report, `asked(record)` (epoch ms) is inside the dates, and no branch
    filter asks for something it cannot tell.
    """
    jobs = {(r.server, r.name) for r in refs}
    by_number = {(key, b.number): b for key, builds in all_builds.items() for b in builds}
    kept = []
    for record in records:
        key = (record.server, record.job)
        if filters.jobs and key not in jobs:
            continue
        build = by_number.get((key, record.build))
        if build is not None:
            if in_window(build, filters):
                kept.append((record, build))
        elif filters.branch is None and _in_dates(asked(record), filters):
            kept.append((record, None))
    return kept


def _in_dates(ms: int, filters: ReportFilters) -> bool:
    if filters.since_ms is not None and ms < filters.since_ms:
        return False
    return filters.until_ms is None or ms < filters.until_ms
