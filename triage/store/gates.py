"""What `triage gate` decided, build by build: the record the reports and the app read.

The API, small on purpose (readers: the reports and the desktop app):

- `record_gate(store, GateDecision)` stores one decision and returns its id. `triage gate`
  records every run that reached a decision (`pass`: no human needed, exit 0; `ask`: a human
  must decide, exit 10) and every run that failed on the way (`error`, exit 1-3), so a report
  can count both the interventions the gate saved and the times it could not help.
- `gate_decisions(store, server=None, job=None, since_ms=None, until_ms=None)` returns the
  decisions, oldest first, optionally for one server and/or job and a time window
  (`since_ms <= at < until_ms`, epoch milliseconds).
- `gate_for_build(store, server, job, build)` returns the newest decision for one build, or
  None (the gate may run several times on a build, e.g. after a rerun: the newest one counts).

A `GateDecision` names its build by server, job full name and number (as `decisions` does),
not by a row id: a build re-synced from Jenkins is stored again under a new id, and an `error`
may concern a build that never reached the history. `reasons` are plain sentences, most
important first; `policy` is the policy in force as plain data (see `triage.gate.Policy`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from triage.store.db import Store

PASS = "pass"
ASK = "ask"
ERROR = "error"
OUTCOMES = (PASS, ASK, ERROR)

_COLUMNS = ("id, server, job, build, outcome, exit_code, at, failures, noise, reasons, policy, "
            "summary")


@dataclass(frozen=True)
class GateDecision:
    server: str
    job: str
    build: int
    outcome: str  # PASS, ASK or ERROR
    exit_code: int  # 0 (pass), 10 (ask), 1-3 (error)
    at: int  # epoch ms
    failures: int = 0  # failing tests of the build
    noise: int = 0  # of which the gate counted noise (a strong suggestion or a human mark)
    reasons: tuple[str, ...] = ()
    policy: dict[str, Any] = field(default_factory=dict)
    summary: str | None = None  # the Markdown written for the input step
    id: int | None = None  # set when read back

    @property
    def auto_approved(self) -> bool:
        """True when the gate let the build go on without asking anyone."""
        return self.outcome == PASS


def record_gate(store: Store, decision: GateDecision) -> int:
    """Store one gate decision and return its id."""
    if decision.outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}, not {decision.outcome!r}")
    with store.transaction() as conn:
        return conn.execute(
            "INSERT INTO gate_decisions (server, job, build, outcome, exit_code, at, failures, "
            "noise, reasons, policy, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                decision.server, decision.job, decision.build, decision.outcome,
                decision.exit_code, decision.at, decision.failures, decision.noise,
                json.dumps(list(decision.reasons)),
                json.dumps(decision.policy, sort_keys=True),
                decision.summary,
            ),
        ).lastrowid


def gate_decisions(store: Store, server: str | None = None, job: str | None = None,
                   since_ms: int | None = None, until_ms: int | None = None
                   ) -> list[GateDecision]:
    """Return gate decisions, oldest first, filtered by server, job and `since <= at < until`."""
    clauses, args = [], []
    for clause, value in (("server = ?", server), ("job = ?", job), ("at >= ?", since_ms),
                          ("at < ?", until_ms)):
        if value is not None:
            clauses.append(clause)
            args.append(value)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = store.conn.execute(
        f"SELECT {_COLUMNS} FROM gate_decisions {where} ORDER BY at, id", args
    )
    return [_decision(row) for row in rows]


def gate_for_build(store: Store, server: str, job: str, build: int) -> GateDecision | None:
    """Return the newest gate decision for one build, or None when the gate never ran on it."""
    row = store.conn.execute(
        f"SELECT {_COLUMNS} FROM gate_decisions WHERE server = ? AND job = ? AND build = ? "
        "ORDER BY at DESC, id DESC LIMIT 1",
        (server, job, build),
    ).fetchone()
    return _decision(row) if row else None


def _decision(row) -> GateDecision:
    return GateDecision(
        id=row[0], server=row[1], job=row[2], build=row[3], outcome=row[4], exit_code=row[5],
        at=row[6], failures=row[7], noise=row[8], reasons=tuple(json.loads(row[9])),
        policy=json.loads(row[10]), summary=row[11],
    )
