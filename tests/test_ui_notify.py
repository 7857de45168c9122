"""Notifications: what is notified (new pauses only, once, mutes and the pause honoured), the
click routed by the notification's id to its build over a real private D-Bus, and the tray's
badge. The app side is the real one; only the desktop's notification server is ours.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.jenkins_world import report
from tests.ui_helpers import WAIT_MS

pytestmark = pytest.mark.gui


def _pause_a_new_build(jenkins, job="lib", message="Release lib?"):
    """A new build of `job` on the server, paused at an input with two failed tests."""
    world = jenkins.world
    build = world.job(job).add_build(building=True, timestamp_ms=world.now_ms() - 120_000,
                                     report=report(passed=5, failed=2))
    build.add_input(message, id="release", ok="Release", at_ms=world.now_ms() - 60_000)
    return build


@pytest.fixture
def controller(qtbot, app_context):
    from triage.ui.watching import WatchController

    made = WatchController(app_context, tray_available=False)
    made.watcher.interval_s = 3600  # the tests poll by hand
    yield made
    made.stop()


def _baseline(qtbot, controller):
    with qtbot.waitSignal(controller.polled, timeout=WAIT_MS):
        controller.start(look_for_desktop=False)


def test_a_new_pause_is_notified_once_with_its_triage_and_nothing_is_decided(
        qtbot, controller, jenkins):
    shown = []
    controller.notice_shown.connect(shown.append)
    _baseline(qtbot, controller)
    assert shown == []  # what already waits at launch is in the inbox, not announced
    build = _pause_a_new_build(jenkins)
    with qtbot.waitSignal(controller.notice_shown, timeout=WAIT_MS) as notice:
        controller.watcher.poll_now()
    assert notice.args[0].text == ("lib #11 waits for approval: 2 failures in 1 cluster, "
                                   "0 likely real — “Release lib?”")
    assert notice.args[0].key == ("ci", "lib", 11, "Release")
    with qtbot.waitSignal(controller.polled, timeout=WAIT_MS):
        controller.watcher.poll_now()
    qtbot.wait(0)
    assert len(shown) == 1  # the same pause, polled again: no second notification
    assert build.building and build.input_action.all[0].decision is None
    assert controller.waiting().count(("ci", "lib", 11, "Release")) == 1


@pytest.mark.parametrize("mute", ["server", "job", "folder", "hour"])
def test_mutes_and_the_one_hour_pause_are_honoured_and_kept(qtbot, app_context, jenkins, mute):
    from triage.ui.watching import WatchController

    now = [1_000_000.0]
    controller = WatchController(app_context, tray_available=False, clock=lambda: now[0])
    controller.watcher.interval_s = 3600
    shown = []
    controller.notice_shown.connect(shown.append)
    _baseline(qtbot, controller)
    if mute == "server":
        controller.toggle_server("ci")
    elif mute == "job":
        controller.toggle_job("ci", "team/backend")
    elif mute == "folder":
        controller.toggle_job("ci", "team")
    else:
        controller.toggle_pause()
    _pause_a_new_build(jenkins, "team/backend", "Ship it?")
    with qtbot.waitSignal(controller.polled, timeout=WAIT_MS):
        controller.watcher.poll_now()
    assert shown == [] and not app_context.tasks.running
    # Kept in the settings for the next launch, as plain JSON.
    from triage.ui import preferences

    assert preferences.mutes(app_context.settings) == controller.mutes
    controller.stop()
    if mute == "hour":
        now[0] += 3600  # an hour later, a new pause is notified again
        again = WatchController(app_context, tray_available=False, clock=lambda: now[0])
        again.watcher.interval_s = 3600
        _baseline(qtbot, again)
        _pause_a_new_build(jenkins, "app", "Deploy again?")
        with qtbot.waitSignal(again.notice_shown, timeout=WAIT_MS) as notice:
            again.watcher.poll_now()
        assert notice.args[0].key[:2] == ("ci", "app")
        again.stop()


def test_no_tray_is_said_once_and_the_badge_counts_the_paused_builds(qtbot, controller):
    from PySide6.QtGui import QColor, QIcon, QPixmap

    from triage.ui.tray import badge_icon

    message = controller.no_tray_message()
    assert message.startswith("This desktop has no system tray")
    assert controller.no_tray_message() is None  # once
    _baseline(qtbot, controller)
    assert controller.tray.count == 4  # app, team/backend, and shop's two parallel inputs
    entries = [a.text() for a in controller.tray.menu.actions() if a.text()]
    assert "app #30: Deploy to production?" in entries
    base = QPixmap(64, 64)
    base.fill(QColor("#3060a0"))
    image = badge_icon(QIcon(base), 4).pixmap(64, 64).toImage()
    assert image.pixelColor(52, 10).name() == "#d64541"  # the badge, top right
    assert image.pixelColor(10, 54).name() == "#3060a0"  # the icon, untouched elsewhere
    plain = badge_icon(QIcon(base), 0).pixmap(64, 64).toImage()
    assert plain.pixelColor(52, 10).name() == "#3060a0"


# --- a real D-Bus session bus with our own notification server ------------------------------


@pytest.fixture
def session_bus():
    """A private D-Bus session bus (dbus-daemon), stopped after the test."""
    if shutil.which("dbus-daemon") is None:
        pytest.skip("dbus-daemon is not installed (Debian: apt-get install dbus)")
    daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--nopidfile",
                               "--print-address=1"], stdout=subprocess.PIPE, text=True)
    try:
        address = daemon.stdout.readline().strip()
        assert address, "dbus-daemon printed no address"
        yield address
    finally:
        daemon.terminate()
        daemon.wait(10)


@pytest.fixture
def notification_server(session_bus):
    """org.freedesktop.Notifications on the private bus: records Notify, clicks on demand."""
    from tests.fake_notifications import FakeNotificationServer

    server = FakeNotificationServer(session_bus)
    yield server
    server.close()


def test_a_click_on_a_desktop_notification_opens_exactly_its_build(
        qtbot, notification_server, controller, jenkins):
    notifications = controller.notifications
    notifications.look_for_desktop(notification_server.address)
    qtbot.waitUntil(lambda: notifications.kind == "desktop", timeout=WAIT_MS)
    _baseline(qtbot, controller)
    _pause_a_new_build(jenkins, "lib", "Release lib?")
    with qtbot.waitSignal(controller.notice_shown, timeout=WAIT_MS):
        controller.watcher.poll_now()
    _pause_a_new_build(jenkins, "team/backend", "Ship it?")
    with qtbot.waitSignal(controller.notice_shown, timeout=WAIT_MS):
        controller.watcher.poll_now()
    first, second = notification_server.notified
    assert first[:3] == ("flaky-triage", "lib #11 waits for approval",
                         "2 failures in 1 cluster, 0 likely real — “Release lib?”")
    assert first[3] == ["default", "Open build"]
    assert first[4]["desktop-entry"] == "flaky-triage"
    assert second[1] == "backend #16 waits for approval"
    # A click on the older one (id 101) opens its build, not the newest.
    with qtbot.waitSignal(controller.open_requested, timeout=WAIT_MS) as opened:
        notification_server.click(101)
    assert opened.args == [("ci", "lib", 11, "Release")]
    with qtbot.waitSignal(controller.open_requested, timeout=WAIT_MS) as opened:
        notification_server.click(102)
    assert opened.args == [("ci", "team/backend", 16, "Release")]
    build = jenkins.world.job("lib").build(11)
    assert build.building and build.input_action.all[0].decision is None


def test_no_python_object_is_served_by_qt_dbus_thread():
    """Qt's D-Bus thread calling into a Python adaptor crashed the test process (see
    tests/fake_notifications.py): neither the app nor its tests import QtDBus."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    users = [str(path.relative_to(root)) for folder in ("triage", "tests")
             for path in (root / folder).rglob("*.py")
             if "QtDBus" in path.read_text(encoding="utf-8")
             and path.name != "test_ui_notify.py"]
    assert users == []
