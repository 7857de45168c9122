"""An error's history in other tests: the same error come and gone again and again elsewhere
makes a first failure noise; a regression's error, however worded, never counts."""

from __future__ import annotations

from flaky_builders import failure, runs

from triage.domain import Attempt, BuildInfo, Outcome, TestResult
from triage.flakiness.clusters import triage_build
from triage.flakiness.elsewhere import came_and_went
from triage.flakiness.model import NOISE, REAL, UNSURE, BuildContext, PastVerdict, SignatureSpread
from triage.report import ReportFilters
from triage.report.collect import collect
from triage.store.importer import import_build
from triage.triage_build import mark, triage

CLEAN = "P" * 60


def _letters(length: int, failing: dict[int, str]) -> str:
    return "".join(failing.get(n, "P") for n in range(1, length + 1))


def _spread(*histories: str, sig: str = "S") -> SignatureSpread:
    """Return the spread of `sig` with other tests 101, 102... whose runs are `histories`."""
    tests = tuple((101 + i, runs(h, sig=sig)) for i, h in enumerate(histories))
    return SignatureSpread(sig, (), tests)


def _judge(item, spread: SignatureSpread | None, number: int | None = None):
    number = number or len(item.history) + 1
    spreads = {spread.signature: spread} if spread else {}
    return triage_build(BuildContext("app", number), [item], spreads).failures[0]


# --- what counts as coming and going ------------------------------------------------------------


def test_short_failures_of_other_tests_that_passed_next_count_once_per_time():
    spread = _spread(_letters(60, {10: "F", 30: "F", 31: "F"}), _letters(60, {11: "F", 45: "R"}))
    # 10 and 11 touch: one time; 30-31 two builds, then a pass; 45 passed on a rerun.
    assert came_and_went(failure(CLEAN), spread) == (10, 30, 45)


def test_a_regression_in_another_test_never_counts_even_when_its_wording_varies():
    # Failing #20-#25 until the fix, with the error worded differently in #21 and #23 (a
    # number in the message that reads like an HTTP status): each exact error looks short.
    other = runs(_letters(60, {n: "F" for n in range(20, 26)}))
    varied = tuple(r._replace(signature="S2") if r.number in (21, 23) else r for r in other)
    counts = tuple((n, 1) for n in (20, 22, 24, 25))
    spread = SignatureSpread("S", counts, ((101, varied),))
    assert came_and_went(failure(CLEAN), spread) == ()
    assert _judge(failure(CLEAN), spread).suggestion == REAL


def test_a_failure_still_going_the_own_test_and_outages_do_not_count():
    going = _letters(60, {59: "F", 60: "F"})  # no pass since: not over
    own = (1, runs(_letters(60, {10: "F", 30: "F"})))
    outage = runs(_letters(60, {40: "F"}))
    outage = tuple(r._replace(mass=True) if r.number == 40 else r for r in outage)
    spread = SignatureSpread("S", (), ((101, runs(going)), own, (102, outage)))
    assert came_and_went(failure(CLEAN), spread) == ()


def test_another_error_in_another_test_does_not_count():
    assert came_and_went(failure(CLEAN), _spread(_letters(60, {10: "F", 30: "F"}), sig="T")) == ()


# --- what it leads to ---------------------------------------------------------------------------


def test_a_first_failure_with_an_error_other_tests_got_over_twice_is_noise():
    spread = _spread(_letters(60, {12: "F"}), _letters(60, {30: "F", 31: "F", 50: "F"}))
    assert _judge(failure(CLEAN), None).suggestion == REAL  # alone: a new failure
    item = _judge(failure(CLEAN), spread)
    assert (item.suggestion, item.kind, item.cluster_id) == (NOISE, "flaky-error", "flaky")
    assert item.reasons[0] == (
        "this error struck other tests and went away by itself in #12, #30, #50 (passed on "
        "rerun or within two builds): a flaky error, whoever meets it"
    )
    assert item.reasons[1] == "no failure in 60 earlier runs (likely under 6.0%)"


def test_once_is_not_enough_a_short_regression_of_several_tests_looks_like_that():
    spread = _spread(_letters(60, {30: "F"}), _letters(60, {30: "F"}), _letters(60, {31: "F"}))
    item = _judge(failure(CLEAN), spread)
    assert item.suggestion == REAL
    assert item.evidence.elsewhere == (30,)


def test_a_flaky_test_failing_with_an_error_new_for_it_but_flaky_elsewhere_is_noise():
    history = _letters(60, {10: "F", 25: "F", 40: "F"})
    item = failure(history, history_sig="OTHER")
    assert _judge(item, None).suggestion == REAL  # "this error is new for it"
    spread = _spread(_letters(60, {5: "F", 33: "R"}))
    assert _judge(item, spread).suggestion == NOISE


def test_too_little_history_or_a_real_mark_still_decides():
    spread = _spread(_letters(60, {12: "F", 30: "F"}))
    assert _judge(failure("PPP"), spread, 61).suggestion == UNSURE
    marked = failure(CLEAN, verdicts=(PastVerdict(20, "S", REAL, at=1),))
    assert _judge(marked, spread).suggestion == REAL


def test_a_possible_streak_of_a_known_flaky_test_is_noise_when_its_error_is_flaky_elsewhere():
    # Flaky with this error (three blips), failing in #60 and again now: possible for this
    # test (chance 1-5%) but not ordinary, so unsure on its own history.
    history = ("P" * 14 + "F") * 4
    item = failure(history)
    alone = _judge(item, None)
    assert (alone.suggestion, alone.kind) == (UNSURE, "suspicious")
    assert 0.01 <= alone.evidence.streak_chance < 0.05
    spread = _spread(_letters(61, {7: "F", 22: "F", 50: "R"}))
    judged = _judge(item, spread)
    assert (judged.suggestion, judged.kind) == (NOISE, "flaky-error")  # the gate asks for it
    assert judged.reasons[2].startswith("this error struck other tests and went away by itself")


def test_an_improbable_streak_stays_a_regression_whatever_happened_elsewhere():
    history = CLEAN + "FF"
    spread = _spread(_letters(62, {12: "F", 30: "F", 44: "F"}))
    assert _judge(failure(history), spread).suggestion == REAL


# --- through the store and the report -----------------------------------------------------------

BIND = "Failed to bind to 0.0.0.0/0.0.0.0:{port}: Address already in use"


def _result(name: str, outcome: Outcome, port: int) -> TestResult:
    attempts = ()
    if outcome is not Outcome.PASSED:
        message = BIND.format(port=port)
        trace = (
            f"java.net.BindException: {message}\n"
            "\tat io.netty.bootstrap.AbstractBootstrap.bind(AbstractBootstrap.java:260)\n"
            f"\tat com.acme.{name.title()}Test.setUp({name.title()}Test.java:31)"
        )
        attempts = (Attempt("error", "java.net.BindException", message, trace),)
    return TestResult(f"com.acme.{name.title()}Test", name, outcome, attempts=attempts)


def _bind_history(store) -> None:
    """40 builds of three tests: `cart` and `order` fail with a bound port in #8 and #20 and
    pass next time; `stock`, clean until then, meets the same error in #40."""
    failing = {("cart", 8), ("order", 20), ("stock", 40)}
    for number in range(1, 41):
        results = [
            _result(name, Outcome.ERROR if (name, number) in failing else Outcome.PASSED,
                    30000 + number)
            for name in ("cart", "order", "stock")
        ]
        info = BuildInfo("app", number, revision=f"{number:040x}", branch="main",
                         timestamp_ms=1_790_000_000_000 + number * 3_600_000)
        import_build(store, info, results)


def test_triage_failures_reads_the_other_tests_runs_from_the_history(store):
    _bind_history(store)
    (item,) = triage(store, "app", 40).failures
    assert item.failure.name == "stock"
    assert (item.suggestion, item.kind) == (NOISE, "flaky-error")
    assert item.reasons[0].startswith("this error struck other tests and went away by itself in "
                                      "#8, #20 ")


def test_the_report_judges_it_the_same_from_a_window_after_the_other_failures(store):
    _bind_history(store)
    since = 1_790_000_000_000 + 30 * 3_600_000  # the window starts at #30: #8 and #20 before
    (job,) = collect(store, ReportFilters(jobs=("app",), since_ms=since), 0).jobs
    (judged,) = job.failures
    assert judged.suggestion == NOISE == triage(store, "app", 40).failures[0].suggestion


def test_a_failure_a_person_marked_real_is_no_flake_another_test_got_over(store):
    _bind_history(store)
    mark(store, "app", 8, REAL, test="com.acme.CartTest.cart", who="ann", clock=lambda: 1.0)
    (item,) = triage(store, "app", 40).failures
    assert item.evidence.elsewhere == (20,)  # once is not enough
    assert item.suggestion == REAL
    since = 1_790_000_000_000 + 30 * 3_600_000
    (job,) = collect(store, ReportFilters(jobs=("app",), since_ms=since), 0).jobs
    assert [f.suggestion for f in job.failures] == [REAL]
