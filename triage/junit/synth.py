"""Generate big, realistic Maven Surefire reports for benchmarks and tests.

The test universe depends only on `n_tests` and `n_classes` (names are derived from the index),
so reports written with different seeds describe the same tests in different builds: that is
what a history benchmark needs. The seed picks which tests fail, error, skip or flake.

Failures carry a ~25-line Java stack trace and a little captured output, like real Surefire
files; passing cases are bare `<testcase .../>` elements, as Surefire writes them. Output is
built with string joins and written once, so 5,000 cases take a few milliseconds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

_PACKAGES = ("api", "billing", "cart", "core", "db", "io", "search", "ui", "util", "web")
_VERBS = ("adds", "computes", "creates", "deletes", "finds", "handles", "loads", "parses",
          "rejects", "renders", "saves", "sorts", "updates", "validates")
_OBJECTS = ("Item", "Order", "User", "Token", "Page", "Config", "Row", "Event", "Query", "Cache")
_FRAMES = (
    "org.junit.jupiter.api.AssertionFailureBuilder.build(AssertionFailureBuilder.java:151)",
    "org.junit.jupiter.api.AssertEquals.failNotEqual(AssertEquals.java:197)",
    "org.junit.jupiter.api.Assertions.assertEquals(Assertions.java:528)",
    "java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)",
    "java.base/java.lang.reflect.Method.invoke(Method.java:568)",
    "org.junit.platform.commons.util.ReflectionUtils.invokeMethod(ReflectionUtils.java:727)",
    "org.junit.jupiter.engine.execution.MethodInvocation.proceed(MethodInvocation.java:60)",
    "org.junit.platform.engine.support.hierarchical.NodeTestTask.execute(NodeTestTask.java:95)",
)
_PROPERTIES = (
    ("java.version", "17.0.11"), ("os.name", "Linux"), ("file.encoding", "UTF-8"),
    ("user.language", "en"), ("java.vendor", "Eclipse Adoptium"), ("sun.arch.data.model", "64"),
)


@dataclass(frozen=True, slots=True)
class SynthSummary:
    """What a generated report holds, for benchmarks and tests to assert against."""

    tests: int
    failures: int
    errors: int
    skipped: int
    flaky: int
    bytes: int


def case_identity(index: int, n_classes: int) -> tuple[str, str]:
    """Return the (classname, name) of test number `index`; stable across seeds."""
    cls = index % n_classes
    pkg = _PACKAGES[cls % len(_PACKAGES)]
    classname = f"com.example.{pkg}.{_OBJECTS[cls % len(_OBJECTS)]}{cls}Test"
    verb = _VERBS[index % len(_VERBS)]
    name = f"{verb}{_OBJECTS[(index // len(_VERBS)) % len(_OBJECTS)]}_{index}"
    return classname, name


def _trace(exc: str, message: str, classname: str, name: str, lines: int) -> str:
    head = f"{exc}: {message}\n\tat {classname}.{name}({classname.rsplit('.', 1)[-1]}.java:42)"
    frames = "".join(f"\n\tat {_FRAMES[i % len(_FRAMES)]}" for i in range(lines))
    return head + frames + "\n"


def _problem(tag: str, kind: str, classname: str, name: str, rng: random.Random, lines: int) -> str:
    expected, actual = rng.randrange(10), rng.randrange(10, 20)
    if kind == "error":
        exc, message = "java.lang.IllegalStateException", f"connection reset after {actual} ms"
    else:
        exc = "org.opentest4j.AssertionFailedError"
        message = f"expected: <{expected}> but was: <{actual}>"
    trace = _trace(exc, message, classname, name, lines)
    body = f"<stackTrace><![CDATA[{trace}]]></stackTrace>" if tag.startswith(("flaky", "rerun")) \
        else f"<![CDATA[{trace}]]>"
    return f"    <{tag} message={quoteattr(message)} type={quoteattr(exc)}>{body}</{tag}>\n"


def _case(index: int, n_classes: int, rng: random.Random, roll: str, lines: int) -> str:
    classname, name = case_identity(index, n_classes)
    # Generated identities are plain identifiers: no escaping needed (quoteattr was the cost).
    start = f'  <testcase name="{name}" classname="{classname}" time="{rng.random() * 0.2:.3f}"'
    if roll == "pass":
        return start + "/>\n"
    if roll == "skip":
        return start + '>\n    <skipped message="disabled on CI"/>\n  </testcase>\n'
    if roll == "flaky":
        body = _problem("flakyFailure", "failure", classname, name, rng, lines)
    else:
        body = _problem(roll, roll, classname, name, rng, lines)
        body += f"    <system-out><![CDATA[running {name}\nstate dump: {rng.random():.6f}\n]]>" \
                "</system-out>\n"
    return f"{start}>\n{body}  </testcase>\n"


def _rolls(n_tests: int, rng: random.Random, fail_rate: float, error_share: float,
           skip_rate: float, flaky_rate: float) -> list[str]:
    rolls = []
    for _ in range(n_tests):
        r = rng.random()
        if r < fail_rate:
            rolls.append("error" if rng.random() < error_share else "failure")
        elif r < fail_rate + skip_rate:
            rolls.append("skip")
        elif r < fail_rate + skip_rate + flaky_rate:
            rolls.append("flaky")
        else:
            rolls.append("pass")
    return rolls


def write_surefire_report(
    path: str | Path,
    n_tests: int,
    fail_rate: float = 0.01,
    seed: int = 0,
    *,
    error_share: float = 0.1,
    skip_rate: float = 0.0,
    flaky_rate: float = 0.0,
    n_classes: int | None = None,
    trace_lines: int = 25,
    suite_name: str = "com.example.AllTests",
) -> SynthSummary:
    """Write a Surefire-style report with `n_tests` cases to `path`; deterministic for a seed.

    `fail_rate` of the cases fail (`error_share` of those with `<error>`), `skip_rate` are
    skipped and `flaky_rate` pass after a Surefire `<flakyFailure>`.
    """
    rng = random.Random(seed)
    n_classes = n_classes or max(1, n_tests // 20)
    rolls = _rolls(n_tests, rng, fail_rate, error_share, skip_rate, flaky_rate)
    cases = [_case(i, n_classes, rng, roll, trace_lines) for i, roll in enumerate(rolls)]
    failures, errors = rolls.count("failure"), rolls.count("error")
    skipped, flaky = rolls.count("skip"), rolls.count("flaky")
    props = "".join(f'    <property name="{k}" value="{v}"/>\n' for k, v in _PROPERTIES)
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="3.0" '
        f'name={quoteattr(suite_name)} time="{n_tests * 0.05:.3f}" tests="{n_tests}" '
        f'errors="{errors}" skipped="{skipped}" failures="{failures}">\n'
        f"  <properties>\n{props}  </properties>\n"
    )
    data = (head + "".join(cases) + "</testsuite>\n").encode("utf-8")
    Path(path).write_bytes(data)
    return SynthSummary(n_tests, failures, errors, skipped, flaky, len(data))
