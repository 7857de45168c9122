"""The simulator, the quality replay, and the store giving the same answers as the pure engine."""

from __future__ import annotations

from collections import Counter

import pytest
from flaky_replay import store_replay

from triage.domain import Outcome
from triage.flakiness.model import NOISE, REAL
from triage.flakiness.quality import replay
from triage.flakiness.simulate import generate


@pytest.fixture(scope="module")
def small():
    return generate(7, builds=150, tests=200)


def test_the_simulator_is_deterministic(small):
    again = generate(7, builds=150, tests=200)
    assert [(b.revision, sorted(b.odd)) for b in again.builds] == [
        (b.revision, sorted(b.odd)) for b in small.builds
    ]
    assert generate(8, builds=150, tests=200).builds[0].revision != small.builds[0].revision


def test_the_simulator_has_every_ingredient():
    sims = [generate(seed, builds=300, tests=400) for seed in range(1, 9)]
    truths = Counter()
    outcomes = Counter()
    retries = 0
    for sim in sims:
        for previous, build in zip(sim.builds, sim.builds[1:], strict=False):
            retries += previous.revision == build.revision
            outcomes.update(o for o, _, _ in build.odd.values())
            truths.update(t for _, _, t in build.odd.values() if t)
    assert retries > 10  # red builds retried on the same commit
    assert outcomes[Outcome.FLAKY] > 10  # passed on rerun
    assert outcomes[Outcome.ERROR] > 50  # outages
    assert truths[REAL] > 50 and truths[NOISE] > 100
    flaky_rates = sorted(t.flaky_rate for t in sims[0].tests if t.flaky_rate)
    assert flaky_rates and flaky_rates[len(flaky_rates) // 2] < 0.03  # mostly low rates


def test_no_real_failure_is_suggested_noise_and_the_engine_beats_both_baselines():
    totals = None
    for seed in (101, 102, 103):
        tally, _ = replay(generate(seed, builds=200, tests=300))
        if totals is None:
            totals = tally
        else:
            totals.merge(tally)
    engine = totals.row("engine")
    assert engine["real"] > 20 and engine["noise"] > 50
    assert engine["real_as_noise"] == 0
    assert engine["real_flagged"] >= 0.9
    assert engine["noise_recognised"] >= 0.75
    for baseline in ("age", "ever failed"):
        row = totals.row(baseline)
        assert row["real_as_noise"] > 0
        assert row["real_flagged"] < engine["real_flagged"]


def test_the_store_gives_exactly_the_pure_engines_answers(small, tmp_path):
    _, pure = replay(small)
    _, stored = store_replay(small, tmp_path / "history.db")
    assert len(pure) > 20
    assert sorted(row[:4] for row in pure) == sorted(stored)
