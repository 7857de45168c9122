"""Input steps on the built-in server: ids, exports, proceed/abort rules (reference §1, §2.4, §2.5)."""

from __future__ import annotations

import json

import pytest

from tests.test_server_support import (  # noqa: F401
    DEPLOY_ID,
    T0,
    Clock,
    demo,
    demo_srv_fixture,
    every_param,
    get,
    get_json,
    paused_world,
    post,
    running,
)
from triage.jenkins.server import World, input_id
from triage.jenkins.server.inputs import capitalize

INPUT_ACTION = "org.jenkinsci.plugins.workflow.support.steps.input.InputAction"


@pytest.mark.parametrize("message,explicit,expected", [
    # §1.3 examples, exactly as the reference computes them.
    ("Is the build okay?", None, "Ef95dd500ae6ed3b27b89fb852296d12"),
    ("Deploy to production?", None, DEPLOY_ID),
    ("Continue?", None, "140e317e0077aece29910d4f129b2cdd"),
    ("anything", "approve", "Approve"),
    ("anything", "Run-test-suites", "Run-test-suites"),
    ("Continue?", "", "140e317e0077aece29910d4f129b2cdd"),  # fixEmpty: "" means digest
])
def test_input_ids(message, explicit, expected):
    assert input_id(message, explicit) == expected


def test_capitalize_only_touches_a_to_z():
    assert [capitalize(s) for s in ("abc", "Abc", "1bc", "ébc", "")] == [
        "Abc", "Abc", "1bc", "ébc", ""]


def test_input_api_depth_0_and_1(demo_srv):
    shallow = get_json(demo_srv, "job/app/120/input/api/json")
    assert shallow["_class"] == INPUT_ACTION
    assert shallow["waitingForInput"] is True and shallow["displayName"] == "Paused for Input"
    assert shallow["executions"] == [{"displayName": "Deploy to production?", "id": DEPLOY_ID,
                                      "input": {}, "settled": False}]  # trap 4
    deep = get_json(demo_srv, "job/team/job/backend/100/input/api/json", depth="1")
    step = deep["executions"][0]["input"]
    assert step["id"] == "Release-gate" and step["ok"] == "Ship" and step["cancel"] == "Abort"
    assert step["submitter"] == "release-managers" and step["submitterParameter"] == "APPROVER"
    params = {p["name"]: p for p in step["parameters"]}
    assert params["TARGET"]["_class"] == "hudson.model.ChoiceParameterDefinition"
    assert params["TARGET"]["choices"] == ["staging-eu", "staging-us", "production"]
    # depth=1: defaultParameterValue shows _class and value only (name needs depth>=2, §1.2).
    assert params["TARGET"]["defaultParameterValue"] == {
        "_class": "hudson.model.StringParameterValue", "value": "staging-eu"}
    assert params["SMOKE"]["defaultParameterValue"]["value"] is True
    assert params["TOKEN"]["defaultParameterValue"] == {
        "_class": "hudson.model.PasswordParameterValue"}  # no value exported
    assert {p["type"] for p in step["parameters"]} == {
        "ChoiceParameterDefinition", "BooleanParameterDefinition", "StringParameterDefinition",
        "TextParameterDefinition", "PasswordParameterDefinition"}
    deeper = get_json(demo_srv, "job/team/job/backend/100/input/api/json", depth="2")
    value = deeper["executions"][0]["input"]["parameters"][0]["defaultParameterValue"]
    assert value["name"] == "TARGET"


def test_input_api_recommended_tree(demo_srv):
    tree = ("waitingForInput,executions[id,settled,input[id,message,ok,cancel,submitter,"
            "submitterParameter,parameters[name,type,description,choices,"
            "defaultParameterValue[name,value]]]]")
    data = get_json(demo_srv, "job/shop/job/main/90/input/api/json", tree=tree)
    ids = [e["id"] for e in data["executions"]]
    assert ids == ["Eu-rollout", "Us-rollout", input_id("Run the load test first?")]
    load = data["executions"][2]["input"]["parameters"]
    assert load[1]["defaultParameterValue"] == {"_class": "hudson.model.StringParameterValue",
                                                "name": "DURATION", "value": "5m"}


def test_build_without_input_is_404(demo_srv):
    assert get(demo_srv, "job/app/119/input/api/json").status_code == 404  # §1.1
    assert get_json(demo_srv, "job/app/119/wfapi/pendingInputActions") == []


def test_pending_input_actions_fallback_shape(demo_srv):
    pending = get_json(demo_srv, "job/team/job/backend/100/wfapi/pendingInputActions")
    assert len(pending) == 1
    entry = pending[0]
    base = "/jenkins/job/team/job/backend/100/"  # root-relative with context path (trap 9)
    assert entry["id"] == "Release-gate" and entry["proceedText"] == "Ship"
    assert entry["proceedUrl"] == base + "wfapi/inputSubmit?inputId=Release-gate"
    assert entry["abortUrl"] == base + "input/Release-gate/abort"
    assert entry["redirectApprovalUrl"] == base + "input/"
    inputs = {i["name"]: i for i in entry["inputs"]}
    assert inputs["TARGET"] == {"type": "ChoiceParameterDefinition", "name": "TARGET",
                                "definition": {"defaultVal": "staging-eu",
                                               "choices": ["staging-eu", "staging-us",
                                                           "production"]}}
    assert inputs["TOKEN"]["definition"] == {"defaultVal": "s3cret-default"}  # plain (§2.4)
    assert "description" not in inputs["TARGET"]  # omitted when null
    assert "_class" not in entry
    nxt = get_json(demo_srv, "job/team/job/backend/100/wfapi/nextPendingInputAction")
    assert nxt["id"] == "Release-gate"
    describe = get_json(demo_srv, "job/team/job/backend/100/wfapi/describe")
    assert describe["status"] == "PAUSED_PENDING_INPUT"
    assert describe["_links"]["pendingInputActions"]["href"] == base + \
        "wfapi/pendingInputActions"


@pytest.mark.parametrize("verb", ["proceed", "proceedEmpty", "abort", "submit"])
def test_get_on_decision_endpoints_is_405(demo_srv, verb):
    resp = get(demo_srv, f"job/app/120/input/{DEPLOY_ID}/{verb}")
    assert resp.status_code == 405  # @RequirePOST (§1.4)


def test_unknown_or_miscased_id_is_404(demo_srv):
    assert post(demo_srv, "job/app/120/input/Nope/proceedEmpty").status_code == 404
    lower = DEPLOY_ID[0].lower() + DEPLOY_ID[1:]
    assert post(demo_srv, f"job/app/120/input/{lower}/proceedEmpty").status_code == 404


def test_proceed_empty_finishes_the_build_and_keeps_the_action():
    clock = Clock()
    world = paused_world()
    world.clock = clock
    with running(world) as srv:
        resp = post(srv, f"job/app/2/input/{DEPLOY_ID}/proceedEmpty")
        assert resp.status_code == 200 and resp.content == b""
        run = get_json(srv, "job/app/2/api/json", depth="1")
        assert (run["building"], run["result"]) == (False, "SUCCESS")
        assert run["duration"] == clock.ms - (T0 + 10_000)
        approver = [a for a in run["actions"] if a.get("_class", "").endswith("ApproverAction")]
        assert approver == [{"_class": "org.jenkinsci.plugins.workflow.support.steps.input."
                                       "ApproverAction", "userId": "alice"}]
        # Trap 3: the action stays; trap 2: a second decision is a 404.
        after = get_json(srv, "job/app/2/input/api/json")
        assert after == {"_class": INPUT_ACTION, "displayName": None, "executions": [],
                         "waitingForInput": False}
        assert post(srv, f"job/app/2/input/{DEPLOY_ID}/proceedEmpty").status_code == 404
        assert post(srv, f"job/app/2/input/{DEPLOY_ID}/abort").status_code == 404
        assert "Approved by alice" in get(srv, "job/app/2/consoleText").text


def test_proceed_with_every_parameter_type_and_omitted_ones_not_defaulted():
    world = paused_world(parameters=every_param(), submitter_parameter="WHO", then="UNSTABLE")
    execution = world.job("app").build(2).input_action.all[0]
    body = {"parameter": [{"name": "NAME", "value": "bob"}, {"name": "SMOKE", "value": False},
                          {"name": "TARGET", "value": "staging-us"},
                          {"name": "SECRET", "value": "<DEFAULT>"}]}
    with running(world) as srv:
        resp = post(srv, f"job/app/2/input/{DEPLOY_ID}/proceed", data={"json": json.dumps(body)})
        assert resp.status_code == 200
        run = get_json(srv, "job/app/2/api/json")
    # §1.4: NOTES was omitted and is NOT defaulted; <DEFAULT> means the password default.
    assert execution.decision.values == {"NAME": "bob", "SMOKE": False, "TARGET": "staging-us",
                                         "SECRET": "hunter2", "WHO": "alice"}
    assert (run["building"], run["result"]) == (False, "UNSTABLE")


def test_proceed_accepts_multipart_and_crumb_free_token():
    world = paused_world(parameters=every_param()[:1])
    execution = world.job("app").build(2).input_action.all[0]
    body = json.dumps({"parameter": {"name": "NAME", "value": "multi"}})  # single object
    with running(world) as srv:
        resp = post(srv, f"job/app/2/input/{DEPLOY_ID}/proceed", files={"json": (None, body)})
    assert resp.status_code == 200
    assert execution.decision.values == {"NAME": "multi"}


@pytest.mark.parametrize("data,status", [
    ({}, 400),  # no json field (trap 5)
    ({"json": ""}, 400),
    ({"json": "{not json"}, 500),
    ({"json": json.dumps({"parameter": [{"name": "TARGET", "value": "mars"}]})}, 500),
    ({"json": json.dumps({"parameter": [{"name": "GHOST", "value": "x"}]})}, 500),
])
def test_bad_proceed_bodies(data, status):
    world = paused_world(parameters=every_param())
    with running(world) as srv:
        resp = post(srv, f"job/app/2/input/{DEPLOY_ID}/proceed", data=data)
        assert resp.status_code == status
        assert get_json(srv, "job/app/2/input/api/json")["waitingForInput"] is True


def test_json_content_type_body_is_not_read():
    world = paused_world()
    with running(world) as srv:
        resp = post(srv, f"job/app/2/input/{DEPLOY_ID}/proceed", json={"parameter": []})
    assert resp.status_code == 400  # trap 5: a form field named json, not a JSON body


def test_submitter_rules_on_the_demo_release_gate():
    with running(demo()) as srv:
        path = "job/team/job/backend/100/input/Release-gate/"
        refused = post(srv, path + "proceedEmpty", user="carol")
        assert refused.status_code == 400  # §1.5, trap 8: 400 + X-Error, not 403
        assert refused.headers["X-Error"] == "You need to be release-managers to submit this."
        cancel = post(srv, path + "abort", user="carol")
        assert cancel.headers["X-Error"] == (
            "You need to be 'release-managers' (or have Job/Cancel permissions) to cancel this.")
        # bob is in the group (case-insensitive match); the submitterParameter gets his id.
        ok = post(srv, path + "proceed", user="bob", data={"json": json.dumps(
            {"parameter": [{"name": "TARGET", "value": "production"}]})})
        assert ok.status_code == 200
        decision = srv.world.job("team/backend").build(100).input_action.all[0].decision
        assert decision.values == {"TARGET": "production", "APPROVER": "bob"}


def test_without_submitter_job_build_permission_is_needed():
    world = paused_world()
    with running(world) as srv:
        resp = post(srv, f"job/app/2/input/{DEPLOY_ID}/proceedEmpty", user="carol")
        assert resp.status_code == 400
        assert resp.headers["X-Error"] == "You need to have Job/Build permissions to submit this."
        resp = post(srv, f"job/app/2/input/{DEPLOY_ID}/abort", user="carol")
        assert resp.headers["X-Error"] == "You need to have Job/Cancel permissions to cancel this."


def test_admin_may_settle_any_submitter():
    world = paused_world(submitter="someone-else")
    with running(world) as srv:
        assert post(srv, f"job/app/2/input/{DEPLOY_ID}/proceedEmpty").status_code == 200


def test_abort_ends_the_build_aborted():
    world = paused_world()
    with running(world) as srv:
        assert post(srv, f"job/app/2/input/{DEPLOY_ID}/abort", user="bob").status_code == 200
        run = get_json(srv, "job/app/2/api/json")
        assert (run["building"], run["result"]) == (False, "ABORTED")
        assert "Rejected by bob" in get(srv, "job/app/2/consoleText").text


def test_parallel_inputs_build_finishes_after_the_last_decision():
    with running(demo()) as srv:
        base = "job/shop/job/main/90/"
        assert post(srv, base + "input/Eu-rollout/proceedEmpty").status_code == 200
        ids = [e["id"] for e in get_json(srv, base + "input/api/json")["executions"]]
        assert ids == ["Us-rollout", input_id("Run the load test first?")]
        assert get_json(srv, base + "api/json")["building"] is True
        assert post(srv, base + "input/Us-rollout/abort").status_code == 200
        run = get_json(srv, base + "api/json")
        assert run["building"] is True and run["result"] == "ABORTED"  # trap 15
        last = input_id("Run the load test first?")
        assert post(srv, base + f"input/{last}/proceedEmpty").status_code == 200
        run = get_json(srv, base + "api/json")
        assert (run["building"], run["result"]) == (False, "ABORTED")


def test_then_none_keeps_the_build_running_until_finished():
    world = paused_world(then=None)
    with running(world) as srv:
        assert post(srv, f"job/app/2/input/{DEPLOY_ID}/proceedEmpty").status_code == 200
        assert get_json(srv, "job/app/2/api/json")["building"] is True
        with srv.world.lock:
            srv.world.job("app").build(2).finish("FAILURE", now_ms=T0 + 99_000)
        run = get_json(srv, "job/app/2/api/json")
        assert (run["building"], run["result"], run["duration"]) == (False, "FAILURE", 89_000)


def test_submit_proceeds_only_with_proceed_parameter_and_redirects():
    world = paused_world()
    with running(world) as srv:
        resp = post(srv, f"job/app/2/input/{DEPLOY_ID}/submit", data={"json": "{}"})
        assert resp.status_code == 302  # trap 7: no `proceed` field means abort
        assert resp.headers["Location"] == srv.url + "job/app/2/console"
        assert get_json(srv, "job/app/2/api/json")["result"] == "ABORTED"


def test_wfapi_input_submit():
    world = paused_world(submitter="bob")
    with running(world) as srv:
        url = "job/app/2/wfapi/inputSubmit"
        assert get(srv, url, inputId=DEPLOY_ID).status_code == 405
        refused = post(srv, url, user="carol", params={"inputId": DEPLOY_ID},
                       data={"json": '{"parameter":[]}'})
        assert refused.status_code == 500 and "X-Error" not in refused.headers  # §2.5
        ok = post(srv, url, user="bob", params={"inputId": DEPLOY_ID},
                  data={"json": '{"parameter":[]}'})
        assert (ok.status_code, ok.text) == (200, "null")
        assert post(srv, url, params={"inputId": DEPLOY_ID},
                    data={"json": "{}"}).status_code == 500


def test_unsafe_explicit_id_fails_the_build():
    world = World()
    run = world.pipeline("p").add_build(building=True, timestamp_ms=T0)
    assert run.add_input("Go?", id="../etc") is None  # SECURITY-2880 (§1.3)
    assert (run.building, run.result, run.input_action) == (False, "FAILURE", None)


def test_same_message_twice_first_match_wins():
    world = paused_world()
    run = world.job("app").build(2)
    run.add_input("Deploy to production?")
    with running(world) as srv:
        assert post(srv, f"job/app/2/input/{DEPLOY_ID}/proceedEmpty").status_code == 200
        pending = get_json(srv, "job/app/2/input/api/json")["executions"]
    assert [e["id"] for e in pending] == [DEPLOY_ID]  # trap 1: same id, the second remains
    assert run.input_action.all[0].decision is not None


def test_refusal_with_non_latin1_submitter_still_answers():
    world = paused_world(submitter="équipe-→-release")
    with running(world) as srv:
        resp = post(srv, f"job/app/2/input/{DEPLOY_ID}/proceedEmpty", user="bob")
    assert resp.status_code == 400 and resp.headers["X-Error"].startswith("You need to be ")


STAGE_KEYS = {"_links", "id", "name", "execNode", "status", "startTimeMillis", "durationMillis",
              "pauseDurationMillis"}


def test_stage_view_times_the_paused_input_on_the_servers_clock():
    # §2.3: the paused stage carries when the input was reached and how long it has waited.
    world = paused_world(at_ms=T0 + 70_000)
    clock = world.clock
    with running(world) as srv:
        run = get_json(srv, "job/app/2/wfapi/describe")
        assert run["status"] == "PAUSED_PENDING_INPUT" and "_class" not in run
        assert run["endTimeMillis"] == clock.ms and run["pauseDurationMillis"] == 0
        work, gate = run["stages"]
        assert set(work) == set(gate) == STAGE_KEYS  # no stageFlowNodes unless fullStages
        assert (work["name"], work["status"], work["startTimeMillis"], work["durationMillis"],
                work["pauseDurationMillis"]) == ("Build", "SUCCESS", T0 + 10_000, 60_000, 0)
        waited = clock.ms - (T0 + 70_000)
        assert (gate["name"], gate["status"], gate["startTimeMillis"], gate["durationMillis"],
                gate["pauseDurationMillis"], gate["execNode"]) == (
            "Approve", "PAUSED_PENDING_INPUT", T0 + 70_000, waited, waited, "")
        href = gate["_links"]["self"]["href"]
        assert href == f"/jenkins/job/app/2/execution/node/{gate['id']}/wfapi/describe"
        assert get_json(srv, href.removeprefix("/jenkins/")) == {**gate, "stageFlowNodes": []}
        full = get_json(srv, "job/app/2/wfapi/describe", fullStages="true")
        assert all(s["stageFlowNodes"] == [] for s in full["stages"])

        with world.lock:
            clock.ms += 30_000  # the wait grows with the server's clock
        assert get_json(srv, "job/app/2/wfapi/describe")["stages"][1]["pauseDurationMillis"] \
            == waited + 30_000
        assert post(srv, f"job/app/2/input/{DEPLOY_ID}/proceedEmpty").status_code == 200
        with world.lock:
            clock.ms += 600_000  # a decided pause no longer grows
        run = get_json(srv, "job/app/2/wfapi/describe")
    assert run["status"] == "SUCCESS" and "pendingInputActions" not in run["_links"]
    assert run["stages"][1]["status"] == "SUCCESS"
    assert run["stages"][1]["pauseDurationMillis"] == waited + 30_000


def test_stage_view_shows_several_pauses_and_an_abort():
    world = World(clock=Clock(T0 + 100_000))
    run = world.pipeline("app").add_build(1, building=True, timestamp_ms=T0)
    run.add_input("EU?", id="eu", at_ms=T0 + 10_000, stage="EU")
    run.add_input("US?", id="us", at_ms=T0 + 40_000, stage="US")
    with running(world) as srv:
        stages = get_json(srv, "job/app/1/wfapi/describe")["stages"]
        assert [(s["name"], s["status"], s["pauseDurationMillis"]) for s in stages] == [
            ("Build", "SUCCESS", 0), ("EU", "PAUSED_PENDING_INPUT", 90_000),
            ("US", "PAUSED_PENDING_INPUT", 60_000)]
        assert post(srv, "job/app/1/input/Us/abort").status_code == 200
        stages = get_json(srv, "job/app/1/wfapi/describe")["stages"]
    assert [s["status"] for s in stages] == ["SUCCESS", "PAUSED_PENDING_INPUT", "ABORTED"]
    assert len({s["id"] for s in stages}) == 3
