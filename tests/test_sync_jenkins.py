"""`triage.sync` over real HTTP against the built-in server, into a real SQLite history."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tests.jenkins_world import FAST, T0, FixedClock, client_for, report, serve, small_world
from triage.domain import Outcome
from triage.jenkins.http import HttpSettings
from triage.jenkins.server import Case, Failure, Suite, suite_xml
from triage.progress import CancelToken, NullReporter
from triage.store import builds as stored
from triage.sync import SyncOptions, sync


def _builds(store, job):
    return {n: bool(b) for n, b in store.conn.execute(
        "SELECT b.number, b.building FROM builds b JOIN jobs j ON j.id = b.job_id "
        "WHERE j.name = ?", (job,))}


def _results(store, job, number):
    return store.conn.execute(
        "SELECT count(*) FROM results r JOIN builds b ON b.id = r.build_id "
        "JOIN jobs j ON j.id = b.job_id WHERE j.name = ? AND b.number = ?",
        (job, number)).fetchone()[0]


def _report_requests(srv, before):
    return sum("/testReport/" in path for _, path in srv.requests[before:])


def test_first_sync_stores_every_build_with_facts(store):
    with serve() as srv:
        summary = sync(client_for(srv), store)
        # 9 builds, 7 with a report: builds without one cost no request (section 3.1).
        assert _report_requests(srv, 0) == 7
    assert summary.job_errors == [] and summary.build_errors == []
    assert summary.jobs == 4 and summary.stored == 9
    assert _builds(store, "app") == {1: False, 2: False, 3: False, 4: True}
    assert _results(store, "app", 2) == 5 and _results(store, "app", 3) == 0  # 404: no report
    row = store.conn.execute(
        "SELECT b.revision, b.branch, b.result, b.duration, b.url, b.causes FROM builds b "
        "JOIN jobs j ON j.id = b.job_id WHERE j.name = 'shop/feature%2Fx' AND b.number = 1"
    ).fetchone()
    assert row[:4] == ("2" * 40, "feature/x", "UNSTABLE", 2000)
    assert row[4].endswith("/jenkins/job/shop/job/feature%252Fx/1/")
    server_url = store.conn.execute("SELECT url FROM servers WHERE name = 'ci'").fetchone()[0]
    assert server_url.endswith("/jenkins/")


def test_second_sync_is_incremental_and_idempotent(store):
    clock = FixedClock()
    world = small_world(clock)
    with serve(world) as srv:
        client = client_for(srv)
        sync(client, store)
        counts = store.conn.execute("SELECT count(*) FROM results").fetchone()[0]

        before = len(srv.requests)
        again = sync(client, store)
        # Only the three builds stored while running are read again; one has no report yet,
        # which its actions say (no TestResultAction), so no 404 request is made for it.
        assert again.stored == 3 and again.refreshed == 3
        assert _report_requests(srv, before) == 2
        assert store.conn.execute("SELECT count(*) FROM results").fetchone()[0] == counts

        with world.lock:
            world.job("app").add_build(5, result="SUCCESS", timestamp_ms=T0 + 400_000,
                                       duration_ms=1_000, report=report(7))
            world.job("app").build(4).finish("SUCCESS", now_ms=T0 + 500_000)
        before = len(srv.requests)
        third = sync(client, store, SyncOptions(jobs=["app"]))
    assert third.stored == 2  # the new build and the one that finished
    assert _report_requests(srv, before) == 2
    assert _builds(store, "app")[4] is False and _results(store, "app", 5) == 7
    assert stored.running_builds(store, "ci") == [("shop/feature%2Fx", 2), ("team/backend", 2)]


def test_one_failing_job_does_not_stop_the_rest(store):
    with serve() as srv:
        srv.faults.error(500, "*/job/team/job/backend/api/json")
        reporter = NullReporter()
        summary = sync(client_for(srv), store, reporter=reporter)
    assert [job for job, _ in summary.job_errors] == ["team/backend"]
    assert any("team/backend" in w and "500" in w for w in reporter.warnings)
    assert _builds(store, "app") and "team/backend" not in stored.synced_jobs(store, "ci")


def test_failed_report_is_not_stored_and_retried_next_time(store):
    with serve() as srv:
        client = client_for(srv)
        fault = srv.faults.error(500, "*/job/app/2/testReport/api/json")
        first = sync(client, store, SyncOptions(jobs=["app"]))
        assert [(j, n) for j, n, _ in first.build_errors] == [("app", 2)]
        assert 2 not in _builds(store, "app")
        srv.faults.remove(fault)
        second = sync(client, store, SyncOptions(jobs=["app"]))
    assert second.build_errors == [] and _results(store, "app", 2) == 5


def test_max_builds_limits_the_newest(store):
    with serve() as srv:
        sync(client_for(srv), store, SyncOptions(jobs=["app"], max_builds=2))
    assert sorted(_builds(store, "app")) == [3, 4]


class _CancelAfter(NullReporter):
    def __init__(self, token, after):
        super().__init__()
        self.token, self.after = token, after

    def advance(self, n=1):
        super().advance(n)
        if self.done >= self.after:
            self.token.cancel()


def test_cancel_stops_between_builds_and_keeps_whole_builds(store):
    world = small_world()
    job = world.pipeline("many")
    for number in range(1, 41):
        job.add_build(number, result="SUCCESS", timestamp_ms=T0 + number, duration_ms=1,
                      report=report(4))
    token = CancelToken()
    with serve(world) as srv:
        summary = sync(client_for(srv), store, SyncOptions(jobs=["many"], workers=2),
                       reporter=_CancelAfter(token, 3), cancel=token)
    assert summary.cancelled
    kept = _builds(store, "many")
    assert 1 <= len(kept) < 40
    assert all(_results(store, "many", n) == 4 for n in kept)


def test_archived_junit_xml_keeps_surefire_retry_evidence(store):
    world = small_world()
    job = world.pipeline("surefire")
    suite = Suite("com.example.RetryTest", [
        Case("com.example.RetryTest", "flaky", flaky_failures=[
            Failure("timeout", "java.net.SocketTimeoutException", "at x")]),
        Case("com.example.RetryTest", "steady"),
    ])
    build = job.add_build(1, result="SUCCESS", timestamp_ms=T0, duration_ms=10,
                          report=report(1))
    build.add_artifact("target/surefire-reports/TEST-com.example.RetryTest.xml",
                       suite_xml(suite))
    build.add_artifact("target/app.jar", b"PK\x03\x04")
    with serve(world) as srv:
        before = len(srv.requests)
        sync(client_for(srv), store, SyncOptions(
            jobs=["surefire"], artifacts={"surefire": "target/surefire-reports/*.xml"}))
        assert _report_requests(srv, before) == 0
        assert sum("/artifact/" in p for _, p in srv.requests[before:]) == 1
    outcome, reruns = store.conn.execute(
        "SELECT r.outcome, r.reruns FROM results r JOIN tests t ON t.id = r.test_id "
        "WHERE t.name = 'flaky'").fetchone()
    assert Outcome(outcome) is Outcome.FLAKY and reruns == 1


@pytest.mark.slow
def test_a_20000_test_report_is_synced(store):
    world = small_world()
    cases = [Case("com.example.Big", f"test{i:05d}", duration=0.001,
                  outcome="failed" if i % 1000 == 0 else "passed",
                  message="boom" if i % 1000 == 0 else None,
                  trace="java.lang.AssertionError: boom" if i % 1000 == 0 else None)
             for i in range(20_000)]
    from triage.jenkins.server import Report

    world.pipeline("big").add_build(1, result="UNSTABLE", timestamp_ms=T0, duration_ms=1,
                                    report=Report([Suite("com.example.Big", cases)]))
    with serve(world) as srv:
        summary = sync(client_for(srv), store, SyncOptions(jobs=["big"]))
    assert summary.tests == 20_000
    failed = store.conn.execute("SELECT count(*) FROM results WHERE outcome = 1").fetchone()[0]
    assert failed == 20


def _big_report(cases: int) -> bytes:
    """A report as Jenkins exports it with our tree=, every 10,000th case failed."""
    rows = [{"className": "com.example.shop.checkout.CheckoutServiceIntegrationTest",
             "name": f"placesOrderWithDiscountCode_{i:06d}", "duration": 0.012,
             "status": "FAILED" if i % 10_000 == 0 else "PASSED", "skipped": False,
             "errorDetails": "expected:<1> but was:<2>" if i % 10_000 == 0 else None,
             "errorStackTrace": None, "stdout": None, "stderr": None, "skippedMessage": None,
             "flakyFailures": [], "rerunFailures": []} for i in range(cases)]
    return json.dumps({"_class": "hudson.tasks.junit.TestResult",
                       "suites": [{"name": "CheckoutSuite", "cases": rows}]}).encode()


@pytest.mark.slow
def test_a_200000_case_report_fits_the_default_cap(store):
    body = _big_report(200_000)
    assert len(body) * 2 < HttpSettings().max_bytes  # generous: twice this size still fits
    world = small_world()
    world.pipeline("huge").add_build(1, result="UNSTABLE", timestamp_ms=T0, duration_ms=1,
                                     report=report(1))
    with serve(world) as srv:
        srv.faults.respond(body, "*/job/huge/1/testReport/api/json")
        summary = sync(client_for(srv, settings=replace(FAST, timeout=(5.0, 60.0))), store,
                       SyncOptions(jobs=["huge"]))
    assert summary.build_errors == [] and summary.tests == 200_000


def test_a_folder_name_stands_for_every_job_below_it(store):
    with serve() as srv:
        summary = sync(client_for(srv), store, SyncOptions(jobs=["shop"]))
    assert summary.jobs == 2 and summary.job_errors == []
    assert stored.synced_jobs(store, "ci") == ["shop/feature%2Fx", "shop/main"]
