"""The gate's rules on real histories: when it may pass (exit 0) and every "never 0" rule."""

from __future__ import annotations

import pytest
from gate_histories import (
    CLASS,
    STABLE,
    add_build,
    failed,
    flaky_history,
    names,
    outage_failure,
    scattered,
)

from triage.domain import Attempt, Outcome, TestResult
from triage.gate import EXIT_ASK, EXIT_PASS, judge
from triage.gate_policy import Policy
from triage.store.gates import ASK, PASS
from triage.triage_build import mark

BUILDS = 30
FLAKY = {"flakyA": scattered(2, BUILDS), "flakyB": scattered(4, BUILDS)}
TESTS = [*STABLE, *FLAKY]
NEXT = BUILDS + 1


@pytest.fixture
def history(store):
    """30 builds: 20 stable tests, two flaky ones failing now and then with their own error."""
    flaky_history(store, BUILDS, FLAKY)
    return store


def gate(store, failures, *, policy=None, **kw):
    add_build(store, NEXT, failures, tests=TESTS, **kw)
    return judge(store, "app", NEXT, policy=policy)


def blocking(result) -> dict[str, str]:
    return {f.item.failure.name: f.needs_human for f in result.blocking}


# --- when the gate passes -------------------------------------------------------------------


def test_a_green_build_passes(history):
    result = gate(history, {})
    assert (result.outcome, result.exit_code) == (PASS, EXIT_PASS)
    assert result.reasons == ["no failures in 22 tests"]
    assert all(c.held for c in result.checks)


def test_known_flaky_failures_with_their_usual_errors_pass(history):
    result = gate(history, {"flakyA": failed("flakyA"), "flakyB": failed("flakyB")})
    assert result.exit_code == EXIT_PASS
    assert [f.noise_by for f in result.failures] == ["known flaky with this error"] * 2
    assert result.reasons == ["every failure is noise (2 known flaky with this error)"]


def test_a_failure_that_passed_on_the_same_commit_passes(history):
    sha = "ab12cd3" + "0" * 33
    add_build(history, NEXT, {}, tests=TESTS, sha=sha)
    add_build(history, NEXT + 1, {"stableA": failed("stableA")}, tests=TESTS, sha=sha)
    result = judge(history, "app", NEXT + 1)
    assert result.exit_code == EXIT_PASS
    assert [f.noise_by for f in result.failures] == ["passed on the same commit"]


def test_a_humans_noise_mark_on_the_failure_is_the_decision(history):
    add_build(history, NEXT, {"stableA": failed("stableA", "expected:<1> but was:<5>")},
              tests=TESTS)
    assert judge(history, "app", NEXT).exit_code == EXIT_ASK  # new: a human must look...
    mark(history, "app", NEXT, "noise", test="com.acme.shop.CartTest.stableA", who="alice",
         note="known infra hiccup")
    result = judge(history, "app", NEXT)  # ...and once one has, the gate lets it through
    assert result.exit_code == EXIT_PASS
    assert [f.noise_by for f in result.failures] == ["marked noise on this build"]


def test_a_noise_mark_on_the_same_error_before_counts_as_noise(history):
    message = "expected:<1> but was:<5>"
    add_build(history, NEXT, {"stableA": failed("stableA", message)}, tests=TESTS)
    mark(history, "app", NEXT, "noise", test="com.acme.shop.CartTest.stableA", who="bob")
    for n in range(NEXT + 1, NEXT + 6):
        add_build(history, n, {}, tests=TESTS)
    add_build(history, NEXT + 6, {"stableA": failed("stableA", message)}, tests=TESTS)
    result = judge(history, "app", NEXT + 6)
    assert result.exit_code == EXIT_PASS
    assert [f.noise_by for f in result.failures] == ["marked noise before for this error"]


# --- never 0 ---------------------------------------------------------------------------------


def test_never_when_a_failure_is_new(history):
    result = gate(history, {"flakyA": failed("flakyA"),
                            "stableC": failed("stableC", "expected:<7> but was:<8>")})
    assert (result.outcome, result.exit_code) == (ASK, EXIT_ASK)
    assert blocking(result) == {"stableC": "new failure"}
    assert result.reasons == ["1 of 2 failures needs a human: 1 new failure (CartTest.stableC)"]


def test_never_when_a_failure_is_unsure(history):
    # A test added three builds ago: too little history to call its first failure anything.
    young = "youngTest"
    for n in range(NEXT, NEXT + 3):
        add_build(history, n, {}, tests=[*TESTS, young])
    add_build(history, NEXT + 3, {young: failed(young)}, tests=[*TESTS, young])
    result = judge(history, "app", NEXT + 3)
    assert result.exit_code == EXIT_ASK
    assert blocking(result) == {young: "unsure"}


def test_never_when_a_failure_is_suggested_real(history):
    broken = {"stableB": failed("stableB", "expected:<EUR 12.00> but was:<EUR 12.01>")}
    add_build(history, NEXT, broken, tests=TESTS)
    add_build(history, NEXT + 1, broken, tests=TESTS)
    add_build(history, NEXT + 2, broken, tests=TESTS)
    result = judge(history, "app", NEXT + 2)
    assert result.exit_code == EXIT_ASK
    assert blocking(result) == {"stableB": "suggested real"}
    assert result.failures[0].detail.startswith(f"failing since #{NEXT}")


def test_never_when_the_failure_is_marked_real_on_this_build(history):
    add_build(history, NEXT, {"flakyA": failed("flakyA")}, tests=TESTS)
    assert judge(history, "app", NEXT).exit_code == EXIT_PASS
    mark(history, "app", NEXT, "real", test="com.acme.shop.CartTest.flakyA", who="alice")
    result = judge(history, "app", NEXT)
    assert result.exit_code == EXIT_ASK
    assert blocking(result) == {"flakyA": "marked real on this build"}


def test_never_when_the_error_was_marked_real_before(history):
    # flakyA's usual error was once marked real (by someone who saw a real bug behind it).
    mark(history, "app", 26, "real", test="com.acme.shop.CartTest.flakyA", who="carol")
    result = gate(history, {"flakyA": failed("flakyA")})
    assert result.exit_code == EXIT_ASK
    assert blocking(result) == {"flakyA": "marked real before"}


def test_never_when_a_failure_is_in_a_suspicious_cluster(history):
    # A known-flaky test failing with an error new for it: that may be a real break.
    result = gate(history, {"flakyA": failed("flakyA", "NullPointerException in Cart.total",
                                             kind="java.lang.NullPointerException")})
    assert result.exit_code == EXIT_ASK
    assert blocking(result) == {"flakyA": "suspicious"}
    assert result.failures[0].cluster.kind == "suspicious"


def _bound_port(name: str) -> TestResult:
    """A port already bound in the shared server set-up: one error in every test it strikes."""
    message = "Failed to bind to 0.0.0.0/0.0.0.0:41234: Address already in use"
    trace = (f"java.net.BindException: {message}\n\tat io.netty.bootstrap.AbstractBootstrap.bind"
             f"(AbstractBootstrap.java:260)\n\tat {CLASS}.setUp(CartTest.java:9)")
    attempt = Attempt("error", "java.net.BindException", message, trace)
    return TestResult(CLASS, name, Outcome.ERROR, 0.1, attempts=(attempt,))


def test_never_on_noise_that_only_the_errors_history_in_other_tests_shows(store):
    # flakyA and flakyB met the bound port now and then and got over it; stableC never failed.
    for n in range(1, NEXT):
        failing = {name: _bound_port(name) for name, at in FLAKY.items() if n in at}
        add_build(store, n, failing, tests=TESTS)
    result = gate(store, {"stableC": _bound_port("stableC")})
    (failure,) = result.failures
    assert (failure.item.suggestion, failure.item.kind) == ("noise", "flaky-error")
    assert result.exit_code == EXIT_ASK  # a test with no flaky history of its own: ask
    assert blocking(result) == {"stableC": "noise on evidence the gate does not take"}


def test_never_when_an_outage_struck_even_if_it_reads_as_noise(history):
    down = {name: outage_failure(name) for name in STABLE[:8]}
    result = gate(history, down)
    assert result.failures[0].cluster.suggestion == "noise"  # the engine: infrastructure
    assert result.exit_code == EXIT_ASK  # the gate: those tests did not really run
    assert set(blocking(result).values()) == {"in an outage"}


def test_never_when_the_history_is_too_short(store):
    flaky_history(store, 14, {"flakyA": {2, 6, 10}}, tests=STABLE)
    add_build(store, 15, {"flakyA": failed("flakyA")}, tests=[*STABLE, "flakyA"])
    result = judge(store, "app", 15)
    assert result.failures[0].noise_by == "known flaky with this error"  # noise, but...
    assert result.exit_code == EXIT_ASK
    assert result.reasons == ["only 14 earlier builds with test results: too short to know "
                              "(the policy needs 20)"]
    # The floor of 10 is what a policy may loosen it to, not below (see test_gate_policy).
    assert judge(store, "app", 15, policy=Policy(min_history=10)).exit_code == EXIT_PASS


def test_never_when_a_failing_test_has_too_little_history_of_its_own(history):
    # A pass on the same commit is noise to the engine, but this test ran only twice before.
    sha = "cd34ef5" + "0" * 33
    young = "youngTest"
    add_build(history, NEXT, {}, tests=[*TESTS, young], sha=sha)
    add_build(history, NEXT + 1, {}, tests=[*TESTS, young])
    add_build(history, NEXT + 2, {young: failed(young)}, tests=[*TESTS, young], sha=sha)
    result = judge(history, "app", NEXT + 2)
    assert result.failures[0].item.suggestion == "noise"
    assert result.exit_code == EXIT_ASK
    assert blocking(result) == {young: "with too little history"}


def test_never_when_the_build_failed_for_another_reason(history):
    result = gate(history, {"flakyA": failed("flakyA")}, result="FAILURE")
    assert result.exit_code == EXIT_ASK
    assert result.reasons == [f"#{NEXT} is FAILURE: something besides the tests failed"]


def test_never_before_the_tests_were_recorded(history):
    add_build(history, NEXT, {}, tests=(), building=True, result="SUCCESS")
    result = judge(history, "app", NEXT)
    assert result.exit_code == EXIT_ASK
    assert result.reasons[0].startswith(f"#{NEXT} has no test results: the tests have not "
                                        "run yet or were not recorded")


def test_never_when_part_of_the_history_could_not_be_read(history):
    add_build(history, NEXT, {}, tests=TESTS)
    result = judge(history, "app", NEXT, unread=["#12: Jenkins answered 500"])
    assert result.exit_code == EXIT_ASK
    assert result.reasons == ["1 earlier build could not be read from Jenkins: the history is "
                              "incomplete"]


# --- a real failure among twenty noise failures -------------------------------------------


NOISY = names("flaky", 20)


@pytest.fixture
def noisy(store):
    """40 builds of 20 stable and 20 flaky tests, each flaky one failing every 5th build."""
    flaky_history(store, 40, {n: scattered(1 + i % 5, 40, every=5) for i, n in enumerate(NOISY)})
    return store


def test_a_real_failure_hiding_among_twenty_noise_failures_asks(noisy):
    failures = {n: failed(n) for n in NOISY}
    failures["stableD"] = failed("stableD", "expected:<EUR 9.99> but was:<EUR 10.00>")
    add_build(noisy, 41, failures, tests=[*STABLE, *NOISY])
    result = judge(noisy, "app", 41, policy=Policy(max_noise=50))  # the count is no excuse
    assert result.exit_code == EXIT_ASK
    assert len(result.noise) == 20 and blocking(result) == {"stableD": "new failure"}
    assert result.reasons == ["1 of 21 failures needs a human: 1 new failure (CartTest.stableD)"]
    # The summary leads with it, above the twenty noise failures.
    assert "1 new failure (CartTest.stableD)" in result.summary.splitlines()[0]
    assert result.summary.index("stableD") < result.summary.index("flakyA")


def test_the_same_twenty_noise_failures_alone_pass_a_loose_enough_policy(noisy):
    add_build(noisy, 41, {n: failed(n) for n in NOISY}, tests=[*STABLE, *NOISY])
    assert judge(noisy, "app", 41, policy=Policy(max_noise=50)).exit_code == EXIT_PASS
    default = judge(noisy, "app", 41)
    assert default.exit_code == EXIT_ASK
    assert default.reasons == ["20 noise failures, more than the policy's max_noise 10"]


def test_a_flaky_test_failing_oddly_among_twenty_noise_failures_asks(noisy):
    failures = {n: failed(n) for n in NOISY}
    failures["flakyK"] = failed("flakyK", "IllegalStateException: cart is closed",
                                kind="java.lang.IllegalStateException")
    add_build(noisy, 41, failures, tests=[*STABLE, *NOISY])
    result = judge(noisy, "app", 41, policy=Policy(max_noise=50))
    assert result.exit_code == EXIT_ASK
    assert blocking(result) == {"flakyK": "suspicious"}
