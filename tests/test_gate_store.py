"""The gate decisions table (m004) and its store API: record, by build, by time window."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from triage.store import Store
from triage.store.gates import (
    ASK,
    ERROR,
    PASS,
    GateDecision,
    gate_decisions,
    gate_for_build,
    record_gate,
)
from triage.store.history import db_info


def _decision(build: int, outcome: str, at: int, **kw) -> GateDecision:
    codes = {PASS: 0, ASK: 10, ERROR: 1}
    base = dict(server="ci", job="team/app", build=build, outcome=outcome,
                exit_code=codes[outcome], at=at, failures=3, noise=3 if outcome == PASS else 1,
                reasons=("every failure is known noise",), policy={"max_noise": 10})
    base.update(kw)
    return GateDecision(**base)


def test_a_recorded_decision_reads_back_unchanged(store):
    written = _decision(57, ASK, 1_000, reasons=("1 failure is suggested real", "#57 is on main"),
                        policy={"max_noise": 4, "ask_branches": ["main"], "source": "gate.toml"},
                        summary="**triage gate: a human must decide**\n- since-55 ...")
    new_id = record_gate(store, written)
    (read,) = gate_decisions(store)
    assert read == replace(written, id=new_id)
    assert not read.auto_approved and _decision(1, PASS, 1).auto_approved


def test_gate_for_build_is_the_newest_decision_on_that_build(store):
    record_gate(store, _decision(57, ASK, 1_000))
    record_gate(store, _decision(57, PASS, 2_000))  # rerun, then the gate passed
    record_gate(store, _decision(58, ASK, 3_000))
    record_gate(store, _decision(57, ASK, 4_000, server="other"))
    found = gate_for_build(store, "ci", "team/app", 57)
    assert (found.outcome, found.at) == (PASS, 2_000)
    assert gate_for_build(store, "ci", "team/app", 99) is None
    assert gate_for_build(store, "ci", "team/other", 57) is None


def test_gate_decisions_filter_by_server_job_and_half_open_window(store):
    for build, at in ((1, 1_000), (2, 2_000), (3, 3_000)):
        record_gate(store, _decision(build, PASS, at))
    record_gate(store, _decision(4, ERROR, 2_500, job="other", failures=0, noise=0))
    assert [d.build for d in gate_decisions(store, since_ms=2_000, until_ms=3_000)] == [2, 4]
    assert [d.build for d in gate_decisions(store, job="team/app", since_ms=2_000)] == [2, 3]
    assert [d.build for d in gate_decisions(store, server="ci", until_ms=2_000)] == [1]
    assert gate_decisions(store, server="nowhere") == []


def test_the_table_refuses_an_unknown_outcome(store):
    with pytest.raises(ValueError, match="outcome"):
        record_gate(store, replace(_decision(1, PASS, 1), outcome="maybe"))
    with pytest.raises(sqlite3.IntegrityError):  # the schema says so too
        with store.transaction() as conn:
            conn.execute("INSERT INTO gate_decisions (server, job, build, outcome, exit_code, at, "
                         "failures, noise, reasons, policy) VALUES "
                         "('ci', 'a', 1, 'maybe', 0, 1, 0, 0, '[]', '{}')")


def test_the_migration_is_registered_and_survives_reopening(db_path):
    with Store.open(db_path) as store:
        assert "m004_gate_decisions" in db_info(store)["migrations"]
        record_gate(store, _decision(7, PASS, 10))
    with Store.open(db_path) as store:
        assert [d.build for d in gate_decisions(store)] == [7]
