"""Item views with the app's list keys: J / K move like Down / Up (hotkeys.NEXT/PREVIOUS)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QTreeView

from triage.ui import hotkeys


class KeyTree(QTreeView):
    """A tree view where J and K move the current row, as Down and Up do."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        for shortcut, key in ((hotkeys.NEXT, Qt.Key.Key_Down), (hotkeys.PREVIOUS, Qt.Key.Key_Up)):
            if hotkeys.matches(event, shortcut):
                event = QKeyEvent(QEvent.Type.KeyPress, key, event.modifiers())
                break
        super().keyPressEvent(event)
