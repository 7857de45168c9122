"""The simulator's realistic profile: flaky tests shaped like those of rerun studies.

Issue 11 gives what rerun studies of thousands of flaky tests found (the FlakeFlagger data:
24 Java projects, each suite run 10,000 times, Alshammari et al., ICSE 2021; its co-failure
analysis: Parry et al., "Systemic Flakiness", EASE 2025, arXiv:2504.16777), and every number
below comes from it unless a comment says it is our assumption:
- failure rates are very skewed: median about 1% of runs, a quarter 0.2% or less, the top
  tenth 40-60%;
- about a fifth of flaky tests are bursty: after a failure the next runs fail far more often;
- about 79% of flaky failures happen together with another flaky test failing in the same
  build: groups of two or three tests sharing a fixture or a resource;
- a third of flaky tests fail in more than one way (median one exception type, p75 two).

A flaky *source* is one flaky test or one shared fixture with its group of tests. Each build a
source fails or not (a two-state chain when bursty); when a fixture fails, most of its tests
fail with its error. Regressions, outages, reruns and retries are the classic profile's.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass, replace

from triage.domain import Outcome
from triage.flakiness import simulate_errors as errors

# The failure-rate quantile function, drawn from by inverse transform with log-linear steps
# between the quantiles the studies give. The 0% end (0.05%) is our assumption: a rarer flaky
# test hardly ever fails in a 300-build history, so it barely matters.
RATE_QUANTILES = ((0.0, 0.0005), (0.25, 0.002), (0.5, 0.01), (0.9, 0.40), (1.0, 0.60))
BURSTY_SHARE = 0.2
# "Far more often" after a failure: our assumption, 50% to 80% (and never below the rate).
AFTER_FAILURE = (0.5, 0.8)
# Our assumptions, calibrated so that about 79% of flaky failures co-fail (measured by
# co_failure_share; a test pins it): one source per 50 tests, 60% of them shared fixtures of
# two or three tests (so about 80% of flaky tests are in a group, close to the 75% Parry et
# al. found in clusters), each failing in 90% of its fixture's failures. More sources would make
# unrelated flaky tests fail together by chance far above the studies' figure.
TESTS_PER_SOURCE = 50
GROUP_SHARE = 0.6
GROUP_SIZES = (2, 3)
PARTICIPATION = 0.9
# Ways of failing per source: two thirds one, a quarter two, the rest three (a third more than
# one; median 1, p75 2). The first way is the most common: weights are our assumption.
WAY_COUNTS = ((1, 2 / 3), (2, 1 / 4), (3, 1 / 12))
WAY_WEIGHTS = {1: (1.0,), 2: (0.7, 0.3), 3: (0.6, 0.25, 0.15)}


@dataclass(slots=True)
class FlakySource:
    """One flaky test, or one shared fixture failing its group of tests together."""

    members: tuple[int, ...]
    after_pass: float  # the chance it fails in a build after a build it did not fail in
    after_failure: float  # the same after a failing build (equal unless bursty)
    ways: tuple[int, ...]  # indices into simulate_errors.FLAKY
    weights: tuple[float, ...]
    failed_last: bool = False


def rate_at(u: float) -> float:
    """Return the failure rate at quantile `u` of RATE_QUANTILES (log-linear in between)."""
    at = max(1, bisect.bisect_left([q for q, _ in RATE_QUANTILES], u))
    (q0, r0), (q1, r1) = RATE_QUANTILES[at - 1], RATE_QUANTILES[at]
    share = (u - q0) / (q1 - q0)
    return math.exp(math.log(r0) + share * (math.log(r1) - math.log(r0)))


def make_sources(rng: random.Random, tests: list) -> tuple[list, list[FlakySource]]:
    """Pick the flaky sources among `tests` (SimTest records); return the tests updated."""
    count = max(1, round(len(tests) / TESTS_PER_SOURCE))
    # Stratified quantiles: every history spans the whole distribution, not a lucky draw.
    quantiles = [(k + rng.random()) / count for k in range(count)]
    rng.shuffle(quantiles)
    free = list(range(len(tests)))
    rng.shuffle(free)
    sources = []
    for group_id, u in enumerate(quantiles):
        rate = rate_at(u)
        size = rng.choice(GROUP_SIZES) if rng.random() < GROUP_SHARE else 1
        members = _members(free, tests, size)
        if size > 1:
            rate = min(0.95, rate / PARTICIPATION)  # so each member fails `rate_at(u)` of runs
        source = _source(rng, members, rate, size > 1)
        sources.append(source)
        own = rate * (PARTICIPATION if size > 1 else 1.0)
        for index in members:
            tests[index] = replace(
                tests[index],
                flaky_rate=own,
                flaky_kinds=source.ways,
                group=group_id if size > 1 else -1,
                after_failure=source.after_failure if source.after_failure > rate else 0.0,
            )
    return tests, sources


def _members(free: list[int], tests: list, size: int) -> tuple[int, ...]:
    """Take `size` tests from one module (a fixture is shared within a module)."""
    first = free.pop()
    module = tests[first].module
    mates = [i for i in free if tests[i].module == module][: size - 1]
    for mate in mates:
        free.remove(mate)
    return (first, *mates)


def _source(rng: random.Random, members: tuple[int, ...], rate: float, shared: bool):
    count = rng.choices([c for c, _ in WAY_COUNTS], [w for _, w in WAY_COUNTS])[0]
    ways = list(rng.sample(errors.OWN_WAYS, count))
    if shared:
        ways[0] = rng.choice(errors.FIXTURE_WAYS)  # mostly the fixture's own error
    after_failure = rate
    if rng.random() < BURSTY_SHARE:
        after_failure = max(rng.uniform(*AFTER_FAILURE), (1 + rate) / 2)
    # The chance after a pass that keeps the long-run failure rate at `rate`:
    # rate = after_pass / (1 - after_failure + after_pass).
    after_pass = rate * (1 - after_failure) / (1 - rate) if after_failure > rate else rate
    return FlakySource(members, after_pass, after_failure, tuple(ways), WAY_WEIGHTS[count])


def fail_sources(rng: random.Random, sources: list[FlakySource], tests, build, reruns: bool):
    """Let each source fail or not in `build`, writing its tests' flaky failures."""
    for source in sources:
        chance = source.after_failure if source.failed_last else source.after_pass
        source.failed_last = rng.random() < chance
        if not source.failed_last:
            continue
        way = rng.choices(source.ways, source.weights)[0]
        for index in source.members:
            test = tests[index]
            if test.start > build.number:
                continue
            if len(source.members) > 1 and rng.random() >= PARTICIPATION:
                continue
            build.odd[index] = errors.flaky_result(rng, errors.FLAKY[way](rng, test), reruns)


def co_failure_share(sim) -> float:
    """Return the share of flaky failures with another flaky failure in the same build."""
    together = total = 0
    for build in sim.builds:
        flaky = [
            i
            for i, (outcome, _, label) in build.odd.items()
            if outcome is Outcome.FLAKY or (outcome is Outcome.FAILED and label == "noise")
        ]
        total += len(flaky)
        together += len(flaky) if len(flaky) > 1 else 0
    return together / total if total else 0.0
