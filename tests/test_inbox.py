"""The inbox use case (`triage.inbox`): builds needing a person, over real HTTP and SQLite."""

from __future__ import annotations

import json

import pytest

from tests.jenkins_world import T0, client_for, serve, small_world
from triage.errors import Cancelled
from triage.inbox import builds_needing_attention, inbox_as_dict
from triage.progress import CancelToken, NullReporter
from triage.store import builds as stored


@pytest.fixture
def srv():
    with serve(small_world()) as server:
        yield server


def _rows(items):
    return [(i.state, i.job, i.build, i.failures, i.real, i.noise, i.unsure, i.waiting_s)
            for i in items]


def test_paused_first_longest_wait_first_then_red_newest_first(srv, store):
    items = builds_needing_attention([client_for(srv)], store)
    # The clock is T0 + 1 h; the inputs were reached at T0 + 20 s, + 60 s and + 400 s.
    assert _rows(items) == [
        ("paused", "team/backend", 2, 0, 0, 0, 0, 3580),
        ("paused", "shop/feature%2Fx", 2, 0, 0, 0, 0, 3540),
        ("paused", "app", 4, 1, 1, 0, 0, 3200),
        ("failed", "app", 3, 0, 0, 0, 0, None),  # no report: nothing to triage
        # app #2 (UNSTABLE) is behind #3: only a job's newest red build is listed.
        ("unstable", "shop/feature%2Fx", 1, 2, 0, 0, 2, None),
    ]
    branch = items[1]
    assert (branch.display, branch.full_display) == ("feature/x", "shop » feature/x")
    assert [i.id for i in branch.inputs] == ["Eu", "Us"]  # both parallel inputs
    assert branch.url.endswith("/jenkins/job/shop/job/feature%252Fx/2/")
    assert items[0].wait_source == "wfapi" and items[3].started_ms == T0 + 200_000
    assert items[3].failures == 0 and items[3].triaged


def test_it_syncs_only_the_jobs_it_shows_and_little_the_second_time(srv, store):
    client = client_for(srv)
    builds_needing_attention([client], store)
    # shop/main has nothing red or paused: not synced.
    assert stored.synced_jobs(store, "ci") == ["app", "shop/feature%2Fx", "team/backend"]
    before = len(srv.requests)
    builds_needing_attention([client], store)
    again = [path for _, path in srv.requests[before:]]
    # One listing of the server (the sync plans from it: the history has every older build),
    # the two running builds' reports again (they change until they finish) and one Stage
    # View read per paused build.
    assert len(again) == 1 + 2 + 3, again
    assert sum("/wfapi/describe" in p for p in again) == 3


def test_a_long_job_is_listed_once_in_full_then_planned_from_the_short_listing(store):
    from tests.jenkins_world import report

    world = small_world()
    job = world.pipeline("long")
    for number in range(1, 31):
        job.add_build(number, result="UNSTABLE" if number == 30 else "SUCCESS",
                      timestamp_ms=T0 + number, duration_ms=1,
                      report=report(2, failed=number // 30))
    with serve(world) as srv:
        client = client_for(srv)
        (item,) = builds_needing_attention([client], store, jobs=["long"])
        assert (item.build, item.failures) == (30, 1)
        first = [p for _, p in srv.requests]
        # The newest ten, then (30 builds: the history lacks the older ones) all of them.
        assert sum("/job/long/api/json" in p for p in first) == 2
        assert sum("/testReport/" in p for p in first) == 30
        before = len(srv.requests)
        builds_needing_attention([client], store, jobs=["long"])
        assert len(srv.requests) - before == 1  # the listing; nothing new, nothing running


def test_without_sync_builds_not_in_the_history_have_no_summary(srv, store):
    (first, *_) = builds_needing_attention([client_for(srv)], store, jobs=["team"], sync=False)
    assert first.job == "team/backend" and first.real is None and not first.triaged
    assert stored.synced_jobs(store, "ci") == []


def test_since_keeps_only_builds_started_after_it(srv, store):
    items = builds_needing_attention([client_for(srv)], store, since_ms=T0 + 150_000)
    assert [(i.job, i.build) for i in items] == [("app", 4), ("app", 3)]


def test_a_marked_failure_counts_by_its_mark(srv, store):
    from triage.triage_build import mark

    client = client_for(srv)
    (before,) = builds_needing_attention([client], store, jobs=["shop/feature%2Fx"])[1:]
    assert (before.real, before.noise, before.unsure) == (0, 0, 2)
    mark(store, "shop/feature%2Fx", 1, "noise", server="ci",
         test="com.example.CartTest.fails0", who="bob")
    (after,) = builds_needing_attention([client], store, jobs=["shop/feature%2Fx"])[1:]
    assert (after.real, after.noise, after.unsure) == (0, 1, 1)


def test_a_cancelled_token_stops_before_asking_jenkins(srv, store):
    token = CancelToken()
    token.cancel()
    before = len(srv.requests)
    with pytest.raises(Cancelled):
        builds_needing_attention([client_for(srv)], store, token=token)
    assert len(srv.requests) == before


def test_a_server_that_cannot_be_read_is_a_warning_and_the_others_are_listed(srv, store):
    from triage.jenkins.client import JenkinsClient
    from triage.jenkins.http import HttpSettings

    down = JenkinsClient("down", "http://127.0.0.1:9/", None, None,
                         HttpSettings(timeout=(2.0, 2.0), retries=0))
    reporter = NullReporter()
    items = builds_needing_attention([down, client_for(srv)], store, jobs=["app"],
                                     reporter=reporter)
    assert [i.build for i in items] == [4, 3]
    (warning,) = reporter.warnings
    assert warning.startswith("down: Cannot reach Jenkins")


def test_a_server_that_cannot_be_read_is_handed_back_typed_when_asked(srv, store):
    from triage.errors import JenkinsUnreachable
    from triage.jenkins.client import JenkinsClient
    from triage.jenkins.http import HttpSettings

    down = JenkinsClient("down", "http://127.0.0.1:9/", None, None,
                         HttpSettings(timeout=(2.0, 2.0), retries=0))
    errors = {}
    items = builds_needing_attention([down, client_for(srv)], store, jobs=["app"], sync=False,
                                     errors=errors)
    assert [i.build for i in items] == [4, 3]
    assert list(errors) == ["down"] and isinstance(errors["down"], JenkinsUnreachable)


def test_json_has_the_documented_keys(srv, store):
    items = builds_needing_attention([client_for(srv)], store, jobs=["app"])
    data = [inbox_as_dict(i) for i in items]
    assert json.loads(json.dumps(data)) == data
    assert {"server", "job", "display", "build", "state", "failures", "real", "noise",
            "unsure", "waiting_s", "url"} <= set(data[0])
    assert data[0]["state"] == "paused" and data[1]["waiting_s"] is None
    secret = [p for p in data[0]["inputs"][0]["parameters"] if p["name"] == "SECRET"]
    assert secret[0]["default"] is None
