"""The failures pane: the selected build's clusters, expandable to failures, with a filter.

Selecting a build debounces (`DEBOUNCE_MS`), then loads its triage on a reader with a ticket;
a late answer for a build no longer selected is dropped (git-cola's diff habit, style 6).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QWidget,
)

from triage.errors import Cancelled, NotFoundError
from triage.ui.context import AppContext
from triage.ui.inbox_data import InboxRow
from triage.ui.models import failures_model as fm
from triage.ui.models.failures_model import ClusterRecord, FailureRecord, FailuresModel
from triage.ui.text import when
from triage.ui.widgets.delegates import BadgeDelegate, MiddleElideDelegate, StripDelegate
from triage.ui.widgets.views import FilterBox, KeyTree, PlainLabel, titled

if TYPE_CHECKING:
    from triage.build_detail import BuildView

DEBOUNCE_MS = 120
WIDTHS = {fm.TEST: 250, fm.SUGGESTION: 72, fm.SCORE: 46, fm.HISTORY: 148, fm.VERDICT: 110}


def gate_text(view: BuildView) -> str:
    """What `triage gate` decided for the build, said after the title ("" if it never ran)."""
    from triage.store import gates

    gate = view.gate
    if gate is None:
        return ""
    if gate.outcome == gates.PASS:
        return f" · auto-approved by the gate ({when(gate.at)})"
    if gate.outcome == gates.ASK:
        return " · the gate asked for a human" + (f": {gate.reasons[0]}" if gate.reasons else "")
    return " · the gate could not decide"


def _build_view(store, row: InboxRow) -> tuple[BuildView, list[ClusterRecord]]:
    """The build's triage and the model's records of it, in a reader: the engine is imported
    there, never before the window's first paint, and the records of thousands of failures
    are made there, not on the GUI thread."""
    from triage.build_detail import build_view

    view = build_view(store, row.job, row.number, row.server)
    return view, fm.records_from_view(view)


class FailuresPane(QWidget):
    current_changed = Signal(object)  # FailureRecord, ClusterRecord or None
    loaded = Signal(object)  # BuildView or None

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.row: InboxRow | None = None
        self.view_data: BuildView | None = None
        self._ticket = 0
        self.model = FailuresModel(self)
        self.title = PlainLabel("Select a build in the inbox.")
        self.title.setObjectName("failuresTitle")
        self.filter = FilterBox()
        self.filter.setPlaceholderText("Filter failures (Ctrl+F)")
        self.filter.setClearButtonEnabled(True)
        self.filter.setMinimumWidth(220)
        self.filter.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab goes inbox -> list -> detail
        self.filter.textChanged.connect(self._filter_changed)
        self.filter.leave.connect(self.focus_list)
        self.tree = KeyTree()
        self.tree.setObjectName("failures")
        self.tree.setAccessibleName("Failures")
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)  # 5,000 rows: heights are never measured
        # No sort column at first: the engine's order (real first, then unsure, then noise).
        self.tree.header().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.tree.setSortingEnabled(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setItemDelegateForColumn(fm.HISTORY, StripDelegate(self.tree))
        self.tree.setItemDelegateForColumn(fm.SUGGESTION, BadgeDelegate(self.tree))
        self.tree.setItemDelegateForColumn(fm.TEST, MiddleElideDelegate(self.tree))
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in WIDTHS.items():
            header.resizeSection(column, width)
        self.tree.selectionModel().currentChanged.connect(self._current)
        self.model.modelReset.connect(self.tree.expandAll)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._load)
        titled(self, self.title, self.filter, self.tree)

    # --- loading --------------------------------------------------------------------------

    def show_build(self, row: InboxRow | None) -> None:
        """Load the triage of `row`'s build, after a short debounce."""
        same = row is not None and self.row is not None and row.key == self.row.key
        self.row = row
        if same and self.view_data is not None:
            return  # another input of the same build: same failures
        self._ticket += 1
        self.view_data = None
        self.model.clear()
        if row is None:
            self.title.setText("Select a build in the inbox.")
            self.loaded.emit(None)
            return
        self.title.setText(f"{row.display}: loading failures…")
        self._debounce.start()

    def reload(self) -> None:
        """Load the current build again (its job was synced, or marks changed elsewhere)."""
        if self.row is not None:
            self._ticket += 1
            self._debounce.start()

    def _load(self) -> None:
        row, ticket = self.row, self._ticket
        if row is None:
            return
        self.ctx.tasks.read(
            f"Loading the failures of {row.display}",
            lambda store, op: _build_view(store, row),
            lambda loaded: self._loaded(ticket, *loaded),
            lambda error: self._failed(ticket, row, error))

    def _loaded(self, ticket: int, view: BuildView, records: list[ClusterRecord]) -> None:
        if ticket != self._ticket:
            return  # a late answer for a build no longer selected
        selected = self.selected_test_ids()
        current = self.current_record()
        self.view_data = view
        self.model.set_clusters(records)
        self._title(view)
        self._restore(selected, current)
        self.loaded.emit(view)

    def _failed(self, ticket: int, row: InboxRow, error: BaseException) -> None:
        if ticket != self._ticket:
            return
        if isinstance(error, NotFoundError):
            self.title.setText(f"{row.display}: syncing the history behind this build…")
            return  # the inbox syncs the job, then job_synced reloads us
        self.title.setText(f"{row.display}: could not load the failures.")
        self.ctx.tasks.report(error, "Could not load the failures")

    def sync_failed(self, server: str, job: str, error: BaseException) -> None:
        """The history behind the shown build could not be synced: say so instead of
        "syncing…" forever (the banner has the details)."""
        row = self.row
        if row is None or (row.server, row.job) != (server, job) or self.view_data is not None:
            return
        if isinstance(error, Cancelled):
            return
        why = getattr(error, "message", None) or type(error).__name__
        self.title.setText(f"{row.display}: its history could not be synced: {why} "
                           "F5 tries again.")

    def _title(self, view: BuildView) -> None:
        failures, clusters = len(view.triage.failures), len(view.triage.clusters)
        gate = gate_text(view)
        if not failures:
            self.title.setText(f"{self.row.display}: no test failures{gate}.")
            return
        self.title.setText(f"{self.row.display}: {failures} failure{'s' * (failures != 1)} in "
                           f"{clusters} cluster{'s' * (clusters != 1)}{gate}{self._filtered()}")

    def _filtered(self) -> str:
        """What the filter keeps, said in the title: the filter stays as builds change, and a
        list it empties must not look like a build without failures."""
        text = self.model.filter_text.strip()
        if not text:
            return ""
        shown = sum(len(c.shown) for c in self.model.shown)
        if not shown:
            return f" · none matches the filter “{text}” (Esc in the filter clears it)"
        return f" · the filter “{text}” shows {shown}"

    def _restore(self, selected: list[int], current) -> None:
        """Keep the selection across a reload; else put the cursor on the first cluster."""
        selection = self.tree.selectionModel()
        target = QModelIndex()
        if isinstance(current, FailureRecord):
            target = self.model.index_of(current.test_id)
        elif isinstance(current, ClusterRecord):
            target = next((self.model.index(i, 0) for i, c in enumerate(self.model.shown)
                           if c.id == current.id), QModelIndex())
        if not target.isValid() and self.model.rowCount():
            target = self.model.index(0, 0)
        if target.isValid():
            selection.setCurrentIndex(target, QItemSelectionModel.SelectionFlag.NoUpdate)
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for test_id in selected:
            index = self.model.index_of(test_id)
            if index.isValid():
                selection.select(index, flags)
        if not selected and target.isValid():
            selection.select(target, flags)

    # --- selection ------------------------------------------------------------------------

    def current_record(self):
        return self.model.record(self.tree.currentIndex())

    def selected_records(self) -> list[FailureRecord]:
        """The failures the marking keys act on: selected rows, a selected cluster's members
        (those the filter shows), else the row under the cursor."""
        chosen: dict[int, FailureRecord] = {}
        indexes = self.tree.selectionModel().selectedRows(0)
        if not indexes and self.tree.currentIndex().isValid():
            indexes = [self.tree.currentIndex()]
        for index in indexes:
            record = self.model.record(index)
            members = record.shown if isinstance(record, ClusterRecord) else [record]
            for member in members:
                if member is not None:
                    chosen[member.test_id] = member
        return list(chosen.values())

    def selected_test_ids(self) -> list[int]:
        indexes = self.tree.selectionModel().selectedRows(0)
        records = [self.model.record(i) for i in indexes]
        return [r.test_id for r in records if isinstance(r, FailureRecord)]

    def select_all(self) -> None:
        self.tree.expandAll()
        self.tree.selectAll()

    def focus_filter(self) -> None:
        self.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter.selectAll()

    def focus_list(self) -> None:
        """Put the keyboard on the failures (the first shown one when none is current)."""
        if not self.tree.currentIndex().isValid() and self.model.rowCount():
            self.tree.setCurrentIndex(self.model.index(0, 0))
        self.tree.setFocus(Qt.FocusReason.TabFocusReason)

    def _filter_changed(self, text: str) -> None:
        self.model.set_filter(text)
        if self.view_data is not None and self.row is not None:
            self._title(self.view_data)

    def _current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.current_changed.emit(self.model.record(current))
