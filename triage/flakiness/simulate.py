"""A simulator of build histories with known ground truth, to measure the engine's quality.

One history is one job on one branch: stable tests; flaky tests; real regressions that persist
until a later commit fixes them, some in flaky tests, some in a shared fixture failing many
tests of a module with one error; retries of red builds on the same commit; infrastructure
outages failing many tests at once; optional Surefire reruns.

Two profiles of flaky tests. CLASSIC: independent flaky tests with mostly low failure rates
(log-uniform from 0.3% to 8%, median about 1.5%) and one or two characteristic errors each.
REALISTIC (simulate_realistic.py): skewed rates, bursts, groups of tests that fail together,
several ways of failing, as rerun studies of real projects found.

Assumption, stated in the README: a real regression fails with an error of its own, not with
the exact error the test flakes with (`mimic` is the stress case outside it).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from triage.domain import Attempt, Outcome, TestResult
from triage.flakiness import simulate_errors as errors
from triage.flakiness import simulate_realistic as realistic
from triage.flakiness.simulate_errors import NOUNS

MODULES = ("billing", "auth", "search", "catalog", "orders", "payments", "users", "reports")
CLASSIC = "classic"
REALISTIC = "realistic"
PROFILES = (CLASSIC, REALISTIC)


@dataclass(frozen=True, slots=True)
class SimTest:
    classname: str
    name: str
    module: str
    flaky_rate: float = 0.0
    flaky_kinds: tuple[int, ...] = ()  # its ways of failing: indices into simulate_errors.FLAKY
    start: int = 1  # first build it exists in
    group: int = -1  # the shared fixture it fails together with (realistic profile)
    after_failure: float = 0.0  # a bursty test's chance to fail right after a failure


@dataclass(slots=True)
class SimBuild:
    number: int
    revision: str
    # test index -> (outcome, attempts, label) for every result that is not a plain pass;
    # label is "real" or "noise" for FAILED/ERROR results, None otherwise.
    odd: dict[int, tuple[Outcome, tuple[Attempt, ...], str | None]] = field(default_factory=dict)


@dataclass(slots=True)
class SimHistory:
    job: str
    tests: list[SimTest]
    builds: list[SimBuild]

    def results(self, build: SimBuild) -> list[TestResult]:
        """Return every result of `build` as the importer takes them."""
        out = []
        for index, test in enumerate(self.tests):
            if test.start > build.number:
                continue
            outcome, attempts, _ = build.odd.get(index, (Outcome.PASSED, (), None))
            reruns = max(0, len(attempts) - (1 if outcome is not Outcome.FLAKY else 0))
            out.append(
                TestResult(test.classname, test.name, outcome, 0.01, reruns, attempts=attempts)
            )
        return out


@dataclass(slots=True)
class _Regression:
    tests: tuple[int, ...]
    kind: int  # template seed
    until: int  # commits left before the fix lands
    shared: bool


def generate(
    seed: int,
    builds: int = 300,
    tests: int = 400,
    *,
    mimic: bool = False,
    profile: str = CLASSIC,
) -> SimHistory:
    """Return one simulated history of `builds` builds of `tests` tests, seeded.

    `mimic` is the stress case outside the stated assumption: a regression that hits a flaky
    test fails with that test's usual flaky error, indistinguishable at its first build.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}")
    rng = random.Random(seed)
    sources = None
    if profile == CLASSIC:
        sim_tests = _make_tests(rng, tests, builds)
    else:
        sim_tests, sources = realistic.make_sources(rng, _plain_tests(rng, tests, builds))
    reruns = rng.random() < 0.5
    active: list[_Regression] = []
    outage: tuple[list[int], int, int] | None = None  # (tests, template, builds left)
    history: list[SimBuild] = []
    revision = _sha(rng)
    for number in range(1, builds + 1):
        red = bool(history) and any(
            o[2] == "real" or o[2] == "noise" for o in history[-1].odd.values()
        )
        if not (red and rng.random() < 0.25):  # otherwise: a retry of a red build, same commit
            revision = _sha(rng)
            active = _advance(rng, active, sim_tests, number)
        if outage is None and rng.random() < 0.03:
            outage = _new_outage(rng, sim_tests, number)
        build = SimBuild(number, revision)
        if sources is None:
            _flaky(rng, sim_tests, build, reruns)
        else:
            realistic.fail_sources(rng, sources, sim_tests, build, reruns)
        if outage is not None:
            _apply_outage(rng, outage, build, reruns)
            outage = (outage[0], outage[1], outage[2] - 1) if outage[2] > 1 else None
        for regression in active:
            _apply_regression(rng, regression, sim_tests, build, reruns, mimic)
        history.append(build)
    job = f"sim-{seed}" if profile == CLASSIC else f"sim-{profile}-{seed}"
    return SimHistory(job, sim_tests, history)


def _make_tests(rng: random.Random, count: int, builds: int) -> list[SimTest]:
    """Return the classic profile's tests: 8% flaky, each failing on its own."""
    tests = []
    for index in range(count):
        module, noun, classname = _names(index)
        rate, kinds = 0.0, ()
        if rng.random() < 0.08:
            rate = math.exp(rng.uniform(math.log(0.003), math.log(0.08)))
            kinds = tuple(rng.sample(range(errors.CLASSIC_FLAKY), rng.choice((1, 1, 2))))
        start = 1 if rng.random() > 0.05 else rng.randint(2, builds)
        tests.append(SimTest(classname, f"test{noun}{index}", module, rate, kinds, start))
    return tests


def _plain_tests(rng: random.Random, count: int, builds: int) -> list[SimTest]:
    """Return tests without flakiness (the realistic profile adds it), 5% added later."""
    tests = []
    for index in range(count):
        module, noun, classname = _names(index)
        start = 1 if rng.random() > 0.05 else rng.randint(2, builds)
        tests.append(SimTest(classname, f"test{noun}{index}", module, start=start))
    return tests


def _names(index: int) -> tuple[str, str, str]:
    module = MODULES[index % len(MODULES)]
    noun = NOUNS[(index // len(MODULES)) % len(NOUNS)]
    return module, noun, f"com.acme.{module}.{noun}{index // 128 or ''}Test"


def _advance(
    rng, active: list[_Regression], tests: list[SimTest], number: int
) -> list[_Regression]:
    """Move to a new commit: fix regressions whose time is up, maybe introduce one."""
    kept = []
    for regression in active:
        regression.until -= 1
        if regression.until > 0:
            kept.append(regression)
    if rng.random() < 0.04:
        live = [i for i, t in enumerate(tests) if t.start <= number]
        until = 1 + int(rng.expovariate(1 / 3))
        if rng.random() < 0.15:
            module = rng.choice(MODULES)
            members = [i for i in live if tests[i].module == module]
            chosen = tuple(rng.sample(members, min(len(members), rng.randint(5, 12))))
            kept.append(_Regression(chosen, rng.randrange(10**6), until, True))
        else:
            flaky = [i for i in live if tests[i].flaky_rate]
            pool = flaky if flaky and rng.random() < 0.3 else live
            chosen = tuple(rng.sample(pool, min(len(pool), rng.choice((1, 1, 1, 2, 3)))))
            kept.append(_Regression(chosen, rng.randrange(10**6), until, False))
    return kept


def _flaky(rng, tests: list[SimTest], build: SimBuild, reruns: bool) -> None:
    for index, test in enumerate(tests):
        if not test.flaky_rate or test.start > build.number or rng.random() >= test.flaky_rate:
            continue
        attempt = errors.FLAKY[rng.choice(test.flaky_kinds)](rng, test)
        build.odd[index] = errors.flaky_result(rng, attempt, reruns)


def _new_outage(rng, tests: list[SimTest], number: int) -> tuple[list[int], int, int]:
    live = [i for i, t in enumerate(tests) if t.start <= number]
    if rng.random() < 0.7:
        module = rng.choice(MODULES)
        live = [i for i in live if tests[i].module == module]
    chosen = rng.sample(live, min(len(live), rng.randint(5, 40)))
    return chosen, rng.randrange(len(errors.OUTAGES)), 1 if rng.random() < 0.8 else 2


def _apply_outage(rng, outage, build: SimBuild, reruns: bool) -> None:
    tests, template, _ = outage
    host = rng.randint(1, 9)
    for index in tests:
        attempt = errors.OUTAGES[template](rng, host)
        build.odd[index] = (Outcome.ERROR, (attempt,) * (3 if reruns else 1), "noise")


def _apply_regression(
    rng, regression: _Regression, tests: list[SimTest], build: SimBuild, reruns: bool, mimic: bool
) -> None:
    for index in regression.tests:
        test = tests[index]
        if test.start > build.number:
            continue
        if mimic and test.flaky_kinds and not regression.shared:
            attempt = errors.FLAKY[test.flaky_kinds[0]](rng, test)
        else:
            attempt = errors.regression_attempt(rng, regression.kind, regression.shared, test)
        build.odd[index] = (Outcome.FAILED, (attempt,) * (3 if reruns else 1), "real")


def _sha(rng: random.Random) -> str:
    return f"{rng.randrange(16**40):040x}"
