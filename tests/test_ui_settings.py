"""Settings, the first-run screen, and the watch inside the window (real HTTP, offscreen)."""

from __future__ import annotations

import threading

import pytest

from tests.ui_helpers import WAIT_MS, answer, wait_ready
from tests.ui_helpers import settings_dialog as _dialog

pytestmark = pytest.mark.gui


@pytest.fixture
def settings_dialog(qtbot, app_context):
    return _dialog(qtbot, app_context)


def _on_gui_thread(monkeypatch, module, names: list[str]) -> list[tuple[str, bool]]:
    """Record each call of `module`'s functions `names`: (name, made on the GUI thread)."""
    calls: list[tuple[str, bool]] = []

    def recording(name: str, real):
        def recorded(*args, **kwargs):
            calls.append((name, threading.current_thread() is threading.main_thread()))
            return real(*args, **kwargs)
        return recorded

    for name in names:
        monkeypatch.setattr(module, name, recording(name, getattr(module, name)))
    return calls


def _fill(dialog, name, url, user, token=""):
    dialog.name.setText(name)
    dialog.url.setText(url)
    dialog.user.setText(user)
    dialog.token.setText(token)


def test_test_connection_runs_off_the_gui_thread_and_says_what_it_checked(
        qtbot, settings_dialog, jenkins, memory_keyring):
    dialog = _dialog(qtbot, settings_dialog.ctx)  # with the keyring in place
    _fill(dialog, "ci", jenkins.url, "alice", jenkins.users["alice"])
    assert dialog.verify.isChecked()  # TLS verification is on by default
    dialog.test()
    assert not dialog.test_button.isEnabled()  # the check runs on a worker
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=WAIT_MS)
    assert dialog.result.text().startswith("OK: reached Jenkins") and "as alice" in \
        dialog.result.text() and "Not checked: permissions" in dialog.result.text()
    _fill(dialog, "ci", jenkins.url, "alice", "wrong-token")
    dialog.test()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=WAIT_MS)
    assert dialog.result.text().startswith("Failed: Jenkins at") and "401" in dialog.result.text()


def test_saving_keeps_the_server_as_the_cli_does_and_the_token_in_the_keyring(
        qtbot, app_context, jenkins, memory_keyring):
    from triage import servers
    from triage.ui import preferences

    dialog = _dialog(qtbot, app_context)
    _fill(dialog, "ci", jenkins.url, "alice", jenkins.users["alice"])
    dialog.ca_bundle.setText("/etc/ssl/certs/ca-certificates.crt")
    dialog.jobs.setPlainText("team\napp\n")
    dialog.interval.setValue(120)
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        dialog.save()
    saved = servers.load()["ci"]
    assert (saved.url, saved.user, saved.verify, saved.ca_bundle) == (
        jenkins.url, "alice", True, "/etc/ssl/certs/ca-certificates.crt")
    assert servers.token_for(saved) == jenkins.users["alice"]
    assert jenkins.users["alice"] not in servers.config_path().read_text()
    assert preferences.watched_jobs(app_context.settings) == ["team", "app"]
    assert app_context.jobs == ["team", "app"] and preferences.interval_s(app_context.settings) == 120


def test_without_a_keyring_the_token_field_is_off_and_says_which_variable_to_set(
        settings_dialog, jenkins):
    dialog = settings_dialog
    _fill(dialog, "ci", jenkins.url, "alice")
    dialog.form_config()
    assert not dialog.token.isEnabled()
    assert "set TRIAGE_JENKINS_TOKEN to the API token of alice" in dialog.no_keyring.text()


def test_opening_removing_and_saving_leave_disk_and_keyring_to_workers(
        qtbot, app_context, jenkins, memory_keyring, monkeypatch):
    from triage import servers

    servers.add(servers.ServerConfig("old", "https://old.example/jenkins/", "bob"), "tok")
    calls = _on_gui_thread(monkeypatch, servers,
                           ["load", "save", "add", "remove", "keyring_usable", "token_for"])
    dialog = _dialog(qtbot, app_context)
    assert [dialog.servers.item(i).text() for i in range(dialog.servers.count())] == ["old"]
    assert dialog.name.text() == "old" and dialog.token.isEnabled()
    dialog.remove_button.click()
    qtbot.waitUntil(lambda: dialog.servers.count() == 0, timeout=WAIT_MS)
    _fill(dialog, "ci", jenkins.url, "alice", jenkins.users["alice"])
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        dialog.save()
    made = [name for name, _ in calls]
    assert {"load", "keyring_usable", "remove", "add"} <= set(made), made
    assert [name for name, on_gui in calls if on_gui] == []
    assert sorted(servers.load()) == ["ci"]
    assert ("flaky-triage", "old:bob") not in memory_keyring.items


def test_the_first_run_screen_adds_a_server_and_opens_the_window_on_it(
        qtbot, app_context, jenkins, memory_keyring, monkeypatch):
    from triage import servers
    from triage.ui.app import open_window
    from triage.ui.widgets.first_run import FirstRun
    from triage.ui.widgets.settings_dialog import SettingsDialog

    app_context.servers = []
    screen = FirstRun(app_context, open_window)
    qtbot.addWidget(screen)
    screen.show()
    calls = _on_gui_thread(monkeypatch, servers, ["load", "keyring_usable", "add"])

    def fill_and_save(dialog):
        def go():
            _fill(dialog, "ci", jenkins.url, "alice", jenkins.users["alice"])
            dialog.save()

        dialog.ready.connect(go) if dialog.keyring is None else go()

    answer(SettingsDialog, fill_and_save)
    with qtbot.waitSignal(screen.opened, timeout=WAIT_MS) as opened:
        screen.add_button.click()
    window = opened.args[0]
    qtbot.addWidget(window)
    try:
        assert [e.config.name for e in window.ctx.servers] == ["ci"]
        assert not screen.isVisible()
        assert calls and [name for name, on_gui in calls if on_gui] == []
    finally:
        window.close()


def test_the_first_run_screen_tries_the_demo_in_process(qtbot, app_context, monkeypatch):
    from triage.jenkins import server as demo_server
    from triage.ui.app import open_window
    from triage.ui.widgets.first_run import FirstRun

    app_context.servers = []
    screen = FirstRun(app_context, open_window)
    qtbot.addWidget(screen)
    screen.show()
    built = _on_gui_thread(monkeypatch, demo_server, ["demo_world"])
    try:
        with qtbot.waitSignal(screen.opened, timeout=WAIT_MS) as opened:
            screen.demo_button.click()
        window = opened.args[0]
        qtbot.addWidget(window)
        assert built == [("demo_world", False)]  # its world is built on a worker
        assert window.ctx.demo and window.ctx.servers[0].config.name == "demo"
        assert not screen.isVisible()
        qtbot.waitUntil(lambda: window.failures.view_data is not None, timeout=WAIT_MS)
        assert window.inbox.current_row().paused
        window.close()
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
    finally:
        screen.stop_demo()


def test_in_the_window_a_server_killed_mid_session_shows_down_and_a_click_opens_its_build(
        qtbot, window, jenkins):
    wait_ready(qtbot, window)
    watch = window.watch
    assert watch.watcher.running  # started after the first listing, its baseline
    assert watch.tray.count == 0 or not watch.tray.available
    jenkins.stop()
    with qtbot.waitSignal(watch.server_down, timeout=WAIT_MS):
        watch.watcher.poll_now("ci")
    group = window.inbox.model.groups[0]
    assert group.down and "Cannot reach Jenkins" in group.down
    assert window.inbox.model.data(window.inbox.model.index(0, 0)) == "ci — down"
    assert window.inbox.model.rows()  # the builds stay, as last seen
    jenkins.start()
    with qtbot.waitSignal(watch.polled, timeout=WAIT_MS):
        watch.watcher.poll_now("ci")
    assert window.inbox.model.groups[0].down is None
    key = ("ci", "team/backend", 15, "Release-gate")
    watch.open_requested.emit(key)
    row = window.inbox.current_row()
    assert (row.job, row.number, row.input.id) == ("team/backend", 15, "Release-gate")


def test_a_bug_behind_test_connection_reaches_the_error_display(qtbot, settings_dialog,
                                                                 jenkins, monkeypatch):
    from triage.ui.widgets import settings_dialog as module

    def broken(config, token):
        raise TypeError("check() takes 1 positional argument but 2 were given")

    monkeypatch.setattr(module, "test_connection", broken)
    dialog = settings_dialog
    _fill(dialog, "ci", jenkins.url, "alice")
    with qtbot.waitSignal(dialog.ctx.tasks.error, timeout=WAIT_MS) as reported:
        dialog.test()
    assert reported.args[0].title == "Settings failed" and "Traceback" in reported.args[0].details
    qtbot.waitUntil(dialog.test_button.isEnabled, timeout=WAIT_MS)
    assert dialog.result.text() == ("Failed: TypeError: check() takes 1 positional argument "
                                    "but 2 were given")
