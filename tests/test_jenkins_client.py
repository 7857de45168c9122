"""The Jenkins client over real HTTP against the built-in server (no mocked HTTP).

Reference: /work/shared/reference/jenkins-api.md; section numbers in each test.
"""

from __future__ import annotations

import socket
import threading

import pytest

from tests.jenkins_world import FAST, SHA, T0, client_for, serve, small_world
from triage.errors import (
    JenkinsAuthFailed,
    JenkinsBadResponse,
    JenkinsNotFound,
    JenkinsServerError,
    JenkinsUnreachable,
)
from triage.jenkins.client import JenkinsClient
from triage.jenkins.http import HttpSettings
from triage.junit.jenkins_json import REPORT_TREE, results_from_report


@pytest.fixture(scope="module")
def srv():
    with serve() as server:
        yield server


@pytest.fixture
def client(srv):
    return client_for(srv)


# --- 4.3 / 4.5: jobs ------------------------------------------------------------------------


def test_walk_lists_folders_and_multibranch_in_one_request(srv, client):
    before = len(srv.requests)
    names = sorted(j.job.full_name for j in client.walk())
    assert names == ["app", "shop/feature%2Fx", "shop/main", "team/backend"]
    assert len(srv.requests) - before == 1
    (method, path), = srv.requests[before:]
    assert path.startswith("/jenkins/api/json?tree=jobs%5B")


def test_deep_folders_and_organisation_folders_are_walked():
    world = small_world()
    world.folder("a").folder("b").folder("c").folder("d").pipeline("deep")
    org = world.folder("org")
    org.export_class = "jenkins.branch.OrganizationFolder"  # section 4.4
    org.multibranch("repo").branch("fix/1").add_build(1, result="SUCCESS", timestamp_ms=T0)
    with serve(world) as other:
        client = client_for(other)
        before = len(other.requests)
        names = sorted(j.job.full_name for j in client.walk())
        # Three levels per request: a/b/c in the first, c's children in a second one.
        assert len(other.requests) - before == 2
        assert "a/b/c/d/deep" in names and "org/repo/fix%2F1" in names
        (build,) = client.job_builds("org/repo/fix%2F1", 5).builds
        assert build.info.url.endswith("/job/org/job/repo/job/fix%252F1/1/")


def test_multibranch_branch_url_is_encoded_twice(srv, client):
    before = len(srv.requests)
    listing = client.job_builds("shop/feature%2Fx", 10)
    assert [b.info.number for b in listing.builds] == [2, 1]
    (_, path), = srv.requests[before:]
    assert path.startswith("/jenkins/job/shop/job/feature%252Fx/api/json?")


def test_build_facts_pick_the_jobs_own_repository(client):
    # Trap 18: a shared library's BuildData comes first here.
    listing = client.job_builds("shop/feature%2Fx", 10)
    finished = listing.builds[1]
    assert finished.info.revision == "2" * 40 and finished.info.branch == "feature/x"
    app = {b.info.number: b for b in client.job_builds("app", 10).builds}
    assert app[1].info.revision == SHA and app[1].info.branch == "main"
    assert app[2].info.causes == ("Started by user Alice",)
    assert app[2].info.duration_ms == 61_000 and app[2].info.result == "UNSTABLE"
    assert app[2].fail_count == 1 and app[2].total_count == 5


def test_running_build_is_running_and_carries_its_inputs(client):
    paused = client.build("app", 4)
    assert paused.info.building and paused.info.duration_ms is None
    (item,) = paused.inputs
    assert item.id == "A61b61d2d652c2824ae4d9acb5cb8e5a"  # reference 1.3 example
    assert [p.name for p in item.parameters] == ["NAME", "NOTES", "SMOKE", "TARGET", "SECRET"]


def test_urls_come_from_our_base_not_from_jenkins_root_url():
    # Trap 21: Jenkins' configured root URL names a host we cannot reach.
    with serve(root_url="https://jenkins.internal.example/ci/") as other:
        client = client_for(other)
        state = client.job_builds("team/backend", 5).builds[0]
        assert state.info.url == other.url + "job/team/job/backend/2/"


def test_unknown_job_is_not_found(client):
    with pytest.raises(JenkinsNotFound):
        client.job_builds("nope/missing", 5)


# --- 3.1-3.3: test reports --------------------------------------------------------------------


def test_report_uses_tree_and_maps_all_five_statuses(srv, client):
    before = len(srv.requests)
    data = client.test_report("shop/feature%2Fx", 1, REPORT_TREE)
    (_, path), = srv.requests[before:]
    assert "/testReport/api/json?tree=" in path
    statuses = [c["status"] for s in data["suites"] for c in s["cases"]]
    assert statuses == ["FIXED", "PASSED", "REGRESSION", "FAILED"]
    outcomes = {r.name: r.outcome.label for r in results_from_report(data)}
    assert outcomes == {"passes0": "passed", "passes1": "passed", "fails0": "failed",
                        "fails1": "failed"}


def test_no_report_is_none(client):
    assert client.test_report("app", 3, REPORT_TREE) is None  # 404, trap 12


# --- 4.2, 5.2, trap 26: typed errors ---------------------------------------------------------


def test_bad_token_is_auth_failed_with_one_clear_line(srv):
    client = client_for(srv, token="wrong")
    with pytest.raises(JenkinsAuthFailed) as info:
        list(client.walk())
    assert info.value.status == 401
    assert "\n" not in info.value.message and "alice" in info.value.message


def test_server_down_is_unreachable():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens on this port now
    client = JenkinsClient("down", f"http://127.0.0.1:{port}/jenkins/", "alice", "t",
                           HttpSettings(timeout=(2.0, 2.0), retries=1, backoff=0.0))
    with pytest.raises(JenkinsUnreachable, match="Cannot reach Jenkins"):
        list(client.walk())
    assert client.request_count == 2  # one retry for an idempotent GET


def test_html_login_page_instead_of_json(srv, client):
    fault = srv.faults.login_page("*/job/app/api/json", count=1)
    try:
        with pytest.raises(JenkinsBadResponse, match="instead of JSON"):
            client.job_builds("app", 5)
    finally:
        srv.faults.remove(fault)


def test_5xx_on_a_get_is_retried(srv, client):
    fault = srv.faults.error(503, "*/job/team/job/backend/api/json", count=2)
    try:
        before = client.request_count
        assert client.job_builds("team/backend", 5).builds
        assert client.request_count - before == 3
    finally:
        srv.faults.remove(fault)


def test_persistent_5xx_gives_up_with_server_error(srv, client):
    fault = srv.faults.error(500, "*/job/team/job/backend/api/json")
    try:
        with pytest.raises(JenkinsServerError) as info:
            client.job_builds("team/backend", 5)
        assert info.value.status == 500
    finally:
        srv.faults.remove(fault)


def test_dropped_connection_is_retried(srv, client):
    fault = srv.faults.drop("*/job/app/api/json", count=1)
    try:
        assert [b.info.number for b in client.job_builds("app", 5).builds] == [4, 3, 2, 1]
        assert fault.hits == 1  # the first answer was dropped: the builds came from a retry
    finally:
        srv.faults.remove(fault)


def test_read_timeout_is_unreachable_not_a_hang(srv):
    release = threading.Event()
    fault = srv.faults.latency(glob="*/job/app/api/json", release=release, count=1)
    client = client_for(srv, settings=HttpSettings(timeout=(2.0, 0.3), retries=0))
    try:
        with pytest.raises(JenkinsUnreachable, match="did not answer within 0.3 s"):
            client.job_builds("app", 5)
    finally:
        release.set()
        srv.faults.remove(fault)


def test_tls_settings_reach_the_session(srv, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not used for http")
    client = client_for(srv, settings=HttpSettings(ca_bundle=str(bundle)))
    assert client.http.session.verify == str(bundle)
    assert client_for(srv, settings=FAST).http.session.verify is True


def test_no_cookie_is_ever_kept(srv, client):
    # Trap 24: a session cookie next to an API token turns requests into session requests.
    client.http.crumb()
    assert len(client.http.session.cookies) == 0
