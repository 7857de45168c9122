"""Retries and duplicates: Surefire flaky/rerun elements, repeated testcases, across files."""

from __future__ import annotations

import pytest
from support import CORPUS, needs_corpus

from triage.domain import Attempt, Outcome, TestResult
from triage.errors import Cancelled, MalformedReportError, NotJUnitError, ReportError
from triage.junit import find_reports, merge_results, parse_file, parse_paths
from triage.progress import CancelToken, NullReporter


def _by_name(results):
    return {r.name: r for r in results}


def _case(name, body="", cls="c.T", **attrs):
    extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f'<testcase classname="{cls}" name="{name}"{extra}>{body}</testcase>'


def _suite(*cases, name="S"):
    return f'<testsuite name="{name}">{"".join(cases)}</testsuite>'


# --- Surefire retry elements (real files) ---------------------------------------------------


@needs_corpus
def test_surefire_flaky_failures_and_error_make_a_flaky_test():
    results = _by_name(parse_file(CORPUS / "maven-surefire/TEST-org.acme.FlakyTest.xml"))
    flaky = results["testFlaky"]
    assert flaky.outcome is Outcome.FLAKY
    assert flaky.reruns == 4
    assert [a.kind for a in flaky.attempts] == ["flakyFailure"] * 3 + ["flakyError"]
    assert [a.message for a in flaky.attempts[:3]] == [
        "expected: <1> but was: <0>", "expected: <1> but was: <3>", "expected: <1> but was: <4>"]
    assert all(a.type == "org.opentest4j.AssertionFailedError" for a in flaky.attempts)
    assert all(a.trace.startswith("org.opentest4j.AssertionFailedError") for a in flaky.attempts)
    assert results["testStable"].outcome is Outcome.PASSED


@needs_corpus
def test_surefire_flaky_attempts_keep_their_own_output():
    [result] = parse_file(CORPUS / "junit-plugin/TEST-io.olamy.FlakyTest.xml")
    assert (result.outcome, result.reruns) == (Outcome.FLAKY, 2)
    assert [a.message for a in result.attempts] == ["obvious fail", "try one more time maybe"]
    assert all(a.stdout and "this will fail maybe" in a.stdout for a in result.attempts)


@needs_corpus
def test_surefire_rerun_failures_keep_the_test_failed():
    [result] = parse_file(CORPUS / "junit-plugin/TEST-io.olamy.AlwaysFailTest.xml")
    assert (result.outcome, result.reruns) == (Outcome.FAILED, 3)
    assert [a.kind for a in result.attempts] == ["failure"] + ["rerunFailure"] * 3
    assert all(a.message == "built to fail" for a in result.attempts)
    assert all(a.trace.startswith("junit.framework.AssertionFailedError: built to fail")
               for a in result.attempts)
    assert all(a.stdout and a.stderr for a in result.attempts[1:])
    assert result.stdout == "this will fail for real"


@needs_corpus
@pytest.mark.parametrize("name", ["action-junit-report/marathon_junit_report.xml",
                                  "action-junit-report/mixed_flaky_and_passed.xml",
                                  "action-junit-report/maven_surefire_flaky__surefire-report.xml"])
def test_other_flaky_failure_producers(name):
    results = parse_file(CORPUS / name)
    flaky = [r for r in results if r.outcome is Outcome.FLAKY]
    assert len(flaky) == 1
    assert flaky[0].reruns == len(flaky[0].attempts) >= 1
    assert flaky[0].attempts[0].kind == "flakyFailure"


def test_rerun_error_handwritten(tmp_path):
    path = tmp_path / "TEST-x.xml"
    path.write_text(_suite(_case("t", '<error message="boom" type="E">first</error>'
                                      '<rerunError message="again" type="E"><stackTrace>second'
                                      "</stackTrace><system-err>err2</system-err></rerunError>")))
    [result] = parse_file(path)
    assert (result.outcome, result.reruns) == (Outcome.ERROR, 1)
    assert [(a.kind, a.message, a.trace, a.stderr) for a in result.attempts] == [
        ("error", "boom", "first", None), ("rerunError", "again", "second", "err2")]


@needs_corpus
def test_firebase_flaky_attribute():
    results = _by_name(parse_file(CORPUS / "publish-report-annotations/"
                                           "TEST-firebase-testlab-test_results_merged.xml"))
    assert results["i_can_see_map_screen_for_delivering_orders"].outcome is Outcome.FLAKY
    assert results["flakyTest"].outcome is Outcome.FAILED


# --- repeated testcases (pytest-rerunfailures, Gradle test-retry) -----------------------------


@needs_corpus
def test_repeated_testcases_failed_then_passed_are_flaky():
    [result] = [r for r in parse_file(CORPUS / "publish-report-annotations/"
                                                "TEST-org.test.sample.FlakyTestSuite.xml")]
    assert (result.outcome, result.reruns, len(result.attempts)) == (Outcome.FLAKY, 2, 2)


@needs_corpus
def test_repeated_testcases_failing_every_time_stay_failed():
    [result] = parse_file(CORPUS / "publish-report-annotations/"
                                   "TEST-org.test.sample.FlakyFailingTestSuite.xml")
    assert (result.outcome, result.reruns, len(result.attempts)) == (Outcome.FAILED, 4, 5)


@needs_corpus
def test_all_failures_outcome_is_the_last_attempt_and_details_come_first():
    [result] = parse_file(CORPUS / "action-junit-report/flaky_all_failures.xml")
    assert (result.outcome, result.reruns) == (Outcome.ERROR, 2)
    assert [a.message for a in result.attempts] == ["third error", "first failure",
                                                     "second failure"]


def test_merge_rules_handwritten(tmp_path):
    path = tmp_path / "r.xml"
    fail = '<failure message="m{}">t</failure><system-out>out{}</system-out>'
    path.write_text(_suite(
        _case("flaky", fail.format(1, 1), time="1"), _case("flaky", time="2"),
        _case("pass_twice", time="3"), _case("pass_twice", time="4"),
        _case("skip_then_pass", "<skipped/>"), _case("skip_then_pass", time="5"),
        _case("skip_then_fail", "<skipped/>"), _case("skip_then_fail", fail.format(2, 2)),
        _case("skip_twice", "<skipped/>"), _case("skip_twice", "<skipped/>"),
        _case("pass_then_fail", time="6"), _case("pass_then_fail", fail.format(3, 3)),
    ))
    results = _by_name(parse_file(path))
    assert len(results) == 6
    flaky = results["flaky"]
    assert (flaky.outcome, flaky.reruns, flaky.duration) == (Outcome.FLAKY, 1, 2.0)
    assert [(a.message, a.stdout) for a in flaky.attempts] == [("m1", "out1")]
    assert (results["pass_twice"].outcome, results["pass_twice"].reruns,
            results["pass_twice"].duration) == (Outcome.PASSED, 0, 3.0)
    assert (results["skip_then_pass"].outcome, results["skip_then_pass"].reruns) == \
        (Outcome.PASSED, 0)
    assert (results["skip_then_fail"].outcome, results["skip_then_fail"].reruns) == \
        (Outcome.FAILED, 0)
    assert results["skip_twice"].outcome is Outcome.SKIPPED
    assert results["pass_then_fail"].outcome is Outcome.FLAKY


def test_merge_counts_surefire_reruns_inside_repeated_elements():
    attempt = Attempt("flakyFailure", message="x")
    first = TestResult("c", "t", Outcome.FAILED, 1.0, 0, attempts=(Attempt("failure"),))
    second = TestResult("c", "t", Outcome.FLAKY, 2.0, 1, attempts=(attempt,))
    [merged] = merge_results([first, second])
    assert (merged.outcome, merged.reruns, merged.duration) == (Outcome.FLAKY, 2, 2.0)
    assert merged.attempts == (Attempt("failure"), attempt)


def test_merge_keeps_order_of_first_appearance():
    names = ["b", "a", "b", "c", "a"]
    results = [TestResult("k", n, Outcome.PASSED) for n in names]
    assert [r.name for r in merge_results(results)] == ["b", "a", "c"]


# --- builds made of several files ------------------------------------------------------------


def _tree(tmp_path):
    root = tmp_path / "reports"
    (root / "mod-b" / "nested").mkdir(parents=True)
    (root / "mod-a").mkdir()
    (root / "mod-a" / "TEST-first.xml").write_text(_suite(
        _case("retried", '<failure message="first try">t1</failure>'), _case("stable")))
    (root / "mod-b" / "nested" / "TEST-retry.xml").write_text(_suite(_case("retried")))
    (root / "mod-b" / "TEST-other.XML").write_text(_suite(_case("other", cls="c.U")))
    (root / "mod-b" / "notes.txt").write_text("not a report")
    return root


def test_parse_paths_merges_across_files_in_sorted_order(tmp_path):
    root = _tree(tmp_path)
    build = parse_paths([root])
    assert [p.relative_to(root).as_posix() for p in build.files] == [
        "mod-a/TEST-first.xml", "mod-b/TEST-other.XML", "mod-b/nested/TEST-retry.xml"]
    results = _by_name(build.results)
    assert (results["retried"].outcome, results["retried"].reruns) == (Outcome.FLAKY, 1)
    assert build.counts.tests == 3 and build.counts.flaky == 1 and build.counts.passed == 2
    assert build.elements.testcases == 4 and build.elements.with_failure == 1


def test_parse_paths_reads_each_file_once_and_accepts_any_extension(tmp_path):
    root = _tree(tmp_path)
    odd = tmp_path / "extra.junit-xml"
    odd.write_text(_suite(_case("odd")))
    build = parse_paths([root, root / "mod-a" / "TEST-first.xml", odd])
    assert len(build.files) == 4
    assert build.elements.testcases == 5


def test_parse_paths_is_deterministic(tmp_path):
    root = _tree(tmp_path)
    assert parse_paths([root]).results == parse_paths([root]).results


def test_one_bad_file_fails_the_build_unless_skipped(tmp_path):
    root = _tree(tmp_path)
    bad = root / "mod-a" / "TEST-broken.xml"
    bad.write_text("<testsuite><testcase")
    with pytest.raises(MalformedReportError):
        parse_paths([root])
    reporter = NullReporter()
    build = parse_paths([root], skip_bad=True, reporter=reporter)
    assert [p for p, _ in build.skipped_files] == [bad]
    assert reporter.warnings == [build.skipped_files[0][1]]
    assert str(bad) in reporter.warnings[0]
    assert build.counts.tests == 3
    assert (reporter.total, reporter.done) == (4, 4)


def test_no_reports_found_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReportError) as info:
        parse_paths([tmp_path / "empty"])
    assert "no JUnit XML files" in info.value.message
    assert find_reports([tmp_path / "empty"]) == []


def test_cancel_stops_between_files(tmp_path):
    root = _tree(tmp_path)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        parse_paths([root], cancel=token)


def test_other_xml_found_in_a_folder_is_skipped_but_not_when_named(tmp_path):
    root = _tree(tmp_path)
    summary = root / "failsafe-summary.xml"
    summary.write_text("<failsafe-summary result='255'><completed>3</completed>"
                       "</failsafe-summary>")
    reporter = NullReporter()
    build = parse_paths([root], reporter=reporter)
    assert build.counts.tests == 3
    assert [p for p, _ in build.skipped_files] == [summary]
    assert "not a JUnit XML report" in reporter.warnings[0]
    with pytest.raises(NotJUnitError):
        parse_paths([summary])
