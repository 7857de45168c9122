"""A read-only text with a search line: every match highlighted, Enter / F3 jumps to the next."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QShortcut, QTextCursor, QTextDocument
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

from triage.display import plural
from triage.ui import hotkeys


class FindableText(QWidget):
    def __init__(self, text: QPlainTextEdit, parent: QWidget | None = None):
        super().__init__(parent)
        self.text = text
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search the message and trace (Enter: next)")
        self.search.setClearButtonEnabled(True)
        # A Tab stop after the text (the window's chain: inbox, failures, trace, search): else
        # no keyboard could ever type a search.
        self.search.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.search.textChanged.connect(self.rehighlight)
        self.search.returnPressed.connect(self.find_next)
        self.count = QLabel()
        QShortcut(hotkeys.key(hotkeys.FIND_NEXT), self, self.find_next,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.search)
        layout.addWidget(self.count)
        self.count.hide()

    def rehighlight(self) -> None:
        """Highlight every match of the search text; say how many there are."""
        needle = self.search.text()
        selections = []
        if needle:
            document = self.text.document()
            cursor = document.find(needle, 0)
            color = QColor("#f7d54a")
            while not cursor.isNull() and len(selections) < 2000:
                selection = QTextEdit.ExtraSelection()
                selection.cursor = cursor
                selection.format.setBackground(color)
                selection.format.setForeground(QColor("#000000"))
                selections.append(selection)
                cursor = document.find(needle, cursor)
            self.count.setText(plural(len(selections), "match", "matches"))
            self.count.show()
        else:
            self.count.hide()
        self.text.setExtraSelections(selections)

    def find_next(self) -> None:
        needle = self.search.text()
        if not needle:
            return
        if not self.text.find(needle):
            self.text.moveCursor(QTextCursor.MoveOperation.Start)
            self.text.find(needle, QTextDocument.FindFlag(0))
