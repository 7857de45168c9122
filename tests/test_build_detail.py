"""The core use cases behind the window: a build's view, one failure in full, marks by id with
undo, accepted suggestions, an input re-checked before deciding, the console log's end."""

from __future__ import annotations

import pytest

from tests.jenkins_world import FAST
from triage import console_log, decide
from triage.build_detail import build_view, failure_detail
from triage.errors import ConfigError, InputAlreadyDecided
from triage.jenkins.client import JenkinsClient
from triage.sync import sync
from triage.triage_build import accept_suggestions, mark_tests, restore_verdicts


@pytest.fixture
def client(jenkins):
    return JenkinsClient("ci", jenkins.url, "alice", jenkins.users["alice"], FAST)


@pytest.fixture
def synced(client, store):
    sync(client, store)
    return store


def _ids(view, cluster_prefix: str) -> list[int]:
    cluster = next(c for c in view.triage.clusters if c.id.startswith(cluster_prefix))
    return [m.failure.test_id for m in cluster.members]


def test_build_view_has_the_triage_and_the_marks_with_who(synced):
    view = build_view(synced, "app", 30, "ci")
    assert len(view.triage.failures) == 8 and view.marks == {}
    assert view.url.endswith("/job/app/30/")
    outage = _ids(view, "sig-")
    assert mark_tests(synced, "app", 30, outage, "noise", server="ci", who="alice",
                      note="db down") == 6
    view = build_view(synced, "app", 30, "ci")
    assert {(m.verdict, m.who, m.note) for m in view.marks.values()} == {
        ("noise", "alice", "db down")}


def test_restore_verdicts_undoes_a_mark_and_brings_back_the_previous_one(synced):
    view = build_view(synced, "app", 30, "ci")
    first, second = _ids(view, "sig-")[:2]
    mark_tests(synced, "app", 30, [first], "real", server="ci", who="bob", note="mine")
    before = build_view(synced, "app", 30, "ci").marks
    mark_tests(synced, "app", 30, [first, second], "noise", server="ci", who="alice")
    restore_verdicts(synced, "app", 30, {first: before[first], second: None}, server="ci")
    after = build_view(synced, "app", 30, "ci").marks
    assert (after[first].verdict, after[first].who, after[first].note) == ("real", "bob", "mine")
    assert second not in after


def test_clear_and_unknown_verdicts(synced):
    view = build_view(synced, "app", 30, "ci")
    ids = _ids(view, "sig-")
    mark_tests(synced, "app", 30, ids, "noise", server="ci")
    assert mark_tests(synced, "app", 30, ids[:2], None, server="ci") == 2
    assert len(build_view(synced, "app", 30, "ci").marks) == 4
    with pytest.raises(ConfigError):
        mark_tests(synced, "app", 30, ids, "maybe", server="ci")


def test_accept_suggestions_marks_real_and_noise_but_never_unsure_or_marked(synced):
    view = build_view(synced, "shop/feature%2Fcheckout", 12, "ci")
    chosen = accept_suggestions(synced, "shop/feature%2Fcheckout", 12, server="ci", who="al")
    assert {t.suggestion for t in chosen} <= {"real", "noise"}
    marks = build_view(synced, "shop/feature%2Fcheckout", 12, "ci").marks
    assert len(marks) == sum(t.suggestion != "unsure" for t in view.triage.failures)
    assert accept_suggestions(synced, "shop/feature%2Fcheckout", 12, server="ci") == []


def test_failure_detail_has_texts_history_with_commits_and_verdicts(synced):
    view = build_view(synced, "app", 30, "ci")
    test_id = _ids(view, "sig-")[0]
    mark_tests(synced, "app", 30, [test_id], "noise", server="ci", who="alice", note="db")
    mark_tests(synced, "app", 30, [test_id], "real", server="ci", who="bob")
    detail = failure_detail(synced, "app", 30, test_id, "ci", last=10)
    assert detail.attempts[0].attempt == 0 and detail.attempts[0].message
    assert [r.number for r in detail.runs] == list(range(30, 20, -1))
    assert all(len(r.revision or "") == 40 for r in detail.runs)
    assert [(v.verdict, v.who, v.undone_at is not None) for v in detail.verdicts] == [
        ("real", "bob", False), ("noise", "alice", True)]


def test_still_pending_explains_an_input_decided_elsewhere(client, jenkins):
    [paused] = [a for a in decide.attention(client, ["app"]) if a.reason == "paused"]
    pending = paused.state.inputs[0]
    assert decide.still_pending(client, "app", 30, pending.id) == pending
    client.proceed("app", 30, pending, {})
    with pytest.raises(InputAlreadyDecided, match="not waiting for any input.*alice"):
        decide.still_pending(client, "app", 30, pending.id)


def test_console_log_reads_the_end_of_a_long_log_within_its_cap(client, jenkins):
    with jenkins.world.lock:
        log = jenkins.world.job("app").build(29).log
        log[1:1] = [f"[INFO] line {i:05d} " + "x" * 80 for i in range(5000)]
        log.insert(100, "[ERROR] Failed to execute goal: there are test failures")
    whole = client.console_log("app", 29, 10 * 1024 * 1024)
    assert not whole.cut and "[ERROR] Failed to execute goal" in whole.text
    tail = client.console_log("app", 29, 50_000)
    assert tail.cut and tail.size == whole.size
    assert len(tail.text.encode()) <= 50_000
    assert tail.text.endswith("Finished: UNSTABLE\n")
    assert tail.text.splitlines()[0].startswith("[INFO] line")  # the cut line was dropped


def test_console_excerpt_stays_small_whatever_the_log():
    # Every line an error: the windows merge into one, which used to hold the whole log.
    flood = console_log.ConsoleLog("[ERROR] again\n" * 250_000, size=3_500_000)
    excerpt = console_log.excerpt(flood)
    assert sum(len(w) for w in excerpt.windows) <= console_log.MAX_WINDOW_LINES
    assert excerpt.errors == 250_000 and len(excerpt.tail) == console_log.TAIL_LINES
    # 2 MiB on one line is cut; colour codes are dropped, other controls stay for the face.
    line = console_log.ConsoleLog("\x1b[31m[ERROR]\x1b[0m \x1b]0;title\x07" + "x" * 2_000_000,
                                  size=2_000_020)
    (only,) = console_log.excerpt(line).tail
    assert only[1].startswith("[ERROR] \x1b]0;title\x07xx") and only[1].endswith("…")
    assert len(only[1]) == console_log.LINE_CHARS


def test_console_excerpt_keeps_the_tail_and_merges_windows_around_errors():
    lines = [f"step {i}" for i in range(200)]
    lines[20] = "[ERROR] first"
    lines[22] = "java.lang.IllegalStateException boom"
    lines[120] = "BUILD FAILED"
    lines[195] = "[ERROR] in the tail"
    log = console_log.ConsoleLog("\n".join(lines) + "\n", size=2000)
    excerpt = console_log.excerpt(log, tail_lines=10, context=2)
    assert [n for n, _ in excerpt.tail] == list(range(191, 201))
    assert [[n for n, _ in w] for w in excerpt.windows] == [
        [19, 20, 21, 22, 23, 24, 25], [119, 120, 121, 122, 123]]
    assert excerpt.errors == 4 and excerpt.lines == 200
