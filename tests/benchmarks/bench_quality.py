"""Quality of the suggestions on simulated histories with known ground truth.

Thresholds were chosen looking at seeds 0-9 only (TUNING_SEEDS); the table is measured on
held-out seeds 3000+ that were never looked at while tuning. (Seeds 1000-1039 were held out
first; they revealed one safety bug, now fixed and covered by a unit test, so they count as
seen and the table moved to fresh seeds.) Each history is one job of 300
builds x 400 tests (see triage/flakiness/simulate.py for what happens in it); the engine runs
at every build on what was known then. One more held-out history goes through the real SQLite
store build by build, to show the same suggestions come out of `triage failures`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.benchmarks.common import scale, table, timed
from tests.flaky_replay import store_replay
from triage.flakiness.quality import APPROACHES, Tally, replay
from triage.flakiness.simulate import generate

TUNING_SEEDS = range(0, 10)
HELD_OUT_SEEDS = range(3000, 3040)
STORE_SEED = 4000
NAMES = {
    "engine": "flaky-triage",
    "age": "baseline: new if it passed in the previous build (junit plugin age)",
    "ever failed": "baseline: noise if it ever failed before",
}


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


HEADERS = (
    "approach",
    "real suggested noise",
    "real flagged real",
    "noise recognised",
    "unsure",
    "noise flagged real",
)


def main() -> None:
    seeds = list(HELD_OUT_SEEDS)[: max(4, int(len(HELD_OUT_SEEDS) * scale()))]
    total = Tally()
    with timed() as pure:
        for seed in seeds:
            tally, _ = replay(generate(seed))
            total.merge(tally)
    engine = total.row("engine")
    print(
        f"{len(seeds)} held-out histories (seeds {seeds[0]}-{seeds[-1]}; tuned on seeds "
        f"{TUNING_SEEDS.start}-{TUNING_SEEDS.stop - 1}), 300 builds x 400 tests each: "
        f"{engine['failures']} failures ({engine['real']} real, {engine['noise']} noise), "
        f"{pure['seconds']:.1f} s"
    )
    print(table(quality_rows(total), HEADERS))
    ok = (
        engine["real_as_noise"] == 0
        and engine["real_flagged"] >= 0.95
        and engine["noise_recognised"] >= 0.85
    )
    print(
        f"targets (0 real hidden, >= 95% real flagged, >= 85% noise recognised): "
        f"{'met' if ok else 'NOT MET'}"
    )
    stress = Tally()
    for seed in seeds:
        stress.merge(replay(generate(seed, mimic=True))[0])
    row = stress.row("engine")
    print(
        f"\nstress, outside the simulator's assumption (a regression in a flaky test fails with "
        f"that test's usual flaky error): real suggested noise {row['real_as_noise']} "
        f"({row['real_as_noise'] / row['real']:.1%} of {row['real']} real failures, each at the "
        f"first build of such a regression), real flagged {row['real_flagged']:.1%}, "
        f"noise recognised {row['noise_recognised']:.1%}"
    )
    sim = generate(STORE_SEED)
    _, pure_rows = replay(sim)
    with tempfile.TemporaryDirectory(prefix="triage-quality-") as tmp, timed() as through_store:
        stored_tally, stored_rows = store_replay(sim, Path(tmp) / "history.db")
    same = sorted(r[:4] for r in pure_rows) == sorted(stored_rows)
    row = stored_tally.row("engine")
    print(
        f"\nthrough the SQLite store (seed {STORE_SEED}, import + triage at each of 300 builds, "
        f"{through_store['seconds']:.1f} s): {len(stored_rows)} failures, "
        f"{'identical to' if same else 'DIFFERENT FROM'} the pure engine; "
        f"real suggested noise {row['real_as_noise']}, real flagged {row['real_flagged']:.1%}, "
        f"noise recognised {row['noise_recognised']:.1%}, unsure {row['unsure']:.1%}"
    )


if __name__ == "__main__":
    main()
