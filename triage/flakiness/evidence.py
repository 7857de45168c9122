"""Gather the evidence about one failing test from its history, and score its flakiness.

Every piece of evidence keeps the build numbers that support it, so a reason can name them.
The score is a noisy-OR of independent signs of flakiness, strongest first: a pass and a fail
on the same commit, a pass on rerun inside one build, a failure that went away by itself.
Signs fade with age (half-life HALF_LIFE builds), so a test fixed long ago cools down.

Failing several builds in a row is weighed against the test's own rate: `streak_chance` is the
chance of such a streak for this very test, so five in a row mean little for a test failing
70% of its runs and a lot for one failing 1%. An earlier long failure episode counts as a
regression only when it was that unlikely and nothing shows it ended by itself.
"""

from __future__ import annotations

import math

from triage.domain import Outcome
from triage.flakiness.model import Evidence, FailureInput, PastVerdict, Run, is_commit

HALF_LIFE = 150  # builds
FLIP_DECAY = 0.5 ** (1 / 50)  # flip-rate weights halve every 50 runs (Apple: decayed flip rate)
SHORT_EPISODE = 2  # failing this many builds in a row or fewer, then passing, looks transient
SAME_COMMIT_WEIGHT = 0.9
RERUN_WEIGHT = 0.75
RECOVERED_WEIGHT = 0.4
# Under this chance a streak is not the test's flakiness: something changed (a regression).
IMPROBABLE = 0.01
# How many runs' worth of weight the overall failure rate lends the after-a-failure rate: with
# few failures followed by a run, a test is judged by its overall rate, not by a burst or two.
PRIOR_RUNS = 4
_FAILED = frozenset((Outcome.FAILED, Outcome.ERROR))
_PASSED = frozenset((Outcome.PASSED, Outcome.FLAKY))


def gather(failure: FailureInput, number: int) -> Evidence:
    """Return the evidence for `failure`, which happened in build `number`."""
    decisive = [r for r in failure.history if r.outcome is not Outcome.SKIPPED]
    ev = Evidence()
    ev.passed_same_commit = tuple(r for r in failure.same_revision if r.passed)
    ev.verdict = latest_verdict(failure.verdicts, failure.signature)
    # The streak counts outage builds too: a break that lasts is a break, however wide.
    streak_runs = decisive[_streak_cut(decisive) :]
    ev.streak = len(streak_runs) + 1
    ev.streak_start = streak_runs[0].number if streak_runs else number
    ev.streak_same_error = all(r.signature == failure.signature for r in streak_runs)
    # Flakiness evidence leaves outages out: they say nothing about this test.
    runs = [r for r in decisive if not r.mass]
    codes = [r.outcome for r in runs]
    failed = [c in _FAILED for c in codes]
    ev.runs = len(runs)
    ev.failures = sum(failed)
    ev.rate_low, ev.rate_high = wilson(ev.failures, ev.runs)
    cut = _streak_cut(runs)
    ev.prior_runs, ev.prior_failures = cut, sum(failed[:cut])
    ev.after_failure = after_failure(failed[:cut])
    ev.streak_chance = streak_chance(ev.streak, ev.prior_failures, ev.prior_runs, ev.after_failure)
    if ev.failures == 0 and Outcome.FLAKY not in codes:
        ev.score = score(ev, number)  # a clean history: nothing more to find
        return ev
    ev.flip_rate = flip_rate(runs, failed)
    # A regression's own start is a flip: its reasons quote the rate from before the streak.
    ev.prior_flip_rate = flip_rate(runs[:cut], failed[:cut]) if cut < len(runs) else ev.flip_rate
    ev.rerun_passes = tuple(r.number for r in runs if r.outcome is Outcome.FLAKY)
    ev.same_commit_flips = same_commit_flips(runs, failed)
    _episodes(runs[:cut], failed[:cut], failure.signature, ev)
    flaky_same = {
        r.number for r in runs if r.outcome is Outcome.FLAKY and r.signature == failure.signature
    }
    ev.seen_signature = tuple(sorted(set(ev.seen_signature) | flaky_same))
    ev.flaky_signatures |= {r.signature for r in runs if r.outcome is Outcome.FLAKY}
    ev.streak_known_errors = failure.signature in ev.flaky_signatures and all(
        r.signature in ev.flaky_signatures for r in streak_runs
    )
    ev.score = score(ev, number)
    return ev


def _streak_cut(runs: list[Run]) -> int:
    """Return where the unbroken run of failures at the end of `runs` starts."""
    cut = len(runs)
    while cut > 0 and runs[cut - 1].outcome in _FAILED:
        cut -= 1
    return cut


def score(ev: Evidence, number: int) -> float:
    """Return the flakiness score in [0, 1]: the chance that at least one sign is genuine."""
    keep = 1.0
    flips = len(ev.same_commit_flips) + (1 if ev.passed_same_commit else 0)
    keep *= (1 - SAME_COMMIT_WEIGHT) ** flips
    for at in ev.rerun_passes:
        keep *= 1 - RERUN_WEIGHT * _fade(number - at)
    for at in ev.recovered:
        keep *= 1 - RECOVERED_WEIGHT * _fade(number - at)
    return round(1 - keep, 3)


def after_failure(failed: list[bool]) -> tuple[int, int]:
    """Return (failures followed by a failure, failures followed by a run): how bursty it is."""
    followed = together = 0
    for index in range(len(failed) - 1):
        if failed[index]:
            followed += 1
            together += failed[index + 1]
    return together, followed


def streak_chance(length: int, failures: int, runs: int, after: tuple[int, int]) -> float:
    """Return the chance that this test, once failing, fails the next `length - 1` builds too.

    The posterior predictive of its after-a-failure rate: a Beta distribution with the failures
    that followed a failure (`after` = (together, followed)) on a prior centred on the test's
    overall rate (`failures` of `runs`, worth PRIOR_RUNS runs). Integrating over the rate keeps
    its uncertainty: one burst in eight runs does not make a test bursty, forty in four hundred
    do.
    """
    together, followed = after
    rate = (failures + 0.5) / (runs + 1)  # Jeffreys: never exactly 0 or 1
    a = together + PRIOR_RUNS * rate
    b = followed - together + PRIOR_RUNS * (1 - rate)
    chance = 1.0
    for step in range(length - 1):
        chance *= (a + step) / (a + b + step)
    return chance


def wilson(failures: int, runs: int, z: float = 1.96) -> tuple[float, float]:
    """Return the 95% Wilson score interval of a failure rate: honest for small samples."""
    if runs == 0:
        return 0.0, 1.0
    p = failures / runs
    denom = 1 + z * z / runs
    centre = (p + z * z / (2 * runs)) / denom
    half = z * math.sqrt(p * (1 - p) / runs + z * z / (4 * runs * runs)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def flip_rate(runs: list[Run], failed: list[bool] | None = None) -> float:
    """Return pass/fail transitions per run, recent runs weighing more.

    A flaky-passed run (failed, then passed on rerun) is a flip by itself.
    """
    if len(runs) < 2:
        return 0.0
    if failed is None:
        failed = [r.outcome in _FAILED for r in runs]
    weighted = total = 0.0
    weight = 1.0
    for index in range(len(runs) - 1, 0, -1):
        flipped = failed[index] != failed[index - 1] or runs[index].outcome is Outcome.FLAKY
        weighted += weight * flipped
        total += weight
        weight *= FLIP_DECAY
    return weighted / total


def same_commit_flips(
    runs: list[Run], failed: list[bool] | None = None
) -> tuple[tuple[str, int, int], ...]:
    """Return (sha, failing build, passing build) for each commit it failed and passed on."""
    if failed is None:
        failed = [r.outcome in _FAILED for r in runs]
    failing: dict[str, int] = {}
    for run, bad in zip(runs, failed, strict=True):
        if bad and is_commit(run.revision):
            failing.setdefault(run.revision, run.number)
    if not failing:
        return ()
    passing: dict[str, int] = {}
    for run, bad in zip(runs, failed, strict=True):
        if not bad and run.revision in failing and run.outcome in _PASSED:
            passing.setdefault(run.revision, run.number)
    return tuple((sha, failing[sha], passing[sha]) for sha in failing if sha in passing)


def latest_verdict(verdicts, signature: str | None) -> PastVerdict | None:
    """Return the newest active mark for this signature (marks on other errors do not count)."""
    matching = [v for v in verdicts if v.signature == signature]
    return max(matching, key=lambda v: (v.at, v.number)) if matching else None


def _episodes(runs: list[Run], failed: list[bool], signature: str | None, ev: Evidence) -> None:
    """Sort earlier failure episodes into ones that went away by themselves and regressions.

    Short episodes went away by themselves. A long one did too (a burst) unless it was
    improbable for the test (see `streak_chance`, the episode itself left out) and nothing
    shows it ended by itself: a pass on one of its commits, or its error coming and going in
    short episodes too. Only such an inferred regression may later say "it is back".
    """
    episodes = _split(runs, failed)
    transient = {r.signature for e in episodes if len(e) <= SHORT_EPISODE for r in e}
    flipped = {failing for _, failing, _ in ev.same_commit_flips}
    together, followed = ev.after_failure
    recovered: list[int] = []
    seen: list[int] = []
    bursts: list[tuple[int, int]] = []
    for episode in episodes:
        same = [r.number for r in episode if r.signature == signature]
        size = len(episode)
        alone = (together - (size - 1), followed - size)  # the rate without this episode
        chance = streak_chance(size, ev.prior_failures - size, ev.prior_runs - size, alone)
        by_itself = (
            size <= SHORT_EPISODE
            or chance >= IMPROBABLE
            or any(r.number in flipped for r in episode)
            or all(r.signature in transient for r in episode)
        )
        if by_itself:
            recovered.append(episode[0].number)
            seen.extend(same)
            ev.flaky_signatures.update(r.signature for r in episode)
            if size > SHORT_EPISODE:
                bursts.append((episode[0].number, episode[-1].number))
        elif same:
            ev.regressed_signature = (episode[0].number, episode[-1].number)
    ev.recovered = tuple(recovered)
    ev.seen_signature = tuple(seen)
    ev.bursts = tuple(bursts)


def _split(runs: list[Run], failed: list[bool]) -> list[list[Run]]:
    """Return the unbroken runs of failures in `runs`, oldest first."""
    episodes: list[list[Run]] = []
    index = 0
    while index < len(runs):
        if not failed[index]:
            index += 1
            continue
        end = index
        while end + 1 < len(runs) and failed[end + 1]:
            end += 1
        episodes.append(runs[index : end + 1])
        index = end + 1
    return episodes


def _fade(age: int) -> float:
    return 0.5 ** (max(age, 0) / HALF_LIFE)
