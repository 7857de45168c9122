"""Root, folder, multibranch and job JSON of the built-in server (reference §0, §4.3-§4.5)."""

from __future__ import annotations

import pytest

from tests.test_server_support import T0, demo_srv_fixture, get, get_json, running  # noqa: F401
from triage.jenkins.server import World, name_encode
from triage.jenkins.server.export import MalformedTree, parse_tree

JOB = "org.jenkinsci.plugins.workflow.job.WorkflowJob"
RUN = "org.jenkinsci.plugins.workflow.job.WorkflowRun"


def test_root_lists_jobs_with_class_name_url_color(demo_srv):
    root = get_json(demo_srv, "api/json")
    assert root["_class"] == "hudson.model.Hudson"
    assert root["url"] == demo_srv.url
    jobs = {j["name"]: j for j in root["jobs"]}
    assert set(jobs) == {"app", "team", "shop", "checkout"}
    # §4.5: depth 0 children are {_class, name, url} plus color for jobs only.
    assert set(jobs["app"]) == {"_class", "name", "url", "color"}
    assert jobs["app"]["_class"] == JOB
    assert jobs["team"] == {"_class": "com.cloudbees.hudson.plugins.folder.Folder",
                            "name": "team", "url": demo_srv.url + "job/team/"}
    assert jobs["shop"]["_class"] == (
        "org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject")


def test_api_responses_carry_jenkins_headers(demo_srv):
    resp = get(demo_srv, "api/json")
    assert resp.headers["X-Jenkins"] == demo_srv.world.version  # §0 Api.setHeaders
    assert resp.headers["X-Jenkins-Session"] == demo_srv.session


def test_url_outside_context_path_is_404(demo_srv):
    resp = get(demo_srv, "../api/json")  # requests normalises to /api/json
    assert resp.status_code == 404


def test_multibranch_branch_names_are_name_encoded(demo_srv):
    # §4.3: branch feature/x is job name feature%2Fx, URL segment feature%252Fx.
    shop = get_json(demo_srv, "job/shop/api/json")
    names = [j["name"] for j in shop["jobs"]]
    assert names == ["main", "feature%2Fx"]
    branch = get_json(demo_srv, "job/shop/job/feature%252Fx/api/json")
    assert branch["fullName"] == "shop/feature%2Fx"
    assert branch["displayName"] == "feature/x"
    assert branch["url"] == demo_srv.url + "job/shop/job/feature%252Fx/"
    assert branch["fullDisplayName"] == "Shop » feature/x"


def test_literal_encoded_slash_also_resolves_a_branch(demo_srv):
    # MultiBranchProject.getItem accepts the decoded branch name too (§4.3).
    assert get_json(demo_srv, "job/shop/job/feature%2Fx/api/json")["name"] == "feature%2Fx"


@pytest.mark.parametrize("branch,encoded", [
    ("feature/x", "feature%2Fx"), ("a#b", "a%23b"), ("100%", "100%25"), ("q?[x]", "q%3F%5Bx%5D"),
    ("", "%00"), (".", "%2E"), ("..", "%2E."), ("win\\dir", "win%5Cdir"), ("main", "main"),
])
def test_name_encoder(branch, encoded):
    assert name_encode(branch) == encoded


def test_folder_job_shape_and_permalinks(demo_srv):
    job = get_json(demo_srv, "job/team/job/backend/api/json")
    assert job["_class"] == JOB
    assert job["fullName"] == "team/backend"
    assert job["fullDisplayName"] == "Team » backend"
    assert job["url"] == demo_srv.url + "job/team/job/backend/"
    assert job["lastBuild"] == {"_class": RUN, "number": 100,
                                "url": demo_srv.url + "job/team/job/backend/100/"}
    # #100 is paused at an input: running, so not the last completed build (§4.5).
    assert job["lastCompletedBuild"]["number"] == 99
    assert job["color"].endswith("_anime")
    assert job["nextBuildNumber"] == 101
    for key in ("inQueue", "buildable", "healthReport", "property", "concurrentBuild",
                "resumeBlocked", "disabled", "lastFailedBuild", "lastStableBuild",
                "lastSuccessfulBuild", "lastUnstableBuild", "lastUnsuccessfulBuild"):
        assert key in job
    assert "allBuilds" not in job  # visibility -2


def test_builds_holds_only_newest_100_but_all_builds_via_tree(demo_srv):
    job = get_json(demo_srv, "job/app/api/json")
    assert len(job["builds"]) == 100  # §4.5, trap 17
    assert [b["number"] for b in job["builds"][:2]] == [120, 119]
    everything = get_json(demo_srv, "job/app/api/json", tree="allBuilds[number]")
    assert len(everything["allBuilds"]) == 120
    page = get_json(demo_srv, "job/app/api/json", tree="allBuilds[number,result]{100,103}")
    assert [b["number"] for b in page["allBuilds"]] == [20, 19, 18]
    assert set(page["allBuilds"][0]) == {"_class", "number", "result"}


def test_permalink_rules():
    world = World()
    job = world.pipeline("p")
    for result in ("SUCCESS", "UNSTABLE", "FAILURE", "ABORTED"):
        job.add_build(result=result, timestamp_ms=T0, duration_ms=10)
    job.add_build(building=True, timestamp_ms=T0)
    with running(world) as srv:
        data = get_json(srv, "job/p/api/json")
    links = [k for k in data if k.endswith("Build") and k != "concurrentBuild"]
    numbers = {k: (data[k] or {}).get("number") for k in links}
    # §4.5 PeepholePermalink: lastSuccessful includes UNSTABLE; lastFailed is FAILURE only.
    assert numbers == {"firstBuild": 1, "lastBuild": 5, "lastCompletedBuild": 4,
                       "lastStableBuild": 1, "lastSuccessfulBuild": 2, "lastFailedBuild": 3,
                       "lastUnstableBuild": 2, "lastUnsuccessfulBuild": 4}
    assert data["color"] == "aborted_anime"


def test_colors_are_lowercase_enum_names():
    world = World()
    empty = world.pipeline("empty")
    red = world.pipeline("red")
    red.add_build(result="FAILURE")
    off = world.pipeline("off")
    off.disabled = True
    with running(world) as srv:
        colors = {j["name"]: j["color"] for j in get_json(srv, "api/json")["jobs"]}
    assert colors == {"empty": "notbuilt", "red": "red", "off": "disabled"}
    assert empty.color() == "notbuilt"


def test_depth_1_expands_nested_objects(demo_srv):
    job = get_json(demo_srv, "job/app/api/json", depth="1")
    last = job["lastBuild"]
    assert last["number"] == 120 and "actions" in last and last["building"] is True


def test_tree_names_exactly_what_it_asks_for_across_levels(demo_srv):
    # python-jenkins get_all_jobs style request (§5.3).
    data = get_json(demo_srv, "api/json", tree="jobs[name,url,color,jobs[name,color]]")
    shop = next(j for j in data["jobs"] if j["name"] == "shop")
    assert set(shop) == {"_class", "name", "url", "jobs"}  # folders have no color
    assert [j["name"] for j in shop["jobs"]] == ["main", "feature%2Fx"]
    assert set(shop["jobs"][0]) == {"_class", "name", "color"}


def test_tree_wildcard(demo_srv):
    data = get_json(demo_srv, "job/app/api/json", tree="lastBuild[*]")
    assert data["lastBuild"]["number"] == 120 and "timestamp" in data["lastBuild"]


def test_malformed_tree_and_depth_are_500(demo_srv):
    assert get(demo_srv, "api/json", tree="jobs[name").status_code == 500
    resp = get(demo_srv, "api/json", depth="x")
    assert resp.status_code == 500 and "Depth parameter must be a number" in resp.text


@pytest.mark.parametrize("expr", ["", "a[", "a]", "a{1", "a{x}", "a,,b", "a[b]]"])
def test_parse_tree_rejects_malformed(expr):
    with pytest.raises(MalformedTree):
        parse_tree(expr)


def test_parse_tree_ranges():
    tree = parse_tree("a[b]{0,5},c{3},d{2,},e{,4}")
    assert (tree.children["a"].range.start, tree.children["a"].range.stop) == (0, 5)
    assert (tree.children["c"].range.start, tree.children["c"].range.stop) == (3, 4)
    assert (tree.children["d"].range.start, tree.children["d"].range.stop) == (2, None)
    assert (tree.children["e"].range.start, tree.children["e"].range.stop) == (0, 4)
    assert set(tree.children["a"].children) == {"b"}


def test_trailing_and_duplicate_slashes_are_harmless(demo_srv):
    # Stapler drops empty segments (§4.3, trap 23).
    assert get_json(demo_srv, "job//app///api/json/")["name"] == "app"


def test_unknown_job_and_build_are_404(demo_srv):
    assert get(demo_srv, "job/nope/api/json").status_code == 404
    assert get(demo_srv, "job/app/999/api/json").status_code == 404
    assert get(demo_srv, "job/app/lastNothing/api/json").status_code == 404


def test_root_url_override_changes_exported_urls_only():
    # Trap 21: Jenkins' configured root URL may differ from the address clients use.
    with running(root_url="https://ci.example/jenkins/") as srv:
        job = get_json(srv, "job/app/api/json")
    assert job["url"] == "https://ci.example/jenkins/job/app/"


def test_folder_views_and_names_with_spaces():
    world = World()
    world.folder("my team").pipeline("web app")
    with running(world, context_path="") as srv:
        assert srv.url.endswith("/") and "/jenkins" not in srv.url
        folder = get_json(srv, "job/my%20team/api/json")
        assert folder["jobs"][0]["url"] == srv.url + "job/my%20team/job/web%20app/"
        assert folder["primaryView"]["name"] == "All"
