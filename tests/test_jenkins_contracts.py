"""Unit tests pinning the Jenkins contract details to the reference's own examples.

Reference: /work/shared/reference/jenkins-api.md (section numbers in each test).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlencode

import pytest

from triage.errors import ConfigError
from triage.jenkins import facts, urls
from triage.jenkins.client import pause_from_describe
from triage.jenkins.inputs import (
    INPUT_TREE,
    find_input,
    input_id,
    inputs_from_action,
    inputs_from_wfapi,
    parameter_values,
    proceed_form,
    public_values,
)
from triage.jenkins.model import InputParam, Pause, PendingInput

# --- 1.3 input ids ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # The id asserted in stage-view's InputStepTest (section 1.3).
        ("Is the build okay?", "Ef95dd500ae6ed3b27b89fb852296d12"),
        ("Deploy to production?", "A61b61d2d652c2824ae4d9acb5cb8e5a"),
        # Starts with a digit: unchanged.
        ("Continue?", "140e317e0077aece29910d4f129b2cdd"),
    ],
)
def test_default_input_id_is_capitalised_md5_of_message(message, expected):
    assert input_id(message) == expected


@pytest.mark.parametrize(
    ("explicit", "expected"),
    [("approve", "Approve"), ("Run-test-suites", "Run-test-suites"), ("1st", "1st")],
)
def test_explicit_input_id_only_first_a_to_z_is_uppercased(explicit, expected):
    assert input_id("whatever", explicit) == expected


def test_empty_explicit_id_means_digest():
    # Util.fixEmpty (section 1.3)
    assert input_id("Continue?", "") == "140e317e0077aece29910d4f129b2cdd"


def test_find_input_by_exported_id_jenkinsfile_id_or_message():
    pending = (
        PendingInput(id="Approve", message="Ship it?"),
        PendingInput(id="A61b61d2d652c2824ae4d9acb5cb8e5a", message="Deploy to production?"),
    )
    assert find_input(pending, "Approve").id == "Approve"
    assert find_input(pending, "approve").id == "Approve"
    assert find_input(pending, "Deploy to production?").id.startswith("A61b")
    assert find_input(pending, "nope") is None


# --- 4.3 / traps 20-22: URLs --------------------------------------------------------------------


def test_multibranch_name_is_encoded_again_in_the_path():
    assert urls.job_path("shop/feature%2Fx") == "job/shop/job/feature%252Fx/"


def test_segments_use_percent_20_for_spaces_never_plus():
    assert urls.job_path("My Folder/a b") == "job/My%20Folder/job/a%20b/"


def test_run_and_input_paths_quote_the_id():
    assert urls.run_path("team/backend", 42) == "job/team/job/backend/42/"
    assert urls.input_path("app", 7, "Release gate") == "job/app/7/input/Release%20gate/"


def test_join_keeps_the_context_path():
    base = urls.normalise_base("https://ci.example/jenkins")
    assert base == "https://ci.example/jenkins/"
    assert urls.join(base, "job/a/api/json") == "https://ci.example/jenkins/job/a/api/json"
    # A leading slash would drop /jenkins/ with a plain urljoin (trap 22).
    assert urls.join(base, "/job/a/") == "https://ci.example/jenkins/job/a/"


def test_absolute_urls_from_another_root_become_paths_under_our_base():
    base = "http://127.0.0.1:8080/jenkins/"
    assert urls.relative_to_base(base, "http://127.0.0.1:8080/jenkins/job/a/3/") == "job/a/3/"
    # Jenkins' configured root URL names another host (trap 21).
    assert (urls.relative_to_base(base, "https://ci.example/ci/job/a/job/b/3/")
            == "job/a/job/b/3/")
    assert urls.full_name_from_path("job/shop/job/feature%252Fx/") == "shop/feature%2Fx"


@pytest.mark.parametrize("bad", ["ci.example", "ftp://x/", "", "http://"])
def test_bad_base_url_is_a_config_error(bad):
    with pytest.raises(ConfigError):
        urls.normalise_base(bad)


# --- 1.2 / 2.4: pending input shapes ----------------------------------------------------------


REFERENCE_ACTION = {
    "_class": "org.jenkinsci.plugins.workflow.support.steps.input.InputAction",
    "displayName": "Paused for Input",
    "waitingForInput": True,
    "executions": [{
        "id": "Release-gate", "displayName": "Ship build 42 to staging?", "settled": False,
        "input": {
            "id": "Release-gate", "message": "Ship build 42 to staging?", "ok": "Ship",
            "cancel": "Abort", "submitter": "release-managers,bob", "submitterParameter": None,
            "parameters": [
                {"_class": "hudson.model.ChoiceParameterDefinition",
                 "type": "ChoiceParameterDefinition", "name": "TARGET", "description": None,
                 "choices": ["staging-eu", "staging-us"],
                 "defaultParameterValue": {"_class": "hudson.model.StringParameterValue",
                                           "value": "staging-eu"}},
                {"_class": "hudson.model.BooleanParameterDefinition",
                 "type": "BooleanParameterDefinition", "name": "SMOKE",
                 "description": "run smoke tests",
                 "defaultParameterValue": {"_class": "hudson.model.BooleanParameterValue",
                                           "value": True}},
                {"_class": "hudson.model.PasswordParameterDefinition",
                 "type": "PasswordParameterDefinition", "name": "TOKEN", "description": None,
                 "defaultParameterValue": {"_class": "hudson.model.PasswordParameterValue"}},
            ],
        },
    }],
}


def test_reference_input_action_is_read_exactly():
    (item,) = inputs_from_action(REFERENCE_ACTION)
    assert item.id == "Release-gate"
    assert (item.message, item.ok, item.cancel) == ("Ship build 42 to staging?", "Ship", "Abort")
    assert item.submitter == "release-managers,bob"
    target, smoke, token = item.parameters
    assert target.choices == ("staging-eu", "staging-us") and target.default == "staging-eu"
    assert smoke.default is True and smoke.description == "run smoke tests"
    assert token.is_password and token.default is None


def test_old_plugin_action_without_exports_means_unknown():
    # Before 466.v6d0a_5df34f81 the action exports nothing (trap 4): fall back to wfapi.
    assert inputs_from_action({"_class": "x.InputAction"}) is None
    assert inputs_from_action({"waitingForInput": False, "executions": []}) == ()


def test_wfapi_shape_is_read_and_password_defaults_dropped():
    (item,) = inputs_from_wfapi([{
        "id": "A61b61d2d652c2824ae4d9acb5cb8e5a", "proceedText": "Proceed",
        "message": "Deploy to production?",
        "inputs": [
            {"type": "ChoiceParameterDefinition", "name": "TARGET",
             "definition": {"defaultVal": "staging-eu", "choices": ["staging-eu", "staging-us"]}},
            {"type": "PasswordParameterDefinition", "name": "PW",
             "definition": {"defaultVal": "hunter2"}},
        ],
        "proceedUrl": "/job/app/job/main/57/wfapi/inputSubmit?inputId=A61b",
        "abortUrl": "/job/app/job/main/57/input/A61b/abort",
        "redirectApprovalUrl": "/job/app/job/main/57/input/"}])
    assert item.id == "A61b61d2d652c2824ae4d9acb5cb8e5a" and item.ok == "Proceed"
    assert item.parameters[0].default == "staging-eu"
    assert item.parameters[1].default is None  # the plain password never leaves this function


def test_input_tree_is_the_recommended_request():
    assert INPUT_TREE.startswith("waitingForInput,executions[id,settled,input[")
    assert "defaultParameterValue[name,value]" in INPUT_TREE


# --- 1.4 / traps 5-6: the json form field --------------------------------------------------------


PARAMS = inputs_from_action(REFERENCE_ACTION)[0].parameters


def test_every_parameter_is_sent_with_defaults_filled_in():
    values = parameter_values(PARAMS, {"TARGET": "staging-us"})
    assert values == {"TARGET": "staging-us", "SMOKE": True, "TOKEN": "<DEFAULT>"}


def test_reference_minimal_proceed_body():
    form = proceed_form({"TARGET": "staging-us", "SMOKE": True})
    assert list(form) == ["json"]
    assert json.loads(form["json"]) == {"parameter": [
        {"name": "TARGET", "value": "staging-us"}, {"name": "SMOKE", "value": True}]}
    # Form-urlencoded, not a JSON request body (trap 5).
    decoded = parse_qs(urlencode(form))
    assert json.loads(decoded["json"][0])["parameter"][1]["value"] is True


def test_boolean_values_are_json_booleans():
    values = parameter_values(PARAMS, {"SMOKE": "false"})
    assert values["SMOKE"] is False
    with pytest.raises(ConfigError, match="boolean"):
        parameter_values(PARAMS, {"SMOKE": "maybe"})


def test_choice_outside_the_list_is_refused_locally():
    # Jenkins would answer 500 "Illegal choice" (section 1.4).
    with pytest.raises(ConfigError, match="staging-eu, staging-us"):
        parameter_values(PARAMS, {"TARGET": "prod"})


def test_unknown_parameter_is_refused_locally():
    with pytest.raises(ConfigError, match="Unknown parameter 'NOPE'"):
        parameter_values(PARAMS, {"NOPE": "1"})


def test_text_and_string_defaults_and_empty():
    defs = (InputParam("S", "StringParameterDefinition", default="x"),
            InputParam("T", "TextParameterDefinition", default=None))
    assert parameter_values(defs, {}) == {"S": "x", "T": ""}


def test_passwords_never_reach_the_history():
    values = parameter_values(PARAMS, {"TOKEN": "s3cret"})
    assert public_values(PARAMS, values) == {"TARGET": "staging-eu", "SMOKE": True}


# --- 4.6 / traps 15, 18: build facts ------------------------------------------------------------


def _build(actions, **extra):
    data = {"number": 57, "url": "https://elsewhere/job/app/57/", "building": False,
            "inProgress": False, "result": "UNSTABLE", "timestamp": 1767268800000,
            "duration": 183000, "actions": actions}
    data.update(extra)
    return data


def _git(remote, sha, branch):
    return {"_class": "hudson.plugins.git.util.BuildData", "remoteUrls": [remote],
            "lastBuiltRevision": {"SHA1": sha, "branch": [{"SHA1": sha, "name": branch}]}}


def test_build_facts_from_the_reference_example():
    state = facts.build_state("team/app/main", _build([
        {"_class": "hudson.model.CauseAction", "causes": [
            {"_class": "hudson.model.Cause$UserIdCause",
             "shortDescription": "Started by user Alice", "userId": "alice"}]},
        _git("https://git.example/app.git", "9fceb02", "refs/remotes/origin/main"),
        {},
        {"_class": "hudson.tasks.junit.TestResultAction", "failCount": 1, "skipCount": 1,
         "totalCount": 12, "urlName": "testReport"},
    ]), "ci")
    info = state.info
    assert (info.revision, info.branch) == ("9fceb02", "main")
    assert info.causes == ("Started by user Alice",)
    assert (info.result, info.duration_ms, info.building) == ("UNSTABLE", 183000, False)
    assert state.fail_count == 1 and state.has_report


def test_running_pipeline_with_a_result_is_still_running():
    state = facts.build_state("app", _build([], building=False, inProgress=True, duration=0), "ci")
    assert state.info.building and state.info.result == "UNSTABLE"
    assert state.info.duration_ms is None  # 0 while running means "unknown" (trap 15)


def test_shared_library_build_data_is_not_chosen_by_position():
    library = _git("https://git.example/pipeline-lib.git", "1111111", "master")
    own = _git("git@git.example:team/shop.git", "2222222", "feature/x")
    for actions in ([library, own], [own, library]):
        state = facts.build_state("shop/feature%2Fx", _build(actions), "ci")
        assert (state.info.revision, state.info.branch) == ("2222222", "feature/x")


def test_configured_remote_wins_and_ambiguity_gives_no_revision():
    a = _git("https://git.example/one.git", "aaaa", "main")
    b = _git("https://git.example/two.git", "bbbb", "develop")
    assert facts.pick_revision([a, b], "app", "https://git.example/two.git") == ("bbbb", "develop")
    assert facts.pick_revision([a, b], "app") == (None, None)


# --- 2.3: how long a build has waited ---------------------------------------------------------


def test_pause_time_from_the_reference_run_describe():
    describe = {
        "id": "57", "name": "#57", "status": "PAUSED_PENDING_INPUT",
        "startTimeMillis": 1767268800000, "endTimeMillis": 1767269400000,
        "durationMillis": 600000, "queueDurationMillis": 12, "pauseDurationMillis": 0,
        "stages": [
            {"id": "6", "name": "Test", "status": "UNSTABLE", "startTimeMillis": 1767268801000,
             "durationMillis": 300000, "pauseDurationMillis": 0},
            {"id": "40", "name": "Approve", "status": "PAUSED_PENDING_INPUT",
             "startTimeMillis": 1767269101000, "durationMillis": 299000,
             "pauseDurationMillis": 299000},
        ],
    }
    assert pause_from_describe(describe) == Pause(1767269400000 - 299000, 299000, "wfapi")
    describe["stages"] = []
    # No paused stage, no run-level pause: the server's now minus the start, an upper bound.
    assert pause_from_describe(describe) == Pause(None, 600000, "build-start")
    describe["pauseDurationMillis"] = 5000
    assert pause_from_describe(describe) == Pause(1767269400000 - 5000, 5000, "wfapi")
    describe["status"] = "IN_PROGRESS"
    assert pause_from_describe(describe).source == "build-start"
    assert pause_from_describe({}) == Pause(None, None, "unknown")


def test_with_several_paused_stages_the_build_waited_its_longest_pause():
    describe = {"status": "PAUSED_PENDING_INPUT", "startTimeMillis": 1_000,
                "endTimeMillis": 100_000, "pauseDurationMillis": 0, "stages": [
                    {"status": "SUCCESS", "pauseDurationMillis": 0},
                    {"status": "PAUSED_PENDING_INPUT", "pauseDurationMillis": 30_000},
                    {"status": "PAUSED_PENDING_INPUT", "pauseDurationMillis": 70_000},
                    {"status": "PAUSED_PENDING_INPUT", "pauseDurationMillis": 5_000}]}
    assert pause_from_describe(describe) == Pause(30_000, 70_000, "wfapi")
