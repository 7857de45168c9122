"""What a person reads about one build's failures: whole texts, where the build came from."""

from __future__ import annotations

from triage.store.db import Store


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
