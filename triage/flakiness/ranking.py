"""Rank a job's tests by flakiness, each with the evidence behind its score."""

from __future__ import annotations

from dataclasses import dataclass

from triage.domain import Outcome, qualified_name
from triage.flakiness.evidence import gather
from triage.flakiness.model import Evidence, FailureInput, Run
from triage.flakiness.suggest import same_commit_flip


@dataclass(slots=True)
class FlakyTest:
    test_id: int
    classname: str
    name: str
    evidence: Evidence
    history: str  # recent outcomes, oldest first, one letter each
    last_failure: int | None
    reasons: list[str]

    @property
    def test(self) -> str:
        return qualified_name(self.classname, self.name)


def rank(
    tests: list[tuple[int, str, str, tuple[Run, ...]]], now: int, letters: int = 30
) -> list[FlakyTest]:
    """Return tests with any sign of flakiness, most flaky first.

    `tests` holds (test id, classname, name, runs oldest first); `now` is the newest build.
    """
    ranked = []
    for test_id, classname, name, runs in tests:
        probe = FailureInput(test_id, classname, name, Outcome.PASSED, None, history=runs)
        ev = gather(probe, now + 1)
        if trailing_failed(runs):
            ev.streak -= 1  # gather counted the probe itself as a failing build
        if ev.failures == 0 and not ev.rerun_passes:
            continue
        ranked.append(
            FlakyTest(
                test_id,
                classname,
                name,
                ev,
                "".join(r.outcome.letter for r in runs[-letters:]),
                _last_failure(runs),
                reasons(ev),
            )
        )
    ranked.sort(
        key=lambda t: (-t.evidence.score, -t.evidence.flip_rate, -t.evidence.failures, t.test)
    )
    return ranked


def _last_failure(runs: tuple[Run, ...]) -> int | None:
    for run in reversed(runs):
        if run.outcome is not Outcome.PASSED and run.outcome is not Outcome.SKIPPED:
            return run.number
    return None


def trailing_failed(runs: tuple[Run, ...]) -> bool:
    return bool(runs) and runs[-1].failed


def reasons(ev: Evidence) -> list[str]:
    """Return the evidence in plain words, strongest first."""
    lines = []
    for sha, failed, passed in ev.same_commit_flips[:3]:
        lines.append(same_commit_flip(sha, failed, passed))
    if ev.rerun_passes:
        shown = ", ".join(f"#{n}" for n in ev.rerun_passes[-3:])
        times = "once" if len(ev.rerun_passes) == 1 else f"{len(ev.rerun_passes)} times"
        lines.append(f"passed on rerun {times} (latest {shown})")
    short = len(ev.recovered) - len(ev.bursts)
    if short:
        lines.append(f"{short} short failures that went away by the next build")
    if ev.bursts:
        first, last = ev.bursts[-1]
        count = "1 burst" if len(ev.bursts) == 1 else f"{len(ev.bursts)} bursts"
        lines.append(f"{count} of failures that ended by themselves (latest #{first}–#{last})")
    if ev.streak >= 2:
        lines.append(f"failing since #{ev.streak_start} ({ev.streak} builds in a row)")
    if ev.runs:
        lines.append(
            f"failed {ev.failures} of {ev.runs} runs ({ev.failures / ev.runs:.1%}; "
            f"likely {ev.rate_low:.1%}–{ev.rate_high:.1%})"
        )
    if ev.flip_rate:
        lines.append(f"flip rate {ev.flip_rate:.1%}")
    return lines
