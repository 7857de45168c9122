"""Jenkins `{run}/testReport/api/json` -> results, and the tree= expression the client sends."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from triage.domain import Attempt, Outcome
from triage.errors import JenkinsBadResponse
from triage.jenkins.schema import ReportJson, convert
from triage.junit.jenkins_json import REPORT_TREE, results_from_report

FIXTURE = Path(__file__).parent / "fixtures" / "junit" / "jenkins-testReport.json"


@pytest.fixture
def results():
    data = convert(json.loads(FIXTURE.read_text()), ReportJson, "fixture")
    return {r.name: r for r in results_from_report(data)}


def test_statuses_map_to_outcomes(results):
    assert results["addsItem"].outcome is Outcome.PASSED
    assert results["totals"].outcome is Outcome.PASSED  # FIXED
    assert results["removesItem"].outcome is Outcome.FAILED  # REGRESSION
    assert results["discounts"].outcome is Outcome.SKIPPED
    assert results["test_old_plugin"].outcome is Outcome.FAILED  # unknown status, has a trace


def test_failure_details_duration_and_output(results):
    failed = results["removesItem"]
    assert failed.attempts[0] == Attempt(
        "failure", None, "expected:<1> but was:<2>",
        "java.lang.AssertionError: expected:<1> but was:<2>\n"
        "\tat com.example.CartTest.removesItem(CartTest.java:31)")
    assert (failed.duration, failed.suite, failed.file) == (0.12, "com.example.CartTest", None)
    assert (failed.stdout, failed.stderr) == ("removing item 7", "warn: cart locked")
    assert results["addsItem"].stdout is None  # passing output is dropped, as for XML
    assert results["discounts"].attempts == (Attempt("skipped", None, "needs pricing service"),)


def test_retry_counts_from_newer_junit_plugins(results):
    assert (results["removesItem"].reruns, len(results["removesItem"].attempts)) == (2, 3)
    checkout = results["checkout"]
    assert (checkout.outcome, checkout.reruns) == (Outcome.FLAKY, 3)
    assert checkout.attempts == (Attempt("flakyFailure"),) * 3


def test_duplicate_cases_merge_like_xml(results):
    login = results["test_login"]
    assert (login.outcome, login.reruns, login.duration) == (Outcome.FLAKY, 1, 0.4)
    assert login.attempts[0].message == "ConnectionError: reset"


def test_bad_values_are_tolerated(results):
    assert results["test_no_class"].classname == "tests.test_api"
    assert results["test_no_class"].duration is None
    assert results["test_old_plugin"].duration is None


def test_never_an_error_outcome_from_json(results):
    assert all(r.outcome is not Outcome.ERROR for r in results.values())


def test_empty_report():
    assert results_from_report({"suites": []}) == []
    assert results_from_report({"suites": [{"name": "s", "cases": []}]}) == []


@pytest.mark.parametrize("data, words", [
    ([], "Expected `object`, got `array`"),
    ({"failCount": 1}, "'suites'"),
    ({"childReports": []}, "aggregated"),
    ({"suites": ["x"]}, "at `$.suites[0]`"),
    ({"suites": None}, "'suites'"),
    ({"suites": [None]}, "at `$.suites[0]`"),
    ({"suites": [{"name": "s", "cases": "nope"}]}, "at `$.suites[0].cases`"),
    ({"suites": [{"name": "s", "cases": [3]}]}, "at `$.suites[0].cases[0]`"),
    ({"suites": [{"name": "s", "cases": [None]}]}, "at `$.suites[0].cases[0]`"),
    ({"suites": [{"name": "s", "cases": [{"name": "t", "duration": "fast"}]}]},
     "Expected `float | null`, got `str` - at `$.suites[0].cases[0].duration`"),
    ({"suites": [{"name": "s", "cases": [{"name": "t", "status": ["PASSED"]}]}]},
     "at `$.suites[0].cases[0].status`"),
    ({"suites": [{"name": "s", "cases": [{"name": 7}]}]}, "at `$.suites[0].cases[0].name`"),
    ({"suites": [{"name": "s", "cases": [{"name": "t", "skipped": "yes"}]}]},
     "at `$.suites[0].cases[0].skipped`"),
    ({"suites": [{"name": "s", "cases": [{"name": "t", "flakyFailures": 2}]}]},
     "at `$.suites[0].cases[0].flakyFailures`"),
    ({"suites": [{"name": ["s"], "cases": []}]}, "at `$.suites[0].name`"),
])
def test_wrong_shapes_raise_bad_response(data, words):
    with pytest.raises(JenkinsBadResponse) as info:
        results_from_report(convert(data, ReportJson, "http://ci/job/app/1/testReport/api/json"))
    assert words in info.value.message
    assert "\n" not in info.value.message


def _tree_fields(tree: str) -> dict[str, set[str]]:
    """Return {parent: {child fields}} for a Stapler tree expression like a[b,c[d]]."""
    fields: dict[str, set[str]] = {}
    stack, last = [""], ""
    for token in re.findall(r"[A-Za-z_]+|\[|\]|,", tree):
        if token == "[":
            stack.append(last)
        elif token == "]":
            stack.pop()
        elif token != ",":
            fields.setdefault(stack[-1], set()).add(token)
            last = token
    assert stack == [""]
    return fields


def test_report_tree_names_exactly_the_fields_read():
    fields = _tree_fields(REPORT_TREE)
    assert fields[""] == {"suites"}
    assert fields["suites"] == {"name", "cases"}
    source = (Path(__file__).parents[1] / "triage" / "junit" / "jenkins_json.py").read_text()
    read = set(re.findall(r'case\.get\("(\w+)"\)', source))
    assert read == fields["cases"]
    assert set(re.findall(r'suite\.get\("(\w+)"\)', source)) == fields["suites"]


def test_fixture_uses_only_requested_fields():
    fields = _tree_fields(REPORT_TREE)
    data = json.loads(FIXTURE.read_text())
    for suite in data["suites"]:
        assert set(suite) <= fields["suites"]
        for case in suite["cases"]:
            assert set(case) <= fields["cases"]
