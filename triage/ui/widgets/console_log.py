"""The build's console log on demand: its last lines, and the lines around errors before them.

Fetched on the network pool with the Jenkins client (`triage.console_log`, at most 2 MiB of
the log's end), never when a build is merely selected: a log can be huge.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPushButton, QTextBrowser, QWidget

from triage import console_log
from triage.display import markup
from triage.errors import TriageError
from triage.ui import palette
from triage.ui.context import AppContext
from triage.ui.widgets.views import titled


class ConsoleLogPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.row = None
        self.log: console_log.ConsoleLog | None = None
        self._ticket = 0
        self.title = QLabel("<b>Console log</b>")
        self.load_button = QPushButton("Load console log (L)")
        self.load_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.load_button.clicked.connect(self.load)
        self.text = QTextBrowser()
        self.text.setObjectName("consoleLog")
        self.text.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.text.setOpenLinks(False)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QTextBrowser.LineWrapMode.NoWrap)
        titled(self, self.title, self.load_button, self.text, top=4)
        self.show_build(None)

    def show_build(self, row) -> None:
        self._ticket += 1
        self.row, self.log = row, None
        self.load_button.setEnabled(row is not None)
        self.load_button.setText("Load console log (L)")
        self.text.setPlainText("" if row is None else
                               "Press L to read the end of this build's console log\n"
                               "and the lines around its errors.")

    def load(self) -> None:
        row, ticket = self.row, self._ticket
        if row is None:
            return
        self.load_button.setEnabled(False)
        self.text.setPlainText("Reading the console log…")
        mark = palette.error_line_color().name()  # Qt's palette: read on the GUI thread

        def read(op):
            # Cutting 2 MiB into an excerpt and its HTML takes a while: on the worker too.
            log = console_log.fetch(self.ctx.source(row.server), row.job, row.number)
            return log, render(log, console_log.excerpt(log), mark)

        self.ctx.tasks.network(f"Reading the console log of {row.display}", read,
                               lambda result: self._loaded(ticket, *result),
                               lambda error: self._failed(ticket, error))

    def _loaded(self, ticket: int, log: console_log.ConsoleLog, html: str) -> None:
        if ticket != self._ticket:
            return
        self.log = log
        self.load_button.setEnabled(True)
        self.load_button.setText("Reload")
        self.text.setHtml(html)

    def _failed(self, ticket: int, error: BaseException) -> None:
        if ticket != self._ticket:
            return
        self.load_button.setEnabled(True)
        if isinstance(error, TriageError):
            message = error.message
        else:  # a bug: the error display keeps its traceback, the pane says the one line
            self.ctx.tasks.report(error, "Could not read the console log")
            message = f"{type(error).__name__}: {error}"
        self.text.setPlainText(f"Could not read the console log: {message}")


def render(log: console_log.ConsoleLog, excerpt: console_log.LogExcerpt, mark: str) -> str:
    """Return the excerpt as HTML: error windows first, then the tail; error lines marked
    with the colour `mark`. Plain Python (no Qt): it runs on a worker."""
    parts = []
    size = f"{log.size / 1024:.0f} KiB" if log.size >= 1024 else f"{log.size} bytes"
    note = f"{excerpt.lines} lines read of a log of {size}"
    if log.cut:
        note += " (its beginning left out)"
    if log.more:
        note += "; the build is still writing it"
    parts.append(f"<p><i>{markup(note)}.</i></p>")
    if excerpt.windows:
        parts.append(f"<p><b>Around errors</b> ({excerpt.errors} error lines)</p>")
        for window in excerpt.windows:
            parts.append(_lines(window, mark))
            parts.append("<p>…</p>")
    parts.append(f"<p><b>Last {len(excerpt.tail)} lines</b></p>")
    parts.append(_lines(excerpt.tail, mark))
    return "".join(parts)


def _lines(numbered: list[tuple[int, str]], mark: str) -> str:
    rows = []
    for number, line in numbered:
        text = markup(line) or "&nbsp;"
        style = f" style='background:{mark}'" if console_log.is_error_line(line) else ""
        rows.append(f"<div{style}><span style='color:gray'>{number:>5}</span>  {text}</div>")
    return "<pre style='margin:0'>" + "".join(rows) + "</pre>"
