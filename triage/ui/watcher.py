"""Watching: each server polled on its own timer, off the GUI thread, with a deadline.

A poll is one call of the core use case `triage.inbox.builds_needing_attention` for one server
(no sync: Jenkins' listing and what the history knows), run on the task runner's pollers
(`TaskRunner.poll`). Per server (BuildNotify's poller, `buildnotifylib/ui/poller.py`):

- at most one poll in flight; a tick that finds the previous one still running is skipped;
- a deadline: a poll that has not answered by then counts as a failure ("did not answer
  within 20 s"), its cancel token is set and its late result dropped. Its HTTP client has the
  same read timeout and no retries, so the stuck thread ends soon after;
- a failure shows the server as down and polls again on growing intervals
  (`watch_rules.retry_delay`), telling the user on a backing-off schedule
  (`watch_rules.tell_about_failure`); the first answer after failures says it is back.

One server's trouble never touches another's timer, thread or rows.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from triage.errors import JenkinsError, TriageError
from triage.progress import NullReporter
from triage.ui import watch_rules
from triage.ui.context import AppContext
from triage.ui.sources import make_client
from triage.ui.tasks import Op

if TYPE_CHECKING:
    from triage.jenkins import JenkinsSource

DEFAULT_DEADLINE_S = 20.0


class PollTimedOut(JenkinsError):
    """A server did not answer a poll within its deadline."""


@dataclass
class ServerWatch:
    """The watcher's state of one server."""

    name: str
    timer: QTimer
    deadline: QTimer
    op: Op | None = None
    failures: int = 0
    down: str | None = None  # why, while it is down
    polls: int = 0  # answered polls
    generation: int = 0  # the poll whose outcome still counts


class Watcher(QObject):
    polled = Signal(str, object)  # server, list[InboxItem]: its builds needing attention now
    went_down = Signal(str, str, int)  # server, why, failures in a row (see tell_about_failure)
    came_back = Signal(str)  # server: answering again after failures

    def __init__(self, ctx: AppContext, interval_s: float = watch_rules.DEFAULT_INTERVAL_S,
                 deadline_s: float = DEFAULT_DEADLINE_S, parent: QObject | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.interval_s = max(float(interval_s), 0.001)
        self.deadline_s = deadline_s
        self.servers: dict[str, ServerWatch] = {}
        self._clients: dict[str, JenkinsSource] = {}
        self._lock = threading.Lock()
        self.running = False

    # --- control --------------------------------------------------------------------------

    def start(self, first_in_s: float = 0.0) -> None:
        """Poll every configured server now (or in `first_in_s`), then on the interval."""
        self.running = True
        for entry in self.ctx.servers:
            watch = self._watch(entry.config.name)
            self._schedule(watch, first_in_s)

    def stop(self) -> None:
        self.running = False
        for watch in self.servers.values():
            watch.generation += 1
            watch.timer.stop()
            watch.deadline.stop()
            if watch.op is not None:
                watch.op.cancel()

    def poll_now(self, server: str | None = None) -> None:
        """Poll one server, or every server, at once (F5, "Try again", tests)."""
        for name in [server] if server else list(self.servers):
            self._poll(self._watch(name))

    def set_interval(self, seconds: float) -> None:
        """Use a new interval from the next poll of each server on."""
        self.interval_s = max(float(seconds), 0.001)
        if self.running:
            for watch in self.servers.values():
                if watch.failures == 0 and (watch.op is None or watch.op.finished):
                    self._schedule(watch, self.interval_s)

    def delay_after(self, server: str) -> float:
        """Seconds between the last poll of `server` and its next one (the back-off)."""
        return watch_rules.retry_delay(self.interval_s, self.servers[server].failures)

    # --- polling --------------------------------------------------------------------------

    def _watch(self, name: str) -> ServerWatch:
        watch = self.servers.get(name)
        if watch is None:
            timer, deadline = QTimer(self), QTimer(self)
            timer.setSingleShot(True)
            deadline.setSingleShot(True)
            watch = self.servers[name] = ServerWatch(name, timer, deadline)
            timer.timeout.connect(lambda: self._poll(watch))
            deadline.timeout.connect(lambda: self._timed_out(watch))
        return watch

    def _schedule(self, watch: ServerWatch, seconds: float) -> None:
        if not self.running:
            return
        watch.timer.start(int(seconds * 1000))

    def _poll(self, watch: ServerWatch) -> None:
        if watch.op is not None and not watch.op.finished:
            # The previous poll is still stuck (given up at its deadline): try again later.
            self._schedule(watch, self.delay_after(watch.name))
            return
        watch.timer.stop()
        watch.generation += 1
        generation, name, jobs = watch.generation, watch.name, self.ctx.jobs

        def work(store, op: Op):
            from triage.inbox import builds_needing_attention  # in the poller thread

            errors: dict[str, JenkinsError] = {}
            items = builds_needing_attention([self._client(name)], store, jobs=jobs,
                                             reporter=NullReporter(), token=op.token,
                                             sync=False, errors=errors)
            if name in errors:
                raise errors[name]
            return items

        watch.op = self.ctx.tasks.poll(
            f"Watching {name}", work,
            lambda items: self._answered(watch, generation, items),
            lambda error: self._failed(watch, generation, error))
        watch.deadline.start(int(self.deadline_s * 1000))

    def _client(self, name: str) -> JenkinsSource:
        """The polling client of one server: a read timeout just past the deadline (the poll
        is given up at the deadline; this ends its stuck thread soon after), no retries (the
        watcher's back-off is the retry). Made in the worker: the keyring may block."""
        with self._lock:
            client = self._clients.get(name)
            if client is None:
                from triage.jenkins.http import HttpSettings

                entry = self.ctx.server(name)
                config = entry.config
                settings = HttpSettings(timeout=(min(5.0, self.deadline_s), self.deadline_s + 5),
                                        verify=config.verify, ca_bundle=config.ca_bundle,
                                        retries=0)
                client = self._clients[name] = make_client(entry, settings)
            return client

    def _answered(self, watch: ServerWatch, generation: int, items) -> None:
        if generation != watch.generation:
            return  # a poll given up at its deadline (or stopped) answered late: dropped
        watch.deadline.stop()
        watch.polls += 1
        back = watch.failures > 0
        watch.failures, watch.down = 0, None
        self.polled.emit(watch.name, items)
        if back:
            self.came_back.emit(watch.name)
        self._schedule(watch, self.interval_s)

    def _failed(self, watch: ServerWatch, generation: int, error: BaseException) -> None:
        if generation != watch.generation:
            return  # given up at the deadline (already counted), or stopped
        watch.generation += 1  # nothing more of this poll counts
        watch.deadline.stop()
        watch.failures += 1
        if isinstance(error, TriageError):
            why = error.message
        else:  # a bug: the error display gets the traceback, the inbox the one line
            self.ctx.tasks.report(error, f"Watching {watch.name} failed")
            why = f"{type(error).__name__}: {error}"
        watch.down = why
        self.went_down.emit(watch.name, why, watch.failures)
        self._schedule(watch, self.delay_after(watch.name))

    def _timed_out(self, watch: ServerWatch) -> None:
        op = watch.op
        if op is None or op.finished:
            return
        op.cancel()
        error = PollTimedOut(f"{watch.name} did not answer within {self.deadline_s:g} s; "
                             "polling it again later.")
        self._failed(watch, watch.generation, error)
        # The stuck op still holds its place until its HTTP timeout ends it; the next tick
        # skips while it does, so one hung server never holds more than one poller.
