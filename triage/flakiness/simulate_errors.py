"""The failures the simulator writes: flaky errors, shared-fixture errors, outages, regressions.

Messages carry volatile parts (ids, ports, durations, temp paths) that change every build, so
the measurement exercises signature masking too. Each template takes the random generator and
the failing test (or, for outages, the host number) and returns one attempt.
"""

from __future__ import annotations

from triage.domain import Attempt, Outcome

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


def java_trace(type_: str, message: str, frames: list[str]) -> str:
    lines = [
        f"{type_}: {message}",
        "\tat org.junit.jupiter.api.AssertionUtils.fail(AssertionUtils.java:55)",
    ]
    lines += [
        f"\tat {frame}({frame.rsplit('.', 2)[-2]}.java:{17 + len(frame) % 200})" for frame in frames
    ]
    lines.append("\tat java.base/java.lang.reflect.Method.invoke(Method.java:580)")
    return "\n".join(lines)


def _attempt(kind: str, type_: str, message: str, frames: list[str]) -> Attempt:
    return Attempt(kind, type_, message, java_trace(type_, message, frames))


# --- a test's own flaky errors ---------------------------------------------------------------


def _flaky_timeout(rng, test) -> Attempt:
    message = (
        f"Condition not met within {rng.randint(2, 30)} seconds: "
        f"order {rng.randrange(10**5)} state PENDING"
    )
    return _attempt(
        "failure",
        "org.awaitility.core.ConditionTimeoutException",
        message,
        ["org.awaitility.core.ConditionAwaiter.await", f"{test.classname}.{test.name}"],
    )


def _flaky_race(rng, test) -> Attempt:
    message = f"expected: <{rng.randint(2, 9)}> but was: <{rng.randint(0, 1)}>"
    return _attempt(
        "failure", "org.opentest4j.AssertionFailedError", message, [f"{test.classname}.{test.name}"]
    )


def _flaky_port(rng, test) -> Attempt:
    message = (
        f"Failed to bind to 0.0.0.0/0.0.0.0:{rng.randint(30000, 60000)}: Address already in use"
    )
    return _attempt(
        "error",
        "java.net.BindException",
        message,
        ["io.netty.bootstrap.AbstractBootstrap.bind", f"{test.classname}.setUp"],
    )


def _flaky_tempdir(rng, test) -> Attempt:
    path = f"/tmp/junit{rng.randrange(10**9)}/export-{rng.randrange(10**4)}.csv"
    return _attempt(
        "error",
        "java.io.UncheckedIOException",
        f"java.nio.file.NoSuchFileException: {path}",
        [f"com.acme.{test.module}.ExportWriter.flush", f"{test.classname}.{test.name}"],
    )


def _flaky_concurrent(rng, test) -> Attempt:
    return _attempt(
        "error",
        "java.util.ConcurrentModificationException",
        "",
        [
            "java.util.ArrayList$Itr.checkForComodification",
            f"com.acme.{test.module}.EventBus.publish",
            f"{test.classname}.{test.name}",
        ],
    )


def _flaky_order(rng, test) -> Attempt:
    # Test-order dependence: a singleton left behind by the test that ran before.
    message = (
        f"{NOUNS[len(test.name) % 16]}Registry already initialised by thread-{rng.randint(1, 64)}"
    )
    return _attempt(
        "error",
        "java.lang.IllegalStateException",
        message,
        [f"com.acme.{test.module}.Registry.init", f"{test.classname}.setUp"],
    )


def _flaky_read_timeout(rng, test) -> Attempt:
    return _attempt(
        "error",
        "java.net.SocketTimeoutException",
        f"Read timed out after {rng.randint(1000, 30000)} ms",
        ["okhttp3.internal.http2.Http2Stream.waitForIo", f"{test.classname}.{test.name}"],
    )


# --- errors of a fixture shared by a group of tests -------------------------------------------


def fixture_class(test) -> str:
    """Return the shared fixture of a test's co-failing group (see simulate_realistic)."""
    return f"com.acme.{test.module}.support.{NOUNS[test.group % len(NOUNS)]}Fixture"


def _fixture_container(rng, test) -> Attempt:
    message = (
        f"Container startup failed for image postgres:16 after {rng.randint(30, 120)} s "
        f"(container {rng.randrange(16**12):012x})"
    )
    return _attempt(
        "error",
        "org.testcontainers.containers.ContainerLaunchException",
        message,
        [f"{fixture_class(test)}.start", f"{test.classname}.setUp"],
    )


def _fixture_lock(rng, test) -> Attempt:
    message = (
        f"Timeout waiting for lock on /tmp/gradle-{rng.randrange(10**6)}/shared-cache.lock "
        f"held by process {rng.randint(1000, 99999)}"
    )
    return _attempt(
        "error",
        "java.nio.channels.OverlappingFileLockException",
        message,
        [f"{fixture_class(test)}.acquire", f"{test.classname}.setUp"],
    )


def _fixture_seed(rng, test) -> Attempt:
    message = f"expected: <{rng.randint(10, 99)}> rows but was: <{rng.randint(0, 9)}>"
    return _attempt(
        "failure",
        "org.opentest4j.AssertionFailedError",
        message,
        [f"{fixture_class(test)}.awaitSeeded", f"{test.classname}.setUp"],
    )


# The first four are the classic profile's (its generator samples their indices).
FLAKY = (
    _flaky_timeout,
    _flaky_race,
    _flaky_port,
    _flaky_tempdir,
    _flaky_concurrent,
    _flaky_order,
    _flaky_read_timeout,
    _fixture_container,
    _fixture_lock,
    _fixture_seed,
)
CLASSIC_FLAKY = 4
OWN_WAYS = tuple(range(7))  # a single test's ways of failing
FIXTURE_WAYS = (7, 8, 9)  # a shared fixture's


# --- outages: one error in many tests at once -------------------------------------------------


def _outage_db(rng, host: int) -> Attempt:
    message = (
        f"Connection to db-{host}.ci.internal:5432 refused. "
        "Check that the hostname and port are correct"
    )
    return _attempt(
        "error",
        "org.postgresql.util.PSQLException",
        message,
        [
            "org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl",
            "com.zaxxer.hikari.pool.HikariPool.getConnection",
        ],
    )


def _outage_http(rng, host: int) -> Attempt:
    message = (
        f"503 Service Unavailable from GET http://stub-{host}:{rng.randint(8000, 9000)}/v1/rates "
        f"(request {rng.randrange(16**12):012x})"
    )
    return _attempt(
        "error",
        "org.springframework.web.client.HttpServerErrorException",
        message,
        [
            "org.springframework.web.client.RestTemplate.doExecute",
            "com.acme.rates.RatesClient.fetch",
        ],
    )


def _outage_dns(rng, host: int) -> Attempt:
    return _attempt(
        "error",
        "java.net.UnknownHostException",
        f"cache-{host}.ci.internal: Name or service not known",
        ["redis.clients.jedis.Connection.connect", "com.acme.cache.CacheClient.get"],
    )


def _outage_disk(rng, host: int) -> Attempt:
    return _attempt(
        "error",
        "java.io.IOException",
        f"/var/lib/agent-{host}/workspace/build/tmp/out.bin: No space left on device",
        ["com.acme.io.Spool.write", "com.acme.io.Spool.flush"],
    )


OUTAGES = (_outage_db, _outage_http, _outage_dns, _outage_disk)


# --- real regressions ---------------------------------------------------------------------------


def regression_attempt(rng, kind: int, shared: bool, test) -> Attempt:
    """Return the failure of a regression (template seed `kind`): its own error, not a flake's."""
    module = test.module
    service = f"com.acme.{module}.{NOUNS[kind % len(NOUNS)]}Service"
    method = ("total", "apply", "load", "render", "merge", "validate")[kind % 6]
    if shared:
        message = (
            f'Cannot invoke "{NOUNS[kind % 16]}Repository.find(long)" '
            f'because "this.repo{kind % 97}" is null'
        )
        return _attempt(
            "error",
            "java.lang.NullPointerException",
            message,
            [f"com.acme.{module}.Fixtures.setUp{kind % 7}", f"{test.classname}.setUp"],
        )
    message = (
        f"{method} of '{NOUNS[kind % 16].lower()}_{rng.randrange(16**6):06x}' after "
        f"{rng.randint(2, 900)} ms: "
        f"expected:<{rng.randint(1, 500)}> but was:<{rng.randint(1, 500)}>"
    )
    return _attempt(
        "failure",
        "org.opentest4j.AssertionFailedError",
        message,
        [f"{service}.{method}{kind % 13}", f"{test.classname}.{test.name}"],
    )


def flaky_result(rng, attempt: Attempt, reruns: bool) -> tuple:
    """Return what one flaky failure becomes in a build: passed on a rerun, or failed."""
    if reruns and rng.random() < 0.6:
        return (Outcome.FLAKY, (attempt,), None)
    return (Outcome.FAILED, (attempt,) * (3 if reruns else 1), "noise")
