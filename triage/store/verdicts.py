"""Human verdicts on failures: real or noise, with who, when and a note.

Rows are never deleted: undo stamps `undone_at`, so the record of who decided what survives.
At most one verdict per (build, test) is in force; marking again retires the previous one.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from triage.store.db import Store

_COLUMNS = "v.id, b.number, v.test_id, v.signature, v.verdict, v.note, v.who, v.at, v.undone_at"


@dataclass(frozen=True, slots=True)
class VerdictRow:
    id: int
    build_number: int
    test_id: int
    signature: str | None
    verdict: str
    note: str | None
    who: str | None
    at: int
    undone_at: int | None


def mark(
    store: Store,
    build_id: int,
    items: Iterable[tuple[int, str | None]],
    verdict: str,
    *,
    who: str | None,
    at: int,
    note: str | None = None,
) -> int:
    """Record `verdict` on each (test id, signature) of one build; return how many."""
    items = list(items)
    with store.transaction() as conn:
        for test_id, signature in items:
            conn.execute(
                "UPDATE verdicts SET undone_at = ? WHERE build_id = ? AND test_id = ? "
                "AND undone_at IS NULL",
                (at, build_id, test_id),
            )
            conn.execute(
                "INSERT INTO verdicts (build_id, test_id, signature, verdict, note, who, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (build_id, test_id, signature, verdict, note, who, at),
            )
    return len(items)


def undo(store: Store, build_id: int, test_ids: Iterable[int], *, at: int) -> int:
    """Retire the verdicts in force on these tests of one build; return how many."""
    with store.transaction() as conn:
        cur = conn.execute(
            "UPDATE verdicts SET undone_at = ? WHERE build_id = ? AND undone_at IS NULL "
            "AND test_id IN (SELECT value FROM json_each(?))",
            (at, build_id, json.dumps(list(test_ids))),
        )
        return cur.rowcount


def active_for_tests(store: Store, test_ids: list[int], job_id: int) -> dict[int, list[VerdictRow]]:
    """Return the verdicts in force on these tests in builds of one job, per test."""
    rows = store.conn.execute(
        f"SELECT {_COLUMNS} "
        "FROM json_each(?) j JOIN verdicts v ON v.test_id = j.value AND v.undone_at IS NULL "
        "JOIN builds b ON b.id = v.build_id WHERE b.job_id = ?",
        (json.dumps(test_ids), job_id),
    )
    found: dict[int, list[VerdictRow]] = defaultdict(list)
    for row in rows:
        found[row[2]].append(VerdictRow(*row))
    return found


def for_build(store: Store, build_id: int, *, include_undone: bool = False) -> list[VerdictRow]:
    """Return the verdicts recorded on one build, oldest first."""
    sql = (
        f"SELECT {_COLUMNS} FROM verdicts v JOIN builds b ON b.id = v.build_id WHERE v.build_id = ?"
    )
    if not include_undone:
        sql += " AND v.undone_at IS NULL"
    return [VerdictRow(*row) for row in store.conn.execute(sql + " ORDER BY v.id", (build_id,))]
