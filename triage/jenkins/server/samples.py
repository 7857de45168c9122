"""Realistic test names, failure messages and stack traces (Java/surefire and Python/pytest).

Pure functions of their arguments, so generated reports are deterministic per build.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

JAVA_MODULES = ("cart", "checkout", "catalog", "orders", "payments", "users", "search",
                "shipping", "inventory", "pricing")
PY_MODULES = ("api", "auth", "billing", "db", "events", "jobs", "notifications", "reports",
              "storage", "webhooks")
NOUNS = ("Service", "Repository", "Controller", "Mapper", "Validator", "Client", "Handler",
         "Calculator", "Parser", "Scheduler")
VERBS = ("adds", "removes", "rejects", "accepts", "updates", "lists", "finds", "computes",
         "renders", "retries", "caches", "expires", "parses", "validates", "sorts", "merges")
OBJECTS = ("Item", "EmptyCart", "Discount", "Coupon", "Address", "Refund", "Invoice",
           "Timeout", "DuplicateOrder", "UnicodeName", "LargePayload", "ExpiredToken",
           "NegativeAmount", "Pagination", "Currency", "Locale")
PARAMS = ("utf-8", "latin-1", "empty", "None", "0", "-1", "x" * 3, "tz=UTC", "tz=Europe/Paris")
OUTAGE_MESSAGE = "Connection refused: db:5432"


@dataclass(frozen=True, slots=True)
class TestId:
    suite: str
    class_name: str
    name: str
    module: str
    base_duration: float


@dataclass(frozen=True, slots=True)
class FailureText:
    message: str
    type: str
    trace: str


def catalogue(style: str, n_tests: int, rng: random.Random) -> list[TestId]:
    """Return `n_tests` unique tests spread over modules, grouped by class."""
    modules = JAVA_MODULES if style == "java" else PY_MODULES
    tests: list[TestId] = []
    i = 0
    while len(tests) < n_tests:
        module = modules[i % len(modules)]
        noun = NOUNS[(i // len(modules)) % len(NOUNS)]
        cls = _class_name(style, module, noun, i)
        per_class = min(rng.randint(6, 14), n_tests - len(tests))
        for j in range(per_class):
            name = _test_name(style, j, rng)
            suite = cls if style == "java" else "pytest"
            tests.append(TestId(suite, cls, name, module, round(rng.uniform(0.002, 1.8), 3)))
        i += 1
    return tests


def _class_name(style: str, module: str, noun: str, i: int) -> str:
    rank = i // (len(JAVA_MODULES) * len(NOUNS))
    suffix = str(rank + 1) if rank else ""
    if style == "java":
        return f"com.example.shop.{module}.{module.capitalize()}{noun}{suffix}Test"
    return f"tests.{module}.test_{noun.lower()}{suffix}.Test{module.capitalize()}{noun}"


def _test_name(style: str, j: int, rng: random.Random) -> str:
    verb, obj = rng.choice(VERBS), rng.choice(OBJECTS)
    if style == "java":
        return f"{verb}{obj}{j}" if j % 5 == 4 else f"{verb}{obj}_{j}"
    snake = "".join("_" + c.lower() if c.isupper() else c for c in obj).lstrip("_")
    name = f"test_{verb}_{snake}_{j}"
    if j % 7 == 3:
        name += f"[{rng.choice(PARAMS)}]"  # pytest parametrisation: URL-unfriendly characters
    return name


def _java_frames(test: TestId, line: int) -> str:
    simple = test.class_name.rsplit(".", 1)[-1]
    method = test.name.split("[")[0]
    return (
        f"\tat {test.class_name}.{method}({simple}.java:{line})\n"
        "\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke("
        "DirectMethodHandleAccessor.java:103)\n"
        "\tat java.base/java.lang.reflect.Method.invoke(Method.java:580)\n"
        "\tat org.junit.platform.commons.util.ReflectionUtils.invokeMethod("
        "ReflectionUtils.java:728)\n"
    )


def _py_path(test: TestId) -> str:
    return test.class_name.rsplit(".", 1)[0].replace(".", "/") + ".py"


def flaky_failure(style: str, test: TestId, variant: int) -> FailureText:
    """A timing-dependent failure: timeouts, races, off-by-one counts."""
    line = 40 + variant % 60
    if style == "java":
        kinds = (
            ("org.openqa.selenium.TimeoutException",
             "Expected condition failed: waiting for visibility of element located by "
             "By.cssSelector: #checkout-button (tried for 10 second(s) with 500 milliseconds "
             "interval)"),
            ("java.net.SocketTimeoutException", "Read timed out"),
            ("org.opentest4j.AssertionFailedError", "expected: <3> but was: <2>"),
        )
        type_, msg = kinds[variant % len(kinds)]
        trace = f"{type_}: {msg}\n" + _java_frames(test, line)
        return FailureText(msg, type_, trace)
    kinds_py = (
        ("TimeoutError", "TimeoutError: task did not finish within 5.0s"),
        ("AssertionError", "AssertionError: assert 2 == 3"),
        ("ConnectionResetError", "ConnectionResetError: [Errno 104] Connection reset by peer"),
    )
    type_, msg = kinds_py[variant % len(kinds_py)]
    trace = (
        f"{_py_path(test)}:{line}: in {test.name.split('[')[0]}\n"
        "    result = await asyncio.wait_for(job.run(), timeout=5.0)\n"
        f"E   {msg}"
    )
    return FailureText(msg, type_, trace)


def regression_failure(style: str, test: TestId, seed: int) -> FailureText:
    """A real, reproducible bug: the same assertion every time until fixed."""
    expected, actual = 1200 + seed % 97, 1201 + seed % 97
    if style == "java":
        msg = f"expected: <EUR {expected / 100:.2f}> but was: <EUR {actual / 100:.2f}>"
        type_ = "org.opentest4j.AssertionFailedError"
        trace = (f"{type_}: {msg}\n\tat org.junit.jupiter.api.AssertionUtils.fail("
                 "AssertionUtils.java:55)\n" + _java_frames(test, 61 + seed % 40))
        return FailureText(msg, type_, trace)
    method = test.name.split("[")[0]
    msg = f"AssertionError: assert {actual} == {expected}"
    trace = (
        f"self = <{test.class_name} object at 0x7f3a2c1d4e50>\n\n"
        f"    def {method}(self):\n        invoice = make_invoice(lines=3)\n"
        f">       assert invoice.total_cents == {expected}\n"
        f"E       assert {actual} == {expected}\n"
        f"E        +  where {actual} = <Invoice lines=3>.total_cents\n\n"
        f"{_py_path(test)}:{57 + seed % 30}: AssertionError"
    )
    return FailureText(msg, "AssertionError", trace)


def outage_failure(style: str, test: TestId) -> FailureText:
    """The infrastructure outage: the database container was down for one build."""
    if style == "java":
        type_ = "java.net.ConnectException"
        trace = (
            f"{type_}: {OUTAGE_MESSAGE}\n"
            "\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)\n"
            "\tat java.base/sun.nio.ch.Net.pollConnectNow(Net.java:682)\n"
            "\tat org.postgresql.core.PGStream.createSocket(PGStream.java:243)\n"
            "\tat org.postgresql.Driver.connect(Driver.java:297)\n"
            "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)\n"
            + _java_frames(test, 41)
        )
        return FailureText(OUTAGE_MESSAGE, type_, trace)
    msg = f"psycopg.OperationalError: connection failed: {OUTAGE_MESSAGE}"
    trace = (
        f"{_py_path(test)}:23: in db\n    conn = psycopg.connect(DSN)\n"
        ".venv/lib/python3.11/site-packages/psycopg/connection.py:748: in connect\n"
        "    raise last_ex.with_traceback(None)\n"
        f"E   {msg}"
    )
    return FailureText(msg, "psycopg.OperationalError", trace)


def case_stdout(style: str, test: TestId, failed: bool) -> str | None:
    if not failed:
        return None
    if style == "java":
        return (f"12:00:01.204 [main] INFO  {test.class_name} - starting {test.name}\n"
                "12:00:01.377 [main] WARN  c.e.s.http.RetryingClient - attempt 1 failed, "
                "retrying in 200 ms\n")
    return f"INFO  conftest: using database fixture for {test.name}\n"
