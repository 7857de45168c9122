"""A Jenkins that lies, stalls or floods: the built-in server's hostile faults against the client.

Every case runs on loopback against `triage.jenkins.server` with its fault injection; deadlines
and caps are set small (`HOSTILE`) so no case takes more than a few seconds. Each one checks the
three promises: one clear line naming the URL (and the field), the rest of the sync goes on,
nothing half-valid is stored.
"""

from __future__ import annotations

import base64
import json
import time
import tracemalloc
from dataclasses import replace

import pytest

from tests.jenkins_world import FAST, client_for, serve
from triage.decide import decide, paused_builds
from triage.errors import (
    JenkinsBadResponse,
    JenkinsNotFound,
    JenkinsResponseTooLarge,
    JenkinsServerError,
    JenkinsTooSlow,
    JenkinsUnreachable,
)
from triage.progress import NullReporter
from triage.store import decisions
from triage.sync import SyncOptions, sync

HOSTILE = replace(FAST, deadline=1.0, max_bytes=1 << 20)
DEEP = 100_000


def _jobs(store) -> set[str]:
    return {name for (name,) in store.conn.execute("SELECT name FROM jobs")}


def _builds(store, job: str) -> list[int]:
    return [n for (n,) in store.conn.execute(
        "SELECT b.number FROM builds b JOIN jobs j ON j.id = b.job_id WHERE j.name = ? "
        "ORDER BY b.number", (job,))]


def _one_line(message: str) -> str:
    assert "\n" not in message and "Traceback" not in message, message
    return message


def _sync(srv, store, jobs=None, settings=HOSTILE):
    reporter = NullReporter()
    summary = sync(client_for(srv, settings=settings), store, SyncOptions(jobs=jobs), reporter)
    return summary, reporter.warnings


# --- responses that are not what Jenkins sends ------------------------------------------------

NOT_JENKINS = {
    "deep-arrays-top": (b"[" * DEEP + b"]" * DEEP, "Expected `object`, got `array`"),
    "deep-objects-top": (b'{"a":' * DEEP + b"1" + b"}" * DEEP, "nested too deeply"),
    "deep-arrays-in-a-field": (b'{"name":"app","x":' + b"[" * DEEP + b"]" * DEEP + b"}",
                               "nested too deeply"),
    "deep-objects-in-builds": (b'{"allBuilds":' + b'[{"a":' * DEEP + b"1" + b"}]" * DEEP
                               + b"}", "nested too deeply"),
    "builds-a-string": (b'{"allBuilds":"x"}', "Expected `array | null`, got `str` - at "
                        "`$.allBuilds`"),
    "number-text": (b'{"allBuilds":[{"number":"abc"}]}', "at `$.allBuilds[0].number`"),
    "number-null": (b'{"allBuilds":[{"number":null}]}', "got `null` - at "
                    "`$.allBuilds[0].number`"),
    "number-missing": (b'{"allBuilds":[{"result":"SUCCESS"}]}', "missing required field "
                       "`number`"),
    "number-1e30": (b'{"allBuilds":[{"number":1000000000000000000000000000000}]}',
                    "`$.allBuilds[0].number`"),
    "number-1.5e300": (b'{"allBuilds":[{"number":1.5e300}]}', "got `float` - at "
                       "`$.allBuilds[0].number`"),
    "number-negative": (b'{"allBuilds":[{"number":-1}]}', "`$.allBuilds[0].number`"),
    "timestamp-1e40": (b'{"allBuilds":[{"number":1,"timestamp":' + b"1" + b"0" * 40 + b"}]}",
                       "`$.allBuilds[0].timestamp`"),
    "actions-strings": (b'{"allBuilds":[{"number":1,"actions":["x"]}]}',
                        "`$.allBuilds[0].actions[0]`"),
    "actions-a-string": (b'{"allBuilds":[{"number":1,"actions":"x"}]}',
                         "`$.allBuilds[0].actions`"),
    "artifacts-strings": (b'{"allBuilds":[{"number":1,"artifacts":["a.xml"]}]}',
                          "`$.allBuilds[0].artifacts[0]`"),
    "causes-a-number": (b'{"allBuilds":[{"number":1,"actions":[{"causes":3}]}]}',
                        "`$.allBuilds[0].actions[0].causes`"),
    "a-top-level-list": (b'[{"allBuilds":[]}]', "Expected `object`, got `array`"),
    "truncated": (b'{"allBuilds":[{"number":1', "not JSON"),
    "not-utf8": (b'{"name":"\xff\xfe"}', "not JSON"),
}


@pytest.mark.parametrize("body, words", NOT_JENKINS.values(), ids=NOT_JENKINS.keys())
def test_a_job_listing_that_is_not_jenkins_json_is_one_line_and_the_sync_goes_on(
        store, body, words):
    with serve() as srv:
        srv.faults.respond(body, "*/job/app/api/json")
        started = time.monotonic()
        summary, warnings = _sync(srv, store)
        assert time.monotonic() - started < 10
    ((job, message),) = summary.job_errors
    assert job == "app"
    assert _one_line(message).startswith("http://127.0.0.1:") and "/jenkins/job/app/api/json:" in message
    assert words in message
    assert "tree=" not in message  # the URL without its long query
    assert warnings == [f"app: {message}"]
    # The other jobs went on; nothing of `app` was stored.
    assert _jobs(store) == {"team/backend", "shop/main", "shop/feature%2Fx"}


@pytest.mark.parametrize("name", [None, 7, "", "..", "a/b"])
def test_a_job_name_jenkins_cannot_have_in_a_folder_listing_names_the_field(store, name):
    listing = {"_class": "com.cloudbees.hudson.plugins.folder.Folder", "jobs": [
        {"_class": "org.jenkinsci.plugins.workflow.job.WorkflowJob", "name": name}]}
    with serve() as srv:
        srv.faults.respond(json.dumps(listing), "*/job/team/api/json")
        summary, _ = _sync(srv, store, jobs=["team", "app"])
    (job, message), = summary.job_errors
    assert job == "team" and "/job/team/api/json: " in message
    assert "`$.jobs[0].name`" in message
    assert _jobs(store) == {"app"}


REPORTS = {
    "suites-null": ({"suites": None}, "no 'suites' list"),
    "suites-a-string": ({"suites": "x"}, "`$.suites`"),
    "cases-null-entries": ({"suites": [{"name": "s", "cases": [None]}]},
                           "`$.suites[0].cases[0]`"),
    "cases-numbers": ({"suites": [{"name": "s", "cases": [1, 2]}]}, "`$.suites[0].cases[0]`"),
    "suite-null": ({"suites": [None]}, "`$.suites[0]`"),
    "duration-text": ({"suites": [{"name": "s", "cases": [{"name": "t", "duration": "1s"}]}]},
                      "`$.suites[0].cases[0].duration`"),
    "name-a-list": ({"suites": [{"name": "s", "cases": [{"name": ["t"]}]}]},
                    "`$.suites[0].cases[0].name`"),
    "status-an-object": ({"suites": [{"name": "s", "cases": [{"status": {}}]}]},
                         "`$.suites[0].cases[0].status`"),
    "stdout-a-number": ({"suites": [{"name": "s", "cases": [{"stdout": 1}]}]},
                        "`$.suites[0].cases[0].stdout`"),
}


@pytest.mark.parametrize("data, words", REPORTS.values(), ids=REPORTS.keys())
def test_a_test_report_with_wrong_types_stores_nothing_of_its_build(store, data, words):
    with serve() as srv:
        srv.faults.respond(json.dumps(data), "*/job/app/2/testReport/api/json")
        summary, warnings = _sync(srv, store)
    ((job, number, message),) = summary.build_errors
    assert (job, number) == ("app", 2)
    assert "/jenkins/job/app/2/testReport/api/json" in _one_line(message) and words in message
    assert _builds(store, "app") == [1, 3, 4]  # the rest of the job and the server went on
    assert len(_jobs(store)) == 4


def test_a_pending_input_with_wrong_types_names_the_field_and_the_other_servers_go_on():
    with serve() as srv, serve() as other:
        srv.faults.respond(json.dumps({"jobs": [{"name": "app", "builds": "x"}]}),
                           "/jenkins/api/json")
        reporter = NullReporter()
        found = paused_builds([client_for(srv, settings=HOSTILE),
                               client_for(other, name="other", settings=HOSTILE)],
                              reporter=reporter)
    assert {p.server for p in found} == {"other"}
    (warning,) = reporter.warnings
    assert warning.startswith("ci: http://") and "`$.jobs[0].builds`" in _one_line(warning)


def test_a_wrong_typed_stage_view_leaves_the_paused_build_listed_with_its_wait_unknown():
    with serve() as srv:
        srv.faults.respond(json.dumps({"stages": [{"pauseDurationMillis": "long"}]}),
                           "*/job/app/4/wfapi/describe")
        reporter = NullReporter()
        found = paused_builds([client_for(srv, settings=HOSTILE)], jobs=["app"],
                              reporter=reporter)
    ((paused,),) = [found]
    assert (paused.job, paused.number, paused.wait_source) == ("app", 4, "build-start")
    (warning,) = reporter.warnings
    assert "/job/app/4/wfapi/describe: " in warning and "pauseDurationMillis" in warning


def test_a_wrong_typed_input_action_refuses_the_decision_and_posts_nothing(store):
    with serve() as srv:
        srv.faults.respond(json.dumps({"executions": [{"id": "x", "input": {"parameters": [
            {"name": "A", "choices": [1, 2]}]}}]}), "*/job/app/4/input/api/json")
        with pytest.raises(JenkinsBadResponse, match=r"choices\[0\]"):
            decide(client_for(srv, settings=HOSTILE), store, "app", 4, "proceed")
        assert not [p for m, p in srv.requests if m == "POST"]
    assert decisions.list_decisions(store) == []


# --- answers that never end ---------------------------------------------------------------------


@pytest.mark.parametrize("part", ["headers", "body"])
def test_a_trickled_answer_ends_at_the_deadline_named_in_the_error(part):
    with serve() as srv:
        fault = srv.faults.trickle("*/job/app/api/json", part=part, interval=1.0)
        started = time.monotonic()
        with pytest.raises(JenkinsTooSlow) as info:
            client_for(srv, settings=HOSTILE).job_builds("app", 10)
        elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 5
    assert fault.hits == 1  # a stalling server is not asked again (it would stall again)
    message = _one_line(info.value.message)
    assert "within the 1 s deadline" in message and "/jenkins/job/app/api/json" in message


def test_a_sync_past_a_trickled_report_stores_the_rest_in_bounded_time(store):
    with serve() as srv:
        srv.faults.trickle("*/job/app/2/testReport/api/json", interval=1.0)
        started = time.monotonic()
        summary, _ = _sync(srv, store)
        assert time.monotonic() - started < 10
    ((job, number, message),) = summary.build_errors
    assert (job, number) == ("app", 2) and "deadline" in message
    assert _builds(store, "app") == [1, 3, 4] and len(_jobs(store)) == 4


def test_a_server_that_trickles_everything_stops_the_sync_after_a_few_deadlines(store):
    with serve() as srv:
        srv.faults.trickle("*/api/json", interval=1.0)
        started = time.monotonic()
        summary, warnings = _sync(srv, store, jobs=["app", "team/backend", "shop"])
        assert time.monotonic() - started < 10
    assert summary.unreachable is not None and "deadline" in summary.unreachable
    assert summary.stored == 0


def test_a_decision_post_that_stalls_ends_at_the_deadline_and_says_it_may_have_arrived(store):
    with serve() as srv:
        srv.faults.trickle("*/input/*/abort", method="POST", part="headers", interval=1.0)
        with pytest.raises(JenkinsUnreachable) as info:
            decide(client_for(srv, settings=HOSTILE), store, "app", 4, "abort")
    assert isinstance(info.value, JenkinsTooSlow)
    assert "may or may not have reached Jenkins" in _one_line(info.value.message)
    (stored,) = decisions.list_decisions(store)
    assert stored.outcome == "failed"


# --- answers that never stop --------------------------------------------------------------------


@pytest.mark.parametrize("length_header", [True, False], ids=["declared", "streamed"])
def test_a_flood_is_refused_at_the_cap_naming_the_url(length_header):
    with serve() as srv:
        srv.faults.flood(200 << 20, "*/job/app/api/json", length_header=length_header)
        client = client_for(srv, settings=HOSTILE)
        tracemalloc.start()
        try:
            started = time.monotonic()
            with pytest.raises(JenkinsResponseTooLarge) as info:
                client.job_builds("app", 10)
            elapsed = time.monotonic() - started
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert elapsed < 5
    assert peak < 4 * HOSTILE.max_bytes  # memory stays near the cap, not the 200 MiB sent
    message = _one_line(info.value.message)
    assert "more than 1 MiB" in message and "/jenkins/job/app/api/json" in message
    assert ("(200 MiB)" in message) is length_header


def test_a_flood_in_one_report_leaves_the_rest_of_the_sync(store):
    with serve() as srv:
        srv.faults.flood(50 << 20, "*/job/app/2/testReport/api/json", length_header=False)
        summary, _ = _sync(srv, store)
    ((job, number, message),) = summary.build_errors
    assert (job, number) == ("app", 2) and "more than 1 MiB" in message
    assert _builds(store, "app") == [1, 3, 4]


# --- credentials in what a server sends back ----------------------------------------------------


def test_an_error_page_in_a_charset_no_codec_knows_is_still_one_line():
    with serve() as srv:
        srv.faults.respond("<h1>Oops</h1>", "*/job/app/api/json", status=404,
                           content_type="text/html; charset=klingon")
        with pytest.raises(JenkinsNotFound) as info:
            client_for(srv, settings=HOSTILE).job_builds("app", 1)
    assert "<h1>Oops</h1>" in info.value.details and _one_line(info.value.message)


def test_an_error_page_echoing_our_authorization_header_is_redacted():
    with serve() as srv:
        token = srv.users["alice"]
        srv.faults.echo_headers("*/job/app/api/json", status=500)
        with pytest.raises(JenkinsServerError) as info:
            client_for(srv, settings=HOSTILE).job_builds("app", 1)
    secret = base64.b64encode(f"alice:{token}".encode()).decode()
    details = info.value.details
    assert "Authorization: Basic ***" in details
    assert secret not in details and token not in details
