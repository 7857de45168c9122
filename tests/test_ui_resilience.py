"""Never blocks, never loses: ops with one outcome, errors shown, a server going down, closing
mid-sync."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QTimer

from tests.ui_helpers import WAIT_MS, wait_ready
from triage.errors import JenkinsUnreachable
from triage.store import Store
from triage.ui.tasks import TaskRunner
from triage.ui.widgets.activity import Activity

pytestmark = pytest.mark.gui


@pytest.fixture
def tasks(qapp, tmp_path):
    runner = TaskRunner(tmp_path / "tasks.db")
    yield runner
    runner.shutdown(wait=True)


def test_shutting_down_ends_every_idle_network_and_poller_thread(qtbot, qapp, tmp_path):
    before = set(threading.enumerate())
    runner = TaskRunner(tmp_path / "tasks.db")
    daemons = [t for t in threading.enumerate()
               if t not in before and t.name.startswith(("triage-net", "triage-poll"))]
    assert len(daemons) == 8  # four network threads, four pollers, all idle
    runner.shutdown(wait=True)
    qtbot.waitUntil(lambda: not any(t.is_alive() for t in daemons), timeout=WAIT_MS)


def test_an_op_has_exactly_one_outcome_on_the_gui_thread(qtbot, tasks):
    qtbot.waitUntil(lambda: not tasks.running, timeout=WAIT_MS)  # the writer's "Opening the history" first
    outcomes = []
    gui = threading.current_thread()
    tasks.network("ok", lambda op: 42, lambda value: outcomes.append(
        ("done", value, threading.current_thread() is gui)),
        lambda error: outcomes.append(("failed", error)))
    tasks.read("boom", lambda store, op: 1 / 0, lambda value: outcomes.append(("done", value)),
               lambda error: outcomes.append(("failed", type(error).__name__,
                                              threading.current_thread() is gui)))
    qtbot.waitUntil(lambda: len(outcomes) == 2, timeout=WAIT_MS)
    assert sorted(outcomes) == [("done", 42, True), ("failed", "ZeroDivisionError", True)]
    assert not tasks.running


def test_an_unhandled_worker_exception_reaches_the_error_display(qtbot, tasks):
    with qtbot.waitSignal(tasks.error, timeout=WAIT_MS) as blocker:
        tasks.write("bug", lambda store, op: {}["missing"])
    report = blocker.args[0]
    assert report.message.startswith("Unexpected error: KeyError")
    assert "Traceback" in report.details


def test_typed_errors_keep_their_message_and_details(qtbot, tasks):
    def fail(op):
        raise JenkinsUnreachable("Cannot reach Jenkins at x.", details="ECONNREFUSED")

    with qtbot.waitSignal(tasks.error, timeout=WAIT_MS) as blocker:
        tasks.network("down", fail)
    assert blocker.args[0].message == "Cannot reach Jenkins at x."
    assert blocker.args[0].details.startswith("ECONNREFUSED")


def test_progress_shows_only_after_half_a_second_and_cancels(qtbot, tasks):
    activity = Activity(tasks)
    qtbot.addWidget(activity)
    go = threading.Event()
    finished = []

    def slow(op):
        op.progress.start(10, "Slow work")
        while not op.cancelled and not go.is_set():
            go.wait(0.01)  # a worker polling its token, as long work does
        return op.cancelled

    op = tasks.network("Slow work", slow, finished.append)
    assert activity.isHidden()  # not at once: quick work never flickers
    qtbot.waitUntil(lambda: not activity.isHidden(), timeout=3000)
    assert "Slow work" in activity.label.text()
    assert op.started and activity.cancel_button.isVisible() is not None
    activity.cancel()
    qtbot.waitUntil(lambda: finished == [True], timeout=WAIT_MS)
    qtbot.waitUntil(activity.isHidden, timeout=WAIT_MS)


def test_reads_never_fail_while_the_writer_holds_a_transaction(qtbot, tasks):
    release, holding = threading.Event(), threading.Event()
    results = []

    def hold(store, op):
        with store.transaction() as conn:
            conn.execute("INSERT INTO servers (name) VALUES ('x')")
            holding.set()
            release.wait(10)

    opened = []
    tasks.read("opening", lambda store, op: None, opened.append)
    qtbot.waitUntil(lambda: opened == [None], timeout=WAIT_MS)
    tasks.write("holding the write lock", hold, results.append)
    qtbot.waitUntil(holding.is_set, timeout=WAIT_MS)
    tasks.read("reading", lambda store, op: store.conn.execute(
        "SELECT count(*) FROM servers").fetchone()[0], results.append)
    qtbot.waitUntil(lambda: results == [0], timeout=WAIT_MS)  # WAL: the read sees the last commit at once
    release.set()
    qtbot.waitUntil(lambda: len(results) == 2, timeout=WAIT_MS)


def test_a_server_going_down_shows_an_error_and_the_window_stays_responsive(
        qtbot, window, jenkins):
    wait_ready(qtbot, window)
    jenkins.stop()
    window.inbox.refresh()
    qtbot.waitUntil(lambda: window.banner.isVisible() and window.banner.level == "error",
                    timeout=30_000)
    assert "ci is down" in window.banner.text and "Cannot reach Jenkins" in window.banner.text
    heading = window.inbox.model.index(0, 0)
    assert window.inbox.model.data(heading) == "ci — down"
    # Still responsive: timers fire, keys move, the history is still readable.
    ticks = []
    QTimer.singleShot(10, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: ticks == [1], timeout=1000)
    window.inbox.view.setFocus()
    assert window.inbox.model.rowCount() == 1


def test_closing_during_a_sync_keeps_the_history_consistent(qtbot, app_context, jenkins):
    from triage.ui.app import open_window

    release = threading.Event()
    held = jenkins.faults.latency(glob="*testReport*", release=release)
    window = open_window(app_context)
    qtbot.addWidget(window)
    qtbot.waitUntil(held.fired.is_set, timeout=20_000)  # a sync is fetching reports
    window.close()  # cancels the sync; its in-flight fetches finish when released
    release.set()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20_000)
    with Store.open(app_context.store_path) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        builds = store.conn.execute("SELECT id FROM builds").fetchall()
        for (build_id,) in builds:  # every stored build is whole: results with its failures
            failures = store.conn.execute(
                "SELECT count(*) FROM failures f LEFT JOIN results r USING (build_id, test_id) "
                "WHERE f.build_id = ? AND r.test_id IS NULL", (build_id,)).fetchone()[0]
            assert failures == 0


def test_a_history_that_cannot_be_opened_is_shown_not_lost(qtbot, qapp, tmp_path):
    bad = tmp_path / "history.db"
    bad.write_bytes(b"this is not a SQLite file" * 100)
    reports = []
    runner = TaskRunner(bad)
    runner.error.connect(reports.append)
    try:
        qtbot.waitUntil(lambda: bool(reports), timeout=WAIT_MS)
        assert "not a triage history or it is damaged" in reports[0].message
    finally:
        runner.shutdown(wait=True)

