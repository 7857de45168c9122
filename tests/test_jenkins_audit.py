"""Cross-cutting rules of issue 3, checked over real HTTP against the built-in server.

Each test names the issue's requirement it proves. Reference:
/work/shared/reference/jenkins-api.md (sections and traps in each test).
"""

from __future__ import annotations

import threading
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.jenkins_world import T0, client_for, report, serve, small_world
from triage import decide as decide_module
from triage.decide import attention, decide, paused_builds
from triage.errors import (
    JenkinsBadResponse,
    JenkinsForbidden,
    JenkinsServerError,
    JenkinsUnreachable,
)
from triage.jenkins.client import JenkinsClient
from triage.jenkins.http import HttpSettings
from triage.store import decisions
from triage.sync import SyncOptions, sync


def _posts(srv, before=0):
    return [path for method, path in srv.requests[before:] if method == "POST"]


def _still_paused(world, job, number):
    with world.lock:
        return bool(world.job(job).build(number).input_action.pending)


# --- "Use tree= to fetch only the fields needed" (section 0, traps 4 and 11) -------------------


def test_every_api_json_request_names_its_fields_with_tree(store):
    world = small_world()
    with serve(world, crumb_mode="always") as srv:
        client = client_for(srv)
        client.probe()
        sync(client, store)
        paused_builds([client])
        attention(client, jobs=["app", "shop"])
        decide(client, store, "app", 4, "proceed")
        decide(client, store, "shop/feature%2Fx", 2, "abort", "eu")
        requests = list(srv.requests)
    api = [path for _, path in requests if "/api/json" in urlsplit(path).path]
    assert len(api) >= 10
    for path in api:
        assert "tree" in parse_qs(urlsplit(path).query), path
    # Stage View is written by Jackson and ignores tree/depth (section 2): nothing to prune.
    others = {urlsplit(p).path.rsplit("/", 1)[-1] for _, p in requests if p not in api}
    assert others <= {"describe", "pendingInputActions", "proceed", "abort", "proceedEmpty"}


# --- "never mix a session cookie with a token" (section 4.1, trap 24) ---------------------------


def test_no_cookie_is_ever_sent_not_even_after_the_crumb_issuer_set_one(store):
    world = small_world()
    with serve(world, crumb_mode="always") as srv:
        client = client_for(srv)
        decide(client, store, "app", 4, "abort")
        decide(client, store, "team/backend", 2, "proceed")
        crumb_answers = [e for e in srv.requests if "crumbIssuer" in e[1]]
        assert len(crumb_answers) == 2  # once per refused decision, never cached blindly
        for entry in srv.requests:
            assert "Cookie" not in entry.headers, entry
            assert entry.headers["Authorization"].startswith("Basic ")
        refused_then_sent = [p for p in _posts(srv) if p.endswith(("/abort", "/proceedEmpty"))]
        assert len(refused_then_sent) == 4
    assert not _still_paused(world, "app", 4)


def test_a_password_instead_of_a_token_is_told_after_one_crumb(store):
    # Password logins need a session-bound crumb (section 4.1); we send no session cookie, so
    # Jenkins refuses again: one crumb, one retry, then a clear message, no loop.
    world = small_world()
    with serve(world) as srv:
        client = client_for(srv, token="alice-password")
        with pytest.raises(JenkinsForbidden, match="did not take the secret as an API token"):
            decide(client, store, "app", 4, "abort")
        assert len(_posts(srv)) == 2 and srv.requests.count_of("crumbIssuer") == 1
    assert _still_paused(world, "app", 4)
    (stored,) = decisions.list_decisions(store)
    assert stored.outcome == "failed"


def test_a_403_that_is_not_about_crumbs_is_not_retried(store):
    world = small_world()
    with serve(world) as srv:
        srv.faults.error(403, "*/abort", method="POST", body="Access denied")
        with pytest.raises(JenkinsForbidden, match="403"):
            decide(client_for(srv), store, "app", 4, "abort")
        assert len(_posts(srv)) == 1 and srv.requests.count_of("crumbIssuer") == 0
    assert _still_paused(world, "app", 4)


# --- "retries with backoff for idempotent GETs only"; "Never retry a decision blindly" ----------


@pytest.mark.parametrize(("action", "endpoint"), [("proceed", "proceed"), ("abort", "abort")])
def test_a_decision_answered_with_a_5xx_is_never_retried(store, action, endpoint):
    world = small_world()
    with serve(world) as srv:
        srv.faults.error(503, f"*/input/*/{endpoint}", count=1, method="POST")
        with pytest.raises(JenkinsServerError) as info:
            decide(client_for(srv), store, "app", 4, action)
        assert info.value.status == 503 and "\n" not in info.value.message
        assert len(_posts(srv)) == 1
    assert _still_paused(world, "app", 4)
    (stored,) = decisions.list_decisions(store)
    assert (stored.action, stored.outcome) == (action, "failed")


def test_a_dropped_proceed_is_never_retried(store):
    world = small_world()
    with serve(world) as srv:
        srv.faults.drop("*/input/*/proceed", count=1, method="POST")
        with pytest.raises(JenkinsUnreachable, match="may or may not have reached Jenkins"):
            decide(client_for(srv), store, "app", 4, "proceed")
        assert len(_posts(srv)) == 1
    assert _still_paused(world, "app", 4)


def test_get_retries_back_off_exponentially(monkeypatch):
    waits = []
    monkeypatch.setattr("triage.jenkins.http.time.sleep", waits.append)
    with serve() as srv:
        srv.faults.error(502, "*/job/app/api/json", count=2)
        settings = HttpSettings(timeout=(5.0, 10.0), retries=3, backoff=0.25)
        client = client_for(srv, settings=settings)
        assert client.job_builds("app", 5).builds
        assert srv.requests.count_of("/job/app/api/json") == 3
    assert waits == [0.25, 0.5]


# --- typed errors: forbidden (section 4.2) -------------------------------------------------------


def test_forbidden_is_a_typed_error_with_one_line():
    with serve(anonymous_read=False) as srv:
        client = JenkinsClient("ci", srv.url, None, None,
                               HttpSettings(timeout=(5.0, 10.0), retries=0))
        with pytest.raises(JenkinsForbidden) as info:
            list(client.walk())
    assert info.value.status == 403 and "\n" not in info.value.message
    assert "anonymous users lack the permission: give --user and an API token" \
        in info.value.message


# --- "A running Pipeline can already carry a result: use building/inProgress" (trap 15) --------


def test_a_running_build_with_a_result_is_not_a_finished_red_build(store):
    world = small_world()
    with world.lock:
        job = world.pipeline("nightly")
        job.add_build(1, result="SUCCESS", timestamp_ms=T0, duration_ms=10, report=report(2))
        job.add_build(2, result="UNSTABLE", building=True, timestamp_ms=T0 + 10,
                      report=report(1, failed=1))
    with serve(world) as srv:
        client = client_for(srv)
        assert attention(client, jobs=["nightly"]) == []
        sync(client, store, SyncOptions(jobs=["nightly"]))
    building, result = store.conn.execute(
        "SELECT b.building, b.result FROM builds b JOIN jobs j ON j.id = b.job_id "
        "WHERE j.name = 'nightly' AND b.number = 2").fetchone()
    assert building == 1 and result == "UNSTABLE"


# --- "bounded parallel fetches" ------------------------------------------------------------------


def test_sync_fetches_reports_in_parallel_but_never_more_than_the_workers(store):
    world = small_world()
    job = world.pipeline("many")
    for number in range(1, 13):
        job.add_build(number, result="SUCCESS", timestamp_ms=T0 + number, duration_ms=1,
                      report=report(2))
    release = threading.Event()
    seen = {}
    with serve(world) as srv:
        srv.faults.latency(glob="*/testReport/api/json", release=release)

        def release_once_three_are_held():
            seen["three"] = srv.wait_for(lambda: srv.inflight == 3)
            release.set()

        helper = threading.Thread(target=release_once_three_are_held)
        helper.start()
        try:
            summary = sync(client_for(srv), store, SyncOptions(jobs=["many"], workers=3))
        finally:
            release.set()
            helper.join(30)
    assert seen["three"] and summary.stored == 12
    assert srv.peak_inflight == 3


# --- "one unreachable job reported without stopping the rest" ----------------------------------


def test_an_unreachable_job_is_reported_and_the_rest_synced(store):
    with serve() as srv:
        srv.faults.drop("*/job/team/job/backend/api/json")  # every attempt, retries included
        summary = sync(client_for(srv), store)
    assert [job for job, _ in summary.job_errors] == ["team/backend"]
    assert "Cannot reach Jenkins" in summary.job_errors[0][1]
    assert summary.jobs == 3 and summary.stored == 7


# --- "Do not rely on get_running_builds()" (trap 25) --------------------------------------------


def test_running_builds_come_from_job_json_not_from_executors(store):
    with serve() as srv:
        paused_builds([client_for(srv)])
        assert srv.requests.count_of("computer/") == 0
    assert "get_running_builds" not in open(decide_module.__file__).read()


# --- "timeouts on every call", decisions included ------------------------------------------------


def test_a_decision_that_gets_no_answer_times_out_once_and_says_so(store):
    world = small_world()
    release = threading.Event()
    with serve(world) as srv:
        srv.faults.latency(glob="*/input/*/abort", method="POST", release=release, count=1)
        client = client_for(srv, settings=HttpSettings(timeout=(5.0, 0.3), retries=2))
        try:
            with pytest.raises(JenkinsUnreachable, match="did not answer within 0.3 s.*"
                               "may or may not have reached Jenkins"):
                decide(client, store, "app", 4, "abort")
            assert len(_posts(srv)) == 1
        finally:
            release.set()
            assert srv.wait_idle()
    # Here the held request did arrive: exactly the case the message warns about.
    assert not _still_paused(world, "app", 4)


# --- "HTML login page instead of JSON", on a decision too ----------------------------------------


def test_a_login_page_answering_a_decision_is_not_taken_for_success(store):
    world = small_world()
    with serve(world) as srv:
        srv.faults.login_page("*/input/*/abort", method="POST", count=1)
        with pytest.raises(JenkinsBadResponse, match="HTML page.*probably not decided"):
            decide(client_for(srv), store, "app", 4, "abort")
        assert len(_posts(srv)) == 1
    assert _still_paused(world, "app", 4)
    (stored,) = decisions.list_decisions(store)
    assert stored.outcome == "failed"
