"""Watching: polls off the GUI thread, a deadline per server, back-off, one server's trouble
never delaying another's (real HTTP against two built-in servers, fault injection, no sleeps).
"""

from __future__ import annotations

import threading

import pytest

from tests.ui_helpers import WAIT_MS

pytestmark = pytest.mark.gui


@pytest.fixture
def second_jenkins():
    from tests.ui_world import small_world
    from triage.jenkins.server import JenkinsServer

    with JenkinsServer(world=small_world(), context_path="/ci2") as srv:
        yield srv


@pytest.fixture
def two_servers(app_context, second_jenkins):
    """The app context with a second server, "eu", beside "ci"."""
    from triage.servers import ServerConfig
    from triage.ui.context import ServerEntry

    app_context.servers.append(ServerEntry(ServerConfig("eu", second_jenkins.url, user="bob"),
                                           token=second_jenkins.users["bob"]))
    return app_context


@pytest.fixture
def make_watcher(qapp):
    """Watchers for the test, stopped and deleted (with their timers) after it."""
    from PySide6.QtCore import QCoreApplication, QEvent

    from triage.ui.watcher import Watcher

    made = []

    def make(ctx, deadline_s=20.0):
        # An hour between polls: the tests poll by hand, the timers never fire by themselves.
        made.append(Watcher(ctx, interval_s=3600, deadline_s=deadline_s))
        return made[-1]

    yield make
    for watcher in made:
        watcher.stop()
        watcher.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _polled(qtbot, watcher, server):
    return qtbot.waitSignal(watcher.polled, timeout=WAIT_MS,
                            check_params_cb=lambda name, _items: name == server)


def _down(qtbot, watcher, server):
    return qtbot.waitSignal(watcher.went_down, timeout=WAIT_MS,
                            check_params_cb=lambda name, _why, _tell: name == server)


def test_every_server_is_polled_off_the_gui_thread_through_the_inbox_use_case(
        qtbot, make_watcher, two_servers, jenkins, second_jenkins):
    watcher = make_watcher(two_servers)
    seen = {}
    watcher.polled.connect(lambda name, items: seen.setdefault(name, items))
    watcher.start()
    qtbot.waitUntil(lambda: set(seen) == {"ci", "eu"}, timeout=WAIT_MS)
    paused = sorted((i.job, i.build) for i in seen["ci"] if i.state == "paused")
    assert paused == [("app", 30), ("shop/feature%2Fcheckout", 12), ("team/backend", 15)]
    assert all(i.server == "eu" for i in seen["eu"])
    watcher.stop()


def test_a_server_that_hangs_is_down_at_its_deadline_and_never_delays_the_other(
        qtbot, make_watcher, two_servers, jenkins, second_jenkins):
    release = threading.Event()
    hold = jenkins.faults.latency(60, release=release)
    watcher = make_watcher(two_servers, deadline_s=4.0)
    try:
        with _polled(qtbot, watcher, "eu"), _down(qtbot, watcher, "ci") as down:
            watcher.start()
        assert hold.fired.is_set()
        name, why, failures = down.args
        assert why == "ci did not answer within 4 s; polling it again later." and failures == 1
        assert watcher.servers["eu"].polls == 1 and watcher.servers["eu"].down is None
        assert watcher.servers["ci"].down == why
        # The hung poll still holds its thread: polling again waits for it, never piles up.
        watcher.poll_now("ci")
        assert hold.hits == 1
    finally:
        release.set()
    jenkins.faults.remove(hold)
    qtbot.waitUntil(lambda: watcher.servers["ci"].op.finished, timeout=WAIT_MS)
    assert watcher.servers["ci"].polls == 0  # its late answer was dropped
    with _polled(qtbot, watcher, "ci"), qtbot.waitSignal(watcher.came_back, timeout=WAIT_MS):
        watcher.poll_now("ci")
    assert watcher.servers["ci"].down is None
    watcher.stop()


@pytest.mark.parametrize("fault", ["status", "drop"])
def test_a_failing_server_backs_off_on_growing_intervals_and_says_so_less_often(
        qtbot, make_watcher, app_context, jenkins, fault):
    from triage.ui import watch_rules

    if fault == "status":
        jenkins.faults.error(503)
    else:
        jenkins.faults.drop()
    watcher = make_watcher(app_context)
    watcher.interval_s = 60
    delays, told = [], []
    for _ in range(6):
        with _down(qtbot, watcher, "ci") as down:
            watcher.poll_now("ci") if watcher.running else watcher.start()
        told.append(watch_rules.tell_about_failure(down.args[2]))
        delays.append(watcher.delay_after("ci"))
    assert delays == [60, 120, 240, 480, 900, 900]
    assert told == [True, True, False, True, False, False]
    assert delays[-1] == watch_rules.MAX_BACKOFF_S
    message = down.args[1]
    assert ("503" in message) if fault == "status" else ("Cannot reach" in message)
    jenkins.faults.clear()
    with qtbot.waitSignal(watcher.came_back, timeout=WAIT_MS):
        watcher.poll_now("ci")
    assert watcher.delay_after("ci") == 60
    watcher.stop()


def test_a_server_killed_mid_session_goes_down_and_comes_back_when_it_restarts(
        qtbot, make_watcher, two_servers, jenkins):
    watcher = make_watcher(two_servers)
    with _polled(qtbot, watcher, "ci"), _polled(qtbot, watcher, "eu"):
        watcher.start()
    jenkins.stop()
    with _down(qtbot, watcher, "ci") as down, _polled(qtbot, watcher, "eu"):
        watcher.poll_now()
    assert "Cannot reach Jenkins" in down.args[1]
    jenkins.start()
    with qtbot.waitSignal(watcher.came_back, timeout=WAIT_MS) as back:
        watcher.poll_now("ci")
    assert back.args == ["ci"]
    watcher.stop()


def test_only_the_watched_jobs_are_polled(qtbot, make_watcher, app_context):
    app_context.jobs = ["team"]  # a folder stands for every job below it
    watcher = make_watcher(app_context)
    with _polled(qtbot, watcher, "ci") as polled:
        watcher.start()
    assert {i.job for i in polled.args[1]} == {"team/backend"}
    watcher.stop()


def test_a_changed_interval_is_used_from_the_next_poll_on(qtbot, make_watcher, app_context):
    watcher = make_watcher(app_context)
    with _polled(qtbot, watcher, "ci"):
        watcher.start()
    watcher.set_interval(90)
    assert watcher.delay_after("ci") == 90
    assert 80_000 < watcher.servers["ci"].timer.remainingTime() <= 95_000  # Qt: 5% slack
    watcher.stop()
    assert not watcher.servers["ci"].timer.isActive()
