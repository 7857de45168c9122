"""The one error display: a banner over the panes, and a dialog for errors that need an answer.

Both carry "Copy details" (the message, the typed error's details and the traceback), so a
bug report never needs a screenshot of a terminal.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from triage.ui import palette
from triage.ui.tasks import ErrorReport
from triage.ui.widgets.views import PlainLabel


def copy_details(report: ErrorReport) -> None:
    QGuiApplication.clipboard().setText(f"{report.message}\n\n{report.details}".strip())


class Banner(QFrame):
    """A strip over the panes: the latest error or warning, Details, Copy details, Dismiss."""

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("banner")
        self.report: ErrorReport | None = None
        self.level = "error"
        self.count = 0
        self.label = PlainLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_button = QPushButton("Details…")
        self.copy_button = QPushButton("Copy details")
        self.close_button = QPushButton("Dismiss")
        for button in (self.details_button, self.copy_button, self.close_button):
            button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            button.setAutoDefault(False)
        self.details_button.clicked.connect(self._show_details)
        self.copy_button.clicked.connect(lambda: self.report and copy_details(self.report))
        self.close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.details_button)
        layout.addWidget(self.copy_button)
        layout.addWidget(self.close_button)
        self.hide()

    @property
    def text(self) -> str:
        return self.label.text()

    def show_error(self, report: ErrorReport) -> None:
        self.count = self.count + 1 if self.isVisible() and self.level == "error" else 1
        self.report, self.level = report, "error"
        more = f"  ({self.count - 1} earlier)" if self.count > 1 else ""
        self.label.setText(report.message + more)
        self._style()
        self.details_button.setVisible(True)
        self.copy_button.setVisible(True)
        self.show()

    def show_warning(self, message: str) -> None:
        if self.isVisible() and self.level == "error":
            return  # an error outranks a warning
        self.report = ErrorReport(message, "")
        self.level = "warning"
        self.count = 1
        self.label.setText(message)
        self._style()
        self.details_button.setVisible(False)
        self.copy_button.setVisible(True)
        self.show()

    def dismiss(self) -> None:
        self.hide()
        self.count = 0
        self.dismissed.emit()

    def _style(self) -> None:
        background, text = palette.banner_colors(self.level)
        self.setStyleSheet(f"#banner {{ background: {background}; border-radius: 4px; }}"
                           f"#banner QLabel {{ color: {text}; }}")

    def _show_details(self) -> None:
        if self.report is not None:
            ErrorDialog.ask(self.window(), self.report)


class ErrorDialog(QDialog):
    """An error with its details, selectable, and "Copy details"."""

    def __init__(self, parent: QWidget | None, report: ErrorReport):
        super().__init__(parent)
        self.setWindowTitle(report.title)
        self.report = report
        message = PlainLabel(report.message)
        message.setWordWrap(True)
        message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QPlainTextEdit(report.details)
        self.details.setReadOnly(True)
        self.details.setVisible(bool(report.details))
        self.details.setMinimumSize(560, 200)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy details", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: copy_details(report))
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, parent: QWidget | None, report: ErrorReport) -> None:
        dialog = cls(parent, report)
        dialog.exec()
