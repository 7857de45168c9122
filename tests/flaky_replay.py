"""Replay a simulated history through the real SQLite store, build by build.

Shared by tests/test_flaky_quality.py and tests/benchmarks/bench_quality.py: each build is
imported with `import_build`, then triaged with `triage.triage_build.triage` exactly as the
CLI does, so only what was in the history at that moment is used.
"""

from __future__ import annotations

from pathlib import Path

from triage.domain import BuildInfo
from triage.flakiness.quality import Tally
from triage.flakiness.simulate import SimHistory
from triage.store import Store
from triage.store.importer import import_build
from triage.triage_build import triage


def store_replay(sim: SimHistory, path: Path) -> tuple[Tally, list[tuple[int, str, str, str]]]:
    """Return the engine's tally and (build, test, truth, suggestion) rows, via the store."""
    tally = Tally()
    decided = []
    names = {(t.classname, t.name): i for i, t in enumerate(sim.tests)}
    with Store.open(path) as store:
        for build in sim.builds:
            info = BuildInfo(
                sim.job,
                build.number,
                revision=build.revision,
                branch="main",
                timestamp_ms=1_700_000_000_000 + build.number * 60_000,
            )
            import_build(store, info, sim.results(build))
            result = triage(store, sim.job, build.number)
            for item in result.failures:
                index = names[(item.failure.classname, item.failure.name)]
                truth = build.odd[index][2]
                tally.add("engine", truth, item.suggestion)
                decided.append((build.number, item.failure.test, truth, item.suggestion))
    return tally, decided
