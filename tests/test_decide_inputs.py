"""Pending inputs, proceed and abort over real HTTP against the built-in server.

Reference: /work/shared/reference/jenkins-api.md sections 1.2-1.6, 4.1, traps 1-8 and 24.
"""

from __future__ import annotations

import json

import pytest

from tests.jenkins_world import T0, client_for, serve, small_world
from triage.decide import attention, decide, paused_as_dict, paused_builds
from triage.errors import (
    AmbiguousInput,
    ConfigError,
    InputAlreadyDecided,
    InputRefused,
    JenkinsNotFound,
    JenkinsUnreachable,
)
from triage.jenkins.server import Param
from triage.store import decisions


@pytest.fixture
def world():
    return small_world()


@pytest.fixture
def srv(world):
    with serve(world) as server:
        yield server


def _posts(srv, before):
    return [path for method, path in srv.requests[before:] if method == "POST"]


def test_pending_lists_each_paused_build_with_its_inputs(srv):
    client = client_for(srv)
    before = len(srv.requests)
    found = paused_builds([client], with_wait=False)
    assert len(srv.requests) - before == 1  # the whole server in one request
    assert [(p.job, p.number) for p in found] == [
        ("app", 4), ("shop/feature%2Fx", 2), ("team/backend", 2)]
    app = found[0]
    assert app.failures == 1 and app.url.endswith("/jenkins/job/app/4/")
    (item,) = app.inputs
    assert item.message == "Deploy to production?" and item.ok == "Proceed"
    params = {p.name: p for p in item.parameters}
    assert params["TARGET"].choices == ("staging-eu", "staging-us")
    assert params["TARGET"].default == "staging-eu"  # first choice (section 1.2)
    assert params["SMOKE"].default is True and params["SECRET"].default is None
    gate = found[2].inputs[0]
    assert (gate.id, gate.ok, gate.submitter) == ("Approve", "Ship", "release-managers")
    assert [i.id for i in found[1].inputs] == ["Eu", "Us"]


def test_pending_json_has_the_exact_wait_and_hides_password_defaults(srv, world):
    # app #4 started at T0 + 300 s and reached its input at T0 + 400 s; the server's clock
    # is moved by hand (no sleeping) to 125 s after that.
    with world.lock:
        world.clock.ms = T0 + 400_000 + 125_000
    before = len(srv.requests)
    (app, *_) = paused_builds([client_for(srv)], jobs=["app"])
    assert any(p.endswith("/job/app/4/wfapi/describe") for _, p in srv.requests[before:])
    data = paused_as_dict(app)
    json.dumps(data)  # plain JSON
    # Exact, from Stage View's paused stage (section 2.3), not the time since the start.
    assert data["wait_source"] == "wfapi"
    assert data["paused_ms"] == T0 + 400_000 and data["waited_ms"] == 125_000
    assert data["started_ms"] == T0 + 300_000
    secret = [p for p in data["inputs"][0]["parameters"] if p["name"] == "SECRET"][0]
    assert secret["default"] is None


def test_decision_records_when_the_build_paused(srv, world, store):
    with world.lock:
        world.clock.ms = T0 + 400_000 + 7 * 60_000
    # Our clock is the server's (a fixed one): nothing depends on the host's date.
    decide(client_for(srv), store, "app", 4, "abort", who="alice", clock=world.clock)
    (stored,) = decisions.list_decisions(store)
    assert stored.paused_at == T0 + 400_000
    assert stored.at == T0 + 400_000 + 7 * 60_000


def test_wait_is_the_longest_of_several_pending_inputs(srv, world):
    with world.lock:
        world.clock.ms = T0 + 100_000
    (found,) = paused_builds([client_for(srv)], jobs=["shop/feature%2Fx"])
    # Inputs reached at T0 + 60 s and T0 + 90 s: the build has waited since the first.
    assert (found.paused_ms, found.waited_ms, found.wait_source) == (T0 + 60_000, 40_000,
                                                                     "wfapi")


def test_without_stage_view_the_wait_is_an_upper_bound(srv):
    srv.faults.error(404, "*/wfapi/describe")
    (app,) = paused_builds([client_for(srv)], jobs=["app"])
    assert app.wait_source == "build-start" and app.paused_ms is None
    assert app.waited_ms > 0  # our clock against the build's start


def test_attention_lists_paused_and_red_builds_newer_than_green(srv):
    found = {(a.state.info.job, a.state.info.number): a.reason
             for a in attention(client_for(srv), recent=10)}
    assert found == {("app", 4): "paused", ("app", 3): "FAILURE", ("app", 2): "UNSTABLE",
                     ("team/backend", 2): "paused", ("shop/feature%2Fx", 2): "paused",
                     ("shop/feature%2Fx", 1): "UNSTABLE"}


def test_proceed_sends_every_parameter_with_defaults(srv, world, store):
    client = client_for(srv)
    before = len(srv.requests)
    record = decide(client, store, "app", 4, "proceed",
                    params={"TARGET": "staging-us", "SMOKE": "false"}, who="alice")
    assert _posts(srv, before) == [
        "/jenkins/job/app/4/input/A61b61d2d652c2824ae4d9acb5cb8e5a/proceed"]
    with world.lock:
        build = world.job("app").build(4)
        (execution,) = build.input_action.all
        values = execution.decision.values
        assert not build.building and build.result == "SUCCESS"
    # Every parameter arrived (Jenkins does not default omitted ones); the password's
    # <DEFAULT> made Jenkins use its own default.
    assert values == {"NAME": "world", "NOTES": "line1\nline2", "SMOKE": False,
                      "TARGET": "staging-us", "SECRET": "hunter2"}
    (stored,) = decisions.list_decisions(store, job="app", build=4)
    assert stored.action == "proceed" and stored.outcome == "ok" and stored.who == "alice"
    assert stored.parameters == {"NAME": "world", "NOTES": "line1\nline2", "SMOKE": False,
                                 "TARGET": "staging-us"}  # no password in the history
    assert record.input_id == "A61b61d2d652c2824ae4d9acb5cb8e5a"


def test_proceed_without_parameters_posts_proceed_empty(srv, world, store):
    with world.lock:
        world.job("app").add_build(5, building=True, timestamp_ms=T0).add_input("Continue?")
    before = len(srv.requests)
    decide(client_for(srv), store, "app", 5, "proceed")
    assert _posts(srv, before) == ["/jenkins/job/app/5/input/140e317e0077aece29910d4f129b2cdd/"
                                   "proceedEmpty"]


def test_abort_ends_the_build_aborted(srv, world, store):
    decide(client_for(srv), store, "app", 4, "abort", who="alice")
    with world.lock:
        assert world.job("app").build(4).result == "ABORTED"
    (stored,) = decisions.list_decisions(store)
    assert stored.action == "abort" and stored.parameters == {}


def test_refused_submitter_shows_jenkins_reason_and_is_recorded(srv, store):
    carol = client_for(srv, user="carol")
    with pytest.raises(InputRefused, match="You need to be release-managers to submit this"):
        decide(carol, store, "team/backend", 2, "proceed", who="carol")
    (stored,) = decisions.list_decisions(store)
    assert stored.outcome == "refused" and stored.who == "carol"
    # bob is in release-managers: allowed (section 1.5)
    decide(client_for(srv, user="bob"), store, "team/backend", 2, "proceed", "approve")


def test_decided_by_someone_else_is_said_so_after_a_404(srv, world, store):
    client = client_for(srv)
    (stale,) = client.pending_inputs("app", 4)
    decide(client_for(srv, user="bob"), store, "app", 4, "proceed")  # bob wins the race
    before = len(srv.requests)
    with pytest.raises(InputAlreadyDecided, match="approved by bob.*finished SUCCESS"):
        client.proceed("app", 4, stale, {"NAME": "x"})
    assert len(_posts(srv, before)) == 1  # never retried
    with pytest.raises(InputAlreadyDecided, match="not waiting for any input"):
        decide(client, store, "app", 4, "abort")


def test_several_inputs_need_input_and_are_listed(srv, world, store):
    client = client_for(srv)
    with pytest.raises(AmbiguousInput, match="Eu .*Us "):
        decide(client, store, "shop/feature%2Fx", 2, "proceed")
    decide(client, store, "shop/feature%2Fx", 2, "proceed", "eu")
    decide(client, store, "shop/feature%2Fx", 2, "abort", "Us")
    with world.lock:
        assert world.job("shop/feature%2Fx").build(2).result == "ABORTED"
    with pytest.raises(JenkinsNotFound, match="No pending input 'nope' on app #4"):
        decide(client, store, "app", 4, "proceed", "nope")


def test_an_input_is_named_by_a_unique_prefix_or_by_its_message(srv, world, store):
    from triage.decide import choose_input

    client = client_for(srv)
    (deploy,) = client.pending_inputs("app", 4)
    assert choose_input((deploy,), "a61b61", "app", 4) is deploy  # six characters, any case
    assert choose_input((deploy,), " deploy to PRODUCTION? ", "app", 4) is deploy
    with world.lock:
        gate = world.job("team/backend").add_build(3, building=True, timestamp_ms=T0)
        gate.add_input("EU?", id="release-eu")
        gate.add_input("US?", id="release-us")
    pending = client.pending_inputs("team/backend", 3)
    with pytest.raises(AmbiguousInput) as info:
        choose_input(pending, "release", "team/backend", 3)
    assert info.value.message == (
        "'release' matches 2 inputs of team/backend #3: Release-eu ('EU?'); Release-us "
        "('US?'); give more of the id.")
    assert info.value.exit_code == 2
    record = decide(client, store, "team/backend", 3, "abort", "release-U")
    assert record.input_id == "Release-us"


def test_bad_choice_is_refused_before_anything_is_sent(srv, store):
    before = len(srv.requests)
    with pytest.raises(ConfigError, match="staging-eu, staging-us"):
        decide(client_for(srv), store, "app", 4, "proceed", params={"TARGET": "prod"})
    assert _posts(srv, before) == []


def test_crumb_is_fetched_once_when_jenkins_asks(world, store):
    with serve(world, crumb_mode="always") as srv:
        before = len(srv.requests)
        decide(client_for(srv), store, "app", 4, "abort")
        paths = [p for _, p in srv.requests[before:]]
    assert sum("crumbIssuer" in p for p in paths) == 1
    assert sum(p.endswith("/abort") for p in paths) == 2  # refused once, then accepted


def test_boolean_and_text_and_empty_defaults_reach_jenkins(srv, world, store):
    with world.lock:
        build = world.job("app").add_build(6, building=True, timestamp_ms=T0)
        build.add_input("Tune?", id="tune", parameters=[
            Param("FLAG", "boolean"), Param("TEXT", "text"), Param("PW", "password")])
    decide(client_for(srv), store, "app", 6, "proceed", params={"FLAG": "yes", "PW": "s3"})
    with world.lock:
        values = world.job("app").build(6).input_action.all[0].decision.values
    assert values == {"FLAG": True, "TEXT": "", "PW": "s3"}


def test_a_folder_name_lists_the_jobs_below_it(srv):
    found = paused_builds([client_for(srv)], jobs=["team"], with_wait=False)
    assert [(p.job, p.number) for p in found] == [("team/backend", 2)]


def test_old_input_plugin_falls_back_to_wfapi(srv, world, store):
    # Input-step before 466.v6d0a_5df34f81 exports nothing from InputAction (trap 4).
    with world.lock:
        action = world.job("app").build(4).input_action
        action.export_props = lambda: ()
    client = client_for(srv)
    before = len(srv.requests)
    (app,) = paused_builds([client], jobs=["app"], with_wait=False)
    paths = [p for _, p in srv.requests[before:]]
    assert any(p.endswith("/job/app/4/wfapi/pendingInputActions") for p in paths)
    (item,) = app.inputs
    assert item.id == "A61b61d2d652c2824ae4d9acb5cb8e5a" and item.submitter is None
    secret = [p for p in item.parameters if p.name == "SECRET"][0]
    assert secret.default is None  # wfapi shows it in plain; we never keep it
    decide(client, store, "app", 4, "proceed", params={"TARGET": "staging-us"})
    with world.lock:
        values = world.job("app").build(4).input_action.all[0].decision.values
    assert values["SECRET"] == "hunter2" and values["TARGET"] == "staging-us"
    assert values["NAME"] == "world" and values["SMOKE"] is True


def test_a_dropped_decision_is_not_retried_and_says_so(srv, store):
    srv.faults.drop("*/input/*/abort", count=1, method="POST")
    before = len(srv.requests)
    with pytest.raises(JenkinsUnreachable, match="may or may not have reached Jenkins"):
        decide(client_for(srv), store, "app", 4, "abort")
    assert len(_posts(srv, before)) == 1
    (stored,) = decisions.list_decisions(store)
    assert stored.outcome == "failed"
