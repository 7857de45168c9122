"""A build's failures as clusters expandable to single failures, over light records.

Columns are declared once (`COLUMNS`). Records are made once per load from the engine's answer
(`records_from_view`); sorting and filtering rearrange lists of them, never widgets, so 5,000
failures cost a few list operations. The pass/fail strip and the suggestion badge are painted
by delegates (`triage.ui.widgets.delegates`) from `HISTORY_ROLE` and `SUGGESTION_ROLE`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt

from triage.display import shorten
from triage.ui.text import NAME_CHARS, tooltip, verdict_text

if TYPE_CHECKING:
    from triage.build_detail import BuildView

# The verdict before the error, which stretches: a mark just made shows without scrolling.
TEST, SUGGESTION, SCORE, HISTORY, VERDICT, ERROR = range(6)
COLUMNS = ("Test", "Suggestion", "Score", "History", "Verdict", "Error")
HISTORY_ROLE = Qt.ItemDataRole.UserRole + 10  # "PPPF..." letters, oldest first
SUGGESTION_ROLE = Qt.ItemDataRole.UserRole + 11  # real | noise | unsure
RECORD_ROLE = Qt.ItemDataRole.UserRole + 12  # FailureRecord or ClusterRecord
_SAFETY = {"real": 0, "unsure": 1, "noise": 2}


@dataclass(slots=True)
class FailureRecord:
    test_id: int
    test: str  # classname.name, as shown
    classname: str
    signature: str | None
    suggestion: str
    score: float
    letters: str
    message: str
    reasons: list[str]
    cluster_id: str
    name: str = ""
    verdict: str | None = None
    who: str | None = None
    note: str | None = None
    # The cells as painted, made with the record (in the reader that loads the build), so a
    # paint asks for strings and never formats them on the GUI thread.
    shown_test: str = field(default="", init=False, repr=False)
    shown_score: str = field(default="", init=False, repr=False)
    shown_error: str = field(default="", init=False, repr=False)

    def __post_init__(self) -> None:
        self.shown_test = shorten(short_test(self.test), NAME_CHARS)
        self.shown_score = f"{self.score:.2f}"
        self.shown_error = first_line(self.message)

    @property
    def verdict_shown(self) -> str:
        return verdict_text(self.verdict, self.who, self.note) if self.verdict else ""


@dataclass(slots=True)
class ClusterRecord:
    id: str
    label: str
    suggestion: str
    members: list[FailureRecord] = field(default_factory=list)
    shown: list[FailureRecord] = field(default_factory=list)  # members passing the filter
    _error: str | None = field(default=None, init=False, repr=False)

    @property
    def error_shown(self) -> str:
        """The members' error when they share one ("" when they differ), worked out once:
        a cluster of thousands is painted often."""
        if self._error is None:
            messages = {m.message for m in self.members}
            self._error = first_line(self.members[0].message) if len(messages) == 1 else ""
        return self._error

    @property
    def verdict_shown(self) -> str:
        marked = [m.verdict for m in self.members if m.verdict]
        if not marked:
            return ""
        if len(marked) == len(self.members) and len(set(marked)) == 1:
            return f"all {marked[0]}"
        return f"{len(marked)} of {len(self.members)} marked"


def short_test(test: str) -> str:
    """Return "CartTest.addsItem" for "com.shop.cart.CartTest.addsItem" (the tooltip and the
    detail keep the full name)."""
    parts = test.rsplit(".", 2)
    return ".".join(parts[-2:]) if len(parts) > 2 else test


def first_line(message: str) -> str:
    """Return an error's first line as a cell shows it (cut: a cell is a glance)."""
    return shorten(message.partition("\n")[0], NAME_CHARS)


def records_from_view(view: BuildView) -> list[ClusterRecord]:
    """Return the clusters of a build view as records, in the engine's order."""
    from triage.triage_build import history_letters  # loaded with the view, in its reader

    clusters = []
    for cluster in view.triage.clusters:
        record = ClusterRecord(cluster.id, cluster.label, cluster.suggestion)
        for item in cluster.members:
            mark = view.marks.get(item.failure.test_id)
            record.members.append(FailureRecord(
                test_id=item.failure.test_id, test=item.failure.test,
                classname=item.failure.classname, name=item.failure.name,
                signature=item.failure.signature, suggestion=item.suggestion,
                score=item.evidence.score, letters=history_letters(item),
                message=item.failure.message, reasons=list(item.reasons),
                cluster_id=cluster.id, verdict=mark.verdict if mark else None,
                who=mark.who if mark else None, note=mark.note if mark else None))
        record.shown = list(record.members)
        record.error_shown  # noqa: B018 - worked out here, in the reader, not while painting
        clusters.append(record)
    return clusters


def _failure_key(column: int):
    return {
        TEST: lambda r: r.test.lower(),
        SUGGESTION: lambda r: _SAFETY.get(r.suggestion, 3),
        SCORE: lambda r: r.score,
        HISTORY: lambda r: r.letters.count("F") + r.letters.count("E"),
        ERROR: lambda r: r.message.lower(),
        VERDICT: lambda r: r.verdict_shown,
    }[column]


def _cluster_key(column: int):
    return {
        TEST: lambda c: c.label.lower(),
        SUGGESTION: lambda c: _SAFETY.get(c.suggestion, 3),
        SCORE: lambda c: max((m.score for m in c.members), default=0.0),
        HISTORY: lambda c: len(c.members),
        ERROR: lambda c: c.members[0].message.lower() if c.members else "",
        VERDICT: lambda c: c.verdict_shown,
    }[column]


_ROOT = QModelIndex()  # Qt's default parent: the invisible root
# Looked up once: a paint calls flags() and data() thousands of times, and each enum attribute
# lookup or `|` of flags is a Python call of its own.
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class FailuresModel(QAbstractItemModel):
    """Top-level rows are clusters; their children the failures (internalId = cluster + 1)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.clusters: list[ClusterRecord] = []  # every cluster, engine order
        self.shown: list[ClusterRecord] = []  # clusters with a member passing the filter
        self.filter_text = ""
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # --- filling and finding ---------------------------------------------------------------

    def set_clusters(self, clusters: list[ClusterRecord]) -> None:
        self.beginResetModel()
        self.clusters = clusters
        self._apply_filter()
        if self._sort is not None:
            self._sort_lists(*self._sort)
        self.endResetModel()

    def clear(self) -> None:
        self.set_clusters([])

    def set_filter(self, text: str) -> None:
        """Show only failures whose test, error, cluster or verdict contains `text`."""
        if text == self.filter_text:
            return
        self.beginResetModel()
        self.filter_text = text
        self._apply_filter()
        if self._sort is not None:
            self._sort_lists(*self._sort)
        self.endResetModel()

    def _apply_filter(self) -> None:
        needle = self.filter_text.strip().lower()
        self.shown = []
        for cluster in self.clusters:
            if not needle or needle in cluster.label.lower() or needle in cluster.id:
                cluster.shown = list(cluster.members)
            else:
                cluster.shown = [m for m in cluster.members if needle in m.test.lower()
                                 or needle in m.message.lower()
                                 or needle in m.verdict_shown.lower()]
            if cluster.shown:
                self.shown.append(cluster)

    def record(self, index: QModelIndex) -> FailureRecord | ClusterRecord | None:
        if not index.isValid():
            return None
        if index.internalId() == 0:
            return self.shown[index.row()] if index.row() < len(self.shown) else None
        cluster = self.shown[index.internalId() - 1]
        return cluster.shown[index.row()] if index.row() < len(cluster.shown) else None

    def failures(self) -> list[FailureRecord]:
        return [m for c in self.clusters for m in c.members]

    def index_of(self, test_id: int, column: int = 0) -> QModelIndex:
        for c, cluster in enumerate(self.shown):
            for r, member in enumerate(cluster.shown):
                if member.test_id == test_id:
                    return self.index(r, column, self.index(c, 0))
        return QModelIndex()

    def update_verdicts(self, changes: dict[int, tuple[str | None, str | None, str | None]]):
        """Show new marks: test id -> (verdict, who, note); repaint the rows that changed."""
        for c, cluster in enumerate(self.shown):
            touched = False
            for r, member in enumerate(cluster.shown):
                if member.test_id in changes:
                    member.verdict, member.who, member.note = changes[member.test_id]
                    row = self.index(r, VERDICT, self.index(c, 0))
                    self.dataChanged.emit(row, row)
                    touched = True
            if touched:
                top = self.index(c, VERDICT)
                self.dataChanged.emit(top, top)
        for cluster in self.clusters:  # the hidden ones too
            for member in cluster.members:
                if member.test_id in changes:
                    member.verdict, member.who, member.note = changes[member.test_id]

    # --- sorting (in the model: no proxy over thousands of rows) ---------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort clusters, and failures within each, by a column; -1: the engine's order."""
        if column >= len(COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        old = {(i.row(), i.column(), i.internalId()): i for i in self.persistentIndexList()}
        before = {key: self.record(index) for key, index in old.items()}
        if column < 0:
            self._sort = None
            self._apply_filter()
        else:
            self._sort = (column, order)
            self._sort_lists(column, order)
        moved_from, moved_to = [], []
        for key, index in old.items():
            record = before[key]
            moved_from.append(index)
            moved_to.append(self._index_of_record(record, index.column()))
        self.changePersistentIndexList(moved_from, moved_to)
        self.layoutChanged.emit()

    def _sort_lists(self, column: int, order: Qt.SortOrder) -> None:
        reverse = order == Qt.SortOrder.DescendingOrder
        self.shown.sort(key=_cluster_key(column), reverse=reverse)
        for cluster in self.shown:
            cluster.shown.sort(key=_failure_key(column), reverse=reverse)

    def _index_of_record(self, record, column: int) -> QModelIndex:
        for c, cluster in enumerate(self.shown):
            if cluster is record:
                return self.index(c, column)
            for r, member in enumerate(cluster.shown):
                if member is record:
                    return self.index(r, column, self.index(c, 0))
        return QModelIndex()

    # --- QAbstractItemModel ---------------------------------------------------------------

    def index(self, row: int, column: int, parent=_ROOT) -> QModelIndex:
        if row < 0 or not 0 <= column < len(COLUMNS):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0) if row < len(self.shown) else QModelIndex()
        if parent.internalId() != 0 or parent.row() >= len(self.shown):
            return QModelIndex()
        if row >= len(self.shown[parent.row()].shown):
            return QModelIndex()
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index=_ROOT) -> QModelIndex:  # noqa: A003 - Qt's name
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent=_ROOT) -> int:
        if not parent.isValid():
            return len(self.shown)
        if parent.column() != 0 or parent.internalId() != 0:
            return 0
        return len(self.shown[parent.row()].shown)

    def columnCount(self, parent=_ROOT) -> int:
        return len(COLUMNS)

    def flags(self, index) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else _NO_FLAGS

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        # A paint asks each cell for a dozen roles; the ones never answered cost no lookup.
        if role not in _ANSWERED:
            return None
        record = self.record(index)
        if record is None:
            return None
        if role == RECORD_ROLE:
            return record
        if isinstance(record, ClusterRecord):
            return _cluster_data(record, index.column(), role)
        return _failure_data(record, index.column(), role)


_ANSWERED = frozenset(int(role) for role in (
    _DISPLAY, _TOOLTIP, _ALIGNMENT, HISTORY_ROLE, SUGGESTION_ROLE, RECORD_ROLE))


def _cluster_data(cluster: ClusterRecord, column: int, role):
    if role == SUGGESTION_ROLE:
        return cluster.suggestion if column == SUGGESTION else None
    if role == _TOOLTIP:
        return tooltip(f"[{cluster.id}] {cluster.label}: {len(cluster.members)} failures")
    if role != _DISPLAY:
        return None
    if column == TEST:
        return shorten(cluster.label, NAME_CHARS)  # labels carry their size ("... (3 tests)")
    if column == SUGGESTION:
        return cluster.suggestion
    if column == ERROR:
        return cluster.error_shown
    if column == VERDICT:
        return cluster.verdict_shown
    return None


def _failure_data(record: FailureRecord, column: int, role):
    if role == HISTORY_ROLE:
        return record.letters if column == HISTORY else None
    if role == SUGGESTION_ROLE:
        return record.suggestion if column == SUGGESTION else None
    if role == _TOOLTIP:
        if column == HISTORY:
            return f"Oldest first, this build last: {record.letters}"
        if column == SUGGESTION:
            return tooltip("\n".join(record.reasons) or record.suggestion)
        return tooltip(record.test) if column == TEST else None
    if role == _ALIGNMENT and column == SCORE:
        return _RIGHT
    if role != _DISPLAY:
        return None
    if column == VERDICT:  # the one cell that changes: marks are made while it shows
        return record.verdict_shown
    return (record.shown_test, record.suggestion, record.shown_score, record.letters, None,
            record.shown_error)[column]
