"""Fold the results of one build into one result per test identity (classname, name).

The same identity appears several times when a runner retries tests and reports every attempt
as its own `<testcase>` (pytest-rerunfailures, Gradle test-retry, Android/Marathon, jest retries)
or when files overlap. Rules, applied to the elements of one identity in file/document order:
- Skipped elements are not attempts: they are ignored when anything ran, and the result is
  SKIPPED only when every element was skipped.
- Any passing attempt plus any failed attempt (a FAILED/ERROR element, or a FLAKY element that
  already holds Surefire flaky attempts) gives FLAKY, whatever the order: across files there is
  no reliable order, and a test that both passed and failed in one build is flaky either way.
  `attempts` lists every failed attempt in document order; duration and output come from the
  last passing element.
- Failed every time gives the outcome of the last element (FAILED or ERROR); its details come
  first in `attempts`, then the earlier failures. Duration and output come from that element.
- `reruns` is the number of executed attempts beyond the first (elements and Surefire rerun
  elements together) for FLAKY and FAILED/ERROR results. Several identical passes are the same
  result reported twice (junit-plugin's duplicate-suite fixtures), not retries: PASSED with
  reruns = 0 and the first element's data.

Known limit: a report cannot say whether two elements are two attempts or two reports of one
attempt. pytest writes a call failure plus a teardown error as two `<testcase>` elements of
the same run; we read that as failed twice (ERROR, reruns = 1). The outcome is right; the rerun
count is one too many.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from operator import attrgetter

from triage.domain import Attempt, Outcome, TestResult

_PASSED, _FLAKY, _SKIPPED = Outcome.PASSED, Outcome.FLAKY, Outcome.SKIPPED
_FAILED_OUTCOMES = (Outcome.FAILED, Outcome.ERROR)
_identity = attrgetter("classname", "name")


def merge_results(results: Iterable[TestResult]) -> list[TestResult]:
    """Return one result per (classname, name), in order of first appearance."""
    results = results if isinstance(results, list) else list(results)
    # Fast path, the usual report: no identity repeats (one C-level pass builds the keys).
    if len(dict.fromkeys(map(_identity, results))) == len(results):
        return results
    first: dict[tuple[str, str], TestResult] = {}
    repeats: dict[tuple[str, str], list[TestResult]] = {}
    for result in results:
        key = (result.classname, result.name)
        if key in first:
            group = repeats.get(key)
            if group is None:
                repeats[key] = [first[key], result]
            else:
                group.append(result)
        else:
            first[key] = result
    for key, group in repeats.items():
        first[key] = merge_group(group)
    return list(first.values())


def merge_group(group: list[TestResult]) -> TestResult:
    """Return the single result for several elements of one identity (rules in module doc)."""
    ran = [r for r in group if r.outcome is not _SKIPPED]
    if not ran:
        return group[0]
    attempts_run = sum(1 + r.reruns for r in ran)
    passes = [r for r in ran if r.outcome in (_PASSED, _FLAKY)]
    failed_any = any(r.outcome is not _PASSED for r in ran)
    if passes and failed_any:
        base = passes[-1]
        attempts = tuple(a for r in ran for a in _with_output(r))
        return _copy(base, _FLAKY, attempts_run - 1, attempts)
    if passes:
        return _copy(passes[0], _PASSED, 0, ())
    last = ran[-1]
    earlier = tuple(a for r in ran[:-1] for a in _with_output(r))
    return _copy(last, last.outcome, attempts_run - 1, last.attempts + earlier)


def _with_output(result: TestResult) -> tuple[Attempt, ...]:
    """Return the element's attempts, its own output attached to the first one.

    A retried element's output would otherwise be lost when another element's result wins.
    """
    attempts = result.attempts
    if not attempts or result.outcome not in _FAILED_OUTCOMES:
        return attempts
    head = attempts[0]
    if head.stdout is None and head.stderr is None and (result.stdout or result.stderr):
        head = replace(head, stdout=result.stdout, stderr=result.stderr)
    return (head, *attempts[1:])


def _copy(base: TestResult, outcome: Outcome, reruns: int, attempts) -> TestResult:
    return TestResult(base.classname, base.name, outcome, base.duration, reruns, base.suite,
                      base.file, attempts, base.stdout, base.stderr)
