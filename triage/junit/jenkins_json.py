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
- `duration` is float seconds; negative or past MAX_SECONDS gives None, as for XML (a huge one
  would not fit the history's integer milliseconds).
- `className` falls back to the suite name (Jenkins already does that for XML without one).
  Jenkins shows an empty name as "(?)"; we keep what it sends.
- Output: a case's `stdout`/`stderr` fall back to its suite's output inside Jenkins, and are
  trimmed by Jenkins by default. We keep them for non-passing cases only (the XML rule).
- `file` is None: Jenkins does not export which report file a case came from.
- Aggregated (matrix, downstream) reports have `childReports` instead of `suites` and are
  refused with JenkinsBadResponse naming the fix. A body whose fields have other types (a
  `duration` that is a string, a case that is a number) never gets here: the client checks it
  against `ReportJson` (`triage.jenkins.schema`) and refuses it, naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from triage.domain import Attempt, Outcome, TestResult
from triage.errors import JenkinsBadResponse
from triage.junit.durations import plausible
from triage.junit.merge import merge_results
from triage.junit.texts import clean_text

REPORT_TREE = (
    "suites[name,cases[className,name,status,duration,skipped,skippedMessage,"
    "errorDetails,errorStackTrace,stdout,stderr,flakyFailures,rerunFailures]]"
)

# The shape `triage.jenkins.schema` checks a report against before it reaches this module, so
# `results_from_report` trusts every field's type. Retry entries are empty objects (`Retry`).


class Retry(TypedDict, total=False):
    pass


class Case(TypedDict, total=False):
    className: str | None
    name: str | None
    status: str | None
    duration: float | None
    skipped: bool | None
    skippedMessage: str | None
    errorDetails: str | None
    errorStackTrace: str | None
    stdout: str | None
    stderr: str | None
    flakyFailures: list[Retry] | None
    rerunFailures: list[Retry] | None


class Suite(TypedDict, total=False):
    name: str | None
    cases: list[Case] | None


class ReportJson(TypedDict, total=False):
    _class: str
    suites: list[Suite] | None
    childReports: list[Retry] | None


_STATUS = {
    "PASSED": Outcome.PASSED,
    "FIXED": Outcome.PASSED,
    "FAILED": Outcome.FAILED,
    "REGRESSION": Outcome.FAILED,
    "SKIPPED": Outcome.SKIPPED,
}


def results_from_report(data: Mapping, keep_passing_output: bool = False,
                        url: str | None = None) -> list[TestResult]:
    """Return the merged results of one build's Jenkins test report JSON (read from `url`).

    `data` has been checked against `ReportJson` (the client decodes every body through
    `triage.jenkins.schema`), so only what a valid shape can still mean is refused here.
    """
    suites = data.get("suites")
    if suites is None and data.get("childReports") is not None:
        raise _bad(url, "this is an aggregated (matrix or downstream) report; read each child "
                   "run's own testReport instead")
    if suites is None:
        raise _bad(url, "no 'suites' list")
    results = []
    for suite in suites:
        suite_name = suite.get("name")
        for case in suite.get("cases") or ():
            results.append(_case(case, suite_name, keep_passing_output))
    return merge_results(results)


def _case(case: Mapping, suite: str | None, keep_passing_output: bool) -> TestResult:
    details, trace = case.get("errorDetails"), case.get("errorStackTrace")
    outcome = _STATUS.get(case.get("status"))
    if outcome is None:
        if case.get("skipped") is True:
            outcome = Outcome.SKIPPED
        else:
            outcome = Outcome.FAILED if details or trace else Outcome.PASSED
    flaky = len(case.get("flakyFailures") or ())
    reruns = len(case.get("rerunFailures") or ())
    attempts: tuple[Attempt, ...] = ()
    if outcome is Outcome.FAILED:
        attempts = (Attempt("failure", None, clean_text(details), clean_text(trace)),)
        attempts += (Attempt("rerunFailure"),) * reruns
    elif outcome is Outcome.SKIPPED:
        attempts = (Attempt("skipped", None, clean_text(case.get("skippedMessage"))),)
        reruns = 0
    elif flaky:
        outcome, reruns = Outcome.FLAKY, flaky
        attempts = (Attempt("flakyFailure"),) * flaky
    else:
        reruns = 0
    keep = keep_passing_output or outcome is not Outcome.PASSED
    duration = case.get("duration")
    return TestResult(
        classname=case.get("className") or suite or "",
        name=case.get("name") or "",
        outcome=outcome,
        # The XML rule: negative or past MAX_SECONDS is unknown.
        duration=None if duration is None else plausible(duration),
        reruns=reruns,
        suite=suite,
        file=None,
        attempts=attempts,
        stdout=clean_text(case.get("stdout")) if keep else None,
        stderr=clean_text(case.get("stderr")) if keep else None,
    )


def _bad(url: str | None, what: str) -> JenkinsBadResponse:
    where = f"{url}: " if url else ""
    return JenkinsBadResponse(f"{where}Jenkins test report JSON is not what the API promises: "
                              f"{what}; check that the URL is a run's testReport/api/json",
                              url=url)
