"""`decide.blocking_failures`: the failures that speak against a proceed, from the history."""

from __future__ import annotations

import pytest

from triage.decide import blocking_failures
from triage.domain import Attempt, BuildInfo, Outcome, TestResult
from triage.errors import NotFoundError
from triage.store.importer import import_build
from triage.triage_build import mark, triage

TESTS = ("com.acme.CartTest.total", "com.acme.CartTest.tax", "com.acme.PayTest.refund")


def _result(test: str, failed: bool) -> TestResult:
    classname, name = test.rsplit(".", 1)
    if not failed:
        return TestResult(classname, name, Outcome.PASSED)
    attempt = Attempt("failure", "java.lang.AssertionError", f"{name} expected:<1> but was:<2>",
                      f"java.lang.AssertionError\n\tat com.acme.{name}(X.java:1)")
    return TestResult(classname, name, Outcome.FAILED, attempts=(attempt,))


@pytest.fixture
def history(store):
    """Six green builds, then #7 where all three tests fail for the first time (real)."""
    for number in range(1, 8):
        info = BuildInfo("app", number, revision=f"{number:07x}", branch="main")
        import_build(store, info, [_result(t, number == 7) for t in TESTS])
    return store


def test_new_failures_block_unless_marked_noise(history):
    assert {t.suggestion for t in triage(history, "app", 7).failures} == {"real"}
    mark(history, "app", 7, "noise", test=TESTS[1], who="bob", note="known, ticket 12")
    mark(history, "app", 7, "real", test=TESTS[2], who="alice", note="refunds broke")
    found = {b.test: b for b in blocking_failures(history, "local", "app", 7)}
    assert set(found) == {TESTS[0], TESTS[2]}
    assert found[TESTS[0]].verdict is None and found[TESTS[0]].suggestion == "real"
    assert "no failure in 6 earlier runs" in found[TESTS[0]].reason
    refund = found[TESTS[2]]
    assert (refund.verdict, refund.verdict_by, refund.verdict_note) == (
        "real", "alice", "refunds broke")
    assert refund.reason == "marked real by alice: refunds broke"


def test_a_mark_real_blocks_whatever_the_engine_suggests(history):
    mark(history, "app", 7, "noise", test=TESTS[0], who="bob")
    mark(history, "app", 7, "noise", test=TESTS[1], who="bob")
    mark(history, "app", 7, "noise", test=TESTS[2], who="bob")
    assert blocking_failures(history, "local", "app", 7) == []
    mark(history, "app", 7, "real", test=TESTS[0], who="carol")
    (only,) = blocking_failures(history, "local", "app", 7)
    assert (only.test, only.reason) == (TESTS[0], "marked real by carol")


def test_a_green_build_blocks_nothing_and_a_missing_one_is_not_found(history):
    assert blocking_failures(history, "local", "app", 6) == []
    with pytest.raises(NotFoundError):
        blocking_failures(history, "local", "app", 8)
