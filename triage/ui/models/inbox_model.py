"""The inbox as a two-level item model: servers, then their builds (one row per input).

Rows are light `InboxRow` records; the model never holds widgets. A paused row's wait is
computed when painted (`waited_now_ms`), and `tick()` repaints that column once a minute, so
"waiting 12 min" stays live without reloading anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt

from triage.ui.inbox_data import InboxRow
from triage.ui.text import duration, tooltip

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the InboxRow (None on a server row)
SERVER_ROLE = Qt.ItemDataRole.UserRole + 2  # the server's name
DOWN_ROLE = Qt.ItemDataRole.UserRole + 3  # why the server is down, or None
_TOP = 0  # internalId of server rows; build rows carry their server's index + 1


@dataclass
class ServerGroup:
    name: str
    rows: list[InboxRow] = field(default_factory=list)
    down: str | None = None


_ROOT = QModelIndex()  # Qt's default parent: the invisible root


class InboxModel(QAbstractItemModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.groups: list[ServerGroup] = []

    # --- filling --------------------------------------------------------------------------

    def set_listing(self, servers: list[str], rows: list[InboxRow], down: dict[str, str]) -> None:
        """Replace everything: one group per server, in the configured order."""
        self.beginResetModel()
        self.groups = [ServerGroup(name, sorted((r for r in rows if r.server == name), key=_order),
                                   down.get(name)) for name in servers]
        self.endResetModel()

    def replace_job(self, server: str, job: str, rows: list[InboxRow],
                    down: str | None = None) -> None:
        """Put one job's rows (newly listed) in place of its old ones, in inbox order."""
        group = next((g for g in self.groups if g.name == server), None)
        if group is None:
            return
        mine = [r for r in group.rows if (r.server, r.job) != (server, job)] + rows
        self._relayout(group, sorted(mine, key=_order), down)

    def replace_server(self, server: str, rows: list[InboxRow] | None,
                       down: str | None = None) -> None:
        """Put a server's rows (a poll's) in place of its old ones; with `rows` None (the poll
        failed) keep the old rows and mark the server `down`."""
        group = next((g for g in self.groups if g.name == server), None)
        if group is None:
            return
        mine = group.rows if rows is None else sorted(rows, key=_order)
        self._relayout(group, mine, down)

    def _relayout(self, group: ServerGroup, mine: list[InboxRow], down: str | None) -> None:
        """Swap a group's rows, keeping every persistent index (the selection) on its row."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        keys = [(self.row_at(i), i) for i in old]
        group.rows, group.down = mine, down
        new = []
        for row, before in keys:
            index, column = QModelIndex(), before.column()
            if before.internalId() == _TOP:
                index = self.index(before.row(), column)  # server rows keep their place
            elif row is not None:
                for g, grp in enumerate(self.groups):
                    for r, candidate in enumerate(grp.rows):
                        if candidate.key == row.key and candidate.input == row.input:
                            index = self.index(r, column, self.index(g, 0))
            new.append(index)
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def set_state(self, key: tuple[str, str, int], state: str) -> None:
        """Show a build in another state (a proceeded build runs on) until the next refresh."""
        for g, group in enumerate(self.groups):
            for r, row in enumerate(group.rows):
                if row.key == key:
                    group.rows[r] = replace(row, state=state, waited_ms=None)
                    index = self.index(r, 0, self.index(g, 0))
                    self.dataChanged.emit(index, index)

    def tick(self) -> None:
        """Repaint the paused rows (their live wait)."""
        for g, group in enumerate(self.groups):
            if group.rows:
                parent = self.index(g, 0)
                self.dataChanged.emit(self.index(0, 0, parent),
                                      self.index(len(group.rows) - 1, 0, parent))

    # --- finding --------------------------------------------------------------------------

    def row_at(self, index: QModelIndex) -> InboxRow | None:
        if not index.isValid() or index.internalId() == _TOP:
            return None
        group = self.groups[index.internalId() - 1]
        return group.rows[index.row()] if index.row() < len(group.rows) else None

    def first_row_index(self) -> QModelIndex:
        """Return the longest-waiting paused build if any, else the first build listed."""
        candidates = [(r.waited_now_ms() or 0, g, i)
                      for g, group in enumerate(self.groups)
                      for i, r in enumerate(group.rows) if r.paused]
        if candidates:
            _, g, i = max(candidates, key=lambda c: (c[0], -c[1], -c[2]))
            return self.index(i, 0, self.index(g, 0))
        for g, group in enumerate(self.groups):
            if group.rows:
                return self.index(0, 0, self.index(g, 0))
        return QModelIndex()

    def find(self, key: tuple[str, str, int], input_id: str | None = None) -> QModelIndex:
        for g, group in enumerate(self.groups):
            for i, row in enumerate(group.rows):
                if row.key == key and (input_id is None or
                                       (row.input is not None and row.input.id == input_id)):
                    return self.index(i, 0, self.index(g, 0))
        return QModelIndex()

    def rows(self) -> list[InboxRow]:
        return [r for g in self.groups for r in g.rows]

    # --- QAbstractItemModel ---------------------------------------------------------------

    def index(self, row: int, column: int, parent=_ROOT) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, _TOP) if row < len(self.groups) else QModelIndex()
        if parent.internalId() != _TOP or parent.row() >= len(self.groups):
            return QModelIndex()
        if row >= len(self.groups[parent.row()].rows):
            return QModelIndex()
        return self.createIndex(row, 0, parent.row() + 1)

    def parent(self, index=_ROOT) -> QModelIndex:  # noqa: A003 - Qt's name
        if not index.isValid() or index.internalId() == _TOP:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _TOP)

    def rowCount(self, parent=_ROOT) -> int:
        if not parent.isValid():
            return len(self.groups)
        if parent.column() != 0 or parent.internalId() != _TOP:
            return 0
        return len(self.groups[parent.row()].rows)

    def columnCount(self, parent=_ROOT) -> int:
        return 1

    def flags(self, index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.internalId() == _TOP:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if index.internalId() == _TOP:
            return self._server_data(self.groups[index.row()], role)
        row = self.row_at(index)
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return row_text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip("\n".join(filter(None, (row.display, state_text(row), row.input and
                                                   row.input.message, row.summary, row.url))))
        if role == ROW_ROLE:
            return row
        if role == SERVER_ROLE:
            return row.server
        return None

    def _server_data(self, group: ServerGroup, role):
        if role == Qt.ItemDataRole.DisplayRole:
            if group.down:
                return f"{group.name} — down"
            return f"{group.name} ({len(group.rows)})"
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(group.down or f"{len(group.rows)} builds need attention on "
                                         f"{group.name}")
        if role == SERVER_ROLE:
            return group.name
        if role == DOWN_ROLE:
            return group.down
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return "Builds needing attention"
        return None


def _order(row: InboxRow):
    """Paused first, longest wait first; then the others, newest first."""
    if row.paused:
        return (0, -(row.waited_ms or 0), row.job, row.number)
    return (1, -(row.started_ms or 0), row.job, -row.number)


def state_text(row: InboxRow) -> str:
    """Return "waiting 12 min", "running", "unstable" or "failed"."""
    if row.state == "paused":
        waited = row.waited_now_ms()
        if waited is None:
            return "waiting"
        return f"waiting {duration(waited)}" + ("" if row.wait_exact else "+")
    return row.state


def row_text(row: InboxRow) -> str:
    """The row as one line of text (what the delegate paints on two)."""
    parts = [row.display, state_text(row)]
    if row.input is not None and row.input.message:
        parts.append(row.input.message)
    parts.append(row.summary or (f"{row.failures} failed tests" if row.failures else "…"))
    return " — ".join(parts)

