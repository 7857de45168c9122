"""Tests that fail together: a shared fixture or resource, found in the history.

Rerun studies find that most flaky failures happen together with another flaky test failing in
the same build (Parry et al., "Systemic Flakiness", 2025: a shared fixture, a service, the
network). When tests failing in this build also failed together in earlier builds far more often
than chance allows, they form a group, and the group's earlier co-failures are one piece of
evidence for all its members: an earlier build counts once, however many members failed in it,
so three tests failing together are not three independent confirmations of anything.

What a member gains: the earlier builds where a mate failed with the member's very error (a
shared fixture's error reads the same in every test) and got over it count as that error
coming and going for the member too. Its own history still decides everything else: a real
mark, a streak, an error new to the whole group.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from triage.flakiness.evidence import SHORT_EPISODE, score
from triage.flakiness.model import Evidence, FailureInput

# Chance of so many co-failures if the two tests failed independently, below which they are
# a group; and at least this many earlier co-failures (one could be chance at any rate).
CO_FAILURE_CHANCE = 0.001
MIN_TOGETHER = 2


@dataclass(frozen=True, slots=True)
class Group:
    """The members of a co-failing group that fail in this build, and their earlier co-failures."""

    members: tuple[int, ...]  # indices into the build's failures
    together: tuple[int, ...]  # earlier builds where two or more of them failed


def find_groups(failures: list[FailureInput], skip: set[int] = frozenset()) -> list[Group]:
    """Return the groups among `failures` (indices in `skip` are left out: outage members)."""
    failing = [_failing_builds(f) if i not in skip else set() for i, f in enumerate(failures)]
    ran = [_decisive_builds(f) if failing[i] else set() for i, f in enumerate(failures)]
    by_build: dict[int, list[int]] = defaultdict(list)
    for index, builds in enumerate(failing):
        if len(builds) >= MIN_TOGETHER:
            for number in builds:
                by_build[number].append(index)
    pairs: dict[tuple[int, int], int] = defaultdict(int)
    for members in by_build.values():
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                pairs[(members[a], members[b])] += 1
    parent = list(range(len(failures)))
    for (a, b), together in pairs.items():
        if together >= MIN_TOGETHER and _beyond_chance(together, a, b, failing, ran):
            parent[_root(parent, a)] = _root(parent, b)
    components: dict[int, list[int]] = defaultdict(list)
    for index in range(len(failures)):
        components[_root(parent, index)].append(index)
    groups = []
    for members in components.values():
        if len(members) > 1:
            counts: dict[int, int] = defaultdict(int)
            for index in members:
                for number in failing[index]:
                    counts[number] += 1
            together = tuple(sorted(n for n, c in counts.items() if c >= 2))
            groups.append(Group(tuple(members), together))
    return groups


def pool(group: Group, failures: list[FailureInput], evidence: list[Evidence], number: int):
    """Give each member of `group` the group's evidence (see the module docstring)."""
    for index in group.members:
        failure, ev = failures[index], evidence[index]
        own = _own_failures(failure)
        starts: set[int] = set()
        builds: set[int] = set()
        for mate in group.members:
            if mate != index:
                _got_over(failures[mate], failure.signature, own, starts, builds)
        ev.group_mates = tuple(failures[m].test for m in group.members if m != index)
        ev.group_together = group.together
        if builds:
            ev.group_shared = tuple(sorted(builds))
            ev.seen_signature = tuple(sorted(set(ev.seen_signature) | builds))
            ev.recovered = tuple(sorted(set(ev.recovered) | starts))
            ev.flaky_signatures.add(failure.signature)
            ev.score = score(ev, number)


def _got_over(
    mate: FailureInput, signature: str | None, skip: set[int], starts: set[int], builds: set[int]
) -> None:
    """Add the short episodes where `mate` failed with `signature` and got over it: their first
    builds to `starts`, their builds with that error to `builds`. Builds in `skip` (the
    member's own failures, already its own evidence) are left out."""
    runs = [r for r in mate.history if r.passed or (r.failed and not r.mass)]
    index = 0
    while index < len(runs):
        if not runs[index].failed:
            index += 1
            continue
        end = index
        while end + 1 < len(runs) and runs[end + 1].failed:
            end += 1
        episode = runs[index : end + 1]
        same = [r.number for r in episode if r.signature == signature and r.number not in skip]
        if same and end + 1 < len(runs) and len(episode) <= SHORT_EPISODE:
            starts.add(same[0])
            builds.update(same)
        index = end + 1


def _beyond_chance(together: int, a: int, b: int, failing, ran) -> bool:
    """Return True when tests a and b failed together too often to be independent."""
    common = ran[a] & ran[b]
    if not common:
        return False
    fails_a = len(failing[a] & common)
    fails_b = len(failing[b] & common)
    expected = fails_a * fails_b / len(common)
    return _poisson_tail(together, expected) < CO_FAILURE_CHANCE


def _poisson_tail(count: int, mean: float) -> float:
    """Return P(X >= count) for X ~ Poisson(mean)."""
    if mean <= 0:
        return 0.0 if count > 0 else 1.0
    term = math.exp(-mean)
    below = 0.0
    for k in range(count):
        below += term
        term *= mean / (k + 1)
    return max(0.0, 1.0 - below)


def _failing_builds(failure: FailureInput) -> set[int]:
    return {r.number for r in failure.history if r.failed and not r.mass}


def _own_failures(failure: FailureInput) -> set[int]:
    return {r.number for r in failure.history if r.failed}


def _decisive_builds(failure: FailureInput) -> set[int]:
    return {r.number for r in failure.history if (r.passed or r.failed) and not r.mass}


def _root(parent: list[int], index: int) -> int:
    while parent[index] != index:
        parent[index] = parent[parent[index]]
        index = parent[index]
    return index
