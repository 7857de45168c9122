"""The status bar's activity: what runs in the background, with progress and Cancel.

An op shows here only once it has run for `DELAY_MS` (style habit 6), so quick work never
flickers; the longest-running op is shown, with a count of the others.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from triage.ui.tasks import Op, TaskRunner

DELAY_MS = 500


class Activity(QWidget):
    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None,
                 shows: Callable[[Op], bool] | None = None, focusable: bool = False):
        super().__init__(parent)
        self.tasks = tasks
        self.shows = shows
        self.visible_ops: list[Op] = []
        self._progress: dict[Op, tuple[int, int | None]] = {}
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(160)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        if not focusable:  # the status bar's: Tab stays among the panes
            self.cancel_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        tasks.started.connect(self._started)
        tasks.ended.connect(self._ended)
        tasks.progressed.connect(self._progressed)
        self._refresh()

    def _started(self, op: Op) -> None:
        QTimer.singleShot(DELAY_MS, self, lambda: self._reveal(op))

    def _reveal(self, op: Op) -> None:
        # `shows` is asked now, not at the start: the op's owner holds it only once started.
        if self.shows is not None and not self.shows(op):
            return
        if not op.finished and op not in self.visible_ops:
            self.visible_ops.append(op)
            self._refresh()

    def _ended(self, op: Op) -> None:
        self._progress.pop(op, None)
        if op in self.visible_ops:
            self.visible_ops.remove(op)
            self._refresh()

    def _progressed(self, op: Op, done, total) -> None:
        self._progress[op] = (done, total)
        if op in self.visible_ops:
            self._refresh()

    @property
    def busy(self) -> bool:
        """True while an op is shown here (it has run for half a second)."""
        return bool(self.visible_ops)

    def cancel(self) -> None:
        for op in self.visible_ops:
            op.cancel()
        self.label.setText("Cancelling…")

    def _refresh(self) -> None:
        if not self.visible_ops:
            self.hide()
            return
        op = self.visible_ops[0]
        others = len(self.visible_ops) - 1
        done, total = self._progress.get(op, (0, None))
        text = op.progress.label or op.label
        if total:
            text += f" ({done}/{total})"
            self.bar.setRange(0, total)
            self.bar.setValue(done)
        else:
            self.bar.setRange(0, 0)  # busy
        if others:
            text += f" and {others} more"
        self.label.setText(text + "…")
        self.cancel_button.setVisible(any(o.cancellable for o in self.visible_ops))
        self.show()
