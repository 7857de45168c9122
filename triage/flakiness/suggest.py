"""Suggest real, noise or unsure for one failure, with reasons in plain words.

Safety first: calling a real failure noise is the worst mistake this product can make, so
`noise` needs positive evidence (a pass on the same commit, a human mark, a flaky history
with this very error, or this very error coming and going in other tests again and again),
and thin evidence gives `unsure`, never `noise`.
"""

from __future__ import annotations

from triage.flakiness.elsewhere import ELSEWHERE_EPISODES
from triage.flakiness.evidence import IMPROBABLE, gather, wilson
from triage.flakiness.model import (
    NOISE,
    REAL,
    UNSURE,
    Evidence,
    FailureInput,
    Suggestion,
    TriagedFailure,
)
from triage.flakiness.signatures import short_message

FLAKY_SCORE = 0.6  # at or above: "known flaky"
MIN_RUNS = 5  # fewer earlier runs than this is too little history to call anything noise
# At or above this chance (evidence.streak_chance) a known flaky test failing in a row with
# its usual errors is just flaking; between IMPROBABLE and this, a person should look.
ORDINARY_STREAK = 0.05

# Cluster kinds a single failure can fall in (clusters.py adds "outage").
MARKED_REAL = "marked-real"
SAME_COMMIT = "same-commit"
REGRESSION = "regression"
FLAKY = "flaky"
FLAKY_ERROR = "flaky-error"  # an error that came and went in other tests
SUSPICIOUS = "suspicious"
NEW = "new"
UNCLEAR = "unclear"
OTHER_JOB = "other-job"


def triage_failure(failure: FailureInput, number: int) -> TriagedFailure:
    """Gather the evidence for one failure of build `number` and suggest what it is."""
    return judge(failure, gather(failure, number))


def judge(failure: FailureInput, ev: Evidence) -> TriagedFailure:
    """Suggest what one failure is from its gathered evidence."""
    result = decide(failure, ev)
    return TriagedFailure(failure, ev, result.suggestion, result.reasons, result.kind)


def decide(failure: FailureInput, ev: Evidence) -> Suggestion:
    """Return the suggestion, its cluster kind and the reasons, strongest evidence first."""
    known_flaky = ev.score >= FLAKY_SCORE and ev.runs >= MIN_RUNS
    verdict = ev.verdict
    if verdict is not None and verdict.verdict == REAL:
        return Suggestion(REAL, MARKED_REAL, [_marked(verdict)] + _history(ev))
    if ev.passed_same_commit:
        return _passed_same_commit(ev)
    if ev.streak >= 2:
        return _streak(ev, known_flaky)
    if verdict is not None:
        return Suggestion(NOISE, FLAKY, [_marked(verdict)] + _history(ev))
    if ev.regressed_signature:
        first, last = ev.regressed_signature
        return Suggestion(
            REAL, NEW, [f"same error as the regression of #{first}–#{last}: it is back"]
        )
    if known_flaky and ev.seen_signature:
        return Suggestion(
            NOISE,
            FLAKY,
            ["known flaky: " + _list(ev.seen_signature, "same error in")] + _history(ev),
        )
    if len(ev.elsewhere) >= ELSEWHERE_EPISODES and ev.runs >= MIN_RUNS:
        return Suggestion(NOISE, FLAKY_ERROR, [flaky_error(ev)] + _history(ev))
    if ev.failures == 0 and not ev.rerun_passes:
        return _never_failed(ev)
    if known_flaky:
        reason = "flaky test, but this error is new for it: treat as real"
        return Suggestion(REAL, SUSPICIOUS, [reason] + _history(ev))
    if ev.seen_signature:
        reason = _list(ev.seen_signature, "same error in") + ", each time gone by the next build"
        return Suggestion(
            UNSURE,
            UNCLEAR,
            [reason, "not enough flakiness evidence to call it noise"] + _history(ev),
        )
    return Suggestion(REAL, NEW, ["new error for this test"] + _history(ev))


def _passed_same_commit(ev: Evidence) -> Suggestion:
    """Decide a failure whose commit passed elsewhere (in this job or another)."""
    runs = ev.passed_same_commit
    where = ", ".join(r.where() for r in runs[:3])
    passed = f"passed on the same commit {short_sha(runs[0].revision)} in {where}"
    if ev.streak >= 2 and _flaking_streak(ev):
        since = f"failing since #{ev.streak_start} ({ev.streak} builds in a row)"
        odds = [_streak_odds(ev), *_only_with_elsewhere(ev)]
        return Suggestion(NOISE, SAME_COMMIT, [passed, since, *odds] + _history(ev))
    if ev.streak >= 2:
        # Failing build after build and passing once on one commit may be a flake or a
        # break that something outside the code hid: a person should look, not skip it.
        since = f"but failing since #{ev.streak_start} ({ev.streak} builds in a row)"
        return Suggestion(UNSURE, SUSPICIOUS, [passed, since] + _history(ev))
    if all(r.job for r in runs) and not _flaky_here(ev):
        # Another job may run the test on another platform, JDK or setup: a pass there
        # alone does not clear a test that never failed like this in this job.
        doubt = "but only in another job, which may run it on another platform or setup"
        return Suggestion(UNSURE, OTHER_JOB, [passed, doubt] + _history(ev))
    return Suggestion(NOISE, SAME_COMMIT, [passed] + _history(ev))


def _never_failed(ev: Evidence) -> Suggestion:
    """Decide a failure of a test with no earlier failure or rerun pass in the window."""
    if ev.runs >= MIN_RUNS:
        return Suggestion(REAL, NEW, [f"new failure: no failure in {_runs(ev.runs)}"])
    if not ev.runs:
        # A new or renamed test, a new branch, or one skipped so far: nothing to compare.
        return Suggestion(
            UNSURE, NEW, ["no earlier pass or failure of this test here: nothing to judge by"]
        )
    return Suggestion(UNSURE, NEW, [f"new failure, but only {_runs(ev.runs)}: too little history"])


def _flaky_here(ev: Evidence) -> bool:
    """Return True when this job's history shows the test flaky: a pass and a fail on one
    commit, this very error gone by itself, or a noise mark on it."""
    return bool(ev.same_commit_flips or ev.seen_signature or ev.verdict is not None)


def _streak(ev: Evidence, known_flaky: bool) -> Suggestion:
    """Decide a failure in a streak by how likely such a streak is for this very test.

    Improbable at the test's own rate, or with an error it never got over: a regression,
    however flaky the test was before. Ordinary for a known flaky test failing with its usual
    errors (or marked noise for this one): noise. In between: unsure.
    """
    error = "with the same error" if ev.streak_same_error else "with changing errors"
    since = f"failing since #{ev.streak_start} {error} ({ev.streak} builds in a row)"
    history = _history(ev, ev.streak_start)
    if ev.streak_chance >= IMPROBABLE and (ev.streak_known_errors or ev.verdict is not None):
        odds = _streak_odds(ev)
        if not _flaking_streak(ev):
            doubt = "possible for this test, but not enough to call it noise"
            return Suggestion(UNSURE, SUSPICIOUS, [since, f"{odds}: {doubt}"] + history)
        elsewhere = _only_with_elsewhere(ev)
        # Noise thanks to other tests' history is its own kind: the gate takes only a test's own.
        kind = FLAKY_ERROR if elsewhere else FLAKY
        odds = [since, odds, *elsewhere]
        if ev.verdict is not None:
            return Suggestion(NOISE, kind, [*odds, _marked(ev.verdict)] + history)
        known = _list(ev.seen_signature, "known flaky: same error in")
        return Suggestion(NOISE, kind, [*odds, known] + history)
    if ev.verdict is not None or (known_flaky and ev.streak == 2 and ev.seen_signature):
        lean = _marked(ev.verdict) if ev.verdict is not None else "known flaky with this error"
        return Suggestion(UNSURE, SUSPICIOUS, [since, lean] + history)
    return Suggestion(REAL, REGRESSION, [since] + history)


def _flaking_streak(ev: Evidence) -> bool:
    """Return True for a streak that is ordinary flakiness for this test: likely at its own
    rate (or merely possible, when its error also came and went in other tests again and
    again), every failure with an error it got over before, and flaky by its history or a
    mark."""
    ordinary = ORDINARY_STREAK if len(ev.elsewhere) < ELSEWHERE_EPISODES else IMPROBABLE
    if ev.streak_chance < ordinary or ev.runs < MIN_RUNS:
        return False
    if ev.verdict is not None:  # a noise mark on this error (a real one decided earlier)
        return ev.streak_same_error or ev.streak_known_errors
    return ev.streak_known_errors and bool(ev.seen_signature) and ev.score >= FLAKY_SCORE


def _only_with_elsewhere(ev: Evidence) -> list[str]:
    """Return the reason that made a merely possible streak flakiness, if it took one."""
    return [flaky_error(ev)] if ev.streak_chance < ORDINARY_STREAK else []


def _streak_odds(ev: Evidence) -> str:
    """Return how likely the streak is for this test, with the rates behind it."""
    together, followed = ev.after_failure
    after = f"; {together} of {followed} right after a failure" if followed else ""
    return (
        f"chance of {ev.streak} in a row at this test's own rate: {ev.streak_chance:.1%} "
        f"(it failed {ev.prior_failures} of {_runs(ev.prior_runs)}{after})"
    )


def _history(ev: Evidence, streak_start: int | None = None) -> list[str]:
    """Return the supporting facts every suggestion shows: flakiness signs and the failure rate.

    With `streak_start`, the rate is the one before the streak: a regression's own failures
    would otherwise read as a high failure rate.
    """
    lines = []
    for sha, failed, passed in ev.same_commit_flips[:2]:
        lines.append(same_commit_flip(sha, failed, passed))
    if ev.group_mates:
        lines.append(together(ev))
    if ev.rerun_passes:
        lines.append(_list(ev.rerun_passes, "passed on rerun in"))
    flips = ev.flip_rate
    if streak_start is not None:
        flips = ev.prior_flip_rate
        if ev.prior_runs:
            lines.append(f"before #{streak_start}: " + _rate(ev.prior_failures, ev.prior_runs))
    elif ev.runs:
        lines.append(_rate(ev.failures, ev.runs))
    if flips:
        lines.append(f"flip rate {flips:.1%} (recent builds weigh more)")
    return lines


def _rate(failures: int, runs: int) -> str:
    """Return "failed 1 of 8 earlier runs (12.5%; likely 2.2%–47.1%)": a rate with its doubt."""
    if not failures:
        return f"no failure in {_runs(runs)} (likely under {wilson(0, runs)[1]:.1%})"
    low, high = wilson(failures, runs)
    return (
        f"failed {failures} of {_runs(runs)} ({failures / runs:.1%}; likely {low:.1%}–{high:.1%})"
    )


def own_history(ev: Evidence) -> list[str]:
    """Return a test's own history as facts, without a verdict of its own.

    For the members of an outage: the shared error decides, and "new failure" or "treat as
    real" beside the group's suggestion would only contradict it.
    """
    lines = []
    if ev.streak >= 2:
        lines.append(f"failing since #{ev.streak_start} ({ev.streak} builds in a row)")
    if ev.failures == 0 and not ev.rerun_passes:
        return lines + [f"had not failed in {_runs(ev.runs)}"]
    return lines + _history(ev)


def together(ev: Evidence) -> str:
    """Return the reason for a co-failing group: who with, when, and what the mates got over."""
    names = ", ".join(_short_test(t) for t in ev.group_mates[:2])
    more = f" and {len(ev.group_mates) - 2} more" if len(ev.group_mates) > 2 else ""
    line = f"fails together with {names}{more} (a shared fixture?): " + _list(
        ev.group_together, "together in"
    )
    if ev.group_shared:
        line += "; " + _list(ev.group_shared, "this error gone by the next build in")
    return line


def flaky_error(ev: Evidence) -> str:
    """Return the reason for an error that came and went in other tests, again and again."""
    where = _list(ev.elsewhere, "this error struck other tests and went away by itself in")
    return f"{where} (passed on rerun or within two builds): a flaky error, whoever meets it"


def _short_test(test: str) -> str:
    """Return "ClassTest.name" for "com.acme.ClassTest.name": enough beside its group."""
    parts = test.rsplit(".", 2)
    return ".".join(parts[-2:])


def same_commit_flip(sha: str, failed: int, passed: int) -> str:
    """Return the reason for one earlier commit the test both failed and passed on."""
    return f"failed in #{failed} and passed in #{passed} on the same commit {short_sha(sha)}"


def _runs(count: int) -> str:
    return f"{count} earlier run{'' if count == 1 else 's'}"


def _marked(verdict) -> str:
    who = f" by {verdict.who}" if verdict.who else ""
    note = short_message(None, verdict.note, 60) if verdict.note else ""
    said = f': "{note}"' if note.strip() else ""
    return f"marked {verdict.verdict}{who} in #{verdict.number} for this error{said}"


def _list(numbers, prefix: str) -> str:
    numbers = sorted(numbers)
    shown = ", ".join(f"#{n}" for n in numbers[-3:])
    more = f" and {len(numbers) - 3} earlier" if len(numbers) > 3 else ""
    return f"{prefix} {shown}{more}"


def short_sha(sha: str | None) -> str:
    """Return the first 7 characters of a commit id, as git shows it ("?" when unknown)."""
    return (sha or "?")[:7]
