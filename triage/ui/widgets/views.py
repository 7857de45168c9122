"""Item views with the app's list keys: J / K move like Down / Up (hotkeys.NEXT/PREVIOUS),
and the filter box that leads back to the list it filters."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from triage.display import printable, shorten
from triage.ui import hotkeys
from triage.ui.text import TEXT_CHARS


class PlainLabel(QLabel):
    """A label for text from Jenkins or the history: always plain text, controls escaped.

    A QLabel guesses rich text from its content (`Qt::mightBeRichText`), so a job named
    `<b>x</b>` or a message starting with `<!--` would be rendered as HTML (hiding what follows,
    or showing a link); this one shows exactly the characters it was given, line breaks kept.
    A long text is cut, and never widens the window: the layout gives the label its width.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        super().setText(printable(shorten(text, TEXT_CHARS), lines=True))


class KeyTree(QTreeView):
    """A tree view where J and K move the current row, as Down and Up do, and whose selection
    is muted while another pane has the keyboard: the inbox and the failures both keep a
    selected row, and J / K move in the one that shows it strong. The keys never put the
    cursor on a row that cannot be selected (the inbox's server rows): nothing acts on it."""

    def initViewItemOption(self, option: QStyleOptionViewItem) -> None:
        super().initViewItemOption(option)
        if not self.hasFocus():  # the palette in force (theme changes follow), muted
            role = QPalette.ColorRole
            highlight, base = option.palette.color(role.Highlight), option.palette.color(role.Base)
            muted = QColor(*(round(h * 0.35 + b * 0.65) for h, b in zip(
                highlight.getRgb()[:3], base.getRgb()[:3], strict=True)))
            option.palette.setColor(role.Highlight, muted)
            option.palette.setColor(role.HighlightedText, option.palette.color(role.Text))

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.viewport().update()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.viewport().update()

    def moveCursor(self, action, modifiers) -> QModelIndex:  # noqa: N802 - Qt override
        index = super().moveCursor(action, modifiers)
        if not index.isValid() or index.flags() & Qt.ItemFlag.ItemIsSelectable:
            return index
        moves = (self.CursorAction.MoveUp, self.CursorAction.MovePageUp,
                 self.CursorAction.MoveHome, self.CursorAction.MovePrevious)
        # On along the way the key went; at the end of the list, the nearest row back.
        ways = ((self.indexAbove, self.indexBelow) if action in moves
                else (self.indexBelow, self.indexAbove))
        for step in ways:
            found = index
            while found.isValid() and not found.flags() & Qt.ItemFlag.ItemIsSelectable:
                found = step(found)
            if found.isValid():
                return found
        return self.currentIndex()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        for shortcut, key in ((hotkeys.NEXT, Qt.Key.Key_Down), (hotkeys.PREVIOUS, Qt.Key.Key_Up)):
            if hotkeys.matches(event, shortcut):
                event = QKeyEvent(QEvent.Type.KeyPress, key, event.modifiers())
                break
        super().keyPressEvent(event)


class FilterBox(QLineEdit):
    """A filter field: Down, Enter or Tab go to the list it filters (`leave`); Escape clears
    the filter first. It is off the Tab chain (Ctrl+F reaches it), so without this a
    keyboard user who filtered would Tab past the results."""

    leave = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if any(hotkeys.matches(event, key) for key in hotkeys.FILTER_CLEAR):
            self.clear()
            self.leave.emit()
        elif any(hotkeys.matches(event, key) for key in hotkeys.FILTER_DONE):
            self.leave.emit()
        else:
            super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002 - Qt's own name
        if next:
            self.leave.emit()
            return True
        return super().focusNextPrevChild(next)


def titled(pane: QWidget, title: QWidget, side: QWidget, body: QWidget, top: int = 0) -> None:
    """Lay a pane out as a title row (title, then `side` on the right) above its body."""
    head = QHBoxLayout()
    head.addWidget(title, 1)
    head.addWidget(side)
    layout = QVBoxLayout(pane)
    layout.setContentsMargins(0, top, 0, 0)
    layout.addLayout(head)
    layout.addWidget(body, 1)
