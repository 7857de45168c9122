"""The watch: polls feed the inbox, new pauses become notifications, the tray shows the count.

`WatchController` composes the `Watcher` (polls), the `PauseTracker` (what was seen), the
`Mutes` (kept in QSettings), the `Tray` and the `Notifications`, and asks the window only to
show rows and open builds. A new pause is notified after its job's history is synced (the
writer), so the notice can say "7 failures in 2 clusters, 1 likely real"; if that sync fails
the notice says what Jenkins said. Nothing here proceeds or aborts.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QIcon

from triage.errors import NotFoundError
from triage.ui import inbox_data, preferences, watch_rules
from triage.ui.context import AppContext
from triage.ui.notify import Notifications
from triage.ui.tray import NO_TRAY_MESSAGE, Tray
from triage.ui.watch_rules import BuildCounts, Notice, PauseKey
from triage.ui.watcher import Watcher

if TYPE_CHECKING:
    from triage.inbox import InboxItem
    from triage.store.db import Store


class WatchController(QObject):
    polled = Signal(str, object)  # server, list[InboxItem]: show them
    server_down = Signal(str, str)  # server, why
    job_synced = Signal(str, str)  # server, job: its history was synced for a notice
    open_requested = Signal(object)  # PauseKey: open this paused build
    message = Signal(str)  # one line for the status bar
    notice_shown = Signal(object)  # Notice

    def __init__(self, ctx: AppContext, icon: QIcon | None = None,
                 tray_available: bool | None = None, parent: QObject | None = None,
                 clock=time.time):
        super().__init__(parent)
        self.ctx = ctx
        self.clock = clock
        settings = ctx.settings
        self.mutes = preferences.mutes(settings)
        self.tracker = watch_rules.PauseTracker()
        self.watcher = Watcher(ctx, preferences.interval_s(settings), parent=self)
        self.tray = Tray(icon or QIcon(), tray_available, self)
        self.notifications = Notifications(ctx.tasks, self.tray, self)
        self.paused: dict[str, list[InboxItem]] = {}  # server -> its paused builds
        self.watcher.polled.connect(self._polled)
        self.watcher.went_down.connect(self._went_down)
        self.watcher.came_back.connect(lambda name: self.message.emit(f"{name} answers again."))
        self.notifications.open_requested.connect(self.open_requested)
        self.notifications.delivered.connect(self._delivered)
        self.tray.open_requested.connect(self.open_requested)
        self.tray.pause_toggled.connect(self.toggle_pause)

    def start(self, first_in_s: float = 0.0, look_for_desktop: bool = True) -> None:
        if look_for_desktop:
            self.notifications.look_for_desktop()
        self.watcher.start(first_in_s)
        self._update_tray()

    def baseline(self, listed: dict[str, list[PauseKey]]) -> None:
        """Take the window's first listing (server -> the pauses it shows) as already seen."""
        for server, keys in listed.items():
            self.tracker.baseline(server, keys)

    def stop(self) -> None:
        self.watcher.stop()
        self.notifications.close()
        self.tray.hide()

    def no_tray_message(self) -> str | None:
        """The one-time message where the desktop has no tray (None: nothing to say)."""
        if self.tray.available or not preferences.tell_no_tray_once(self.ctx.settings):
            return None
        return NO_TRAY_MESSAGE

    # --- mutes ----------------------------------------------------------------------------

    def toggle_pause(self) -> None:
        now = self.clock()
        if self.mutes.paused(now):
            self.mutes.resume()
            self.message.emit("Notifications are on again.")
        else:
            self.mutes.pause_for_an_hour(now)
            self.message.emit(f"Notifications paused until {self._until()}.")
        self._save_mutes()

    def toggle_server(self, server: str) -> bool:
        muted = self.mutes.toggle_server(server)
        self.message.emit(f"{server}: notifications {'muted' if muted else 'on'}.")
        self._save_mutes()
        return muted

    def toggle_job(self, server: str, job: str) -> bool:
        muted = self.mutes.toggle_job(server, job)
        self.message.emit(f"{job} on {server}: notifications {'muted' if muted else 'on'}.")
        self._save_mutes()
        return muted

    def _save_mutes(self) -> None:
        preferences.save_mutes(self.ctx.settings, self.mutes)
        self._update_tray()

    def _until(self) -> str | None:
        if not self.mutes.paused(self.clock()):
            return None
        return time.strftime("%H:%M", time.localtime(self.mutes.paused_until))

    # --- polls ----------------------------------------------------------------------------

    def _polled(self, server: str, items: list[InboxItem]) -> None:
        self.polled.emit(server, items)
        self.paused[server] = [i for i in items if i.state == "paused"]
        self._update_tray()
        now = self.clock()
        for item, input_id in self.tracker.new_pauses(server, items):
            if self.mutes.allows(server, item.job, now):
                self._announce(item, input_id)

    def _went_down(self, server: str, why: str, failures: int) -> None:
        self.server_down.emit(server, why)
        if watch_rules.tell_about_failure(failures):
            again = f" ({failures} times in a row)" if failures > 1 else ""
            self.message.emit(f"{server} is down{again}: {why}")

    def _announce(self, item: InboxItem, input_id: str) -> None:
        """Sync the paused build's job (the writer), count its triage, then notify."""
        ctx = self.ctx

        def work(store: Store, op):
            # In the sync child, as the inbox syncs: a 20,000-test report decoded in this
            # process would hold the window's GIL for tenths of a second.
            inbox_data.sync_listing(ctx, op, item.server, item.job)
            return counts_of(store, item)

        def done(counts: BuildCounts) -> None:
            self.job_synced.emit(item.server, item.job)
            self.notifications.show(watch_rules.notice_for(item, input_id, counts))

        def failed(_error: BaseException) -> None:
            # Said anyway, with what Jenkins told: a pause is never kept quiet by a sync.
            self.notifications.show(
                watch_rules.notice_for(item, input_id, BuildCounts(item.failures)))

        ctx.tasks.write(f"Reading {item.display} #{item.build} for its notification", work,
                        done, failed)

    def _delivered(self, notice: Notice) -> None:
        self.notice_shown.emit(notice)
        self.message.emit(notice.text)

    def _update_tray(self) -> None:
        paused = [(key, f"{item.display} #{item.build}: {_input_text(item, key)}")
                  for items in self.paused.values() for item in items
                  for key in watch_rules.pause_keys(item)]
        self.tray.set_paused(paused, self._until())

    def waiting(self) -> list[PauseKey]:
        return [key for items in self.paused.values() for item in items
                for key in watch_rules.pause_keys(item)]


def counts_of(store: Store, item: InboxItem) -> BuildCounts:
    """Count a stored build's failures, clusters and likely-real ones (marks first)."""
    from triage.triage_build import triage

    try:
        result = triage(store, item.job, item.build, item.server)
    except NotFoundError:
        return BuildCounts(item.failures)
    verdicts = Counter(t.failure.own_verdict or t.suggestion for t in result.failures)
    return BuildCounts(len(result.failures), len(result.clusters), verdicts["real"])


def _input_text(item: InboxItem, key: PauseKey) -> str:
    pending = next((p for p in item.inputs if p.id == key[3]), None)
    return (pending.message if pending and pending.message else "waits for approval")
