"""The filters of a report, as a form: the options of `triage report`, read the same way.

Jobs are ticked from those in the history (none ticked: every job; a job on several servers is
one row, its servers in the tooltip); choosing a server shows only its jobs. Dates and the
checks behind them are the core's (`triage.report.export`), so "2026-11-30" as Until means the
whole day here as it does after `--until`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from triage.errors import ConfigError
from triage.report import FORMATS, ReportFilters
from triage.report.export import parse_moment, report_filters
from triage.store.reports import JobRef
from triage.ui import palette
from triage.ui.widgets.hint import Hint

FORMAT_NAMES = {"html": "HTML", "csv": "CSV", "json": "JSON", "md": "Markdown"}
_SERVERS = Qt.ItemDataRole.UserRole  # on a job's item: the servers that have it


class ReportFiltersForm(QWidget):
    changed = Signal()  # a filter changed (not the format: it changes no figure)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.jobs = QListWidget()
        self.jobs.setObjectName("exportJobs")
        self.jobs.setAccessibleName("Jobs (none ticked: every job)")
        self.jobs.setMaximumHeight(200)
        self.jobs.itemChanged.connect(lambda _item: self.changed.emit())
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
            edit.textChanged.connect(self.changed)
        self.format = QComboBox()
        self.format.setObjectName("exportFormat")
        for fmt, name in FORMAT_NAMES.items():
            self.format.addItem(f"{name} ({FORMATS[fmt]})", fmt)
        self.problem = QLabel()
        self.problem.setObjectName("exportProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self._lay_out()

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for text, field in (("&Jobs:", self.jobs), ("Se&rver:", self.server),
                            ("S&ince:", self.since), ("&Until:", self.until),
                            ("&Branch:", self.branch), ("&Format:", self.format)):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, field)
        form.addRow("", Hint("<small>No job ticked: every job. Dates are UTC, on the builds' "
                             "start; the same filters as <code>triage report</code>.</small>"))
        form.addRow("", self.problem)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(form)
        column.addStretch(1)
        for first, second in ((self.jobs, self.server), (self.server, self.since),
                              (self.since, self.until), (self.until, self.branch),
                              (self.branch, self.format)):
            QWidget.setTabOrder(first, second)

    def set_jobs(self, refs: list[JobRef], default_job: str | None) -> None:
        """List the stored jobs and servers; tick `default_job` (and put the cursor on it)."""
        servers: dict[str, set[str]] = {}
        for ref in refs:
            servers.setdefault(ref.name, set()).add(ref.server)
        self.jobs.blockSignals(True)
        for name in sorted(servers):
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name == default_job
                               else Qt.CheckState.Unchecked)
            item.setData(_SERVERS, sorted(servers[name]))
            item.setToolTip("on " + ", ".join(sorted(servers[name])))
            self.jobs.addItem(item)
            if name == default_job:
                self.jobs.setCurrentItem(item)
        self.jobs.blockSignals(False)
        self.server.blockSignals(True)
        for server in sorted({ref.server for ref in refs}):
            self.server.addItem(server, server)
        self.server.blockSignals(False)
        if self.jobs.currentRow() < 0 and self.jobs.count():
            self.jobs.setCurrentRow(0)

    def filters(self) -> ReportFilters:
        """Return the filters the form says, read as `triage report` reads its options;
        raise ConfigError naming the field that is wrong."""
        def moment(edit: QLineEdit, label: str, end: bool) -> int | None:
            if not edit.text().strip():
                return None
            try:
                return parse_moment(edit.text(), end=end)
            except ConfigError as exc:
                raise ConfigError(f"{label}: {exc.message}") from None

        items = [self.jobs.item(i) for i in range(self.jobs.count())]
        jobs = tuple(item.text() for item in items
                     if item.checkState() == Qt.CheckState.Checked and not item.isHidden())
        return report_filters(jobs, self.server.currentData(),
                              moment(self.since, "Since", False), moment(self.until, "Until", True),
                              self.branch.text().strip() or None)

    def fmt(self) -> str:
        return self.format.currentData()

    def show_problem(self, message: str | None) -> None:
        """Say what is wrong with the filters beside them (None: nothing)."""
        self.problem.setText(message or "")
        self.problem.setStyleSheet(f"color: {palette.state_color('failed').name()};")
        self.problem.setVisible(message is not None)

    def set_busy(self, busy: bool) -> None:
        """While a save is on its way the filters stay as they were asked for."""
        for field in (self.jobs, self.server, self.since, self.until, self.branch, self.format):
            field.setEnabled(not busy)

    def _server_changed(self) -> None:
        """Show only the chosen server's jobs (a hidden tick does not count)."""
        server = self.server.currentData()
        for i in range(self.jobs.count()):
            item = self.jobs.item(i)
            item.setHidden(server is not None and server not in item.data(_SERVERS))
        self.changed.emit()
