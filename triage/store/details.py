"""What a person reads about a build's failures: whole texts, where the build came from, and
for one failure its attempts, the test's recent builds with commits and its verdicts (the
app's detail pane). The engine's queries (`triage.store.evidence`) read only signatures and
outcomes; these read the stored texts.
"""

from __future__ import annotations

from dataclasses import dataclass

from triage.store.db import Store
from triage.store.verdicts import VerdictRow


def failure_texts(store: Store, build_id: int) -> dict[int, tuple[str | None, str | None]]:
    """Return {test id: (message, trace)} of the final failure of each failing test."""
    rows = store.conn.execute(
        "SELECT f.test_id, m.body, t.body FROM failures f "
        "JOIN results r ON r.build_id = f.build_id AND r.test_id = f.test_id "
        "LEFT JOIN texts m ON m.id = f.message_id LEFT JOIN texts t ON t.id = f.trace_id "
        "WHERE f.build_id = ? AND f.attempt = 0 AND r.outcome IN (1, 2)", (build_id,))
    return {test_id: (message, trace) for test_id, message, trace in rows}


def build_url(store: Store, build_id: int) -> str | None:
    """Return the build's Jenkins URL (our address for it), None for imported files."""
    row = store.conn.execute("SELECT url FROM builds WHERE id = ?", (build_id,)).fetchone()
    return row[0] if row else None


@dataclass(frozen=True, slots=True)
class AttemptText:
    """One failed attempt of a test in a build (attempt 0 is the final failure)."""

    attempt: int
    kind: str
    type: str | None
    message: str | None
    trace: str | None
    stdout: str | None
    stderr: str | None


@dataclass(frozen=True, slots=True)
class PastRun:
    """The test's result in one earlier (or this) build of the job."""

    number: int
    outcome: int | None  # None: the test did not run in that build
    revision: str | None
    timestamp_ms: int | None
    result: str | None


def attempts(store: Store, build_id: int, test_id: int) -> list[AttemptText]:
    """Return the test's failed attempts in one build, final failure first."""
    rows = store.conn.execute(
        "SELECT f.attempt, f.kind, f.type, m.body, t.body, o.body, e.body FROM failures f "
        "LEFT JOIN texts m ON m.id = f.message_id LEFT JOIN texts t ON t.id = f.trace_id "
        "LEFT JOIN texts o ON o.id = f.stdout_id LEFT JOIN texts e ON e.id = f.stderr_id "
        "WHERE f.build_id = ? AND f.test_id = ? ORDER BY f.attempt",
        (build_id, test_id),
    )
    return [AttemptText(*row) for row in rows]


def recent_runs(store: Store, job_id: int, number: int, test_id: int,
                last: int) -> list[PastRun]:
    """Return the test's outcome in the job's `last` builds up to `number`, newest first."""
    rows = store.conn.execute(
        "SELECT b.number, r.outcome, b.revision, b.timestamp, b.result FROM builds b "
        "LEFT JOIN results r ON r.build_id = b.id AND r.test_id = ? "
        "WHERE b.job_id = ? AND b.number <= ? ORDER BY b.number DESC LIMIT ?",
        (test_id, job_id, number, last),
    )
    return [PastRun(*row) for row in rows]


def test_verdicts(store: Store, job_id: int, test_id: int) -> list[VerdictRow]:
    """Return every verdict on the test in builds of the job, undone ones too, newest first."""
    rows = store.conn.execute(
        "SELECT v.id, b.number, v.test_id, v.signature, v.verdict, v.note, v.who, v.at, "
        "v.undone_at FROM verdicts v JOIN builds b ON b.id = v.build_id "
        "WHERE v.test_id = ? AND b.job_id = ? ORDER BY v.at DESC, v.id DESC",
        (test_id, job_id),
    )
    return [VerdictRow(*row) for row in rows]


def build_facts(store: Store, build_id: int) -> tuple[str | None, str | None, int | None]:
    """Return (url, result, timestamp) of a stored build."""
    row = store.conn.execute(
        "SELECT url, result, timestamp FROM builds WHERE id = ?", (build_id,)
    ).fetchone()
    return (row[0], row[1], row[2]) if row else (None, None, None)
