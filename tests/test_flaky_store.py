"""The engine's queries on a real history: branches, other jobs on one commit, windows, verdicts."""

from __future__ import annotations

from triage.domain import Attempt, BuildInfo, Outcome, TestResult
from triage.store import evidence as q
from triage.store import verdicts as v
from triage.store.importer import import_build
from triage.triage_build import rank_flaky, triage


def result(name: str, outcome: Outcome, message: str = "boom") -> TestResult:
    attempts = ()
    if outcome is not Outcome.PASSED:
        attempts = (
            Attempt(
                "failure",
                "java.lang.AssertionError",
                message,
                f"java.lang.AssertionError: {message}\n\tat com.acme.Cart.{name}(Cart.java:3)",
            ),
        )
    return TestResult("com.acme.CartTest", name, outcome, attempts=attempts)


def add(store, number, outcomes: dict[str, Outcome], *, job="app", sha=None, branch="main"):
    info = BuildInfo(job, number, revision=sha or f"{number:040x}", branch=branch)
    import_build(store, info, [result(n, o) for n, o in outcomes.items()])


def test_other_branches_stay_out_of_the_history(store):
    for number in range(1, 8):
        add(
            store, number, {"t": Outcome.FAILED if number % 2 else Outcome.PASSED}, branch="feature"
        )
    for number in range(8, 20):
        add(store, number, {"t": Outcome.PASSED})
    add(store, 20, {"t": Outcome.FAILED})
    item = triage(store, "app", 20).failures[0]
    assert item.evidence.runs == 12
    assert item.suggestion == "real"


def test_a_pass_on_the_same_commit_in_another_job_alone_is_unsure(store):
    # app-windows and app-linux on one commit: a test broken only on Windows passes on Linux.
    # That pass is no sign of flakiness in a test that never failed in this job.
    sha = "ab12cd3" + "0" * 33
    for number in range(1, 10):
        add(store, number, {"t": Outcome.PASSED})
    add(store, 10, {"t": Outcome.FAILED}, sha=sha)
    add(store, 4, {"t": Outcome.PASSED}, job="app-nightly", sha=sha)
    item = triage(store, "app", 10).failures[0]
    assert item.suggestion == "unsure"
    assert item.reasons[:2] == [
        "passed on the same commit ab12cd3 in app-nightly #4",
        "but only in another job, which may run it on another platform or setup",
    ]
    assert item.cluster_id == "other-job"


def test_a_pass_on_the_same_commit_in_another_job_counts_for_a_test_flaky_here(store):
    sha = "ab12cd3" + "0" * 33
    for number in range(1, 10):
        add(store, number, {"t": Outcome.FAILED if number == 3 else Outcome.PASSED})
    add(store, 10, {"t": Outcome.FAILED}, sha=sha)
    add(store, 4, {"t": Outcome.PASSED}, job="app-nightly", sha=sha)
    item = triage(store, "app", 10).failures[0]
    assert item.suggestion == "noise"
    assert item.reasons[0] == "passed on the same commit ab12cd3 in app-nightly #4"


def test_the_window_limits_how_far_back_the_engine_looks(store):
    add(store, 1, {"t": Outcome.FAILED})
    for number in range(2, 12):
        add(store, number, {"t": Outcome.PASSED})
    add(store, 12, {"t": Outcome.FAILED})
    assert triage(store, "app", 12, window=5).failures[0].evidence.runs == 5
    assert triage(store, "app", 12).failures[0].evidence.failures == 1


def test_outage_failures_are_not_a_tests_flakiness(store):
    names = [f"t{i}" for i in range(6)]
    for number in range(1, 10):
        add(
            store,
            number,
            dict.fromkeys(names, Outcome.FAILED if number in (3, 6) else Outcome.PASSED),
        )
    build_ids = [b[0] for b in q.job_builds(store, store.job_id("app"), None)]
    assert len(q.mass_events(store, build_ids, 5)) == 2
    assert rank_flaky(store, "app") == []  # two outages, not six flaky tests


def test_marking_again_retires_the_previous_verdict(store):
    add(store, 1, {"t": Outcome.FAILED})
    build_id = store.build_id("app", 1)
    test_id = q.build_failures(store, build_id)[0].test_id
    v.mark(store, build_id, [(test_id, "S")], "real", who="a", at=1)
    v.mark(store, build_id, [(test_id, "S")], "noise", who="b", at=2, note="flaky db")
    active = v.for_build(store, build_id)
    assert [(r.verdict, r.who, r.note) for r in active] == [("noise", "b", "flaky db")]
    everything = v.for_build(store, build_id, include_undone=True)
    assert [(r.verdict, r.undone_at) for r in everything] == [("real", 2), ("noise", None)]
    assert v.undo(store, build_id, [test_id], at=3) == 1
    assert v.undo(store, build_id, [test_id], at=4) == 0
    assert v.active_for_tests(store, [test_id], store.job_id("app")) == {}


def test_flaky_ranking_only_reads_tests_that_failed(store):
    for number in range(1, 30):
        add(
            store,
            number,
            {
                "steady": Outcome.PASSED,
                "shaky": Outcome.FAILED if number % 7 == 0 else Outcome.PASSED,
                "skips": Outcome.PASSED,
            },
        )
    ranked = rank_flaky(store, "app", last=20)
    assert [t.name for t in ranked] == ["shaky"]
    assert ranked[0].evidence.runs == 20
    assert ranked[0].last_failure == 28


def test_a_noise_mark_leans_only_that_test_and_only_that_error(store):
    for number in range(1, 10):
        add(store, number, {"a": Outcome.PASSED, "b": Outcome.PASSED})
    add(store, 10, {"a": Outcome.FAILED, "b": Outcome.PASSED})
    build_id = store.build_id("app", 10)
    (row,) = q.build_failures(store, build_id)
    v.mark(store, build_id, [(row.test_id, row.signature)], "noise", who="alice", at=1)
    for number in range(11, 20):
        add(store, number, {"a": Outcome.PASSED, "b": Outcome.PASSED})
    same_error = result("a", Outcome.FAILED).attempts
    import_build(
        store,
        BuildInfo("app", 20, revision=f"{20:040x}", branch="main"),
        [
            result("a", Outcome.FAILED),
            TestResult("com.acme.CartTest", "b", Outcome.FAILED, attempts=same_error),
        ],
    )
    by_name = {t.failure.name: t for t in triage(store, "app", 20).failures}
    assert by_name["b"].failure.signature == by_name["a"].failure.signature == row.signature
    assert by_name["a"].suggestion == "noise"
    assert by_name["a"].reasons[0] == "marked noise by alice in #10 for this error"
    assert by_name["b"].suggestion == "real"  # same message, another test: not its mark
    # The same test failing with another error is not covered by the mark either.
    for number in range(21, 30):
        add(store, number, {"a": Outcome.PASSED})
    import_build(
        store,
        BuildInfo("app", 30, revision=f"{30:040x}", branch="main"),
        [result("a", Outcome.FAILED, "a different problem")],
    )
    (other,) = triage(store, "app", 30).failures
    assert other.failure.signature != row.signature
    assert other.suggestion != "noise"
