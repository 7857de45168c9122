"""Jenkins test-report JSON (`{run}/testReport/api/json`) -> merged `TestResult`s.

Request it with `?tree=` + REPORT_TREE: a plain request inlines every suite, case, stack trace
and stdout at depth 0 and can be huge (jenkins-api.md 3.2, 3.5). REPORT_TREE names exactly the
fields `results_from_report` reads, so the Jenkins client and the built-in server agree.

What the JSON can and cannot say, and what we do:
- `status`: PASSED and FIXED (junit < 1363: "failed before, passes now") are PASSED; FAILED and
  REGRESSION are FAILED; SKIPPED is SKIPPED. An unknown status falls back to the fields Jenkins
  derives it from: `skipped`, then `errorDetails`/`errorStackTrace` present means failed.
- There is no error-vs-failure distinction: Jenkins folds both into "failed", so a report read
  from JSON never holds ERROR, and Attempt.type is always None (the exception class is not
  exported; it is usually the first line of the trace).
- Retries: Jenkins shows each duplicate `<testcase>` of a retrying runner as its own case, so
  cases are merged by (className, name) with the same rules as XML (`triage.junit.merge`).
  Surefire flaky/rerun elements are invisible before junit 1380; from 1380 `flakyFailures` and
  `rerunFailures` are exported as lists of empty objects. Their count is all we can use: a
  passing case with n flaky entries is FLAKY with reruns = n, a failing one with n rerun
  entries has reruns = n; those attempts carry no details (kind "flakyFailure"/"rerunFailure").
- `duration` is float seconds; negative, non-numeric or past MAX_SECONDS gives None, as for
  XML (a huge one would not fit the history's integer milliseconds).
- `className` falls back to the suite name (Jenkins already does that for XML without one).
  Jenkins shows an empty name as "(?)"; we keep what it sends.
- Output: a case's `stdout`/`stderr` fall back to its suite's output inside Jenkins, and are
  trimmed by Jenkins by default. We keep them for non-passing cases only (the XML rule).
- `file` is None: Jenkins does not export which report file a case came from.
- Aggregated (matrix, downstream) reports have `childReports` instead of `suites` and are
  refused with JenkinsBadResponse naming the fix; so is any body that is not this shape.
"""

from __future__ import annotations

from collections.abc import Mapping

from triage.domain import Attempt, Outcome, TestResult
from triage.errors import JenkinsBadResponse
from triage.junit.durations import plausible
from triage.junit.merge import merge_results
from triage.junit.texts import clean_text

REPORT_TREE = (
    "suites[name,cases[className,name,status,duration,skipped,skippedMessage,"
    "errorDetails,errorStackTrace,stdout,stderr,flakyFailures,rerunFailures]]"
)

_STATUS = {
    "PASSED": Outcome.PASSED,
    "FIXED": Outcome.PASSED,
    "FAILED": Outcome.FAILED,
    "REGRESSION": Outcome.FAILED,
    "SKIPPED": Outcome.SKIPPED,
}


def results_from_report(data: Mapping, keep_passing_output: bool = False) -> list[TestResult]:
    """Return the merged results of one build's Jenkins test report JSON."""
    if not isinstance(data, Mapping):
        raise _bad(f"expected a JSON object, got {type(data).__name__}")
    suites = data.get("suites")
    if suites is None and "childReports" in data:
        raise _bad("this is an aggregated (matrix or downstream) report; read each child run's "
                   "own testReport instead")
    if not isinstance(suites, list):
        raise _bad("no 'suites' list")
    results = []
    for suite in suites:
        if not isinstance(suite, Mapping):
            raise _bad("a suite is not a JSON object")
        suite_name = _text(suite.get("name"))
        cases = suite.get("cases") or []
        if not isinstance(cases, list):
            raise _bad(f"suite {suite_name!r} has no 'cases' list")
        for case in cases:
            if not isinstance(case, Mapping):
                raise _bad(f"a case in suite {suite_name!r} is not a JSON object")
            results.append(_case(case, suite_name, keep_passing_output))
    return merge_results(results)


def _case(case: Mapping, suite: str | None, keep_passing_output: bool) -> TestResult:
    details, trace = _text(case.get("errorDetails")), _text(case.get("errorStackTrace"))
    outcome = _STATUS.get(_text(case.get("status")))  # a list here would be unhashable
    if outcome is None:
        if case.get("skipped") is True:
            outcome = Outcome.SKIPPED
        else:
            outcome = Outcome.FAILED if details or trace else Outcome.PASSED
    flaky, reruns = _count(case.get("flakyFailures")), _count(case.get("rerunFailures"))
    attempts: tuple[Attempt, ...] = ()
    if outcome is Outcome.FAILED:
        attempts = (Attempt("failure", None, clean_text(details), clean_text(trace)),)
        attempts += (Attempt("rerunFailure"),) * reruns
    elif outcome is Outcome.SKIPPED:
        attempts = (Attempt("skipped", None, clean_text(_text(case.get("skippedMessage")))),)
        reruns = 0
    elif flaky:
        outcome, reruns = Outcome.FLAKY, flaky
        attempts = (Attempt("flakyFailure"),) * flaky
    else:
        reruns = 0
    keep = keep_passing_output or outcome is not Outcome.PASSED
    return TestResult(
        classname=_text(case.get("className")) or suite or "",
        name=_text(case.get("name")) or "",
        outcome=outcome,
        duration=_seconds(case.get("duration")),
        reruns=reruns,
        suite=suite,
        file=None,
        attempts=attempts,
        stdout=clean_text(_text(case.get("stdout"))) if keep else None,
        stderr=clean_text(_text(case.get("stderr"))) if keep else None,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _count(value: object) -> int:
    return len(value) if isinstance(value, list) else 0


def _seconds(value: object) -> float | None:
    """Return a plausible duration in seconds, else None (the XML rule: up to MAX_SECONDS)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        value = float(value)
    except OverflowError:  # an int past float range
        return None
    return plausible(value)


def _bad(what: str) -> JenkinsBadResponse:
    return JenkinsBadResponse(f"Jenkins test report JSON is not what the API promises: {what}; "
                              "check that the URL is a run's testReport/api/json")
