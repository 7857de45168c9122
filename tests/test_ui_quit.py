"""Quitting never waits for Jenkins: a request that a server holds (a console log, a sync, a
poll) is left behind; only a decision in flight is waited for (tests/test_ui_decide.py)."""

from __future__ import annotations

import threading
import time

import pytest

from tests.ui_helpers import select_build, wait_ready

pytestmark = pytest.mark.gui

QUICK_S = 8.0  # the held requests below would hold the window 30 s (and a retry as long)


def _hold(jenkins, glob: str):
    release = threading.Event()
    return release, jenkins.faults.latency(glob=glob, release=release, seconds=30)


def _close_and_time(window, app_context) -> float:
    start = time.monotonic()
    window.close()  # once: nothing asks for a second time
    assert not window.isVisible()
    app_context.tasks.shutdown(wait=True)  # what the app does at quit
    return time.monotonic() - start


def test_closing_while_jenkins_holds_the_console_log_quits_at_once(
        qtbot, window, jenkins, app_context):
    wait_ready(qtbot, window)
    select_build(qtbot, window, "app", 30)
    release, held = _hold(jenkins, "*/logText/*")
    window.actions["consoleLog"].trigger()
    qtbot.waitUntil(held.fired.is_set, timeout=20_000)
    try:
        assert _close_and_time(window, app_context) < QUICK_S
        # What is left behind are daemon threads: the interpreter's exit never waits for them.
        assert all(t.daemon for t in threading.enumerate() if t.name.startswith("triage-net"))
    finally:
        release.set()


def test_closing_while_jenkins_holds_a_sync_quits_within_the_grace(
        qtbot, window, jenkins, app_context):
    wait_ready(qtbot, window)
    release, held = _hold(jenkins, "*/testReport/*")
    with jenkins.world.lock:
        jenkins.world.job("app").add_build(result="UNSTABLE", duration_ms=5,
                                           timestamp_ms=jenkins.world.now_ms())
    window.inbox.refresh()
    qtbot.waitUntil(held.fired.is_set, timeout=20_000)  # the sync child waits for Jenkins
    try:
        assert _close_and_time(window, app_context) < QUICK_S
    finally:
        release.set()
