"""Use cases of the flakiness engine: triage a build, rank a job's flaky tests, mark verdicts.

Each function reads the history through `triage.store.evidence`, hands plain records to the
pure engine in `triage.flakiness` and returns its answer; the CLI and the UI only format it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial

from triage.domain import Outcome
from triage.errors import ConfigError, NotFoundError
from triage.flakiness.clusters import MASS_MIN, mass_signatures, spread_signatures
from triage.flakiness.clusters import triage_build as run_engine
from triage.flakiness.model import (
    HISTORY_WINDOW,
    NOISE,
    REAL,
    BuildContext,
    BuildTriage,
    FailureInput,
    PastVerdict,
    Run,
    SignatureSpread,
    TriagedFailure,
)
from triage.flakiness.ranking import FlakyTest, rank
from triage.flakiness.signatures import short_message, top_frame
from triage.jenkins import urls
from triage.store import details
from triage.store import evidence as q
from triage.store import verdicts as v
from triage.store.db import Store

HISTORY_LETTERS = 20
_OUTCOMES = tuple(Outcome)  # indexing a tuple is much cheaper than calling the enum
_new_run = partial(tuple.__new__, Run)  # skips Run.__new__'s Python frame: ~1M runs per ranking


def triage(
    store: Store,
    job: str,
    number: int | None = None,
    server: str = "local",
    window: int = HISTORY_WINDOW,
) -> BuildTriage:
    """Return the engine's suggestions and clusters for one build (the newest if no number)."""
    if number is None:
        build = q.latest_build(store, job, server)
    else:
        build = q.build_row(store, job, number, server)
    return _triage(store, job, build, window)


def _triage(store: Store, job: str, build: q.BuildRow, window: int = HISTORY_WINDOW) -> BuildTriage:
    """Run the engine on one stored build (see `triage`)."""
    earlier = q.window(store, build, window)
    failures = _failure_inputs(store, build, earlier)
    context = BuildContext(job, build.number, build.revision)
    return run_engine(context, failures, _spreads(store, build, earlier, failures))


def _spreads(store: Store, build: q.BuildRow, earlier, failures) -> dict[str, SignatureSpread]:
    """Return, for each error failing in `build`: for an outage, how many tests it struck in
    earlier builds (did it strike many before?); for any other error, the other tests that
    failed with it in the window, with their runs there (did they get over it?)."""
    first = earlier[0][1] if earlier else build.number
    outages = mass_signatures(failures)
    spreads = {
        sig: SignatureSpread(sig, tuple(counts))
        for sig, counts in q.signature_spread(store, build, outages, first).items()
    }
    others = [sig for sig in spread_signatures(failures) if sig not in spreads]
    build_ids = [b[0] for b in earlier]
    struck = q.signature_tests(store, build_ids, others)
    tests = sorted({t for ids in struck.values() for t in ids})
    outcomes, signatures = q.outcomes(store, build_ids, tests)
    mass = q.mass_events(store, build_ids, MASS_MIN) if tests else set()
    # A failure a person marked real is no flake the test got over.
    marks = v.active_for_tests(store, tests, build.job_id) if tests else {}
    runs = {
        t: stored_runs(earlier, outcomes.get(t, {}), signatures, t, mass,
                       marked_real(marks.get(t, ())))
        for t in tests
    }
    for sig in others:
        spreads[sig] = SignatureSpread(sig, (), tuple((t, runs[t]) for t in struck.get(sig, ())))
    return spreads


def _failure_inputs(store: Store, build: q.BuildRow, earlier) -> list[FailureInput]:
    """Return the build's failures with their history, same-commit runs and verdicts."""
    rows = q.build_failures(store, build.id)
    same = q.same_revision(store, build)
    test_ids = [r.test_id for r in rows]
    outcomes, signatures = q.outcomes(
        store, [b[0] for b in earlier] + [b[0] for b in same], test_ids
    )
    verdicts = v.active_for_tests(store, test_ids, build.job_id)
    outages = q.mass_events(store, [b[0] for b in earlier], MASS_MIN)
    return [
        failure_input(
            row, build, earlier, same, outcomes.get(row.test_id, {}), signatures, outages,
            verdicts.get(row.test_id, ()),
        )
        for row in rows
    ]


def failure_input(
    row: q.FailureRow, build, earlier, same, per_build: dict[int, int], signatures, outages,
    verdicts, history: tuple[Run, ...] | None = None,
) -> FailureInput:
    """Return one stored failure of `build` (its number and revision) as the engine's input.

    `earlier` and `same` hold (build id, number, revision) and (build id, number, other job's
    name or None); `per_build` the test's outcomes by build id. Shared with the report, which
    runs the engine over many builds from one read of the history and may pass the runs over
    `earlier` it already has as `history`.
    """
    past, own = _verdicts(verdicts, build.number)
    return FailureInput(
        row.test_id,
        row.classname,
        row.name,
        Outcome(row.outcome),
        row.signature,
        short_message(row.type, row.message),
        row.type,
        row.reruns,
        history=(
            stored_runs(earlier, per_build, signatures, row.test_id, outages,
                        marked_real(verdicts))
            if history is None else history
        ),
        same_revision=_same_commit_runs(
            same, per_build, signatures, row.test_id, build.revision
        ),
        verdicts=past,
        own_verdict=own,
        frame=top_frame(row.trace),
    )


@dataclass(frozen=True)
class FailureDetail:
    """What a person reads about one failure besides the engine's answer."""

    message: str | None  # whole, as stored
    trace: str | None
    url: str | None  # its Jenkins test page, when the build came from Jenkins
    verdict: v.VerdictRow | None  # the mark in force on this failure: who, when, note


def failure_details(store: Store, job: str, number: int,
                    server: str = "local") -> dict[int, FailureDetail]:
    """Return {test id: FailureDetail} for the failures of one stored build."""
    build = q.build_row(store, job, number, server)
    texts = details.failure_texts(store, build.id)
    names = q.test_names(store, list(texts))
    marks = {row.test_id: row for row in v.for_build(store, build.id)}
    url = details.build_url(store, build.id)
    return {
        test_id: FailureDetail(message, trace,
                               urls.test_page(url, *names[test_id]) if url else None,
                               marks.get(test_id))
        for test_id, (message, trace) in texts.items()
    }


def build_url(store: Store, job: str, number: int, server: str = "local") -> str | None:
    """Return the stored build's Jenkins URL; None for builds imported from files."""
    return details.build_url(store, q.build_row(store, job, number, server).id)


def test_verdicts(store: Store, job: str, server: str,
                  test_ids: list[int]) -> dict[int, list[v.VerdictRow]]:
    """Return the marks in force on these tests in the job's builds, newest first, per test."""
    found = v.active_for_tests(store, test_ids, store.job_id(job, server))
    return {test_id: sorted(rows, key=lambda r: (-r.at, -r.id)) for test_id, rows in found.items()}


def history_letters(item: TriagedFailure, limit: int = HISTORY_LETTERS) -> str:
    """Return recent outcomes, oldest first, one letter each, ending with this build's."""
    runs = item.failure.history[-(limit - 1) :]
    return "".join(r.outcome.letter for r in runs) + item.failure.outcome.letter


def rank_flaky(
    store: Store, job: str, server: str = "local", last: int | None = None
) -> list[FlakyTest]:
    """Return the job's tests ranked by flakiness over its last `last` builds (all if None)."""
    job_id = store.job_id(job, server)
    builds = q.job_builds(store, job_id, last)
    if not builds:
        raise NotFoundError(f"Job {job!r} has no builds in the history yet.")
    build_ids = [b[0] for b in builds]
    candidates = q.candidate_tests(store, build_ids)
    outcomes, signatures = q.outcomes(store, build_ids, candidates)
    names = q.test_names(store, candidates)
    outages = q.mass_events(store, build_ids, MASS_MIN)
    marks = v.active_for_tests(store, candidates, job_id)
    tests = [
        (
            test_id,
            *names[test_id],
            stored_runs(builds, outcomes.get(test_id, {}), signatures, test_id, outages,
                        marked_real(marks.get(test_id, ()))),
        )
        for test_id in candidates
    ]
    return rank(tests, builds[-1][1])


def mark(
    store: Store,
    job: str,
    number: int,
    verdict: str,
    *,
    server: str = "local",
    test: str | None = None,
    cluster: str | None = None,
    note: str | None = None,
    who: str | None = None,
    clock: Callable[[], float] = time.time,
) -> list[TriagedFailure]:
    """Mark one failure or a whole cluster of a build real or noise; return what was marked."""
    build = q.build_row(store, job, number, server)
    chosen = _choose(store, _triage(store, job, build), job, build, test, cluster)
    v.mark(
        store,
        build.id,
        [(t.failure.test_id, t.failure.signature) for t in chosen],
        verdict,
        who=who,
        at=int(clock() * 1000),
        note=note,
    )
    return chosen


def unmark(
    store: Store,
    job: str,
    number: int,
    *,
    server: str = "local",
    test: str | None = None,
    cluster: str | None = None,
    clock: Callable[[], float] = time.time,
) -> int:
    """Undo the verdicts on one failure or a whole cluster; return how many were in force."""
    build = q.build_row(store, job, number, server)
    at = int(clock() * 1000)
    if test is not None and cluster is None:
        # A mark stays in force after a re-import in which its test no longer fails: it must
        # still be possible to undo it, so look among the build's marks first.
        marked = _marked_tests(store, build.id, test)
        if len(marked) > 1:
            raise ConfigError(f"{test!r} names {len(marked)} marked tests; give classname.name.")
        if marked:
            return v.undo(store, build.id, marked, at=at)
    chosen = _choose(store, _triage(store, job, build), job, build, test, cluster)
    return v.undo(store, build.id, [t.failure.test_id for t in chosen], at=at)


def mark_tests(
    store: Store,
    job: str,
    number: int,
    test_ids: Iterable[int],
    verdict: str | None,
    *,
    server: str = "local",
    note: str | None = None,
    who: str | None = None,
    clock: Callable[[], float] = time.time,
) -> int:
    """Mark these failing tests of a build `verdict` (None clears them); return how many.

    The app's way to mark a selection: tests by id, each with its signature in this build.
    """
    build = q.build_row(store, job, number, server)
    wanted = set(test_ids)
    at = int(clock() * 1000)
    if verdict is None:
        return v.undo(store, build.id, sorted(wanted), at=at)
    if verdict not in (REAL, NOISE):
        raise ConfigError(f"Unknown verdict {verdict!r}; use real or noise.")
    items = [(r.test_id, r.signature) for r in q.build_failures(store, build.id)
             if r.test_id in wanted]
    return v.mark(store, build.id, items, verdict, who=who, at=at, note=note)


def accept_suggestions(
    store: Store,
    job: str,
    number: int,
    *,
    server: str = "local",
    who: str | None = None,
    clock: Callable[[], float] = time.time,
) -> list[TriagedFailure]:
    """Mark every unmarked failure the engine calls real or noise as such (unsure stays)."""
    build = q.build_row(store, job, number, server)
    result = _triage(store, job, build)
    chosen = [t for t in result.failures
              if t.failure.own_verdict is None and t.suggestion in (REAL, NOISE)]
    at = int(clock() * 1000)
    for verdict in (REAL, NOISE):
        items = [(t.failure.test_id, t.failure.signature) for t in chosen
                 if t.suggestion == verdict]
        if items:
            v.mark(store, build.id, items, verdict, who=who, at=at, note="accepted suggestion")
    return chosen


def restore_verdicts(
    store: Store,
    job: str,
    number: int,
    previous: Mapping[int, v.VerdictRow | None],
    *,
    server: str = "local",
    clock: Callable[[], float] = time.time,
) -> None:
    """Put back the verdicts these tests had (undo of a mark): a row again, or none."""
    build = q.build_row(store, job, number, server)
    at = int(clock() * 1000)
    cleared = [test_id for test_id, row in previous.items() if row is None]
    with store.transaction():
        if cleared:
            v.undo(store, build.id, cleared, at=at)
        for test_id, row in previous.items():
            if row is not None:
                v.mark(store, build.id, [(test_id, row.signature)], row.verdict, who=row.who,
                       at=at, note=row.note)


def _marked_tests(store: Store, build_id: int, test: str) -> list[int]:
    """Return the ids of tests with a mark in force on this build named `test`."""
    ids = sorted({row.test_id for row in v.for_build(store, build_id)})
    names = q.test_names(store, ids)
    return [i for i in ids if test in (f"{names[i][0]}.{names[i][1]}", names[i][1])]


def _choose(
    store: Store, result: BuildTriage, job: str, build: q.BuildRow, test, cluster
) -> list[TriagedFailure]:
    number = build.number
    if (test is None) == (cluster is None):
        raise ConfigError("Name exactly one of --test TEST or --cluster ID.")
    if cluster is not None:
        found = result.cluster(cluster)
        if found is None:
            known = ", ".join(c.id for c in result.clusters) or "none"
            raise NotFoundError(
                f"Build #{number} of {job!r} has no cluster {cluster!r} (clusters: {known})."
            )
        return list(found.members)
    matches = [t for t in result.failures if test in (t.failure.test, t.failure.name)]
    if not matches:
        ran = q.find_test(store, build.id, test)
        what = "did not fail" if ran else "is not"
        raise NotFoundError(
            f"Test {test!r} {what} in build #{number} of {job!r}; see triage failures."
        )
    if len(matches) > 1:
        raise ConfigError(f"{test!r} names {len(matches)} failures; give classname.name.")
    return matches


def stored_runs(
    builds, per_build: dict[int, int], signatures, test_id: int, outages,
    real: frozenset[int] = frozenset(),
) -> tuple[Run, ...]:
    """Turn stored outcomes into runs, in the order of `builds` (id, number, revision).

    A failure in an outage, or one a person marked real (`real`: build numbers), says nothing
    about the test's flakiness: the run is kept (history letters, streaks) but flagged so the
    evidence skips it (`Run.mass`).
    """
    runs = []
    for build_id, number, revision in builds:
        outcome = per_build.get(build_id)
        if outcome is not None:
            sig = signatures.get((test_id, build_id)) if outcome else None
            skip = sig is not None and ((build_id, sig) in outages or number in real)
            runs.append(_new_run((number, _OUTCOMES[outcome], revision, sig, None, skip)))
    return tuple(runs)


def marked_real(marks) -> frozenset[int]:
    """Return the builds (numbers) in which a person marked this test's failure real."""
    return frozenset(m.build_number for m in marks if m.verdict == REAL)


def _same_commit_runs(builds, per_build, signatures, test_id: int, revision) -> tuple[Run, ...]:
    """Like _runs for other builds on the commit: (id, number, other job's name or None)."""
    runs = []
    for build_id, number, job in builds:
        outcome = per_build.get(build_id)
        if outcome is not None:
            sig = signatures.get((test_id, build_id))
            runs.append(Run(number, _OUTCOMES[outcome], revision, sig, job))
    return tuple(runs)


def _verdicts(rows, number: int) -> tuple[tuple[PastVerdict, ...], str | None]:
    past = tuple(
        PastVerdict(r.build_number, r.signature, r.verdict, r.who, r.at, r.note)
        for r in rows
        if r.build_number != number
    )
    own = next((r.verdict for r in rows if r.build_number == number), None)
    return past, own
