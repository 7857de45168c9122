"""File > Export report…: the report `triage report` writes, with its filters, a preview, Save.

The filters are read and checked by the core (`triage.report.export`), as the CLI reads them.
The report is built by `triage.report.build_report` for an op on a reader thread, in the report
child process (`report_process`: its GIL-bound work would stall the window), with progress after
half a second and Cancel (Esc cancels first, then closes). A filter change
debounces, then builds again; an answer for filters no longer asked for is dropped. The
preview is the Markdown summary in a QTextBrowser (the HTML's inline SVG charts need a web
engine the bundle does without). Save writes the chosen format of the data previewed (built
first if the preview is not ready), whole or not at all (`save_report`). Errors show in the
dialog's own banner, the window's error display placed where the user looks.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from triage.display import plural
from triage.errors import Cancelled, ConfigError
from triage.report import FORMATS, ReportData, ReportFilters, render_markdown
from triage.report.export import EMPTY, save_report, written
from triage.store.reports import JobRef, report_jobs
from triage.ui import report_process
from triage.ui.context import AppContext
from triage.ui.tasks import ErrorReport, Op
from triage.ui.widgets.activity import Activity
from triage.ui.widgets.banner import Banner
from triage.ui.widgets.report_filters import FORMAT_NAMES, ReportFiltersForm

DEBOUNCE_MS = 300


class ExportDialog(QDialog):
    previewed = Signal(object)  # the ReportFilters of the report the preview now shows
    saved = Signal(str)  # what was written ("Wrote … (html, 12 KiB): …")

    def __init__(self, parent: QWidget | None, ctx: AppContext, job: str | None = None):
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export report")
        self.ctx, self.default_job = ctx, job
        self.data: ReportData | None = None
        self.data_filters: ReportFilters | None = None
        self.last_written: str | None = None
        self._pending: tuple[ReportFilters, str, Path] | None = None  # a save waiting to write
        self._ops: set[Op] = set()
        self._preview_op: Op | None = None
        self._preview_filters: ReportFilters | None = None  # what that op builds
        self._ticket = 0
        self._closed = False
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        self.banner = Banner()
        self.form = ReportFiltersForm()
        self.form.setFixedWidth(340)
        self.form.changed.connect(self._debounce.start)
        self.summary = QLabel("Reading the stored jobs…")
        self.summary.setObjectName("exportSummary")
        self.summary.setWordWrap(True)
        self.preview = QTextBrowser()
        self.preview.setObjectName("exportPreview")
        self.preview.setAccessibleName("Preview: the Markdown summary")
        self.preview.setOpenLinks(False)
        self.activity = Activity(ctx.tasks, shows=lambda op: op in self._ops, focusable=True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.save_button = self.buttons.addButton("&Save…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setEnabled(False)
        self.buttons.accepted.connect(self.save)  # Save keeps the dialog open: another format?
        self.buttons.rejected.connect(self.reject)
        self._lay_out()
        self.save_button.setDefault(True)  # once in the dialog: Enter anywhere saves
        self.form.jobs.setFocus(Qt.FocusReason.OtherFocusReason)
        self._run("Reading the stored jobs", lambda store, op: report_jobs(store),
                  self._jobs_loaded, self._failed)

    def _lay_out(self) -> None:
        right = QVBoxLayout()
        right.addWidget(self.summary)
        right.addWidget(self.preview, 1)
        panes = QHBoxLayout()
        panes.addWidget(self.form)
        panes.addLayout(right, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.activity)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(panes, 1)
        layout.addLayout(bottom)
        self.setTabOrder(self.form.format, self.preview)
        self.resize(1240, 760)

    def _jobs_loaded(self, refs: list[JobRef]) -> None:
        self.form.set_jobs(refs, self.default_job)
        self.refresh()

    # --- the preview ----------------------------------------------------------------------

    def _checked_filters(self) -> ReportFilters | None:
        """Return the form's filters, or None after saying what is wrong with them."""
        try:
            filters = self.form.filters()
        except ConfigError as exc:
            self.form.show_problem(exc.message)
            self.save_button.setEnabled(False)
            if self.data is not None:
                self.summary.setText("The preview shows the filters before this change.")
            return None
        self.form.show_problem(None)
        self.save_button.setEnabled(self._pending is None)
        return filters

    def refresh(self) -> None:
        """Build the report for the filters now, unless it is shown or on its way."""
        self._debounce.stop()
        filters = self._checked_filters()
        if filters is None or (filters == self.data_filters and self._preview_op is None):
            return
        if self._preview_op is not None:
            if self._preview_filters == filters:
                return
            self._preview_op.cancel()
        self._ticket += 1
        ticket = self._ticket
        self.summary.setText("Building the report…")
        self._preview_op = self._run(
            "Building the report",
            lambda _store, op: self._build(op, filters),
            lambda data: self._show(ticket, filters, data),
            lambda error: self._preview_failed(ticket, error))
        self._preview_filters = filters

    def _build(self, op: Op, filters: ReportFilters) -> tuple[ReportData, str]:
        """In a reader: the report built in the report child process, then its summary."""
        data = report_process.build_report(self.ctx.tasks, self.ctx.store_path, filters, op)
        return data, render_markdown(data)

    def _show(self, ticket: int, filters: ReportFilters, built) -> None:
        if ticket != self._ticket:
            return  # built for filters no longer asked for
        self._preview_op = None
        data, markdown = built
        self.data, self.data_filters = data, filters
        self.preview.setMarkdown(markdown)
        self.summary.setText(_summary(data))
        self.previewed.emit(filters)
        if self._pending is not None and self._pending[0] == filters:
            self._write()

    def _preview_failed(self, ticket: int, error: BaseException) -> None:
        if ticket != self._ticket:
            return
        self._preview_op = None
        if self._pending is not None:
            self._save_failed(error)
        elif isinstance(error, Cancelled):
            self.summary.setText("Cancelled: the preview is not up to date (Save builds the "
                                 "report again).")
        else:
            self._failed(error)

    # --- saving ---------------------------------------------------------------------------

    def save(self) -> None:
        """Ask where, then write the chosen format of the report for these filters (once the
        preview has it: the one build serves both)."""
        filters = self._checked_filters()
        if filters is None:
            return
        fmt = self.form.fmt()
        path = self.choose_file(fmt)
        if path is None:
            return
        self._pending = (filters, fmt, path)
        self._busy_saving(True)
        if filters == self.data_filters and self._preview_op is None:
            self._write()
        else:
            self.refresh()  # `_show` writes it when built

    def _write(self) -> None:
        _filters, fmt, path = self._pending
        data = self.data
        self.summary.setText(f"Writing {path.name}…")

        def work(store, op: Op) -> str:
            op.progress.start(None, f"Writing {path.name}")
            written_to, text = save_report(data, fmt, path, op.token)
            return written(written_to, fmt, text, data)

        self._run("Writing the report", work, self._saved, self._save_failed)

    def _busy_saving(self, busy: bool) -> None:
        if not busy:
            self._pending = None
        self.save_button.setEnabled(not busy)
        self.form.set_busy(busy)

    def choose_file(self, fmt: str) -> Path | None:
        """Ask for the file to write; the format's suffix is added when none is typed."""
        settings = self.ctx.settings
        folder = settings.value("export/folder", str(Path.home()), str)
        suffix = FORMATS[fmt]
        dialog = QFileDialog(self, "Export report", folder)
        dialog.setObjectName("exportFile")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters([f"{FORMAT_NAMES[fmt]} (*{suffix})", "All files (*)"])
        dialog.setDefaultSuffix(suffix[1:])
        dialog.selectFile(f"flakiness-report{suffix}")
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return None
        path = Path(dialog.selectedFiles()[0])
        settings.setValue("export/folder", str(path.parent))
        return path

    def _saved(self, line: str) -> None:
        self._busy_saving(False)
        self.banner.dismiss()  # an earlier failure to write is mended
        self.last_written = line
        self.summary.setText(line)
        self.saved.emit(line)

    def _save_failed(self, error: BaseException) -> None:
        self._busy_saving(False)
        if isinstance(error, Cancelled):
            self.summary.setText("Cancelled: no report was written.")
        else:
            self.summary.setText("Nothing was written.")
            self._failed(error)

    # --- ops, errors, closing -------------------------------------------------------------

    def _run(self, label: str, work, done, failed) -> Op:
        """Read on a reader thread; the outcome reaches this dialog only while it is open."""
        def deliver(callback):
            def call(value) -> None:
                self._ops.discard(op)
                if not self._closed:
                    callback(value)
            return call

        op = self.ctx.tasks.read(label, work, deliver(done), deliver(failed))
        self._ops.add(op)
        return op

    def _failed(self, error: BaseException) -> None:
        self.banner.show_error(ErrorReport.of(error))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc cancels the work in progress first; pressed again (or when idle) it closes."""
        if event.key() == Qt.Key.Key_Escape and self.activity.busy:
            self.activity.cancel()
            return
        super().keyPressEvent(event)

    def done(self, result: int) -> None:
        self._closed = True
        self._debounce.stop()
        for op in list(self._ops):
            op.cancel()
        super().done(result)

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: AppContext, job: str | None = None) -> str | None:
        """Run the dialog; return the line saying what was last written (None: nothing)."""
        dialog = cls(parent, ctx, job)
        dialog.exec()
        dialog.deleteLater()
        return dialog.last_written


def _summary(data: ReportData) -> str:
    s = data.summary
    if not s.builds:
        return EMPTY
    return (f"{plural(len(data.jobs), 'job')}, {plural(s.builds, 'build')}, "
            f"{plural(len(data.tests), 'test')} with failures. The preview is the Markdown "
            "summary; HTML, CSV and JSON have every figure.")
