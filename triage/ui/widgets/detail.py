"""The detail pane: one failure in full, and below it the build's console log.

Message and trace are monospace, selectable, copyable and searchable; stdout/stderr, the
reasons behind the suggestion, the test's recent builds with commits and the earlier verdicts
with their notes sit in tabs. Loading debounces and drops stale answers like the failures pane.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFontDatabase
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from triage.display import markup, shorten
from triage.domain import Outcome
from triage.jenkins import urls
from triage.ui.context import AppContext
from triage.ui.models.failures_model import ClusterRecord, FailureRecord
from triage.ui.text import NAME_CHARS, tooltip, when
from triage.ui.widgets.console_log import ConsoleLogPanel
from triage.ui.widgets.find_text import FindableText
from triage.ui.widgets.views import titled

if TYPE_CHECKING:
    from triage.build_detail import FailureDetail

DEBOUNCE_MS = 80


def monospace() -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setReadOnly(True)
    edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    edit.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                 | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    return edit


class DetailPane(QWidget):
    opened_url = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.row = None  # InboxRow of the build shown
        self.build_url: str | None = None
        self.record: FailureRecord | ClusterRecord | None = None
        self.detail: FailureDetail | None = None
        self._ticket = 0
        self.heading = QLabel("No failure selected.")
        self.heading.setTextFormat(Qt.TextFormat.RichText)  # built with `markup`
        self.heading.setWordWrap(True)
        # A long test name has no break: never let it widen the pane.
        self.heading.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton("Open in Jenkins")
        self.open_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.open_button.clicked.connect(self.open_in_jenkins)
        self._tabs()
        self.console = ConsoleLogPanel(ctx)
        titled(top := QWidget(), self.heading, self.open_button, self.tabs)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.console)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._load)
        self.setFocusProxy(self.trace.text)

    def _tabs(self) -> None:
        """The trace (searchable) and the tabs beside it; only the trace is a Tab stop."""
        self.trace = FindableText(monospace())
        self.trace.text.setObjectName("trace")
        self.trace.text.setAccessibleName("Message and stack trace")
        self.output = monospace()
        self.reasons = QPlainTextEdit()
        self.reasons.setReadOnly(True)
        self.history = QTreeWidget()
        self.history.setHeaderLabels(["Build", "Outcome", "Commit", "Build result", "When"])
        self.history.setRootIsDecorated(False)
        self.verdicts = QTreeWidget()
        self.verdicts.setHeaderLabels(["Build", "Verdict", "Who", "Note", "When"])
        self.verdicts.setRootIsDecorated(False)
        self.tabs = QTabWidget()
        self.tabs.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.tabs.addTab(self.trace, "Error")
        self.tabs.addTab(self.reasons, "Why")
        self.tabs.addTab(self.history, "History")
        self.tabs.addTab(self.verdicts, "Verdicts")
        self.tabs.addTab(self.output, "Output")
        for widget in (self.output, self.reasons, self.history, self.verdicts):
            widget.setFocusPolicy(Qt.FocusPolicy.ClickFocus)

    # --- what is shown --------------------------------------------------------------------

    def show_build(self, row, view) -> None:
        """A new build: its console log and its Jenkins link; the failure comes next. Another
        input of the build shown keeps it all (the failures pane keeps its failures too)."""
        same = row is not None and self.row is not None and row.key == self.row.key
        if not same:
            self.console.show_build(row)
        self.row = row
        if view is not None and view.url:
            self.build_url = view.url
        elif not same:
            self.build_url = row.url if row is not None else None
        if view is None and not same:
            self.show_record(None)

    def show_record(self, record) -> None:
        self._ticket += 1
        self.record = record
        self.detail = None
        if record is None:
            self.heading.setText("No failure selected.")
            for widget in (self.trace.text, self.output, self.reasons):
                widget.setPlainText("")
            self.history.clear()
            self.verdicts.clear()
            return
        if isinstance(record, ClusterRecord):
            self._show_cluster(record)
            return
        self._heading(record)
        self.trace.text.setPlainText(record.message)
        self.reasons.setPlainText("\n".join(f"• {r}" for r in record.reasons))
        self._debounce.start()

    def _heading(self, record: FailureRecord) -> None:
        verdict = f" · marked {record.verdict_shown}" if record.verdict else ""
        classname, _, name = (shorten(part, NAME_CHARS) for part in record.test.rpartition("."))
        self.heading.setText(f"<b>{markup(name)}</b> <small>{markup(classname)}</small><br>"
                             f"suggested <b>{record.suggestion}</b> · flakiness "
                             f"{record.score:.2f}{markup(verdict)}")
        self.heading.setToolTip(tooltip(record.test))

    def _show_cluster(self, cluster: ClusterRecord) -> None:
        size = len(cluster.members)
        label = markup(shorten(cluster.label, NAME_CHARS))
        self.heading.setText(f"<b>{label}</b><br>cluster {cluster.id} · "
                             f"{size} failure{'s' * (size != 1)} · suggested "
                             f"<b>{cluster.suggestion}</b>")
        shared = {}
        for member in cluster.members:
            for reason in member.reasons:
                shared[reason] = shared.get(reason, 0) + 1
        lines = [f"• {reason}" + (f" ({n} of {len(cluster.members)})"
                                  if n < len(cluster.members) else "")
                 for reason, n in sorted(shared.items(), key=lambda kv: -kv[1])]
        self.reasons.setPlainText("\n".join(lines))
        self.trace.text.setPlainText("\n".join(sorted({m.message for m in cluster.members})))
        self.output.setPlainText("")
        self.history.clear()
        self.verdicts.clear()

    def _load(self) -> None:
        record, row, ticket = self.record, self.row, self._ticket
        if not isinstance(record, FailureRecord) or row is None:
            return
        self.ctx.tasks.read(
            f"Loading {record.test}",
            lambda store, op: _failure_detail(store, row, record.test_id),
            lambda detail: self._loaded(ticket, detail))

    def _loaded(self, ticket: int, detail: FailureDetail) -> None:
        if ticket != self._ticket:
            return
        self.detail = detail
        final = detail.attempts[0] if detail.attempts else None
        if final is not None:
            parts = [f"{final.type}: {final.message}" if final.type else final.message or "",
                     final.trace or ""]
            for earlier in detail.attempts[1:]:
                parts.append(f"--- earlier attempt {earlier.attempt} ({earlier.kind}) ---\n"
                             f"{earlier.message or ''}\n{earlier.trace or ''}")
            self.trace.text.setPlainText("\n\n".join(p for p in parts if p).strip())
            self.trace.rehighlight()
            self.output.setPlainText(_output(final))
        self._fill_history(detail)
        self._fill_verdicts(detail)

    def _fill_history(self, detail: FailureDetail) -> None:
        from triage.flakiness.suggest import short_sha  # loaded with the detail, in its reader

        self.history.clear()
        for run in detail.runs:
            outcome = Outcome(run.outcome).label if run.outcome is not None else "did not run"
            self.history.addTopLevelItem(QTreeWidgetItem([
                f"#{run.number}", outcome, short_sha(run.revision) if run.revision else "",
                run.result or "", when(run.timestamp_ms)]))
        for column in range(4):
            self.history.resizeColumnToContents(column)

    def _fill_verdicts(self, detail: FailureDetail) -> None:
        self.verdicts.clear()
        for row in detail.verdicts:
            verdict = row.verdict + (" (undone)" if row.undone_at else "")
            self.verdicts.addTopLevelItem(QTreeWidgetItem([
                f"#{row.build_number}", verdict, row.who or "", row.note or "", when(row.at)]))
        if not detail.verdicts:
            # Across the columns: in the narrow Verdict column it read "no verdicts o…".
            item = QTreeWidgetItem(["no verdicts on this test yet"])
            self.verdicts.addTopLevelItem(item)
            item.setFirstColumnSpanned(True)

    def open_in_jenkins(self) -> None:
        """Open the failure's test result page (else the build) in the browser."""
        url = self.build_url
        if not url:
            return
        if isinstance(self.record, FailureRecord):
            url = urls.test_page(url, self.record.classname, self.record.name)
        self.opened_url.emit(url)
        QDesktopServices.openUrl(QUrl(url))


def _failure_detail(store, row, test_id: int) -> FailureDetail:
    """One failure in full, in a reader (where the engine is imported, after the first paint)."""
    from triage.build_detail import failure_detail

    return failure_detail(store, row.job, row.number, test_id, row.server)


def _output(attempt) -> str:
    parts = []
    if attempt.stdout:
        parts.append(f"--- stdout ---\n{attempt.stdout}")
    if attempt.stderr:
        parts.append(f"--- stderr ---\n{attempt.stderr}")
    return "\n\n".join(parts) or "(no output kept for this failure)"

