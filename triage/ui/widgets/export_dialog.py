"""File > Export report…: the report `triage report` writes, with its filters, a preview, Save.

The filters are read and checked by the core (`triage.report.export`), as the CLI reads them.
The report is built by `triage.report.build_report` on a reader thread (its own connection),
with progress after half a second and Cancel (Esc cancels first, then closes). A filter change
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
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from triage.display import plural
from triage.errors import Cancelled, ConfigError
from triage.report import FORMATS, ReportData, ReportFilters, build_report, render_markdown
from triage.report.export import EMPTY, parse_moment, report_filters, save_report, written
from triage.store.reports import JobRef, report_jobs
from triage.ui import palette
from triage.ui.context import AppContext
from triage.ui.tasks import ErrorReport, Op
from triage.ui.widgets.activity import Activity
from triage.ui.widgets.banner import Banner

DEBOUNCE_MS = 300
FORMAT_NAMES = {"html": "HTML", "csv": "CSV", "json": "JSON", "md": "Markdown"}
_SERVERS = Qt.ItemDataRole.UserRole  # on a job's item: the servers that have it


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
        self._build_filters()
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
        self.jobs.setFocus(Qt.FocusReason.OtherFocusReason)
        self._load_jobs()

    # --- building the form ----------------------------------------------------------------

    def _build_filters(self) -> None:
        self.jobs = QListWidget()
        self.jobs.setObjectName("exportJobs")
        self.jobs.setAccessibleName("Jobs (none ticked: every job)")
        self.jobs.itemChanged.connect(lambda _item: self._changed())
        self.jobs.setMaximumHeight(200)
        palette.outline_visible(self.jobs)
        self.server = QComboBox()
        self.server.setObjectName("exportServer")
        self.server.addItem("Every server", None)
        self.server.currentIndexChanged.connect(self._server_changed)
        self.since, self.until, self.branch = QLineEdit(), QLineEdit(), QLineEdit()
        self.since.setPlaceholderText("any date · YYYY-MM-DD[THH:MM]")
        self.until.setPlaceholderText("any date · inclusive")
        self.branch.setPlaceholderText("every branch")
        for edit, name in ((self.since, "exportSince"), (self.until, "exportUntil"),
                           (self.branch, "exportBranch")):
            edit.setObjectName(name)
            edit.setClearButtonEnabled(True)
            edit.textChanged.connect(self._changed)
        self.format = QComboBox()
        self.format.setObjectName("exportFormat")
        for fmt, name in FORMAT_NAMES.items():
            self.format.addItem(f"{name} ({FORMATS[fmt]})", fmt)
        self.problem = QLabel()
        self.problem.setObjectName("exportProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for text, field in (("&Jobs:", self.jobs), ("Se&rver:", self.server),
                            ("S&ince:", self.since), ("&Until:", self.until),
                            ("&Branch:", self.branch), ("&Format:", self.format)):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, field)
        hint = QLabel("<small>No job ticked: every job. Dates are UTC, on the builds' start; "
                      "the same filters as <code>triage report</code>.</small>")
        hint.setWordWrap(True)
        hint.setEnabled(False)
        form.addRow("", hint)
        form.addRow("", self.problem)
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(form)
        column.addStretch(1)
        left = QWidget()
        left.setLayout(column)
        left.setFixedWidth(340)
        right = QVBoxLayout()
        right.addWidget(self.summary)
        right.addWidget(self.preview, 1)
        panes = QHBoxLayout()
        panes.addWidget(left)
        panes.addLayout(right, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.activity)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(panes, 1)
        layout.addLayout(bottom)
        self.setTabOrder(self.jobs, self.server)
        self.setTabOrder(self.server, self.since)
        self.setTabOrder(self.since, self.until)
        self.setTabOrder(self.until, self.branch)
        self.setTabOrder(self.branch, self.format)
        self.setTabOrder(self.format, self.preview)
        self.resize(1240, 760)

    def _load_jobs(self) -> None:
        self._run("Reading the stored jobs", lambda store, op: report_jobs(store),
                  self._jobs_loaded, self._failed)

    def _jobs_loaded(self, refs: list[JobRef]) -> None:
        servers: dict[str, set[str]] = {}
        for ref in refs:
            servers.setdefault(ref.name, set()).add(ref.server)
        self.jobs.blockSignals(True)
        for name in sorted(servers):
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name == self.default_job
                               else Qt.CheckState.Unchecked)
            item.setData(_SERVERS, sorted(servers[name]))
            item.setToolTip("on " + ", ".join(sorted(servers[name])))
            self.jobs.addItem(item)
            if name == self.default_job:
                self.jobs.setCurrentItem(item)
        self.jobs.blockSignals(False)
        for server in sorted({ref.server for ref in refs}):
            self.server.addItem(server, server)
        if self.jobs.currentRow() < 0 and self.jobs.count():
            self.jobs.setCurrentRow(0)
        self.refresh()

    # --- filters and the preview ----------------------------------------------------------

    def filters(self) -> ReportFilters:
        """Return the filters the form says, read as `triage report` reads its options."""
        def moment(edit: QLineEdit, label: str, end: bool) -> int | None:
            if not edit.text().strip():
                return None
            try:
                return parse_moment(edit.text(), end=end)
            except ConfigError as exc:
                raise ConfigError(f"{label}: {exc.message}") from None

        jobs = tuple(self.jobs.item(i).text() for i in range(self.jobs.count())
                     if self.jobs.item(i).checkState() == Qt.CheckState.Checked
                     and not self.jobs.item(i).isHidden())
        return report_filters(jobs, self.server.currentData(),
                              moment(self.since, "Since", False),
                              moment(self.until, "Until", True), self.branch.text().strip() or None)

    def fmt(self) -> str:
        return self.format.currentData()

    def _server_changed(self) -> None:
        """Show only the chosen server's jobs (a hidden tick does not count)."""
        server = self.server.currentData()
        for i in range(self.jobs.count()):
            item = self.jobs.item(i)
            item.setHidden(server is not None and server not in item.data(_SERVERS))
        self._changed()

    def _changed(self) -> None:
        self._debounce.start()

    def _checked_filters(self) -> ReportFilters | None:
        """Return the form's filters, or None after saying what is wrong with them."""
        try:
            filters = self.filters()
        except ConfigError as exc:
            self.problem.setText(exc.message)
            self.problem.setStyleSheet(f"color: {palette.state_color('failed').name()};")
            self.problem.show()
            self.save_button.setEnabled(False)
            if self.data is not None:
                self.summary.setText("The preview shows the filters before this change.")
            return None
        self.problem.hide()
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
            lambda store, op: self._build(store, op, filters),
            lambda data: self._show(ticket, filters, data),
            lambda error: self._preview_failed(ticket, error))
        self._preview_filters = filters

    @staticmethod
    def _build(store, op: Op, filters: ReportFilters) -> tuple[ReportData, str]:
        data = build_report(store, filters, reporter=op.progress, token=op.token)
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
        path = self.choose_file(self.fmt())
        if path is None:
            return
        self._pending = (filters, self.fmt(), path)
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
        """While a save is on its way the filters stay as they were asked for."""
        if not busy:
            self._pending = None
        self.save_button.setEnabled(not busy)
        for field in (self.jobs, self.server, self.since, self.until, self.branch, self.format):
            field.setEnabled(not busy)

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
