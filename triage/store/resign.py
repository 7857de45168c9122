"""Keep stored error signatures in step with the signature rules of this version.

Signatures are computed at import time and stored, so the clustering queries stay fast. When
the rules change (SIGNATURE_VERSION), every stored failure and every verdict is given the
signature it would get today, in one transaction, the first time a history is opened.
"""

from __future__ import annotations

from triage.flakiness.signatures import SIGNATURE_VERSION, signature_id
from triage.gcpause import gc_paused
from triage.store.db import Store

_KEY = "signature_version"


def refresh_signatures(store: Store) -> int:
    """Recompute stale signatures; return how many failures were looked at (0 if none stale)."""
    if _stored_version(store) == str(SIGNATURE_VERSION):
        return 0
    with gc_paused(), store.transaction() as conn:
        if _stored_version(store) == str(SIGNATURE_VERSION):  # another process did it
            return 0
        rows = conn.execute(
            "SELECT f.build_id, f.test_id, f.attempt, f.type, m.body, t.body FROM failures f "
            "LEFT JOIN texts m ON m.id = f.message_id LEFT JOIN texts t ON t.id = f.trace_id "
            "WHERE f.kind != 'skipped'"
        ).fetchall()
        conn.executemany(
            "UPDATE failures SET signature = ? WHERE build_id = ? AND test_id = ? AND attempt = ?",
            [(signature_id(type_, message, trace), build, test, attempt)
             for build, test, attempt, type_, message, trace in rows],
        )
        # A verdict is about the error its test failed with in its build (attempt 0).
        conn.execute(
            "UPDATE verdicts SET signature = (SELECT f.signature FROM failures f "
            "WHERE f.build_id = verdicts.build_id AND f.test_id = verdicts.test_id "
            "AND f.attempt = 0) WHERE EXISTS (SELECT 1 FROM failures f "
            "WHERE f.build_id = verdicts.build_id AND f.test_id = verdicts.test_id "
            "AND f.attempt = 0)"
        )
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (_KEY, str(SIGNATURE_VERSION)),
        )
    return len(rows)


def _stored_version(store: Store) -> str | None:
    row = store.conn.execute("SELECT value FROM meta WHERE key = ?", (_KEY,)).fetchone()
    return row[0] if row else None
