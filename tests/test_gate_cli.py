"""`triage gate` on a local history: output formats, the stored decision, the summary file."""

from __future__ import annotations

import json
import os
import threading

import pytest
from gate_histories import STABLE, add_build, failed, flaky_history, scattered
from support import cli_on

from triage.store.gates import ERROR, PASS, gate_decisions, gate_for_build

TESTS = [*STABLE, "flakyA"]


@pytest.fixture
def history(store):
    flaky_history(store, 30, {"flakyA": scattered(2, 30)})
    add_build(store, 31, {"flakyA": failed("flakyA")}, tests=TESTS)
    add_build(store, 32, {"stableA": failed("stableA", "expected:<1> but was:<9>")}, tests=TESTS)
    return store


def test_json_output_is_the_whole_decision(history, db_path, tmp_path):
    policy = tmp_path / "gate.toml"
    policy.write_text("max_noise = 3\n")
    out = cli_on(db_path)("gate", "--job", "app", "--build", "32", "--policy", str(policy),
                          "--format", "json", expect=10).output
    data = json.loads(out)
    assert {k: data[k] for k in ("server", "job", "build", "outcome", "exit_code")} == {
        "server": "local", "job": "app", "build": 32, "outcome": "ask", "exit_code": 10}
    assert data["reasons"] == ["the failure needs a human: 1 new failure (CartTest.stableA)"]
    assert [r["rule"] for r in data["rules"]] == [
        "report", "result", "branch", "failures", "history", "max_noise", "sync"]
    assert data["policy"]["max_noise"] == 3 and data["policy"]["source"] == str(policy)
    (failure,) = data["failures"]
    assert failure["test"] == "com.acme.shop.CartTest.stableA"
    assert (failure["suggestion"], failure["needs_human"], failure["noise_by"]) == (
        "real", "new failure", None)
    assert data["clusters"] == [{"id": "new", "label": "New failures (1 test)",
                                 "suggestion": "real", "tests": 1}]
    assert data["summary"].startswith("triage gate: a human must decide on app #32")


def test_every_decision_is_stored_with_its_reasons_and_policy(history, db_path, tmp_path):
    run = cli_on(db_path)
    summary = tmp_path / "gate.md"
    text = run("gate", "--job", "app", "--build", "31", "--summary", str(summary)).output
    assert text.splitlines()[0].startswith("triage gate: no human needed on app #31")
    assert "  ok   max_noise  1 noise failure (at most 10)" in text
    record = gate_for_build(history, "local", "app", 31)
    assert record.outcome == PASS and record.auto_approved
    assert record.reasons == ("the failure is noise (known flaky with this error)",)
    assert record.policy["source"] is None and record.policy["min_history"] == 20
    assert record.summary == summary.read_text()
    run("gate", "--job", "app", "--build", "32", expect=10)
    assert [d.build for d in gate_decisions(history, job="app")] == [31, 32]


def test_a_summary_that_cannot_be_written_is_an_error_never_a_pass(history, db_path, tmp_path):
    target = tmp_path / "missing-folder" / "gate.md"
    result = cli_on(db_path)("gate", "--job", "app", "--build", "31", "--summary",
                             str(target), expect=1)
    assert result.output.startswith(f"error: Cannot write the summary to {target}")
    assert result.output.count("\n") == 1
    (record,) = gate_decisions(history)
    assert (record.outcome, record.exit_code) == (ERROR, 1)


def test_a_build_missing_from_the_history_is_exit_3_and_says_so_in_the_summary(
        history, db_path, tmp_path):
    summary = tmp_path / "gate.md"
    result = cli_on(db_path)("gate", "--job", "app", "--build", "99", "--summary",
                             str(summary), expect=3)
    assert "Build #99 of 'app' is not in the history" in result.output
    assert summary.read_text().startswith("triage gate could not decide on app #99: ")


def test_the_summary_follows_a_symlink_and_never_replaces_a_pipe(history, db_path, tmp_path):
    run = cli_on(db_path)
    real, link = tmp_path / "real.md", tmp_path / "link.md"
    real.write_text("old")
    link.symlink_to(real)
    run("gate", "--job", "app", "--build", "31", "--summary", str(link))
    assert link.is_symlink() and real.read_text().startswith("triage gate: no human needed")
    # A pipe the pipeline reads (or /dev/stdout) is written to, never replaced by a file.
    fifo = tmp_path / "summary.fifo"
    os.mkfifo(fifo)
    read: list[str] = []
    reader = threading.Thread(target=lambda: read.append(fifo.read_text()))
    reader.start()
    run("gate", "--job", "app", "--build", "31", "--summary", str(fifo))
    reader.join(30)
    assert read and read[0].startswith("triage gate: no human needed")
    assert fifo.is_fifo() and sorted(p.name for p in tmp_path.iterdir()) == [
        "history.db", "history.db-shm", "history.db-wal", "link.md", "real.md", "summary.fifo"]


def test_a_device_that_cannot_take_the_summary_is_an_error_and_stays_a_device(history, db_path):
    result = cli_on(db_path)("gate", "--job", "app", "--build", "31", "--summary",
                             "/dev/full", expect=1)
    assert result.output.startswith("error: Cannot write the summary to /dev/full: No space")
    assert os.path.exists("/dev/full") and not os.path.isfile("/dev/full")
