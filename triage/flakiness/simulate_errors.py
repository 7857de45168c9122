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


def _template(kind: str, type_: str, message, frames):
    """Return a template (rng, x) -> Attempt: `message(rng, x)` and `frames(x)` make its parts.

    x is the failing test, or the host number for an outage.
    """

    def make(rng, x) -> Attempt:
        return _attempt(kind, type_, message(rng, x), frames(x))

    return make


def _in_test(*frames: str):
    """Return frames(test): `frames` (formatted with the test) above the test's own method."""
    return lambda t: [f.format(t=t) for f in frames] + [f"{t.classname}.{t.name}"]


def _in_setup(*frames: str):
    """Return frames(test): `frames` (formatted with the test) above the test's setUp."""
    return lambda t: [f.format(t=t) for f in frames] + [f"{t.classname}.setUp"]


# --- a test's own flaky errors ---------------------------------------------------------------

_flaky_timeout = _template(
    "failure",
    "org.awaitility.core.ConditionTimeoutException",
    lambda rng, t: (
        f"Condition not met within {rng.randint(2, 30)} seconds: "
        f"order {rng.randrange(10**5)} state PENDING"
    ),
    _in_test("org.awaitility.core.ConditionAwaiter.await"),
)
_flaky_race = _template(
    "failure",
    "org.opentest4j.AssertionFailedError",
    lambda rng, t: f"expected: <{rng.randint(2, 9)}> but was: <{rng.randint(0, 1)}>",
    _in_test(),
)
_flaky_port = _template(
    "error",
    "java.net.BindException",
    lambda rng, t: (
        f"Failed to bind to 0.0.0.0/0.0.0.0:{rng.randint(30000, 60000)}: Address already in use"
    ),
    _in_setup("io.netty.bootstrap.AbstractBootstrap.bind"),
)
_flaky_tempdir = _template(
    "error",
    "java.io.UncheckedIOException",
    lambda rng, t: (
        f"java.nio.file.NoSuchFileException: "
        f"/tmp/junit{rng.randrange(10**9)}/export-{rng.randrange(10**4)}.csv"
    ),
    _in_test("com.acme.{t.module}.ExportWriter.flush"),
)
_flaky_concurrent = _template(
    "error",
    "java.util.ConcurrentModificationException",
    lambda rng, t: "",
    _in_test(
        "java.util.ArrayList$Itr.checkForComodification", "com.acme.{t.module}.EventBus.publish"
    ),
)
# Test-order dependence: a singleton left behind by the test that ran before.
_flaky_order = _template(
    "error",
    "java.lang.IllegalStateException",
    lambda rng, t: (
        f"{NOUNS[len(t.name) % 16]}Registry already initialised by thread-{rng.randint(1, 64)}"
    ),
    _in_setup("com.acme.{t.module}.Registry.init"),
)
_flaky_read_timeout = _template(
    "error",
    "java.net.SocketTimeoutException",
    lambda rng, t: f"Read timed out after {rng.randint(1000, 30000)} ms",
    _in_test("okhttp3.internal.http2.Http2Stream.waitForIo"),
)


# --- errors of a fixture shared by a group of tests -------------------------------------------


def fixture_class(test) -> str:
    """Return the shared fixture of a test's co-failing group (see simulate_realistic)."""
    return f"com.acme.{test.module}.support.{NOUNS[test.group % len(NOUNS)]}Fixture"


def _in_fixture(method: str):
    return lambda t: [f"{fixture_class(t)}.{method}", f"{t.classname}.setUp"]


_fixture_container = _template(
    "error",
    "org.testcontainers.containers.ContainerLaunchException",
    lambda rng, t: (
        f"Container startup failed for image postgres:16 after {rng.randint(30, 120)} s "
        f"(container {rng.randrange(16**12):012x})"
    ),
    _in_fixture("start"),
)
_fixture_lock = _template(
    "error",
    "java.nio.channels.OverlappingFileLockException",
    lambda rng, t: (
        f"Timeout waiting for lock on /tmp/gradle-{rng.randrange(10**6)}/shared-cache.lock "
        f"held by process {rng.randint(1000, 99999)}"
    ),
    _in_fixture("acquire"),
)
_fixture_seed = _template(
    "failure",
    "org.opentest4j.AssertionFailedError",
    lambda rng, t: f"expected: <{rng.randint(10, 99)}> rows but was: <{rng.randint(0, 9)}>",
    _in_fixture("awaitSeeded"),
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

OUTAGES = (
    _template(
        "error",
        "org.postgresql.util.PSQLException",
        lambda rng, host: (
            f"Connection to db-{host}.ci.internal:5432 refused. "
            "Check that the hostname and port are correct"
        ),
        lambda host: [
            "org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl",
            "com.zaxxer.hikari.pool.HikariPool.getConnection",
        ],
    ),
    _template(
        "error",
        "org.springframework.web.client.HttpServerErrorException",
        lambda rng, host: (
            f"503 Service Unavailable from GET http://stub-{host}:{rng.randint(8000, 9000)}"
            f"/v1/rates (request {rng.randrange(16**12):012x})"
        ),
        lambda host: [
            "org.springframework.web.client.RestTemplate.doExecute",
            "com.acme.rates.RatesClient.fetch",
        ],
    ),
    _template(
        "error",
        "java.net.UnknownHostException",
        lambda rng, host: f"cache-{host}.ci.internal: Name or service not known",
        lambda host: ["redis.clients.jedis.Connection.connect", "com.acme.cache.CacheClient.get"],
    ),
    _template(
        "error",
        "java.io.IOException",
        lambda rng, host: (
            f"/var/lib/agent-{host}/workspace/build/tmp/out.bin: No space left on device"
        ),
        lambda host: ["com.acme.io.Spool.write", "com.acme.io.Spool.flush"],
    ),
)


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
