"""The report triages a whole window from one read of the history; `triage failures` reads it
once per build. Both must say the same about every failure, and the report must stop cleanly
when cancelled."""

from __future__ import annotations

from dataclasses import replace

import pytest

from triage.domain import BuildInfo
from triage.errors import Cancelled
from triage.flakiness.clusters import triage_build as run_engine
from triage.flakiness.model import BuildContext
from triage.flakiness.simulate import generate
from triage.progress import CancelToken, NullReporter
from triage.report import ReportFilters, build_report
from triage.report.collect import collect
from triage.store import Store
from triage.store import evidence as q
from triage.store.importer import import_build
from triage.triage_build import _failure_inputs, mark, triage

JOB = "shop/app"


@pytest.fixture(scope="module", params=["one branch", "two branches"])
def simulated_path(tmp_path_factory, request):
    """120 builds of a simulated job (flaky tests, regressions, outages, retries on one
    commit), all on one branch or every 7th on another (the engine then looks back over the
    branch's builds only); a second job re-running some of the same commits; ten marks, every
    third against the suggestion."""
    sim = generate(3007, builds=120, tests=250)
    mixed = request.param == "two branches"
    path = tmp_path_factory.mktemp("simulated") / "history.db"
    with Store.open(path) as store:
        _fill(store, sim, mixed)
    return path


@pytest.fixture
def simulated(simulated_path):
    """The simulated history, opened for one test (the tests only read it)."""
    with Store.open(simulated_path) as store:
        yield store


def _fill(store, sim, mixed: bool) -> None:
    for build in sim.builds:
        branch = "dev" if mixed and build.number % 7 == 0 else "main"
        info = BuildInfo(JOB, build.number, revision=build.revision, branch=branch,
                         timestamp_ms=1_790_000_000_000 + build.number * 3_600_000)
        import_build(store, info, sim.results(build))
        if build.number % 9 == 0:  # the same commit on another job, everything passing
            rerun = [replace(r, outcome=type(r.outcome)(0), attempts=()) for r in
                     sim.results(build)]
            import_build(store, replace(info, job="shop/nightly", number=build.number), rerun)
    marked = 0
    for number in range(30, 121):
        failures = triage(store, JOB, number).failures
        if failures and marked < 10:
            item = failures[0]
            # Mostly agreeing; every third mark overrules the suggestion.
            verdict = "real" if item.suggestion != "noise" else "noise"
            if marked % 3 == 2:
                verdict = "noise" if verdict == "real" else "real"
            mark(store, JOB, number, verdict, test=item.failure.test, who="tester",
                 clock=lambda: 1_800_000_000.0)
            marked += 1
    assert marked == 10


def test_every_failure_gets_the_suggestion_triage_failures_gives(simulated):
    collected = collect(simulated, ReportFilters(jobs=(JOB,)), 0)
    (job,) = collected.jobs
    by_build = {}
    for failure in job.failures:
        by_build.setdefault(failure.build_id, {})[failure.test_id] = failure
    numbers = {b.id: b.number for b in job.builds}
    assert len(by_build) > 25
    for build_id, failures in by_build.items():
        expected = triage(simulated, JOB, numbers[build_id])
        assert {f.failure.test_id: f.suggestion for f in expected.failures} == {
            test_id: f.suggestion for test_id, f in failures.items()
        }, f"build #{numbers[build_id]}"


def test_marked_failures_also_get_the_engines_suggestion_without_any_mark(simulated):
    collected = collect(simulated, ReportFilters(jobs=(JOB,)), 0)
    (job,) = collected.jobs
    marked = [f for f in job.failures if f.verdict is not None]
    assert len(marked) >= 8 and all(f.alone is not None for f in marked)
    assert all(f.alone is None for f in job.failures if f.verdict is None)
    numbers = {b.id: b.number for b in job.builds}
    for failure in marked:
        build = q.build_row(simulated, JOB, numbers[failure.build_id])
        inputs = [replace(f, verdicts=()) for f in
                  _failure_inputs(simulated, build, q.window(simulated, build, 200))]
        bare = run_engine(BuildContext(JOB, build.number, build.revision), inputs,
                          _spreads(simulated, build, inputs))
        expected = {t.failure.test_id: t.suggestion for t in bare.failures}
        assert failure.alone == expected[failure.test_id]


def _spreads(store, build, inputs):
    from triage.triage_build import _spreads as spreads

    return spreads(store, build, q.window(store, build, 200), inputs)


def test_a_filtered_window_still_judges_by_the_history_before_it(simulated):
    """A report from build 60 on must not forget builds 1-59: `triage failures` does not."""
    since = 1_790_000_000_000 + 60 * 3_600_000
    collected = collect(simulated, ReportFilters(jobs=(JOB,), since_ms=since), 0)
    (job,) = collected.jobs
    assert job.builds[0].number == 60
    for failure in job.failures[:40]:
        number = next(b.number for b in job.builds if b.id == failure.build_id)
        expected = {f.failure.test_id: f.suggestion for f in triage(simulated, JOB, number).failures}
        assert failure.suggestion == expected[failure.test_id]


class _Recording(NullReporter):
    def __init__(self, cancel_after: int | None = None, token: CancelToken | None = None):
        super().__init__()
        self.starts: list[tuple[int | None, str]] = []
        self.advanced = 0  # over every job (`done` restarts with each)
        self.cancel_after, self.token = cancel_after, token

    def start(self, total, label):
        super().start(total, label)
        self.starts.append((total, label))

    def advance(self, n=1):
        super().advance(n)
        self.advanced += n
        if self.cancel_after is not None and self.advanced >= self.cancel_after:
            self.token.cancel()


def test_progress_counts_the_red_builds_of_each_job(simulated):
    reporter = _Recording()
    data = build_report(simulated, ReportFilters(), reporter=reporter)
    red = {j.job: j.red_builds for j in data.jobs}
    assert [total for total, _ in reporter.starts] == [red["shop/app"], red["shop/nightly"]]
    assert reporter.starts[0][1] == f"Triaging {red['shop/app']} red builds of shop/app"
    assert reporter.advanced == red["shop/app"] + red["shop/nightly"]


def test_cancelling_stops_between_builds(simulated):
    token = CancelToken()
    reporter = _Recording(cancel_after=3, token=token)
    with pytest.raises(Cancelled):
        build_report(simulated, ReportFilters(), reporter=reporter, token=token)
    assert reporter.advanced == 3
