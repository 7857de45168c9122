"""Record proceed/abort decisions on Jenkins input steps, for the reports."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from triage.store.db import Store

# "unknown": interrupted while the request was out; Jenkins may or may not have applied it.
OUTCOMES = ("ok", "already-decided", "refused", "failed", "unknown")


@dataclass(frozen=True)
class Decision:
    server: str
    job: str
    build: int
    input_id: str
    action: str  # "proceed" | "abort"
    at: int  # epoch ms
    message: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)  # passwords already removed
    who: str | None = None
    paused_at: int | None = None  # epoch ms
    outcome: str = "ok"


def record(store: Store, decision: Decision) -> int:
    """Store one decision and return its id."""
    with store.transaction() as conn:
        return conn.execute(
            "INSERT INTO decisions (server, job, build, input_id, message, action, parameters, "
            "who, at, paused_at, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                decision.server, decision.job, decision.build, decision.input_id,
                decision.message, decision.action,
                json.dumps(decision.parameters, sort_keys=True) if decision.parameters else None,
                decision.who, decision.at, decision.paused_at, decision.outcome,
            ),
        ).lastrowid


def list_decisions(store: Store, server: str | None = None, job: str | None = None,
                   build: int | None = None) -> list[Decision]:
    """Return recorded decisions, oldest first, optionally for one server, job or build."""
    clauses, args = [], []
    for column, value in (("server", server), ("job", job), ("build", build)):
        if value is not None:
            clauses.append(f"{column} = ?")
            args.append(value)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = store.conn.execute(
        "SELECT server, job, build, input_id, action, at, message, parameters, who, paused_at, "
        f"outcome FROM decisions {where} ORDER BY at, id",
        args,
    )
    return [
        Decision(server=r[0], job=r[1], build=r[2], input_id=r[3], action=r[4], at=r[5],
                 message=r[6], parameters=json.loads(r[7]) if r[7] else {}, who=r[8],
                 paused_at=r[9], outcome=r[10])
        for r in rows
    ]
