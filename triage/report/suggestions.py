"""The engine's suggestion for every failure of a report's window, from one read of the history.

`triage failures` reads the history once per build; a report over 500 red builds cannot. Here
the caller reads a job's history once (`EngineHistory`) and each red build is triaged in
memory with exactly the inputs `triage failures` would build for it: the 200 builds before it
on its branch, the other builds on its commit (any job), the outages among them, the marks on
its tests, and how widely its shared errors struck before. A test checks that both paths give
the same suggestions.

Each failure also gets the suggestion the engine makes with no human mark at all, for the
agreement figures (a mark must not agree with itself through the engine).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace

from triage.flakiness.clusters import MASS_MIN, mass_signatures, spread_signatures
from triage.flakiness.clusters import triage_build as run_engine
from triage.flakiness.model import HISTORY_WINDOW, BuildContext, Run, SignatureSpread, is_commit
from triage.progress import CancelToken, NullReporter, Reporter
from triage.store.evidence import FailureRow
from triage.store.reports import BuildFacts, FailedResult
from triage.triage_build import failure_input, marked_real, stored_runs

Key = tuple[int, int]  # (build id, test id)


@dataclass
class EngineHistory:
    """What the engine needs about one job, read once for the whole window."""

    job: str
    job_id: int
    builds: list[BuildFacts]  # every stored build of the job, by number
    failing: dict[int, list[FailedResult]]  # build id -> its failed results
    names: dict[int, tuple[str, str]]  # test id -> (classname, name)
    outcomes: dict[int, dict[int, int]]  # test id -> build id -> outcome
    signatures: dict[tuple[int, int], str | None]  # (test id, build id) -> first signature
    counts: dict[tuple[int, str], int]  # (build id, signature) -> tests failing with it
    same_revision: dict[str, list[tuple[int, int, int, str]]]  # revision -> builds on it
    verdicts: dict[int, list]  # test id -> VerdictRow in force on the job's builds
    earlier: dict[int, list[tuple[int, int, str | None]]]  # red build id -> earlier_builds
    span: tuple[int, int]  # indexes into `builds` of the first and last build ever looked at
    # (build id, test id) -> trace, for the failures of errors that struck many tests
    traces: dict[tuple[int, int], str] = field(default_factory=dict)
    outages: set[tuple[int, str]] = field(init=False)
    numbers: list[int] = field(init=False)
    _runs: dict[int, tuple[tuple[Run, ...], list[int]]] = field(init=False, default_factory=dict)
    _struck: dict[str, list[tuple[int, int]]] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.outages = {key for key, count in self.counts.items() if count >= MASS_MIN}
        self.numbers = [b.number for b in self.builds]

    def runs(self, test_id: int, first: int, last: int) -> tuple[Run, ...]:
        """Return the test's runs in builds[first:last] (indexes inside `span`).

        A test's runs over the whole span are made once and sliced: consecutive builds look
        back over nearly the same 200 builds, so converting each build's window anew would
        redo the same work hundreds of times.
        """
        found = self._runs.get(test_id)
        if found is None:
            low, high = self.span
            triples = [(b.id, b.number, b.revision) for b in self.builds[low : high + 1]]
            runs = stored_runs(triples, self.outcomes.get(test_id, {}), self.signatures,
                               test_id, self.outages, marked_real(self.verdicts.get(test_id, ())))
            found = self._runs[test_id] = (runs, [r.number for r in runs])
        runs, numbers = found
        start = bisect.bisect_left(numbers, self.numbers[first])
        end = bisect.bisect_right(numbers, self.numbers[last - 1]) if last > first else start
        return runs[start:end]

    def struck(self, signature: str, build_ids: set[int]) -> list[int]:
        """Return the tests whose first failed attempt had `signature` in one of `build_ids`."""
        if self._struck is None:
            self._struck = {}
            for (test_id, build_id), sig in self.signatures.items():
                if sig is not None:
                    self._struck.setdefault(sig, []).append((build_id, test_id))
        found = {t for b, t in self._struck.get(signature, ()) if b in build_ids}
        return sorted(found)


@dataclass(frozen=True, slots=True)
class Suggested:
    suggestion: str  # as `triage failures` says it today (marks on other builds count)
    alone: str | None  # without any human mark; only for failures that carry a mark


def earlier_builds(
    builds: list[BuildFacts], index: int, size: int = HISTORY_WINDOW
) -> list[tuple[int, int, str | None]]:
    """Return (id, number, revision) of the `size` builds before builds[index], oldest first.

    Same rule as `evidence.window`: only builds of its branch (or of no known branch) when
    its branch is known.
    """
    branch = builds[index].branch
    found = []
    for other in reversed(builds[:index]):
        if branch is None or other.branch is None or other.branch == branch:
            found.append((other.id, other.number, other.revision))
            if len(found) == size:
                break
    found.reverse()
    return found


def suggest(
    history: EngineHistory,
    red: list[BuildFacts],
    reporter: Reporter | None = None,
    token: CancelToken | None = None,
) -> dict[Key, Suggested]:
    """Return the suggestion for each failure of the `red` builds, keyed (build id, test id)."""
    reporter = reporter or NullReporter()
    index = {b.id: i for i, b in enumerate(history.builds)}
    found: dict[Key, Suggested] = {}
    for build in red:
        if token is not None:
            token.raise_if_cancelled()
        found.update(_suggest_build(history, build, index[build.id]))
        reporter.advance()
    return found


def _suggest_build(history: EngineHistory, build: BuildFacts, index: int) -> dict[Key, Suggested]:
    earlier = history.earlier[build.id]
    same = _same_commit(history, build)
    # The window is a plain run of the job's builds unless other branches were left out.
    start = index - len(earlier)
    contiguous = not earlier or history.builds[start].id == earlier[0][0]
    rows = sorted(
        (_row(history, failed) for failed in history.failing.get(build.id, ())),
        key=lambda r: (r.classname, r.name),
    )
    failures = [
        failure_input(
            row, build, earlier, same, history.outcomes.get(row.test_id, {}),
            history.signatures, history.outages, history.verdicts.get(row.test_id, ()),
            history=history.runs(row.test_id, start, index) if contiguous else None,
        )
        for row in rows
    ]
    spreads = _spreads(history, index, mass_signatures(failures), earlier)
    for signature in spread_signatures(failures):
        if signature not in spreads:
            tests = _struck_runs(history, signature, earlier, start, index, contiguous)
            spreads[signature] = SignatureSpread(signature, (), tests)
    context = BuildContext(history.job, build.number, build.revision)
    today = run_engine(context, failures, spreads)
    alone = {}
    if any(f.own_verdict is not None for f in failures):
        bare = [replace(f, verdicts=()) for f in failures]
        alone = {t.failure.test_id: t.suggestion for t in run_engine(context, bare, spreads).failures}
    return {
        (build.id, t.failure.test_id): Suggested(
            t.suggestion, alone.get(t.failure.test_id) if t.failure.own_verdict else None
        )
        for t in today.failures
    }


def _row(history: EngineHistory, failed: FailedResult) -> FailureRow:
    classname, name = history.names[failed.test_id]
    return FailureRow(
        failed.test_id, classname, name, failed.outcome, failed.reruns, failed.type,
        failed.signature, failed.message, history.traces.get((failed.build_id, failed.test_id)),
    )


def _same_commit(history: EngineHistory, build: BuildFacts) -> list[tuple[int, int, str | None]]:
    """Like `evidence.same_revision`: other builds on its commit, other jobs named."""
    if not is_commit(build.revision):
        return []
    return [
        (build_id, number, None if job_id == history.job_id else name)
        for build_id, number, job_id, name in history.same_revision.get(build.revision, ())
        if build_id != build.id
    ]


def _struck_runs(history: EngineHistory, signature: str, earlier, start: int, index: int,
                 contiguous: bool) -> tuple[tuple[int, tuple[Run, ...]], ...]:
    """Like `triage_build._spreads`: the tests that failed with `signature` in the window
    `earlier`, each with its runs there."""
    found = []
    for test_id in history.struck(signature, {b[0] for b in earlier}):
        if contiguous:
            runs = history.runs(test_id, start, index)
        else:
            runs = stored_runs(earlier, history.outcomes.get(test_id, {}), history.signatures,
                               test_id, history.outages,
                               marked_real(history.verdicts.get(test_id, ())))
        found.append((test_id, runs))
    return tuple(found)


def _spreads(
    history: EngineHistory, index: int, shared: list[str], earlier
) -> dict[str, SignatureSpread]:
    """Like `evidence.signature_spread`: each shared error's count in earlier builds of the job
    (any branch) from the first build of the engine's window on."""
    if not shared:
        return {}
    builds = history.builds
    first = earlier[0][1] if earlier else builds[index].number
    start = bisect.bisect_left(history.numbers, first, hi=index)
    spreads = {}
    for signature in shared:
        counts = (
            (b.number, history.counts.get((b.id, signature))) for b in builds[start:index]
        )
        spreads[signature] = SignatureSpread(signature, tuple((n, c) for n, c in counts if c))
    return spreads


