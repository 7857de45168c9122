"""Fault injection and the request log of the built-in server."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from tests.test_server_support import demo_srv_fixture, get, post, running  # noqa: F401
from triage.jenkins.server import Faults


@pytest.fixture
def srv():
    with running() as server:
        yield server


def test_status_fault_for_the_next_two_requests_only(srv):
    fault = srv.faults.error(503, "*/job/app/api/json", count=2)
    codes = [get(srv, "job/app/api/json").status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    assert fault.hits == 2 and fault.spent
    assert get(srv, "api/json").status_code == 200  # other paths unaffected


def test_status_fault_keeps_jenkins_headers_and_html(srv):
    srv.faults.error(502, count=1)
    resp = get(srv, "api/json")
    assert resp.status_code == 502 and "Bad Gateway" in resp.text
    assert resp.headers["Content-Type"].startswith("text/html")


def test_drop_closes_the_connection_without_an_answer(srv):
    srv.faults.drop("*/api/json", count=1)
    with pytest.raises(requests.ConnectionError):
        get(srv, "api/json")
    assert get(srv, "api/json").status_code == 200


def test_login_page_instead_of_json(srv):
    srv.faults.login_page("*/job/app/*", count=1)
    resp = get(srv, "job/app/api/json")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/html")
    assert "Sign in [Jenkins]" in resp.text
    with pytest.raises(ValueError):
        resp.json()


def test_latency_delays_the_answer(srv):
    srv.faults.latency(0.3, "*/api/json", count=1)
    started = time.perf_counter()
    assert get(srv, "api/json").status_code == 200
    assert time.perf_counter() - started >= 0.3


def test_latency_holds_until_released(srv):
    release = threading.Event()
    fault = srv.faults.latency(glob="*/job/app/api/json", release=release, count=1)
    result: dict[str, int] = {}
    worker = threading.Thread(target=lambda: result.update(
        code=get(srv, "job/app/api/json").status_code))
    worker.start()
    assert fault.fired.wait(10)  # the request reached the server and is being held
    assert "code" not in result
    release.set()
    worker.join(10)
    assert result == {"code": 200}


def test_method_filter_and_remove(srv):
    fault = srv.faults.error(500, method="POST")
    assert get(srv, "api/json").status_code == 200  # a GET does not match
    assert post(srv, "job/app/120/input/Nope/abort").status_code == 500  # a POST does
    assert fault.hits == 1
    srv.faults.remove(fault)
    # Removed: the same POST reaches Jenkins (no such input: 404), the fault is not hit.
    assert post(srv, "job/app/120/input/Nope/abort").status_code == 404
    assert fault.hits == 1
    other = srv.faults.error(502)
    srv.faults.clear()
    assert get(srv, "api/json").status_code == 200 and other.hits == 0


def test_unknown_fault_kind_is_refused():
    with pytest.raises(ValueError):
        Faults().add("explode")


def test_request_log_counts_method_and_path(srv):
    before = len(srv.requests)
    get(srv, "job/app/120/testReport/api/json", tree="failCount")
    get(srv, "job/app/api/json")
    new = srv.requests[before:]
    assert new == [("GET", "/jenkins/job/app/120/testReport/api/json?tree=failCount"),
                   ("GET", "/jenkins/job/app/api/json")]
    assert srv.requests.count_of("/testReport/", method="GET") >= 1


def test_server_bug_is_a_500_and_recorded_not_a_dropped_socket():
    from triage.jenkins.server import World

    world = World()
    world.pipeline("p").add_build(result="SUCCESS", report=lambda: 1 // 0)
    with running(world) as srv:
        resp = get(srv, "job/p/1/testReport/api/json")
        assert resp.status_code == 500 and "Oops!" in resp.text
        assert len(srv.errors) == 1 and "ZeroDivisionError" in srv.errors[0]
        srv.errors.clear()


def test_a_client_that_gave_up_leaves_no_traceback_and_no_error(capfd):
    # The client's read timeout closes its socket; the held answer then hits a closed peer.
    release = threading.Event()
    with running() as srv:
        fault = srv.faults.latency(glob="*/job/app/api/json", release=release, count=1)
        with pytest.raises(requests.Timeout):
            requests.get(srv.url + "job/app/api/json", timeout=(5, 0.2),
                         auth=("alice", srv.users["alice"]))
        assert fault.fired.is_set()
        release.set()
        assert srv.wait_idle()
        srv.faults.drop("*", count=3)
        for _ in range(3):
            with pytest.raises(requests.ConnectionError):
                get(srv, "api/json")
        assert srv.wait_idle()
    assert "Traceback" not in capfd.readouterr().err  # and `running` checked srv.errors


def test_broken_pipes_are_silent_but_real_bugs_are_kept(capfd):
    with running() as srv:
        httpd = srv._httpd
        for expected in (BrokenPipeError(32, "Broken pipe"), ConnectionResetError(104, "reset"),
                         TimeoutError("timed out")):
            try:
                raise expected
            except OSError:
                httpd.handle_error(None, ("127.0.0.1", 1))
        assert srv.errors == []
        try:
            raise KeyError("a bug in a handler")
        except KeyError:
            httpd.handle_error(None, ("127.0.0.1", 1))
        assert len(srv.errors) == 1 and "KeyError: 'a bug in a handler'" in srv.errors[0]
        srv.errors.clear()
    assert capfd.readouterr().err == ""
