"""The Watch menu and the wiring between the watch and the window's panes.

Kept out of the main window so it stays a composer: mutes, the one-hour pause, settings, the
layout reset; polls into the inbox, down servers, notices to the status bar, and opening the
build a notification or the tray names.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMenu

from triage.ui import hotkeys, preferences
from triage.ui.text import action_text
from triage.ui.tray import NO_TRAY_SHORT
from triage.ui.watch_rules import PauseKey


class WatchMenu:
    def __init__(self, window, menu: QMenu):
        self.window, self.menu = window, menu
        watch = window.watch
        self.pause = self._add("pauseNotifications", "&Pause notifications for an hour",
                               None, watch.toggle_pause)
        self.mute_server = self._add("muteServer", "Mute the selected build's &server", None,
                                     self._toggle_server)
        self.mute_job = self._add("muteJob", "Mute the selected build's &job", None,
                                  self._toggle_job)
        menu.addSeparator()
        self._add("pollNow", "&Check every server now", None, watch.watcher.poll_now)
        self._add("settings", "&Settings…", hotkeys.SETTINGS, self.open_settings)
        self._add("resetLayout", "&Reset window layout", None, self.reset_layout)
        menu.aboutToShow.connect(self._update)

    def _add(self, name: str, text: str, key, slot) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        if key is not None:
            action.setShortcut(hotkeys.key(key))
        action.triggered.connect(lambda _checked=False: slot())
        self.menu.addAction(action)
        self.window.actions[name] = action
        return action

    def _update(self) -> None:
        """Say what each toggle will do now (mute or unmute, pause or resume)."""
        watch = self.window.watch
        until = watch._until()
        self.pause.setText(f"Resume &notifications (paused until {until})" if until
                           else "&Pause notifications for an hour")
        row = self.window.inbox.current_row()
        self.mute_server.setEnabled(row is not None)
        self.mute_job.setEnabled(row is not None)
        if row is not None:
            muted = row.server in watch.mutes.servers
            self.mute_server.setText(f"{'Unmute' if muted else 'Mute'} &server {row.server}")
            muted = (row.server, row.job) in watch.mutes.jobs
            self.mute_job.setText(
                f"{'Unmute' if muted else 'Mute'} &job {action_text(row.display)}")

    def _toggle_server(self) -> None:
        row = self.window.inbox.current_row()
        if row is not None:
            self.window.watch.toggle_server(row.server)

    def _toggle_job(self) -> None:
        row = self.window.inbox.current_row()
        if row is not None:
            self.window.watch.toggle_job(row.server, row.job)

    def open_settings(self) -> None:
        from triage.ui.widgets.settings_dialog import SettingsDialog

        SettingsDialog.ask(self.window, self.window.ctx, self.window.watch)

    def reset_layout(self) -> None:
        preferences.reset_layout(self.window.ctx.settings)
        self.window.reset_layout()


def wire_watch(window) -> None:
    """Connect the watch to the panes (called once by the main window)."""
    watch, inbox = window.watch, window.inbox
    watch.polled.connect(inbox.show_poll)
    watch.server_down.connect(inbox.show_down)
    watch.job_synced.connect(inbox.summarise)
    watch.message.connect(window.message.setText)
    watch.open_requested.connect(lambda key: open_build(window, key))
    watch.tray.show_window.connect(lambda: _raise(window))
    watch.tray.quit_requested.connect(window.close)
    inbox.listed.connect(lambda: _first_listing(window))


def _first_listing(window) -> None:
    """The first listing is the baseline of notifications; then the watch polls on its own."""
    watch = window.watch
    if watch.watcher.running:
        return
    shown: dict[str, list[PauseKey]] = {}
    for group in window.inbox.model.groups:
        if group.down is None:
            shown[group.name] = [(r.server, r.job, r.number, r.input.id if r.input else "")
                                 for r in group.rows if r.paused]
    watch.baseline(shown)
    watch.start(first_in_s=watch.watcher.interval_s)
    told = watch.no_tray_message()
    if told and window.ctx.demo:
        window.message.setText(NO_TRAY_SHORT)  # a throwaway demo config says it every time
    elif told:
        window.banner.show_warning(told)


def open_build(window, key: PauseKey) -> None:
    """Bring the window up with this paused build (this input) selected; never decide."""
    _raise(window)
    server, job, number, input_id = key
    index = window.inbox.model.find((server, job, number), input_id or None)
    if not index.isValid():
        index = window.inbox.model.find((server, job, number))
    if index.isValid():
        window.inbox.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        window.inbox.view.setFocus(Qt.FocusReason.OtherFocusReason)
    else:
        window.message.setText(f"{job} #{number} is no longer waiting (refreshing the inbox).")
        window.inbox.refresh()


def _raise(window) -> None:
    window.showNormal() if window.isMinimized() else window.show()
    if QGuiApplication.platformName() != "offscreen":  # it has no window stack to raise in
        window.raise_()
        window.activateWindow()
