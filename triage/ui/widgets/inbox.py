"""The inbox pane: builds needing attention across servers, and the history sync behind them.

Refreshing lists the builds (a reader: Jenkins' listing and what the history knows), then
syncs each job the list shows, one job per writer op, the selected build's job first; each
job's rows and summaries are replaced as it lands. Every step reports progress through the
task runner's activity display.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QLabel, QVBoxLayout, QWidget

from triage.errors import TriageError
from triage.ui import inbox_data
from triage.ui.context import AppContext
from triage.ui.inbox_data import InboxRow, Listing
from triage.ui.models.inbox_model import InboxModel
from triage.ui.widgets.delegates import InboxDelegate
from triage.ui.widgets.views import KeyTree

TICK_MS = 30_000  # repaint the live waits


class InboxPane(QWidget):
    selected = Signal(object)  # InboxRow or None
    listed = Signal()  # a refresh's listing is shown
    job_synced = Signal(str, str)  # server, job: its history is up to date
    job_sync_failed = Signal(str, str, object)  # server, job, the error

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = InboxModel(self)
        self.view = KeyTree()
        self.view.setObjectName("inbox")
        self.view.setModel(self.model)
        self.view.setItemDelegate(InboxDelegate(self.view))
        self.view.setHeaderHidden(True)
        self.view.setRootIsDecorated(False)
        self.view.setItemsExpandable(False)
        self.view.setUniformRowHeights(False)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAccessibleName("Inbox")
        self.empty = QLabel("Loading the builds that need attention…")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.model.modelReset.connect(self.view.expandAll)
        self.synced: set[tuple[str, str]] = set()
        self.listing_op = None
        self._sync_queue: list[tuple[str, str]] = []
        self._sync_op = None
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.model.tick)
        self._timer.start(TICK_MS)

    # --- listing --------------------------------------------------------------------------

    def refresh(self) -> None:
        """List again (F5); the current row stays selected when it is still there."""
        if self.listing_op is not None and not self.listing_op.finished:
            return
        self.listing_op = self.ctx.tasks.read(
            "Listing builds that need attention",
            lambda store, op: inbox_data.list_attention(self.ctx, store, op), self._listed)

    def _listed(self, listing: Listing) -> None:
        current = self.current_row()
        self.model.set_listing([e.config.name for e in self.ctx.servers], listing.rows,
                               listing.down)
        for server, why in listing.down.items():
            self.ctx.tasks.report(TriageError(f"{server} is down: {why}"))
        self._show_empty(listing)
        index = QModelIndex()
        if current is not None:
            index = self.model.find(current.key, current.input and current.input.id)
            if not index.isValid():
                index = self.model.find(current.key)
        if not index.isValid():
            index = self.model.first_row_index()
        if index.isValid():
            self.view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        else:
            self.selected.emit(None)
        self.listed.emit()
        self._queue_syncs()

    def _show_empty(self, listing: Listing) -> None:
        if listing.rows:
            self.empty.hide()
            return
        if not self.ctx.servers:
            self.empty.setText("No Jenkins server is configured. Add one with `triage servers "
                               "add NAME URL --user USER`, or try the app on `triage demo`.")
        elif listing.down and len(listing.down) == len(self.ctx.servers):
            self.empty.setText("No server could be reached; F5 tries again.")
        else:
            self.empty.setText("Nothing needs you: no build is paused or red.")
        self.empty.show()

    # --- syncing what the list shows --------------------------------------------------------

    def _queue_syncs(self) -> None:
        selected = self.current_row()
        jobs = list(dict.fromkeys((r.server, r.job) for r in self.model.rows()))
        if selected is not None and (selected.server, selected.job) in jobs:
            jobs.remove((selected.server, selected.job))
            jobs.insert(0, (selected.server, selected.job))
        self._sync_queue = jobs
        if self._sync_op is None or self._sync_op.finished:
            self._next_sync()

    def _next_sync(self) -> None:
        if not self._sync_queue:
            self._sync_op = None
            return
        server, job = self._sync_queue.pop(0)
        self._sync_op = self.ctx.tasks.write(
            f"Syncing {job} from {server}",
            lambda store, op: inbox_data.sync_listing(self.ctx, op, server, job),
            lambda listing: self._synced(server, job, listing),
            lambda error: self._sync_failed(server, job, error))

    def _synced(self, server: str, job: str, listing: Listing) -> None:
        self.synced.add((server, job))
        self._replace_job(server, job, listing)
        self.job_synced.emit(server, job)
        self._next_sync()

    def _replace_job(self, server: str, job: str, listing: Listing) -> None:
        self._keeping_selection(server, job, lambda: self.model.replace_job(
            server, job, listing.rows, listing.down.get(server)))

    # --- watching (issue 9b: the watcher's polls land here) ----------------------------------

    def show_poll(self, server: str, items) -> None:
        """Show a poll's builds of one server; sync the jobs not synced yet."""
        self._keeping_selection(server, None, lambda: self.model.replace_server(
            server, inbox_data.rows_of(items)))
        fresh = [(r.server, r.job) for r in self.model.rows()
                 if r.server == server and (r.server, r.job) not in self.synced]
        if fresh and not self.sync_pending():
            self._sync_queue = list(dict.fromkeys(fresh))
            self._next_sync()
        if self.model.rows():
            self.empty.hide()

    def show_down(self, server: str, why: str) -> None:
        """Mark a server down (its rows stay, as last seen)."""
        self.model.replace_server(server, None, why)

    def _keeping_selection(self, server: str, job: str | None, change) -> None:
        current = self.current_row()
        change()
        if current is not None and current.server == server and job in (None, current.job):
            index = self.model.find(current.key, current.input and current.input.id)
            if not index.isValid():
                index = self.model.find(current.key)
            if index.isValid():
                self.view.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            else:
                self.selected.emit(self.current_row())

    def _sync_failed(self, server: str, job: str, error: BaseException) -> None:
        self.ctx.tasks.report(error, f"Could not sync {job}")
        self.job_sync_failed.emit(server, job, error)
        self._next_sync()

    def summarise(self, server: str, job: str) -> None:
        """List one job again (no sync): new summaries after marks, new states."""
        self.ctx.tasks.read(
            f"Summarising {job}",
            lambda store, op: inbox_data.list_attention(self.ctx, store, op, (server, job)),
            lambda listing: self._replace_job(server, job, listing))

    def sync_pending(self) -> bool:
        return self._sync_op is not None and not self._sync_op.finished

    # --- selection ------------------------------------------------------------------------

    def current_row(self) -> InboxRow | None:
        return self.model.row_at(self.view.currentIndex())

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.selected.emit(self.model.row_at(current))

    def show_state(self, row: InboxRow, state: str) -> None:
        self.model.set_state(row.key, state)
