"""Build JSON, test reports, artifacts and console of the built-in server (reference §3, §4.6)."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

from tests.test_server_support import T0, demo_srv_fixture, get, get_json, one_suite, running  # noqa: F401
from triage.jenkins.server import BuildData, Case, Cause, Failure, Report, Suite, World

RUN = "org.jenkinsci.plugins.workflow.job.WorkflowRun"
CASE_KEYS = {"testActions", "age", "className", "duration", "errorDetails", "errorStackTrace",
             "failedSince", "name", "properties", "skipped", "skippedMessage", "status", "stderr",
             "stdout", "flakyFailures", "rerunFailures"}


def by_class(actions: list[dict], cls: str) -> list[dict]:
    return [a for a in actions if a.get("_class") == cls]


def test_build_json_at_depth_0(demo_srv):
    run = get_json(demo_srv, "job/app/119/api/json")
    assert run["_class"] == RUN
    assert run["number"] == 119 and run["id"] == "119"
    assert run["url"] == demo_srv.url + "job/app/119/"
    assert run["building"] is False and run["inProgress"] is False
    assert run["result"] in ("SUCCESS", "UNSTABLE")
    assert run["duration"] > 0 and run["timestamp"] > 0
    assert run["displayName"] == "#119" and run["fullDisplayName"] == "app #119"
    assert run["previousBuild"] == {"number": 118, "url": demo_srv.url + "job/app/118/"}
    assert run["nextBuild"]["number"] == 120
    actions = run["actions"]
    assert {} in actions  # unexportable actions (§0, trap 18)
    causes = by_class(actions, "hudson.model.CauseAction")[0]["causes"]
    assert causes[0]["_class"] and causes[0]["shortDescription"]
    summary = by_class(actions, "hudson.tasks.junit.TestResultAction")[0]
    assert set(summary) == {"_class", "failCount", "skipCount", "totalCount", "urlName"}
    assert summary["totalCount"] == 300 and summary["urlName"] == "testReport"


def test_several_build_data_actions_library_first(demo_srv):
    # §4.6 / trap 18: one BuildData per repository; the shared library comes first here.
    actions = get_json(demo_srv, "job/app/119/api/json")["actions"]
    data = by_class(actions, "hudson.plugins.git.util.BuildData")
    assert [d["remoteUrls"] for d in data] == [
        ["https://git.example.com/ci/pipeline-library.git"], ["https://git.example.com/shop/app.git"]]
    own = data[1]
    sha = own["lastBuiltRevision"]["SHA1"]
    assert len(sha) == 40
    assert own["lastBuiltRevision"]["branch"] == [{"SHA1": sha, "name": "refs/remotes/origin/main"}]
    built = own["buildsByBranchName"]["refs/remotes/origin/main"]
    assert built["buildNumber"] == 119 and built["revision"]["SHA1"] == sha
    assert own["scmName"] == ""


def test_running_build_shape(demo_srv):
    run = get_json(demo_srv, "job/app/120/api/json")
    # Trap 15: duration 0 while running; building/inProgress true.
    assert run["building"] is True and run["inProgress"] is True and run["duration"] == 0
    assert run["executor"] == {"_class": "hudson.model.OneOffExecutor"}
    inputs = by_class(run["actions"], "org.jenkinsci.plugins.workflow.support.steps.input."
                      "InputAction")
    assert inputs == [{"_class": "org.jenkinsci.plugins.workflow.support.steps.input."
                                 "InputAction"}]  # fields need depth>=1 (trap 4)


def test_build_tree_selects_test_summary(demo_srv):
    data = get_json(demo_srv, "job/app/119/api/json",
                    tree="actions[failCount,skipCount,totalCount,urlName]")
    assert set(data) == {"_class", "actions"}
    assert any(a.get("totalCount") == 300 for a in data["actions"])


def test_causes_and_parameters_shapes():
    world = World()
    job = world.pipeline("p")
    job.add_build(result="SUCCESS", causes=[Cause.user("alice"),
                                            Cause.upstream("up", 4, "job/up/")],
                  parameters={"ENV": "staging", "DRY": True})
    with running(world) as srv:
        actions = get_json(srv, "job/p/1/api/json")["actions"]
    causes = by_class(actions, "hudson.model.CauseAction")[0]["causes"]
    assert causes[0] == {"_class": "hudson.model.Cause$UserIdCause",
                         "shortDescription": "Started by user Alice", "userId": "alice",
                         "userName": "Alice"}
    assert causes[1]["upstreamBuild"] == 4 and causes[1]["upstreamProject"] == "up"
    params = by_class(actions, "hudson.model.ParametersAction")[0]["parameters"]
    assert params == [
        {"_class": "hudson.model.StringParameterValue", "name": "ENV", "value": "staging"},
        {"_class": "hudson.model.BooleanParameterValue", "name": "DRY", "value": True},
    ]


def test_artifacts_listed_and_served_as_junit_xml(demo_srv):
    run = get_json(demo_srv, "job/app/119/api/json")
    artifacts = run["artifacts"]
    assert artifacts and set(artifacts[0]) == {"displayPath", "fileName", "relativePath"}
    first = artifacts[0]
    assert first["relativePath"].startswith("target/surefire-reports/TEST-")
    resp = get(demo_srv, "job/app/119/artifact/" + first["relativePath"])
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/xml"
    suite = ET.fromstring(resp.content)
    assert suite.tag == "testsuite" and len(suite.findall("testcase")) == int(suite.get("tests"))
    assert get(demo_srv, "job/app/119/artifact/nope.xml").status_code == 404


def test_test_report_shape_at_depth_0(demo_srv):
    report = get_json(demo_srv, "job/app/119/testReport/api/json")
    assert report["_class"] == "hudson.tasks.junit.TestResult"
    assert report["passCount"] + report["failCount"] + report["skipCount"] == 300
    assert report["empty"] is False
    suite = report["suites"][0]
    assert "_class" not in suite  # declared exact class: no _class (§0)
    assert {"name", "duration", "nodeId", "enclosingBlocks", "enclosingBlockNames", "stdout",
            "stderr", "properties", "timestamp", "id", "cases"} <= set(suite)
    case = suite["cases"][0]
    assert set(case) == CASE_KEYS  # inline: visibility-1 fields present at depth 0 (§3.2)


def test_no_report_is_404_also_through_permalinks():
    world = World()
    job = world.pipeline("p")
    job.add_build(result="SUCCESS", report=one_suite(Case("C", "t")))
    job.add_build(result="FAILURE")  # compile error: no TestResultAction
    with running(world) as srv:
        assert get(srv, "job/p/1/testReport/api/json").status_code == 200
        assert get(srv, "job/p/2/testReport/api/json").status_code == 404
        # Trap 12: lastCompletedBuild does not fall back to an older report.
        assert get(srv, "job/p/lastCompletedBuild/testReport/api/json").status_code == 404
        actions = get_json(srv, "job/p/2/api/json")["actions"]
    assert not by_class(actions, "hudson.tasks.junit.TestResultAction")


def test_failed_since_and_age_follow_history():
    world = World()
    job = world.pipeline("p")
    def rep(fail: bool, skip: bool = False) -> Report:
        outcome = "skipped" if skip else "failed" if fail else "passed"
        return one_suite(Case("C", "t", outcome=outcome, message="boom" if fail else None))
    job.add_build(result="SUCCESS", report=rep(False))
    job.add_build(result="UNSTABLE", report=rep(True))
    job.add_build(result="FAILURE")  # no report: skipped when looking back
    job.add_build(result="UNSTABLE", report=rep(True))
    job.add_build(result="SUCCESS", report=rep(False, skip=True))
    with running(world) as srv:
        cases = [get_json(srv, f"job/p/{n}/testReport/api/json")["suites"][0]["cases"][0]
                 for n in (2, 4, 5)]
    assert (cases[0]["failedSince"], cases[0]["age"]) == (2, 1)
    assert (cases[1]["failedSince"], cases[1]["age"]) == (2, 3)  # §3.4: n - failedSince + 1
    assert cases[1]["errorDetails"] == "boom" and cases[1]["status"] == "FAILED"
    assert (cases[2]["failedSince"], cases[2]["age"], cases[2]["skipped"]) == (0, 6, True)


def test_all_five_statuses_can_be_served():
    world = World()
    statuses = ["PASSED", "SKIPPED", "FAILED", "FIXED", "REGRESSION"]
    cases = [Case("C", s.lower(), outcome="passed", status=s) for s in statuses]
    world.pipeline("p").add_build(result="UNSTABLE", report=one_suite(*cases))
    with running(world) as srv:
        got = get_json(srv, "job/p/1/testReport/api/json", tree="suites[cases[status]]")
    assert [c["status"] for c in got["suites"][0]["cases"]] == statuses


def test_legacy_plugin_statuses_fixed_and_regression(demo_srv):
    # shop/main simulates junit < 1363: statuses compare with the previous build (§3.3).
    seen: set[str] = set()
    for n in range(60, 90):
        data = get_json(demo_srv, f"job/shop/job/main/{n}/testReport/api/json",
                        tree="suites[cases[status]]")
        seen |= {c["status"] for s in data["suites"] for c in s["cases"]}
    assert {"FIXED", "REGRESSION", "PASSED", "SKIPPED"} <= seen


def test_flaky_failures_export_as_empty_objects():
    # §3.7 / trap 13: a case with only flakyFailure entries is passed; entries are {}.
    case = Case("C", "t", flaky_failures=[Failure("timeout", "T", "trace")] * 2)
    rerun = Case("C", "u", outcome="failed", message="x", rerun_failures=[Failure("x")])
    world = World()
    world.pipeline("p").add_build(result="UNSTABLE", report=one_suite(case, rerun))
    with running(world) as srv:
        got = get_json(srv, "job/p/1/testReport/api/json")["suites"][0]["cases"]
    assert got[0]["status"] == "PASSED" and got[0]["flakyFailures"] == [{}, {}]
    assert got[0]["errorDetails"] is None and got[0]["errorStackTrace"] is None
    assert got[1]["rerunFailures"] == [{}]


def test_case_output_falls_back_to_suite_output():
    suite = Suite("S", [Case("C", "a"), Case("C", "b", stdout="own")], stdout="suite log")
    world = World()
    world.pipeline("p").add_build(result="SUCCESS", report=Report([suite]))
    with running(world) as srv:
        cases = get_json(srv, "job/p/1/testReport/api/json")["suites"][0]["cases"]
    assert [c["stdout"] for c in cases] == ["suite log", "own"]  # §3.2


def test_report_tree_with_case_ranges(demo_srv):
    data = get_json(demo_srv, "job/app/119/testReport/api/json",
                    tree="failCount,suites[name,cases[name,status]{0,2}]{0,3}")
    assert len(data["suites"]) == 3
    assert all(len(s["cases"]) == 2 and set(s["cases"][0]) == {"name", "status"}
               for s in data["suites"])


def test_twenty_thousand_test_report_is_served_fast():
    cases = [Case(f"com.example.m{i // 500}.Big{i // 50}Test", f"test{i}",
                  outcome="failed" if i % 997 == 0 else "passed", duration=0.01,
                  message="boom" if i % 997 == 0 else None) for i in range(20_000)]
    suites = {}
    for case in cases:
        suites.setdefault(case.class_name, []).append(case)
    report = Report([Suite(name, members) for name, members in suites.items()])
    world = World()
    world.pipeline("big").add_build(result="UNSTABLE", report=report)
    with running(world) as srv:
        started = time.perf_counter()
        data = get_json(srv, "job/big/1/testReport/api/json",
                        tree="failCount,passCount,suites[name,cases[className,name,status]]")
        elapsed = time.perf_counter() - started
    assert sum(len(s["cases"]) for s in data["suites"]) == 20_000
    assert data["failCount"] == 21 and data["passCount"] == 19_979
    assert elapsed < 5, elapsed  # typically ~0.3 s


def test_console_text_and_progressive_text(demo_srv):
    text = get(demo_srv, "job/app/120/consoleText").text
    assert "Deploy to production?\nProceed or Abort\n" in text  # §1.7
    resp = get(demo_srv, "job/app/120/logText/progressiveText", start="0")
    assert resp.headers["X-More-Data"] == "true"  # still running (§4.8)
    size = int(resp.headers["X-Text-Size"])
    tail = get(demo_srv, "job/app/120/logText/progressiveText", start=str(size))
    assert tail.text == "" and tail.headers["X-Text-Size"] == str(size)
    done = get(demo_srv, "job/app/119/logText/progressiveText")
    assert "X-More-Data" not in done.headers and "Finished: " in done.text


def test_builder_rejects_bad_input():
    world = World()
    job = world.pipeline("p")
    job.add_build(5, result="SUCCESS", timestamp_ms=T0,
                  build_data=[BuildData("a" * 40, "main", "https://x/y.git")])
    for bad in ({"number": 3}, {"number": 5}, {"result": "GREEN"}):
        try:
            job.add_build(**bad)
        except ValueError:
            continue
        raise AssertionError(f"accepted {bad}")
    try:
        Case("C", "t", outcome="broken")
    except ValueError:
        pass
    else:
        raise AssertionError("accepted a bad outcome")


def test_concurrent_report_requests_all_succeed():
    from concurrent.futures import ThreadPoolExecutor

    from triage.jenkins.server import bench_world

    with running(bench_world(builds=20, tests=500)) as srv:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(
                lambda n: get_json(srv, f"job/bench/{n}/testReport/api/json",
                                   tree="failCount,passCount,skipCount"), range(1, 21)))
    assert all(r["failCount"] + r["passCount"] + r["skipCount"] == 500 for r in results)


def test_wfapi_describe_status_names(demo_srv):
    # §2.3: Stage View says FAILED / NOT_EXECUTED where core says FAILURE / NOT_BUILT.
    assert get_json(demo_srv, "job/app/23/wfapi/describe")["status"] == "FAILED"
    assert get_json(demo_srv, "job/app/112/wfapi/describe")["status"] == "ABORTED"
    run = get_json(demo_srv, "job/app/119/wfapi/describe")
    assert run["id"] == "119" and run["name"] == "#119" and "_class" not in run
    assert run["_links"]["self"]["href"] == "/jenkins/job/app/119/wfapi/describe"


def test_wfapi_job_describe_and_runs(demo_srv):
    job = get_json(demo_srv, "job/app/wfapi/describe")
    assert job == {"_links": {"self": {"href": "/jenkins/job/app/wfapi/describe"},
                              "runs": {"href": "/jenkins/job/app/wfapi/runs"}},
                   "name": "app", "runCount": 10}  # capped at maxRunsPerJob (§2.1)
    runs = get_json(demo_srv, "job/app/wfapi/runs")
    assert [r["name"] for r in runs] == [f"#{n}" for n in range(120, 110, -1)]
    assert runs[0]["status"] == "PAUSED_PENDING_INPUT"
    since = get_json(demo_srv, "job/app/wfapi/runs", since="#117")  # §2.2: inclusive
    assert [r["id"] for r in since] == ["120", "119", "118", "117"]


def test_shared_build_data_keeps_each_build_number():
    lib = BuildData("b" * 40, "master", "https://x/lib.git")
    world = World()
    job = world.pipeline("p")
    job.add_build(result="SUCCESS", build_data=[lib])
    job.add_build(result="SUCCESS", build_data=[lib])
    with running(world) as srv:
        first = by_class(get_json(srv, "job/p/1/api/json")["actions"],
                         "hudson.plugins.git.util.BuildData")[0]
    assert first["buildsByBranchName"]["master"]["buildNumber"] == 1
