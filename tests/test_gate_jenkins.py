"""`triage gate` against the built-in Jenkins over real HTTP: both outcomes, a running build
whose tests have only just been recorded, and Jenkins failing (an error is never a pass)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from tests.jenkins_world import FAST, T0, FixedClock, client_for, serve
from triage.cli import cli
from triage.errors import JenkinsUnreachable, NotFoundError
from triage.gate import EXIT_ASK, EXIT_PASS, evaluate_gate
from triage.jenkins.server import BuildData, Case, Report, Suite, World, demo_world
from triage.jenkins.server.demo_gate import ASKED, AUTO_APPROVED, JOB
from triage.store.gates import ASK, ERROR, PASS, gate_decisions, gate_for_build

MORNING = 1795165200.0
CLASS = "com.acme.svc.OrderTest"
STABLE = [f"handles{word}" for word in ("Cart", "Coupon", "Refund", "Invoice", "Address",
                                         "Locale", "Currency", "Pagination")]
FLAKY_AT = {3, 9, 14, 20}  # flakyCheckout failed in these builds, passing again each time


def _case(name: str, message: str | None = None) -> Case:
    if message is None:
        return Case(CLASS, name, duration=0.01)
    trace = f"java.lang.AssertionError: {message}\n\tat {CLASS}.{name}(OrderTest.java:30)"
    return Case(CLASS, name, outcome="failed", duration=0.3, message=message,
                error_type="java.lang.AssertionError", trace=trace)


def _report(failing: dict[str, str]) -> Report:
    names = [*STABLE, "flakyCheckout"]
    return Report([Suite(CLASS, [_case(n, failing.get(n)) for n in names])])


FLAKY = {"flakyCheckout": "expected:<3> but was:<2>"}


def svc_world() -> World:
    """`svc`: 24 finished builds (one flaky test), and #25 running, its tests not run yet."""
    world = World(clock=FixedClock(T0 + 200 * 3_600_000))
    job = world.pipeline("svc")
    for n in range(1, 25):
        data = [BuildData(f"{n:040x}", "refs/remotes/origin/main", "https://git.example/svc")]
        job.add_build(n, result="UNSTABLE" if n in FLAKY_AT else "SUCCESS",
                      timestamp_ms=T0 + n * 3_600_000, duration_ms=60_000, build_data=data,
                      report=_report(FLAKY if n in FLAKY_AT else {}))
    data = [BuildData(f"{25:040x}", "refs/remotes/origin/main", "https://git.example/svc")]
    job.add_build(25, building=True, timestamp_ms=T0 + 25 * 3_600_000, build_data=data)
    return world


def gate_cli(srv, *args: str, db_path, expect: int):
    env = {"TRIAGE_JENKINS_TOKEN": srv.users["alice"]}
    result = CliRunner().invoke(cli, ["gate", "--server", srv.url, "--user", "alice", *args,
                                      "--db", str(db_path)], env=env)
    assert result.exit_code == expect, result.output + repr(result.exception)
    assert "Traceback" not in result.output
    return result


# --- both outcomes, on the demo's checkout pipeline ----------------------------------------


def test_the_demo_pipeline_takes_both_paths_over_http(db_path, tmp_path, store):
    world = demo_world(seed=1, clock=lambda: MORNING)
    summary = tmp_path / "gate.md"
    with serve(world) as srv:
        passed = gate_cli(srv, "--job", JOB, "--build", str(AUTO_APPROVED), "--summary",
                          str(summary), db_path=db_path, expect=EXIT_PASS)
        assert "Exit 0: no human needed." in passed.output
        assert summary.read_text().startswith(
            f"triage gate: no human needed on {JOB} #{AUTO_APPROVED} (")
        asked = gate_cli(srv, "--job", JOB, "--build", str(ASKED), "--summary", str(summary),
                         db_path=db_path, expect=EXIT_ASK)
        assert "Exit 10: a human must decide." in asked.output
        paused = requests.get(f"{srv.url}job/{JOB}/{ASKED}/wfapi/pendingInputActions",
                              auth=("alice", srv.users["alice"]), timeout=10).json()
        server = srv.url  # a --server URL names the server in the history
    # The demo's input carries what the gate writes first: the line Jenkins' dialog shows.
    first = summary.read_text().splitlines()[0]
    assert [p["message"] for p in paused] == [first]
    assert "1 new failure" in first
    assert gate_for_build(store, server, JOB, AUTO_APPROVED).outcome == PASS
    asked_record = gate_for_build(store, server, JOB, ASKED)
    assert (asked_record.outcome, asked_record.failures, asked_record.noise) == (ASK, 2, 1)
    assert asked_record.summary == summary.read_text()
    # The README quotes this summary: it must stay what the gate writes.
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert "```\n" + summary.read_text() + "```\n" in readme


def test_a_running_build_is_judged_once_its_tests_are_recorded(store):
    world = svc_world()
    with serve(world) as srv:
        source = client_for(srv, settings=FAST)
        report_url = f"{srv.url}job/svc/25/testReport/api/json"
        auth = ("alice", srv.users["alice"])
        assert requests.get(report_url, auth=auth, timeout=10).status_code == 404
        before = evaluate_gate(store, "svc", 25, source=source)
        assert before.exit_code == EXIT_ASK and before.building
        assert before.reasons[0].startswith("#25 has no test results: the tests have not run")

        # The pipeline's junit step runs: the report exists from now on, the run goes on.
        world.job("svc").build(25).record_tests(_report(FLAKY))
        assert requests.get(report_url, auth=auth, timeout=10).status_code == 200
        run = requests.get(f"{srv.url}job/svc/25/api/json", auth=auth, timeout=10).json()
        assert run["building"] and run["result"] == "UNSTABLE"

        after = evaluate_gate(store, "svc", 25, source=source)
    assert after.exit_code == EXIT_PASS, after.reasons
    assert after.building and [f.noise_by for f in after.failures] == [
        "known flaky with this error"]
    assert [d.outcome for d in gate_decisions(store, job="svc")] == [ASK, PASS]


def test_a_new_failure_in_the_running_build_asks(store):
    world = svc_world()
    world.job("svc").build(25).record_tests(_report({**FLAKY, "handlesCart": "expected:<1>"}))
    with serve(world) as srv:
        result = evaluate_gate(store, "svc", 25, source=client_for(srv, settings=FAST))
    assert result.exit_code == EXIT_ASK
    assert {f.item.failure.name: f.needs_human for f in result.blocking} == {"handlesCart": "new failure"}


# --- Jenkins failing: never a pass ---------------------------------------------------------


def test_jenkins_down_is_an_error_and_the_summary_says_so(db_path, tmp_path, store):
    summary = tmp_path / "gate.md"
    with serve(svc_world()) as srv:
        srv.faults.drop("*")  # every connection closed without an answer
        result = gate_cli(srv, "--job", "svc", "--build", "25", "--summary", str(summary),
                          db_path=db_path, expect=1)
        srv.faults.clear()
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
    assert summary.read_text().startswith("triage gate could not decide on svc #25")
    (record,) = gate_decisions(store)
    assert (record.outcome, record.exit_code) == (ERROR, 1)


def test_a_build_jenkins_does_not_have_is_exit_3(db_path, store):
    with serve(svc_world()) as srv:
        result = gate_cli(srv, "--job", "svc", "--build", "99", db_path=db_path, expect=3)
    assert "Jenkins has no build #99 of 'svc'" in result.output
    assert [(d.outcome, d.exit_code) for d in gate_decisions(store)] == [(ERROR, 3)]


def test_an_unreadable_earlier_build_makes_the_gate_ask(store):
    world = svc_world()
    world.job("svc").build(25).record_tests(_report(FLAKY))
    with serve(world) as srv:
        srv.faults.error(500, "*/job/svc/14/testReport/api/json")
        result = evaluate_gate(store, "svc", 25, source=client_for(srv, settings=FAST))
    assert result.exit_code == EXIT_ASK
    assert "1 earlier build could not be read from Jenkins" in result.reasons[-1]


def test_errors_raise_the_typed_error_and_are_stored(store):
    with serve(svc_world()) as srv:
        source = client_for(srv, settings=FAST)
        with pytest.raises(NotFoundError):
            evaluate_gate(store, "svc", 40, source=source)
        srv.faults.drop("*")
        with pytest.raises(JenkinsUnreachable):
            evaluate_gate(store, "svc", 25, source=source)
        srv.faults.clear()
    assert [d.exit_code for d in gate_decisions(store)] == [3, 1]


def test_the_servers_junit_step_attaches_then_merges_like_the_junit_plugin():
    world = svc_world()
    run = world.job("svc").build(25)
    run.record_tests(Report([]))  # nothing parsed: no action, the report stays a 404
    assert not run.has_report and run.log[-1].startswith("ERROR: None of the test reports")
    run.record_tests(Report([Suite("unit", [_case("a"), _case("b")])]))
    assert run.report_counts() == (0, 0, 2) and run.result is None and run.building
    run.record_tests(Report([Suite("it", [_case("c", "expected:<1>")])]))  # a second junit
    assert run.report_counts() == (1, 0, 3) and run.result == "UNSTABLE" and run.building
    assert run.log.count("Recording test results") == 3
