"""Auth, sessions and crumbs of the built-in server (reference §4.1, §4.2, trap 24)."""

from __future__ import annotations

import jenkins
import requests

from tests.test_server_support import (  # noqa: F401
    DEPLOY_ID,
    demo_srv_fixture,
    get,
    get_json,
    paused_world,
    post,
    running,
    session,
)

NO_CRUMB = "No valid crumb was included in the request"


def test_bad_token_is_401_with_basic_challenge(demo_srv):
    with session(demo_srv, "alice", "wrong") as s:
        resp = s.get(demo_srv.url + "api/json", timeout=10)
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"] == 'Basic realm="Jenkins"'
    assert "Invalid password/token for user: alice" in resp.text
    with session(demo_srv, "mallory", "x") as s:
        assert s.get(demo_srv.url + "api/json", timeout=10).status_code == 401


def test_anonymous_read_switch():
    with running(anonymous_read=False) as srv:
        resp = get(srv, "api/json", user=None)
        assert resp.status_code == 403
        assert resp.headers["X-You-Are-Authenticated-As"] == "anonymous"
        assert get(srv, "api/json").status_code == 200
    with running() as srv:
        assert get(srv, "api/json", user=None).status_code == 200


def test_whoami_and_me(demo_srv):
    me = get_json(demo_srv, "me/api/json")
    assert me["id"] == "alice" and me["fullName"] == "Alice"
    assert get(demo_srv, "me/api/json", user=None).status_code == 403
    who = get_json(demo_srv, "whoAmI/api/json")
    assert who["name"] == "alice" and who["authenticated"] is True


def test_crumb_issuer_shape_and_session_cookie(demo_srv):
    with session(demo_srv, "alice") as s:
        resp = s.get(demo_srv.url + "crumbIssuer/api/json", timeout=10)
        data = resp.json()
        assert data["_class"] == "hudson.security.csrf.DefaultCrumbIssuer"
        assert data["crumbRequestField"] == "Jenkins-Crumb" and len(data["crumb"]) == 64
        assert any(c.name.startswith("JSESSIONID.") for c in s.cookies)  # SECURITY-626


def test_token_posts_need_no_crumb_but_password_posts_do():
    with running(paused_world()) as srv:
        url = srv.url + f"job/app/2/input/{DEPLOY_ID}/"
        with requests.Session() as s:
            s.auth = ("bob", "bob-password")
            refused = s.post(url + "abort", timeout=10)
            assert (refused.status_code, NO_CRUMB in refused.text) == (403, True)
            crumb = s.get(srv.url + "crumbIssuer/api/json", timeout=10).json()["crumb"]
            # The crumb is bound to the session cookie the crumb request created.
            with requests.Session() as other:
                other.auth = ("bob", "bob-password")
                resp = other.post(url + "abort", headers={"Jenkins-Crumb": crumb}, timeout=10)
                assert resp.status_code == 403
            ok = s.post(url + "proceedEmpty", headers={"Jenkins-Crumb": crumb}, timeout=10)
            assert ok.status_code == 200
        assert srv.world.job("app").build(2).input_action.all[0].decision.user == "bob"


def test_crumb_as_form_parameter():
    with running(paused_world()) as srv:
        with requests.Session() as s:
            s.auth = ("alice", "alice-password")
            crumb = s.get(srv.url + "crumbIssuer/api/json", timeout=10).json()["crumb"]
            resp = s.post(srv.url + f"job/app/2/input/{DEPLOY_ID}/proceed", timeout=10,
                          data={"json": "{}", "Jenkins-Crumb": crumb})
        assert resp.status_code == 200


def test_token_with_session_cookie_is_a_session_request():
    # Trap 24: a cookie for the same user makes Jenkins treat a token request as a session.
    with running(paused_world()) as srv:
        with session(srv, "alice") as s:
            s.get(srv.url + "crumbIssuer/api/json", timeout=10)
            resp = s.post(srv.url + f"job/app/2/input/{DEPLOY_ID}/proceedEmpty", timeout=10)
        assert resp.status_code == 403 and NO_CRUMB in resp.text


def test_crumb_mode_always_and_never():
    with running(paused_world(), crumb_mode="always") as srv:
        path = f"job/app/2/input/{DEPLOY_ID}/proceedEmpty"
        assert post(srv, path).status_code == 403
        crumb = get_json(srv, "crumbIssuer/api/json")["crumb"]
        assert post(srv, path, headers={"Jenkins-Crumb": crumb}).status_code == 200
    with running(paused_world(), crumb_mode="never") as srv:
        with requests.Session() as s:
            s.auth = ("alice", "alice-password")
            resp = s.post(srv.url + f"job/app/2/input/{DEPLOY_ID}/proceedEmpty", timeout=10)
        assert resp.status_code == 200


def test_csrf_disabled_has_no_crumb_issuer():
    with running(paused_world()) as srv:
        srv.security.csrf = False
        assert get(srv, "crumbIssuer/api/json").status_code == 404  # §4.1
        with requests.Session() as s:
            s.auth = ("alice", "alice-password")
            resp = s.post(srv.url + f"job/app/2/input/{DEPLOY_ID}/proceedEmpty", timeout=10)
        assert resp.status_code == 200


def test_python_jenkins_client_works_against_the_server(demo_srv):
    server = jenkins.Jenkins(demo_srv.url, username="alice", password=demo_srv.users["alice"],
                             timeout=10)
    assert server.get_whoami()["id"] == "alice"
    assert server.get_version() == demo_srv.world.version
    names = {j["fullname"] for j in server.get_all_jobs()}
    assert {"app", "team/backend", "shop/main", "shop/feature%2Fx"} <= names
    info = server.get_job_info("shop/feature%2Fx")
    assert info["displayName"] == "feature/x"
    report = server.get_build_test_report("app", 119, tree="failCount,passCount")
    assert report["passCount"] > 0
    assert server.get_build_test_report("app", 23) is None  # compile failure: 404 -> None
    assert "Proceed or Abort" in server.get_build_console_output("app", 120)


def test_restart_expires_session_crumbs():
    # Trap 24: a cached crumb from before a restart gets 403 until a new one is fetched.
    with running(paused_world()) as srv:
        with requests.Session() as s:
            s.auth = ("alice", "alice-password")
            crumb = s.get(srv.url + "crumbIssuer/api/json", timeout=10).json()["crumb"]
            before = s.get(srv.url + "api/json", timeout=10).headers["X-Jenkins-Session"]
            srv.restart()
            url = srv.url + f"job/app/2/input/{DEPLOY_ID}/proceedEmpty"
            stale = s.post(url, headers={"Jenkins-Crumb": crumb}, timeout=10)
            assert stale.status_code == 403
            fresh = s.get(srv.url + "crumbIssuer/api/json", timeout=10).json()["crumb"]
            assert s.post(url, headers={"Jenkins-Crumb": fresh}, timeout=10).status_code == 200
            assert s.get(srv.url + "api/json", timeout=10).headers["X-Jenkins-Session"] != before
