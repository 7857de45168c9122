"""The rules of watching, alone: back-off, mutes, the one-hour pause, one notice per pause."""

from __future__ import annotations

from dataclasses import replace

from triage.inbox import InboxItem
from triage.jenkins.model import PendingInput
from triage.ui import watch_rules
from triage.ui.watch_rules import BuildCounts, Mutes, PauseTracker, notice_for


def _pending(input_id: str, message: str = "Deploy?") -> PendingInput:
    return PendingInput(id=input_id, message=message, ok="Proceed", cancel="Abort",
                        submitter=None, parameters=())


def _item(job="app", build=142, inputs=("gate",), state="paused", server="ci") -> InboxItem:
    return InboxItem(server=server, job=job, display=job.rsplit("/", 1)[-1], full_display=job,
                     build=build, state=state, failures=7, real=None, noise=None, unsure=None,
                     waiting_s=60, wait_source="wfapi", url=None,
                     inputs=tuple(_pending(i) for i in inputs), started_ms=0)


def test_retries_grow_from_the_interval_to_a_cap():
    delays = [watch_rules.retry_delay(60, n) for n in range(7)]
    assert delays == [60, 60, 120, 240, 480, 900, 900]
    assert watch_rules.retry_delay(1800, 5) == 1800  # never faster than the interval


def test_connectivity_notices_back_off_too():
    assert [n for n in range(1, 20) if watch_rules.tell_about_failure(n)] == [1, 2, 4, 8, 16]


def test_the_first_listing_is_the_baseline_and_each_pause_is_new_once():
    tracker = PauseTracker()
    assert tracker.new_pauses("ci", [_item()]) == []  # already waiting at launch: in the inbox
    assert tracker.new_pauses("ci", [_item()]) == []
    new = _item(build=143, inputs=("eu", "us"))
    found = tracker.new_pauses("ci", [_item(), new])
    assert [(i.build, input_id) for i, input_id in found] == [(143, "eu"), (143, "us")]
    assert tracker.new_pauses("ci", [_item(), new]) == []  # no duplicate for the same pause
    # A poll that failed or left the build out, then lists it again: still not new.
    tracker.new_pauses("ci", [])
    assert tracker.new_pauses("ci", [new]) == []
    # Red builds are never pauses; another server has its own baseline.
    assert tracker.new_pauses("ci", [_item(build=144, state="failed", inputs=())]) == []
    assert tracker.new_pauses("eu", [_item(server="eu")]) == []


def test_mutes_silence_a_server_a_job_a_folder_and_everything_for_an_hour():
    mutes = Mutes()
    assert mutes.allows("ci", "app", now=1000)
    assert mutes.toggle_server("eu") and not mutes.allows("eu", "app", 1000)
    assert mutes.toggle_job("ci", "team") and not mutes.allows("ci", "team/backend", 1000)
    assert mutes.allows("ci", "teamwork", 1000)  # a folder prefix is a whole name
    assert not mutes.toggle_job("ci", "team") and mutes.allows("ci", "team/backend", 1000)
    mutes.pause_for_an_hour(now=1000)
    assert not mutes.allows("ci", "app", 1000 + 3599)
    assert mutes.allows("ci", "app", 1000 + 3600)
    mutes.pause_for_an_hour(now=5000)
    mutes.resume()
    assert mutes.allows("ci", "app", 5001)


def test_mutes_are_kept_as_plain_json_and_garbage_reads_as_none():
    mutes = Mutes({"eu"}, {("ci", "team")}, 1234.5)
    assert Mutes.from_json(mutes.to_json()) == mutes
    assert '"servers": ["eu"]' in mutes.to_json()
    for garbage in ("", None, "not json", "[1, 2]", '{"jobs": [1]}'):
        assert Mutes.from_json(garbage) == Mutes()


def test_a_notice_says_what_waits_and_how_bad_it_looks():
    notice = notice_for(_item(), "gate", BuildCounts(7, 2, 1))
    assert notice.text == "app #142 waits for approval: 7 failures in 2 clusters, 1 likely real — “Deploy?”"
    assert notice.key == ("ci", "app", 142, "gate")
    assert notice_for(_item(), "gate", BuildCounts(1, 1, 0)).body.startswith(
        "1 failure in 1 cluster, 0 likely real")
    assert notice_for(_item(), "gate", BuildCounts(0)).body.startswith("no test failures")
    unread = notice_for(replace(_item(), inputs=()), "", BuildCounts(None))
    assert unread.body == "test results not read yet"
