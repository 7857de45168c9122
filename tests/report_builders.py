"""Terse hand-built histories for the report tests: builds as letters, decisions as times.

    h = HistoryBuilder(store)
    h.build("app", 1, "2026-12-28T10:00", {"A": "P", "B": "F"}, revision="c1")
    h.decide("app", 1, paused="2026-12-28T10:20", at="2026-12-28T10:25", action="proceed")
    h.mark("app", 1, "B", "noise")

Letters: P passed, F failed, E error, S skipped, R passed on a rerun. Tests are named
`com.acme.<Name>Test.test<Name>` after their key; each failure has its own error unless
`errors` gives a message (the same message in two tests is the same signature).
"""

from __future__ import annotations

from datetime import UTC, datetime

from triage.domain import Attempt, BuildInfo, Outcome, TestResult
from triage.store import Store, gates
from triage.store import decisions as decision_store
from triage.store.importer import import_build
from triage.triage_build import mark

_LETTERS = {o.letter: o for o in Outcome}


def ms(text: str) -> int:
    """Return "2026-12-28T10:00" (UTC) as epoch milliseconds."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def test_name(key: str) -> tuple[str, str]:
    return (f"com.acme.{key}Test", f"test{key}")


def full_name(key: str) -> str:
    return ".".join(test_name(key))


class HistoryBuilder:
    def __init__(self, store: Store):
        self.store = store

    def build(
        self, job: str, number: int, at: str | None, outcomes: dict[str, str], *,
        revision: str | None = None, branch: str | None = "main", duration_s: int = 600,
        server: str = "local", errors: dict[str, str] | None = None,
    ) -> None:
        """Import one build; `revision` "c1" becomes a 40-digit hex id ("c1c1c1..."), so the
        engine sees it as a commit."""
        results = [
            _result(key, letter, (errors or {}).get(key, f"{key} broke in #{number}"))
            for key, letter in outcomes.items()
        ]
        red = any(r.outcome.is_failure for r in results)
        info = BuildInfo(
            job, number, server=server, revision=_sha(revision), branch=branch,
            timestamp_ms=ms(at) if at else None, duration_ms=duration_s * 1000,
            result="UNSTABLE" if red else "SUCCESS",
        )
        import_build(self.store, info, results)

    def decide(
        self, job: str, number: int, *, paused: str | None, at: str, action: str = "proceed",
        server: str = "local", outcome: str = "ok", input_id: str = "Release",
        who: str = "alice",
    ) -> None:
        decision_store.record(self.store, decision_store.Decision(
            server, job, number, input_id, action, at=ms(at), message="Ship it?", who=who,
            paused_at=ms(paused) if paused else None, outcome=outcome,
        ))

    def gate(self, job: str, number: int, outcome: str, *, at: str, server: str = "local",
             failures: int = 0) -> None:
        """Record what `triage gate` decided for a build (pass, ask or error)."""
        code = {"pass": 0, "ask": 10, "error": 1}[outcome]
        gates.record_gate(self.store, gates.GateDecision(
            server, job, number, outcome, code, at=ms(at), failures=failures,
            reasons=(f"gate said {outcome}",),
        ))

    def mark(self, job: str, number: int, key: str, verdict: str, *, server: str = "local",
             who: str = "alice", note: str | None = None) -> None:
        mark(self.store, job, number, verdict, server=server, test=full_name(key), who=who,
             note=note, clock=lambda: 1_800_000_000.0)


def _sha(revision: str | None) -> str | None:
    if revision is None:
        return None
    return (revision * 40)[:40]


def _result(key: str, letter: str, message: str) -> TestResult:
    classname, name = test_name(key)
    outcome = _LETTERS[letter]
    attempts: tuple[Attempt, ...] = ()
    if outcome in (Outcome.FAILED, Outcome.ERROR):
        attempts = (Attempt("failure" if outcome is Outcome.FAILED else "error",
                            "java.lang.AssertionError", message),)
    elif outcome is Outcome.FLAKY:
        attempts = (Attempt("flakyFailure", "java.lang.AssertionError", message),)
    return TestResult(classname, name, outcome, 0.1, 1 if outcome is Outcome.FLAKY else 0,
                      attempts=attempts)
