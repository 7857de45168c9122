"""An input-step plugin older than 466 (Nov 2022) exports nothing (reference 1.2, trap 4).

The built-in server serves that shape with `world.input_exports = False`: InputAction is no
exported bean, so a build lists it as `{}` and `{run}/input/api/json` is a 404, while Stage
View still lists the pending inputs. Everything a user does must still work.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.jenkins_world import client_for, serve, small_world
from tests.test_server_support import get, get_json
from triage.cli import cli
from triage.decide import decide, paused_builds
from triage.errors import InputsUnreadable
from triage.progress import NullReporter


@pytest.fixture
def world():
    world = small_world()
    world.input_exports = False
    return world


@pytest.fixture
def srv(world):
    with serve(world) as server:
        yield server


def test_the_server_serves_the_older_plugins_shape(srv):
    tree = "building,actions[_class,executions[id]]"
    build = get_json(srv, "job/app/4/api/json", tree=tree)
    classes = [a.get("_class") for a in build["actions"]]
    assert "org.jenkinsci.plugins.workflow.support.steps.input.InputAction" not in classes
    assert {} in build["actions"] and build["building"] is True
    assert get(srv, "job/app/4/input/api/json").status_code == 404
    assert get(srv, "job/app/4/input/").status_code == 200  # the action is still there
    (pending,) = get_json(srv, "job/app/4/wfapi/pendingInputActions")
    assert pending["message"] == "Deploy to production?"


def test_pending_lists_every_paused_build_from_stage_view(srv):
    found = paused_builds([client_for(srv)])
    assert [(p.job, p.number) for p in found] == [
        ("team/backend", 2), ("shop/feature%2Fx", 2), ("app", 4)]
    assert [i.id for i in found[1].inputs] == ["Eu", "Us"]  # parallel inputs, both
    params = {p.name: p for p in found[2].inputs[0].parameters}
    assert params["TARGET"].choices == ("staging-eu", "staging-us")
    assert params["SECRET"].default is None  # wfapi sends it in plain; never kept


def test_proceed_works_on_the_older_plugin(srv, world, store):
    record = decide(client_for(srv), store, "app", 4, "proceed", params={"TARGET": "staging-us"})
    assert record.outcome == "ok"
    with world.lock:
        values = world.job("app").build(4).input_action.all[0].decision.values
    assert values["TARGET"] == "staging-us" and values["NAME"] == "world"


def test_a_modern_plugin_costs_no_extra_request_for_running_builds():
    world = small_world()
    world.job("app").add_build(5, building=True, timestamp_ms=1)  # running, at no input
    with serve(world) as srv:
        before = len(srv.requests)
        found = paused_builds([client_for(srv)], with_wait=False)
        assert len(found) == 3
        asked = [p for _, p in srv.requests[before:]]
    # The listing showed modern exports (app #4), so app #5 needs no question.
    assert asked == [asked[0]] and "job/app/5/" not in asked[0]


def test_when_neither_answers_it_is_said_once_and_nothing_is_guessed(srv):
    srv.faults.error(404, "*/wfapi/*")  # no Stage View either
    reporter = NullReporter()
    found = paused_builds([client_for(srv)], reporter=reporter, with_wait=False)
    assert found == []
    assert len(reporter.warnings) == 3
    assert all("older than 466" in w and "Stage View" in w for w in reporter.warnings)
    with pytest.raises(InputsUnreadable) as info:
        client_for(srv).pending_inputs("app", 4)
    assert info.value.message.endswith("/jenkins/job/app/4/input/")


def test_the_cli_proceeds_and_lists_on_the_older_plugin(srv, db_path):
    env = {"TRIAGE_JENKINS_TOKEN": srv.users["alice"]}
    server = ["--server", srv.url, "--user", "alice", "--db", str(db_path)]
    listed = CliRunner().invoke(cli, ["pending", *server, "--format", "json"], env=env)
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.output)) == 3
    done = CliRunner().invoke(cli, ["proceed", "team/backend", "2", *server, "--yes"], env=env)
    assert done.exit_code == 0, done.output
    assert "is running but not waiting" not in done.output
