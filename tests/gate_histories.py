"""Histories for the gate tests, written into a real SQLite history build by build.

Not a conftest: test modules import what they need (`from gate_histories import ...`).
A failure is raised in its test, so two tests failing with one assertion message are two
errors (as in real reports); "Connection refused" (an exception from below the test) is one
error in every test it strikes: an outage.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping

from triage.domain import Attempt, BuildInfo, Outcome, TestResult
from triage.store.importer import import_build

CLASS = "com.acme.shop.CartTest"


def names(prefix: str, count: int) -> tuple[str, ...]:
    """Return test names without digits (signatures mask digits): flakyA, flakyB, ..."""
    letters = string.ascii_uppercase
    tails = list(letters) if count <= 26 else [a + b for a in letters for b in letters]
    return tuple(prefix + tail for tail in tails[:count])


STABLE = names("stable", 20)
# An assertion in the test keeps the test's own frame in its signature: one error per test.
FLAKY_MESSAGE = "expected:<3> but was:<2>"
OUTAGE_MESSAGE = "Connection refused: db:5432"


def failed(name: str, message: str = FLAKY_MESSAGE, *, kind: str = "java.lang.AssertionError",
           outcome: Outcome = Outcome.FAILED) -> TestResult:
    """A failing result, raised in the test itself (its frame is part of the signature)."""
    trace = f"{kind}: {message}\n\tat {CLASS}.{name}(CartTest.java:12)"
    attempt = Attempt("error" if outcome is Outcome.ERROR else "failure", kind, message, trace)
    return TestResult(CLASS, name, outcome, 0.1, attempts=(attempt,))


def passed(name: str) -> TestResult:
    return TestResult(CLASS, name, Outcome.PASSED, 0.01)


def add_build(store, number: int, failures: Mapping[str, TestResult] | None = None, *,
              tests: Iterable[str] = STABLE, job: str = "app", server: str = "local",
              branch: str | None = "main", sha: str | None = None, result: str | None = None,
              building: bool = False) -> None:
    """Store one build: every test in `tests` passes unless `failures` has it."""
    failures = dict(failures or {})
    results = [failures.pop(name, None) or passed(name) for name in tests]
    results += failures.values()  # failing tests not among `tests`
    red = any(r.outcome.is_failure for r in results)
    info = BuildInfo(job, number, server=server, revision=sha or f"{number:040x}",
                     branch=branch, result=result or ("UNSTABLE" if red else "SUCCESS"),
                     building=building, timestamp_ms=1_767_268_800_000 + number * 3_600_000)
    import_build(store, info, results)


def flaky_history(store, builds: int, flaky: Mapping[str, Iterable[int]], *,
                  tests: Iterable[str] = STABLE, job: str = "app",
                  message: str = FLAKY_MESSAGE, **kw) -> None:
    """Store builds 1..`builds`; each flaky test fails, with `message`, in the builds listed."""
    flaky = {name: set(numbers) for name, numbers in flaky.items()}
    names = list(tests) + [n for n in flaky if n not in tests]
    for n in range(1, builds + 1):
        failing = {name: failed(name, message) for name, at in flaky.items() if n in at}
        add_build(store, n, failing, tests=names, job=job, **kw)


def scattered(offset: int, builds: int, every: int = 6) -> set[int]:
    """Build numbers from `offset`, `every` builds apart, below `builds`: isolated failures."""
    return set(range(offset, builds, every))


def outage_failure(name: str) -> TestResult:
    return failed(name, OUTAGE_MESSAGE, kind="java.net.ConnectException", outcome=Outcome.ERROR)
