"""Item views with the app's list keys: J / K move like Down / Up (hotkeys.NEXT/PREVIOUS)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QTreeView, QVBoxLayout, QWidget

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
    """A tree view where J and K move the current row, as Down and Up do."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        for shortcut, key in ((hotkeys.NEXT, Qt.Key.Key_Down), (hotkeys.PREVIOUS, Qt.Key.Key_Up)):
            if hotkeys.matches(event, shortcut):
                event = QKeyEvent(QEvent.Type.KeyPress, key, event.modifiers())
                break
        super().keyPressEvent(event)


def titled(pane: QWidget, title: QWidget, side: QWidget, body: QWidget, top: int = 0) -> None:
    """Lay a pane out as a title row (title, then `side` on the right) above its body."""
    head = QHBoxLayout()
    head.addWidget(title, 1)
    head.addWidget(side)
    layout = QVBoxLayout(pane)
    layout.setContentsMargins(0, top, 0, 0)
    layout.addLayout(head)
    layout.addWidget(body, 1)
