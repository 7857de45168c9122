"""A simulator of build histories with known ground truth, to measure the engine's quality.

One history is one job on one branch: stable tests; flaky tests with mostly low failure rates
(log-uniform from 0.3% to 8%, median about 1.5%) and one or two characteristic errors each;
real regressions that persist until a later commit fixes them, some in flaky tests, some in a
shared fixture failing many tests of a module with one error; retries of red builds on the
same commit; infrastructure outages failing many tests at once; optional Surefire reruns.

Messages carry volatile parts (ids, ports, durations, temp paths) that change every build, so
the measurement exercises signature masking too. Assumption, stated in the README: a real
regression fails with an error of its own, not with the exact error the test flakes with.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from triage.domain import Attempt, Outcome, TestResult

MODULES = ("billing", "auth", "search", "catalog", "orders", "payments", "users", "reports")
NOUNS = (
    "Invoice",
    "Token",
    "Index",
    "Cart",
    "Order",
    "Refund",
    "Profile",
    "Export",
    "Tax",
    "Session",
    "Query",
    "Price",
    "Stock",
    "Ledger",
    "Audit",
    "Quota",
)


@dataclass(frozen=True, slots=True)
class SimTest:
    classname: str
    name: str
    module: str
    flaky_rate: float = 0.0
    flaky_kinds: tuple[int, ...] = ()
    start: int = 1  # first build it exists in


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


def generate(seed: int, builds: int = 300, tests: int = 400, *, mimic: bool = False) -> SimHistory:
    """Return one simulated history of `builds` builds of `tests` tests, seeded.

    `mimic` is the stress case outside the stated assumption: a regression that hits a flaky
    test fails with that test's usual flaky error, indistinguishable at its first build.
    """
    rng = random.Random(seed)
    sim_tests = _make_tests(rng, tests, builds)
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
        _flaky(rng, sim_tests, build, reruns)
        if outage is not None:
            _apply_outage(rng, outage, build, reruns)
            outage = (outage[0], outage[1], outage[2] - 1) if outage[2] > 1 else None
        for regression in active:
            _apply_regression(rng, regression, sim_tests, build, reruns, mimic)
        history.append(build)
    return SimHistory(f"sim-{seed}", sim_tests, history)


def _make_tests(rng: random.Random, count: int, builds: int) -> list[SimTest]:
    tests = []
    for index in range(count):
        module = MODULES[index % len(MODULES)]
        noun = NOUNS[(index // len(MODULES)) % len(NOUNS)]
        classname = f"com.acme.{module}.{noun}{index // 128 or ''}Test"
        rate, kinds = 0.0, ()
        if rng.random() < 0.08:
            rate = math.exp(rng.uniform(math.log(0.003), math.log(0.08)))
            kinds = tuple(rng.sample(range(len(_FLAKY)), rng.choice((1, 1, 2))))
        start = 1 if rng.random() > 0.05 else rng.randint(2, builds)
        tests.append(SimTest(classname, f"test{noun}{index}", module, rate, kinds, start))
    return tests


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
        attempt = _FLAKY[rng.choice(test.flaky_kinds)](rng, test)
        if reruns and rng.random() < 0.6:
            build.odd[index] = (Outcome.FLAKY, (attempt,), None)
        else:
            attempts = (attempt,) * (3 if reruns else 1)
            build.odd[index] = (Outcome.FAILED, attempts, "noise")


def _new_outage(rng, tests: list[SimTest], number: int) -> tuple[list[int], int, int]:
    live = [i for i, t in enumerate(tests) if t.start <= number]
    if rng.random() < 0.7:
        module = rng.choice(MODULES)
        live = [i for i in live if tests[i].module == module]
    chosen = rng.sample(live, min(len(live), rng.randint(5, 40)))
    return chosen, rng.randrange(len(_OUTAGES)), 1 if rng.random() < 0.8 else 2


def _apply_outage(rng, outage, build: SimBuild, reruns: bool) -> None:
    tests, template, _ = outage
    host = rng.randint(1, 9)
    for index in tests:
        attempt = _OUTAGES[template](rng, host)
        build.odd[index] = (Outcome.ERROR, (attempt,) * (3 if reruns else 1), "noise")


def _apply_regression(
    rng, regression: _Regression, tests: list[SimTest], build: SimBuild, reruns: bool, mimic: bool
) -> None:
    for index in regression.tests:
        test = tests[index]
        if test.start > build.number:
            continue
        if mimic and test.flaky_kinds and not regression.shared:
            attempt = _FLAKY[test.flaky_kinds[0]](rng, test)
        else:
            attempt = _regression_attempt(rng, regression, test)
        build.odd[index] = (Outcome.FAILED, (attempt,) * (3 if reruns else 1), "real")


def _regression_attempt(rng, regression: _Regression, test: SimTest) -> Attempt:
    kind = regression.kind
    module = test.module
    service = f"com.acme.{module}.{NOUNS[kind % len(NOUNS)]}Service"
    method = ("total", "apply", "load", "render", "merge", "validate")[kind % 6]
    if regression.shared:
        message = (
            f'Cannot invoke "{NOUNS[kind % 16]}Repository.find(long)" '
            f'because "this.repo{kind % 97}" is null'
        )
        trace = _java_trace(
            "java.lang.NullPointerException",
            message,
            [f"com.acme.{module}.Fixtures.setUp{kind % 7}", f"{test.classname}.setUp"],
        )
        return Attempt("error", "java.lang.NullPointerException", message, trace)
    message = (
        f"{method} of '{NOUNS[kind % 16].lower()}_{rng.randrange(16**6):06x}' after "
        f"{rng.randint(2, 900)} ms: "
        f"expected:<{rng.randint(1, 500)}> but was:<{rng.randint(1, 500)}>"
    )
    trace = _java_trace(
        "org.opentest4j.AssertionFailedError",
        message,
        [f"{service}.{method}{kind % 13}", f"{test.classname}.{test.name}"],
    )
    return Attempt("failure", "org.opentest4j.AssertionFailedError", message, trace)


def _java_trace(type_: str, message: str, frames: list[str]) -> str:
    lines = [
        f"{type_}: {message}",
        "\tat org.junit.jupiter.api.AssertionUtils.fail(AssertionUtils.java:55)",
    ]
    lines += [
        f"\tat {frame}({frame.rsplit('.', 2)[-2]}.java:{17 + len(frame) % 200})" for frame in frames
    ]
    lines.append("\tat java.base/java.lang.reflect.Method.invoke(Method.java:580)")
    return "\n".join(lines)


def _flaky_timeout(rng, test: SimTest) -> Attempt:
    message = (
        f"Condition not met within {rng.randint(2, 30)} seconds: "
        f"order {rng.randrange(10**5)} state PENDING"
    )
    return Attempt(
        "failure",
        "org.awaitility.core.ConditionTimeoutException",
        message,
        _java_trace(
            "org.awaitility.core.ConditionTimeoutException",
            message,
            ["org.awaitility.core.ConditionAwaiter.await", f"{test.classname}.{test.name}"],
        ),
    )


def _flaky_race(rng, test: SimTest) -> Attempt:
    message = f"expected: <{rng.randint(2, 9)}> but was: <{rng.randint(0, 1)}>"
    return Attempt(
        "failure",
        "org.opentest4j.AssertionFailedError",
        message,
        _java_trace(
            "org.opentest4j.AssertionFailedError", message, [f"{test.classname}.{test.name}"]
        ),
    )


def _flaky_port(rng, test: SimTest) -> Attempt:
    message = (
        f"Failed to bind to 0.0.0.0/0.0.0.0:{rng.randint(30000, 60000)}: Address already in use"
    )
    return Attempt(
        "error",
        "java.net.BindException",
        message,
        _java_trace(
            "java.net.BindException",
            message,
            ["io.netty.bootstrap.AbstractBootstrap.bind", f"{test.classname}.setUp"],
        ),
    )


def _flaky_tempdir(rng, test: SimTest) -> Attempt:
    path = f"/tmp/junit{rng.randrange(10**9)}/export-{rng.randrange(10**4)}.csv"
    message = f"java.nio.file.NoSuchFileException: {path}"
    return Attempt(
        "error",
        "java.io.UncheckedIOException",
        message,
        _java_trace(
            "java.io.UncheckedIOException",
            message,
            [f"com.acme.{test.module}.ExportWriter.flush", f"{test.classname}.{test.name}"],
        ),
    )


_FLAKY = (_flaky_timeout, _flaky_race, _flaky_port, _flaky_tempdir)


def _outage_db(rng, host: int) -> Attempt:
    message = (
        f"Connection to db-{host}.ci.internal:5432 refused. "
        "Check that the hostname and port are correct"
    )
    return Attempt(
        "error",
        "org.postgresql.util.PSQLException",
        message,
        _java_trace(
            "org.postgresql.util.PSQLException",
            message,
            [
                "org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl",
                "com.zaxxer.hikari.pool.HikariPool.getConnection",
            ],
        ),
    )


def _outage_http(rng, host: int) -> Attempt:
    message = (
        f"503 Service Unavailable from GET http://stub-{host}:{rng.randint(8000, 9000)}/v1/rates "
        f"(request {rng.randrange(16**12):012x})"
    )
    return Attempt(
        "error",
        "org.springframework.web.client.HttpServerErrorException",
        message,
        _java_trace(
            "org.springframework.web.client.HttpServerErrorException",
            message,
            [
                "org.springframework.web.client.RestTemplate.doExecute",
                "com.acme.rates.RatesClient.fetch",
            ],
        ),
    )


def _outage_dns(rng, host: int) -> Attempt:
    message = f"cache-{host}.ci.internal: Name or service not known"
    return Attempt(
        "error",
        "java.net.UnknownHostException",
        message,
        _java_trace(
            "java.net.UnknownHostException",
            message,
            ["redis.clients.jedis.Connection.connect", "com.acme.cache.CacheClient.get"],
        ),
    )


def _outage_disk(rng, host: int) -> Attempt:
    message = f"/var/lib/agent-{host}/workspace/build/tmp/out.bin: No space left on device"
    return Attempt(
        "error",
        "java.io.IOException",
        message,
        _java_trace(
            "java.io.IOException", message, ["com.acme.io.Spool.write", "com.acme.io.Spool.flush"]
        ),
    )


_OUTAGES = (_outage_db, _outage_http, _outage_dns, _outage_disk)


def _sha(rng: random.Random) -> str:
    return f"{rng.randrange(16**40):040x}"
