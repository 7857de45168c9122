"""Quality of the suggestions on simulated histories with known ground truth, on two profiles.

classic: independent flaky tests with low failure rates (the first simulator).
realistic: flaky tests shaped like those of rerun studies of real projects (issue 11): skewed
failure rates, bursts, groups failing together, several ways of failing.

Thresholds were chosen looking at seeds 0-9 of each profile only (TUNING_SEEDS); the tables are
measured on held-out seeds never looked at while tuning: 7000+ for classic, 8000+ for
realistic. Earlier held-out sets count as seen: classic 1000-1039 and 3000-3039 each revealed a
safety bug (now fixed and covered by a unit test: a broken fixture's signature split by class
names; a regression whose error's wording varied taken for an error other tests got over),
and realistic 5000-5039 was measured with that second bug in. Each history is one job of
300 builds x 400 tests
(see triage/flakiness/simulate.py for what happens in it); the engine runs at every build on
what was known then. One more held-out history per profile goes through the real SQLite store
build by build, to show the same suggestions come out of `triage failures`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.benchmarks.common import scale, table, timed
from tests.flaky_replay import store_replay
from triage.flakiness.quality import APPROACHES, PINNED, UNTOLD, Tally, replay
from triage.flakiness.simulate import CLASSIC, REALISTIC, generate

TUNING_SEEDS = range(0, 10)
HELD_OUT_SEEDS = {CLASSIC: range(7000, 7040), REALISTIC: range(8000, 8040)}
STORE_SEED = {CLASSIC: 4000, REALISTIC: 6000}
# (real failures flagged real, noise recognised) at least; no real failure suggested noise.
TARGETS = {CLASSIC: (0.97, 0.95), REALISTIC: (0.97, 0.90)}
NAMES = {
    "engine": "flaky-triage",
    "age": "baseline: new if it passed in the previous build (junit plugin age)",
    "ever failed": "baseline: noise if it ever failed before",
}
HEADERS = (
    "approach",
    "real suggested noise",
    "real flagged real",
    "noise recognised",
    "unsure",
    "noise flagged real",
)


def quality_rows(tally: Tally) -> list[tuple]:
    rows = []
    for approach in APPROACHES:
        r = tally.row(approach)
        rows.append(
            (
                NAMES[approach],
                r["real_as_noise"],
                f"{r['real_flagged']:.1%}",
                f"{r['noise_recognised']:.1%}",
                f"{r['unsure']:.1%}",
                f"{r['noise_as_real']:.1%}",
            )
        )
    return rows


def missed_line(tally: Tally) -> str:
    """Return what the history held for the noise the engine did not recognise."""
    noise = tally.row("engine")["noise"]
    parts = ", ".join(f"{tally.missed[k] / noise:.1%} {k}" for k in UNTOLD)
    other = sum(tally.missed.values()) - sum(tally.missed[k] for k in UNTOLD)
    return f"noise not recognised, by what its history held: {parts}; {other / noise:.1%} other"


def ceiling_line(tally: Tally) -> str:
    """Return the upper bound on noise recognised beside the engine's figure."""
    figures = tally.ceiling.figures(PINNED)
    engine = tally.row("engine")["noise_recognised"]
    return (
        f"upper bound on noise recognised with 0 real suggested noise: {figures['bound']:.1%} "
        f"(the noise whose observable evidence, {figures['descriptions']} distinct "
        f"descriptions, no real failure shares; triage/flakiness/ceiling.py); "
        f"{figures['kept']:.1%} of noise under it is held unsure by rules the unit tests "
        f"pin (fewer than 5 runs, one earlier blip, two in a row), so at most "
        f"{figures['bound'] - figures['kept']:.1%} within them; the engine: {engine:.1%}"
        + (f" (of it {figures['beyond']:.1%} beyond the bound's descriptions)"
           if figures["beyond"] else "")
    )


def learned_line(tally: Tally, tuning: Tally) -> str:
    """Return how a rule learnt on the tuning seeds' descriptions fares on these histories."""
    learned = tally.ceiling.learned(tuning.ceiling)
    return (
        f"the bound out of sample: the engine plus a rule calling noise every description "
        f"that held only noise on the tuning seeds {TUNING_SEEDS.start}-{TUNING_SEEDS.stop - 1} "
        f"recognises {learned['recognised']:.1%} of noise here, and suggests "
        f"{learned['real_as_noise']} real failures noise"
    )


def measure(profile: str, seeds: list[int], mimic: bool = False) -> Tally:
    total = Tally()
    for seed in seeds:
        total.merge(replay(generate(seed, profile=profile, mimic=mimic))[0])
    return total


def report_profile(profile: str) -> bool:
    """Print one profile's table, targets, stress and store check; return whether targets met."""
    held_out = list(HELD_OUT_SEEDS[profile])
    seeds = held_out[: max(4, int(len(held_out) * scale()))]
    with timed() as pure:
        total = measure(profile, seeds)
    engine = total.row("engine")
    print(
        f"\n--- {profile} profile: {len(seeds)} held-out histories (seeds {seeds[0]}-{seeds[-1]}; "
        f"tuned on seeds {TUNING_SEEDS.start}-{TUNING_SEEDS.stop - 1}), 300 builds x 400 tests "
        f"each: {engine['failures']} failures ({engine['real']} real, {engine['noise']} noise), "
        f"{pure['seconds']:.1f} s"
    )
    print(table(quality_rows(total), HEADERS))
    flagged, recognised = TARGETS[profile]
    ok = (
        engine["real_as_noise"] == 0
        and engine["real_flagged"] >= flagged
        and engine["noise_recognised"] >= recognised
    )
    print(
        f"targets (0 real hidden, >= {flagged:.0%} real flagged, >= {recognised:.0%} noise "
        f"recognised): {'met' if ok else 'NOT MET'}"
    )
    print(missed_line(total))
    print(ceiling_line(total))
    print(learned_line(total, measure(profile, list(TUNING_SEEDS))))
    row = measure(profile, seeds, mimic=True).row("engine")
    print(
        f"stress, outside the simulator's assumption (a regression in a flaky test fails with "
        f"that test's usual flaky error): real suggested noise {row['real_as_noise']} "
        f"({row['real_as_noise'] / row['real']:.1%} of {row['real']} real failures), "
        f"real flagged {row['real_flagged']:.1%}, noise recognised {row['noise_recognised']:.1%}"
    )
    store_check(profile)
    return ok


def store_check(profile: str) -> None:
    """Replay one more held-out history through the SQLite store and compare with the pure one."""
    seed = STORE_SEED[profile]
    sim = generate(seed, profile=profile)
    _, pure_rows = replay(sim)
    with tempfile.TemporaryDirectory(prefix="triage-quality-") as tmp, timed() as through_store:
        stored_tally, stored_rows = store_replay(sim, Path(tmp) / "history.db")
    same = sorted(r[:4] for r in pure_rows) == sorted(stored_rows)
    row = stored_tally.row("engine")
    print(
        f"through the SQLite store (seed {seed}, import + triage at each of 300 builds, "
        f"{through_store['seconds']:.1f} s): {len(stored_rows)} failures, "
        f"{'identical to' if same else 'DIFFERENT FROM'} the pure engine; "
        f"real suggested noise {row['real_as_noise']}, real flagged {row['real_flagged']:.1%}, "
        f"noise recognised {row['noise_recognised']:.1%}, unsure {row['unsure']:.1%}"
    )


def main() -> None:
    met = [report_profile(profile) for profile in (REALISTIC, CLASSIC)]
    print(f"\nall quality targets: {'met' if all(met) else 'NOT MET'}")


if __name__ == "__main__":
    main()
