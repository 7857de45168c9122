"""Noise as it looks in real projects (issue 11): streaks weighed against a test's own rate,
bursts that ended by themselves, tests failing together, a shared fixture broken by a change."""

from __future__ import annotations

import pytest
from flaky_builders import failure, number_after, runs

from triage.domain import Attempt, BuildInfo, Outcome, TestResult
from triage.flakiness.clusters import triage_build
from triage.flakiness.evidence import IMPROBABLE, gather, streak_chance
from triage.flakiness.model import NOISE, REAL, UNSURE, BuildContext, PastVerdict, Run
from triage.flakiness.ranking import rank
from triage.flakiness.suggest import ORDINARY_STREAK, triage_failure
from triage.report import ReportFilters
from triage.report.collect import collect
from triage.store.importer import import_build
from triage.triage_build import triage

# Failing 70% of its runs: seven failures, a pass on rerun and two passes in every ten builds.
SEVENTY = "FFPFFFPFRF" * 6 + "P"


def judge(f, history: str):
    return triage_failure(f, number_after(history))


# --- the chance of a streak at the test's own rate --------------------------------------------


def test_five_in_a_row_mean_little_at_seventy_percent_and_a_lot_at_one_percent():
    assert streak_chance(5, 140, 200, (98, 140)) > 0.2
    assert streak_chance(5, 2, 200, (0, 2)) < 1e-3
    assert streak_chance(1, 2, 200, (0, 2)) == 1.0


def test_a_longer_streak_is_less_likely_and_bursts_make_it_likelier():
    chances = [streak_chance(k, 20, 200, (5, 20)) for k in range(1, 8)]
    assert chances == sorted(chances, reverse=True)
    assert streak_chance(3, 10, 200, (6, 10)) > 5 * streak_chance(3, 10, 200, (0, 10))


def test_a_clean_history_makes_even_two_in_a_row_improbable():
    assert streak_chance(2, 0, 60, (0, 0)) < IMPROBABLE
    # One burst in a short history does not make a test bursty: its overall rate leads.
    assert streak_chance(4, 2, 8, (1, 2)) < streak_chance(4, 40, 160, (20, 40))


# --- symptom 1: a 70% test failing five builds in a row ----------------------------------------


def _seventy_with_commits():
    """SEVENTY with a pass on the same commit as the failure before it, every ten builds."""
    shas = []
    for block in range(6):
        letters = [chr(ord("a") + block * 10 % 26 + i % 10) for i in range(10)]
        letters[6] = letters[5]  # build 7 of each block (P) reruns the commit of build 6 (F)
        shas += letters
    return "".join(shas) + "z" + "yxwv"


def test_a_seventy_percent_test_failing_five_in_a_row_is_noise_not_a_regression():
    history = SEVENTY + "FFFF"
    f = failure()
    f.history = runs(history, shas=_seventy_with_commits())
    item = triage_failure(f, number_after(history))
    assert (item.suggestion, item.kind) == (NOISE, "flaky")
    assert item.reasons[0] == "failing since #62 with the same error (5 builds in a row)"
    assert item.reasons[1].startswith("chance of 5 in a row at this test's own rate: ")
    assert "(it failed 42 of 61 earlier runs;" in item.reasons[1]
    assert item.evidence.streak_chance >= ORDINARY_STREAK
    assert any("on the same commit" in r for r in item.reasons)


def test_the_same_streak_for_a_test_failing_one_percent_is_a_regression():
    history = ("P" * 99 + "F") * 2 + "P" + "FFFF"
    item = judge(failure(history), history)
    assert (item.suggestion, item.kind) == (REAL, "regression")
    assert item.reasons[0] == "failing since #202 with the same error (5 builds in a row)"
    assert item.evidence.streak_chance < IMPROBABLE


def test_a_streak_possible_but_not_ordinary_for_the_test_is_unsure():
    history = ("PPPFF" + "PPPPF") * 6 + "P" + "FFF"
    item = judge(failure(history), history)
    assert IMPROBABLE <= item.evidence.streak_chance < ORDINARY_STREAK
    assert (item.suggestion, item.kind) == (UNSURE, "suspicious")
    assert item.reasons[1].endswith("possible for this test, but not enough to call it noise")


def test_an_ordinary_streak_with_an_error_new_for_the_test_is_a_regression():
    prior = runs(SEVENTY, sig="USUAL")
    f = failure(sig="NEW")
    f.history = prior + runs("FFFF", first=len(prior) + 1, sig="NEW")
    item = triage_failure(f, len(f.history) + 1)
    assert item.evidence.streak_chance >= ORDINARY_STREAK
    assert (item.suggestion, item.kind) == (REAL, "regression")


def test_a_real_mark_still_pins_an_ordinary_streak_real():
    history = SEVENTY + "FFFF"
    mark = PastVerdict(30, "S", REAL, "bob", 1)
    item = judge(failure(history, verdicts=(mark,)), history)
    assert (item.suggestion, item.kind) == (REAL, "marked-real")


def test_a_noise_mark_makes_an_ordinary_streak_noise():
    history = ("PPPFF" + "PPPPF") * 6 + "P" + "FF"  # failing 30%, now and then twice in a row
    mark = PastVerdict(30, "S", NOISE, "alice", 1)
    item = judge(failure(history, verdicts=(mark,)), history)
    assert item.evidence.streak_chance >= ORDINARY_STREAK
    assert item.suggestion == NOISE
    assert item.reasons[2] == "marked noise by alice in #30 for this error"


def test_an_ordinary_streak_that_passed_on_the_same_commit_is_noise():
    history = SEVENTY + "FF"
    passed = (Run(70, Outcome.PASSED, "c" * 40),)
    item = judge(failure(history, same_revision=passed), history)
    assert (item.suggestion, item.kind) == (NOISE, "same-commit")
    assert item.reasons[0] == "passed on the same commit ccccccc in #70"


# --- symptom 2: a burst taken for a regression -------------------------------------------------


def test_a_burst_of_the_tests_usual_error_is_no_regression_when_the_error_comes_back():
    # Flaky with this error (gone by the next build each time), then #146-#148 failed in a row.
    history = ("P" * 19 + "F") * 7 + "PPPPP" + "FFF" + "P" * 10
    item = judge(failure(history), history)
    assert item.evidence.regressed_signature is None
    assert item.evidence.bursts == ((146, 148),)
    assert item.suggestion == NOISE
    assert not any("regression" in r for r in item.reasons)
    assert 146 in item.evidence.seen_signature


def test_the_flaky_ranking_tells_bursts_from_short_failures():
    history = ("P" * 19 + "F") * 7 + "PPPPP" + "FFF" + "P" * 10
    (ranked,) = rank([(1, "com.acme.CartTest", "total", runs(history))], len(history))
    assert "7 short failures that went away by the next build" in ranked.reasons
    assert "1 burst of failures that ended by themselves (latest #146–#148)" in ranked.reasons


def test_a_past_failure_run_that_passed_on_one_of_its_commits_ended_by_itself():
    history = "P" * 40 + "FFF" + "P" * 20
    f = failure()
    before = runs(history)
    # #44 passed on the commit #43 failed on: a retry, no fix.
    f.history = (*before[:43], before[43]._replace(revision=before[42].revision), *before[44:])
    item = triage_failure(f, number_after(history))
    assert item.evidence.regressed_signature is None and item.evidence.bursts == ((41, 43),)
    assert item.suggestion != REAL
    assert not any("regression" in r for r in item.reasons)


def test_a_past_failure_run_unlikely_for_the_test_stays_a_regression():
    # Never failed otherwise, and nothing shows the run ended by itself: it was fixed.
    history = "P" * 20 + "FFFFF" + "P" * 20
    ev = gather(failure(history), number_after(history))
    assert ev.regressed_signature == (21, 25) and ev.bursts == ()


def test_a_past_failure_run_ordinary_for_a_very_flaky_test_is_a_burst():
    history = SEVENTY + "FFFFF" + "PP"
    f = failure(history, history_sig="OTHER")  # a burst of another error: still a burst
    ev = gather(f, number_after(history))
    assert ev.regressed_signature is None
    assert (62, 66) in ev.bursts


# --- a group failing together ------------------------------------------------------------------


def _letters(length: int, failing: set[int]) -> str:
    return "".join("F" if n in failing else "P" for n in range(1, length + 1))


def _pair(mate_alone=(170, 185)):
    together = {20, 30, 40}
    a = failure(_letters(200, together), test_id=1, sig="FIX", name="a")
    b = failure(_letters(200, together | set(mate_alone)), test_id=2, sig="FIX", name="b")
    return a, b


def test_a_mates_failures_with_the_shared_error_count_for_the_member():
    a, b = _pair()
    assert triage_failure(a, 201).suggestion == UNSURE  # alone: three old blips
    result = triage_build(BuildContext("app", 201), [a, b])
    member = next(t for t in result.failures if t.failure.test_id == 1)
    assert member.evidence.group_mates == (b.test,)
    assert member.evidence.group_together == (20, 30, 40)
    assert member.evidence.group_shared == (170, 185)
    assert member.suggestion == NOISE
    assert (
        "fails together with InvoiceTest.b (a shared fixture?): together in #20, #30, #40; "
        "this error gone by the next build in #170, #185"
    ) in member.reasons


def test_a_groups_co_failure_counts_once_however_many_mates_failed():
    a, b = _pair()
    c = failure(_letters(200, {20, 30, 40, 170, 185}), test_id=3, sig="FIX", name="c")
    two = triage_build(BuildContext("app", 201), [a, b]).failures[0].evidence
    three = triage_build(BuildContext("app", 201), [a, b, c]).failures[0].evidence
    assert three.recovered == two.recovered and three.score == two.score
    assert len(three.group_mates) == 2


def test_tests_failing_together_only_by_chance_are_no_group():
    a = failure("FP" * 100, test_id=1, sig="A", name="a")
    b = failure("FFPP" * 50, test_id=2, sig="B", name="b")  # 50 of 200 together: chance
    result = triage_build(BuildContext("app", 201), [a, b])
    assert all(not t.evidence.group_mates for t in result.failures)


def test_a_mates_other_errors_are_no_evidence_for_the_member():
    a, b = _pair()
    b.history = tuple(r._replace(signature="OTHER") for r in b.history)
    member = triage_build(BuildContext("app", 201), [a, b]).failures[0]
    assert member.evidence.group_mates and member.evidence.group_shared == ()
    assert member.suggestion == UNSURE


def test_a_real_mark_pins_a_group_member_real():
    a, b = _pair()
    a.verdicts = (PastVerdict(40, "FIX", REAL, "bob", 1),)
    member = triage_build(BuildContext("app", 201), [a, b]).failures[0]
    assert (member.suggestion, member.kind) == (REAL, "marked-real")


# --- a shared fixture broken by a change --------------------------------------------------------


def _fixture_break(frame: str | None, count: int = 8):
    items = []
    for i in range(count):
        item = failure(
            "P" * 60,
            test_id=100 + i,
            sig="NPE",
            message='Cannot invoke "Repo.find(long)" because "this.repo" is null',
            type_="java.lang.NullPointerException",
            classname=f"com.acme.billing.Case{i}Test",
        )
        item.frame = frame
        items.append(item)
    return items


def test_an_unknown_error_thrown_in_the_projects_own_code_in_many_tests_is_real():
    result = triage_build(
        BuildContext("app", 61), _fixture_break("com.acme.billing.Fixtures.setUp")
    )
    (cluster,) = result.clusters
    assert cluster.suggestion == REAL
    assert cluster.members[0].reasons[1] == (
        "thrown in this project's own code (com.acme.billing.Fixtures.setUp), not by infrastructure"
    )


@pytest.mark.parametrize(
    "frame", [None, "org.hibernate.internal.SessionImpl.find", "Fixtures.setUp"]
)
def test_an_unknown_error_from_a_library_or_without_a_trace_stays_unsure(frame):
    (cluster,) = triage_build(BuildContext("app", 61), _fixture_break(frame)).clusters
    assert cluster.suggestion == UNSURE


def _fixture_history(store, frame: str = "com.acme.orders.Fixtures.setUp") -> None:
    """Twenty builds of six tests; in #20 all six fail with one error thrown at `frame`."""

    def results(number: int) -> list[TestResult]:
        out = []
        for i in range(6):
            attempts = ()
            outcome = Outcome.PASSED
            if number == 20:
                outcome = Outcome.ERROR
                message = "Cannot invoke Repo.find() because repo is null"
                trace = (
                    f"java.lang.NullPointerException: {message}\n"
                    f"\tat {frame}(Fixtures.java:12)\n"
                    f"\tat com.acme.orders.Case{i}Test.setUp(Case{i}Test.java:8)"
                )
                attempts = (Attempt("error", "java.lang.NullPointerException", message, trace),)
            out.append(TestResult(f"com.acme.orders.Case{i}Test", "t", outcome, attempts=attempts))
        return out

    for number in range(1, 21):
        info = BuildInfo("app", number, revision=f"{number:040x}", timestamp_ms=number * 60_000)
        import_build(store, info, results(number))


@pytest.mark.parametrize(
    ("frame", "expected"),
    [("com.acme.orders.Fixtures.setUp", REAL), ("org.hibernate.internal.SessionImpl.find", UNSURE)],
)
def test_a_report_judges_a_fixture_break_as_triage_failures_does(store, frame, expected):
    _fixture_history(store, frame)
    (job,) = collect(store, ReportFilters(jobs=("app",)), 0).jobs
    assert {f.suggestion for f in job.failures} == {expected}
    assert [c.suggestion for c in triage(store, "app", 20).clusters] == [expected]


def test_the_store_reads_the_frame_from_the_stored_trace(store):
    _fixture_history(store)
    result = triage(store, "app", 20)
    assert result.failures[0].failure.frame == "com.acme.orders.Fixtures.setUp"
    assert [c.suggestion for c in result.clusters] == [REAL]
