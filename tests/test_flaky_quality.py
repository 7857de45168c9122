"""The simulator, the quality replay, and the store giving the same answers as the pure engine."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from flaky_replay import store_replay

from triage.domain import Outcome
from triage.flakiness import simulate_realistic as realistic
from triage.flakiness.ceiling import Ceiling
from triage.flakiness.model import NOISE, REAL
from triage.flakiness.quality import PINNED, replay
from triage.flakiness.simulate import CLASSIC, REALISTIC, generate


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


@pytest.mark.parametrize("profile", [CLASSIC, REALISTIC])
def test_no_real_failure_is_suggested_noise_and_the_engine_beats_both_baselines(profile):
    totals = None
    for seed in (101, 102, 103):
        tally, _ = replay(generate(seed, builds=200, tests=300, profile=profile))
        if totals is None:
            totals = tally
        else:
            totals.merge(tally)
    engine = totals.row("engine")
    assert engine["real"] > 20 and engine["noise"] > 50
    assert engine["real_as_noise"] == 0
    assert engine["real_flagged"] >= 0.9
    assert engine["noise_recognised"] >= (0.85 if profile == REALISTIC else 0.75)
    assert sum(totals.missed.values()) == engine["noise"] - totals.counts["engine"][(NOISE, NOISE)]
    for baseline in ("age", "ever failed"):
        row = totals.row(baseline)
        assert row["real_as_noise"] > 0
        assert row["real_flagged"] < engine["real_flagged"]


def test_the_store_gives_exactly_the_pure_engines_answers(small, tmp_path):
    _, pure = replay(small)
    _, stored = store_replay(small, tmp_path / "history.db")
    assert len(pure) > 20
    assert sorted(row[:4] for row in pure) == sorted(stored)


# --- the realistic profile ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def realistic_sims():
    return [generate(seed, profile=REALISTIC) for seed in range(1, 31)]


def test_realistic_rates_follow_the_quantiles_the_studies_give(realistic_sims):
    assert [realistic.rate_at(u) for u in (0.25, 0.5, 0.9, 1.0)] == pytest.approx(
        [0.002, 0.01, 0.40, 0.60]
    )
    rates = sorted(t.flaky_rate for sim in realistic_sims for t in sim.tests if t.flaky_rate)
    at = lambda share: rates[int(share * len(rates))]  # noqa: E731
    assert at(0.25) <= 0.003  # a quarter fail 0.2% of runs or less
    assert 0.006 <= at(0.5) <= 0.016  # the median about 1%
    assert at(0.9) >= 0.35 and rates[-1] <= 0.60  # the top tenth 40-60%


def test_realistic_flaky_tests_burst_cofail_and_fail_in_several_ways(realistic_sims):
    flaky = [t for sim in realistic_sims for t in sim.tests if t.flaky_rate]
    bursty = sum(1 for t in flaky if t.after_failure) / len(flaky)
    assert 0.12 <= bursty <= 0.3  # about a fifth
    assert all(t.after_failure >= 0.5 for t in flaky if t.after_failure)
    ways = sorted(len(t.flaky_kinds) for t in flaky)
    assert ways[len(ways) // 2] == 1 and ways[3 * len(ways) // 4] == 2  # median 1, p75 2
    assert 0.2 <= sum(w > 1 for w in ways) / len(ways) <= 0.45  # about a third
    for sim in realistic_sims:
        groups: dict[int, set[str]] = {}
        for test in sim.tests:
            if test.group >= 0:
                groups.setdefault(test.group, set()).add(test.module)
        assert all(len(modules) == 1 for modules in groups.values())  # a fixture per module
    shares = [realistic.co_failure_share(sim) for sim in realistic_sims]
    assert 0.7 <= sum(shares) / len(shares) <= 0.88  # about 79% co-fail


def test_a_bursty_source_keeps_its_long_run_rate_and_fails_more_after_a_failure():
    rng = random.Random(5)
    source = realistic._source(rng, (0,), 0.05, shared=False)
    while source.after_failure == source.after_pass:  # draw until bursty
        source = realistic._source(rng, (0,), 0.05, shared=False)
    outcomes = []
    for _ in range(200_000):
        chance = source.after_failure if source.failed_last else source.after_pass
        source.failed_last = rng.random() < chance
        outcomes.append(source.failed_last)
    assert sum(outcomes) / len(outcomes) == pytest.approx(0.05, rel=0.1)
    after = [b for a, b in zip(outcomes, outcomes[1:], strict=False) if a]
    assert sum(after) / len(after) >= 0.5


def test_the_realistic_profile_has_every_classic_ingredient_too(realistic_sims):
    truths = Counter()
    outcomes = Counter()
    for sim in realistic_sims[:8]:
        for build in sim.builds:
            outcomes.update(o for o, _, _ in build.odd.values())
            truths.update(t for _, _, t in build.odd.values() if t)
    assert outcomes[Outcome.FLAKY] > 10 and outcomes[Outcome.ERROR] > 50
    assert truths[REAL] > 50 and truths[NOISE] > 100
    again = generate(1, profile=REALISTIC)
    assert [sorted(b.odd) for b in again.builds] == [
        sorted(b.odd) for b in realistic_sims[0].builds
    ]
    with pytest.raises(ValueError):
        generate(1, profile="imaginary")


# --- the upper bound -----------------------------------------------------------------------------


@pytest.mark.parametrize("real_shares", [False, True])
def test_the_bound_counts_only_noise_no_real_failure_looks_like(real_shares):
    ceiling = Ceiling()
    for _ in range(3):
        ceiling.add(("clean",), NOISE, "no earlier sign")
    ceiling.add(("flaky",), NOISE, None)
    ceiling.add(("blip",), NOISE, "one blip")
    ceiling.add(("clean",) if real_shares else ("regression",), REAL, None)
    figures = ceiling.figures(kept=("one blip",))
    assert figures["bound"] == (2 / 5 if real_shares else 1.0)
    assert figures["kept"] == 1 / 5
    assert figures["descriptions"] == (3 if real_shares else 4)
    assert figures["beyond"] == 0
    ceiling.add(("clean",), NOISE, None)  # recognised, though a real failure may look the same
    assert ceiling.figures()["beyond"] == (1 / 6 if real_shares else 0)


def test_a_rule_learnt_elsewhere_is_scored_with_the_real_failures_it_would_hide():
    tuning, here = Ceiling(), Ceiling()
    tuning.add(("blip",), NOISE, "one blip")
    tuning.add(("clean",), NOISE, "no earlier sign")
    tuning.add(("clean",), REAL, None)
    here.add(("blip",), NOISE, "one blip")  # learnt: noise-only in the tuning histories
    here.add(("blip",), REAL, None)  # ... but not here: the rule hides this one
    here.add(("clean",), NOISE, "no earlier sign")
    here.add(("flaky",), NOISE, None)  # the engine's own
    assert here.learned(tuning) == {"recognised": 2 / 3, "real_as_noise": 1}


def test_the_bound_bounds_the_engine(small):
    tally, _ = replay(small)
    figures = tally.ceiling.figures(PINNED)
    engine = tally.row("engine")["noise_recognised"]
    assert engine <= figures["bound"] - figures["kept"] <= figures["bound"] <= 1
    # The descriptions are as fine as the engine's own judgement: no noise it recognised looks
    # like a real failure, so the bound bounds the engine too.
    counts = tally.ceiling.counts
    shared = {d for d, truth, _ in counts if truth == REAL}
    recognised = [d for d, truth, missed in counts if truth == NOISE and missed is None]
    assert recognised and not shared & set(recognised)
    assert figures["beyond"] == 0
