"""The main window: composes the panes, the actions and the error display, and wires signals.

No feature lives here: listing and syncing are the inbox's, loading the failures pane's,
deciding the `Decider`'s. Every shortcut comes from `hotkeys`.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QPaintEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QVBoxLayout, QWidget

from triage.ui import hotkeys
from triage.ui.context import AppContext
from triage.ui.decide_actions import Decider
from triage.ui.tasks import ErrorReport
from triage.ui.text import action_text
from triage.ui.watching import WatchController
from triage.ui.widgets.activity import Activity
from triage.ui.widgets.banner import Banner
from triage.ui.widgets.detail import DetailPane
from triage.ui.widgets.failures import FailuresPane
from triage.ui.widgets.inbox import InboxPane
from triage.ui.widgets.views import PlainLabel
from triage.ui.widgets.watch_menu import WatchMenu, wire_watch

LAYOUT_VERSION = 2  # bump when the panes change: older saved layouts are then ignored
# A window that is never painted (minimised, on a hidden workspace) still starts by then.
START_ANYWAY_MS = 1000


class MainWindow(QMainWindow):
    first_loaded = Signal()  # the launch's first build has its failures shown

    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.setObjectName("mainWindow")
        # The platform adds the app's display name ("demo — flaky-triage"), except to a title
        # that is that name already.
        self.setWindowTitle("demo" if ctx.demo else QApplication.applicationDisplayName())
        self.banner = Banner()
        self.inbox = InboxPane(ctx)
        self.failures = FailuresPane(ctx)
        self.detail = DetailPane(ctx)
        self.decider = Decider(ctx, self)
        self.watch = WatchController(ctx, QApplication.windowIcon(), parent=self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("panes")
        for pane in (self.inbox, self.failures, self.detail):
            self.splitter.addWidget(pane)
        self.splitter.setSizes([320, 760, 440])
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.activity = Activity(ctx.tasks)
        self.message = PlainLabel()
        self.statusBar().addWidget(self.message, 1)
        self.statusBar().addPermanentWidget(self.activity)
        self.actions: dict[str, QAction] = {}
        self._menus()
        self._wire()
        self.setTabOrder(self.inbox.view, self.failures.tree)
        self.setTabOrder(self.failures.tree, self.detail.trace.text)
        self._first = True
        self._closing = False
        self._start_pending = False
        self.resize(1400, 860)
        self._restore_layout()

    # --- composition ----------------------------------------------------------------------

    def _action(self, name: str, text: str, key, slot, menu) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setShortcut(hotkeys.key(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.actions[name] = action
        return action

    def _menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action("refresh", "&Refresh", hotkeys.REFRESH, self.inbox.refresh, file)
        self._action("exportReport", "&Export report…", hotkeys.EXPORT_REPORT, self.export, file)
        file.addSeparator()
        self._action("quit", "&Quit", hotkeys.QUIT, self.close, file)
        decide = bar.addMenu("&Decide")
        self._action("markReal", "Mark &real", hotkeys.MARK_REAL,
                     lambda: self._mark("real"), decide)
        self._action("markNoise", "Mark &noise", hotkeys.MARK_NOISE,
                     lambda: self._mark("noise"), decide)
        self._action("markClear", "&Clear marks", hotkeys.MARK_CLEAR,
                     lambda: self._mark(None), decide)
        self._action("accept", "&Accept suggestions", hotkeys.ACCEPT_SUGGESTIONS,
                     lambda: self.decider.accept(self.failures.view_data), decide)
        self._action("undo", "&Undo marking", hotkeys.UNDO,
                     lambda: self.decider.undo(self.failures.view_data), decide)
        decide.addSeparator()
        self._action("proceed", "&Proceed…", hotkeys.PROCEED,
                     lambda: self.decider.proceed(self.inbox.current_row()), decide)
        self._action("abort", "A&bort…", hotkeys.ABORT,
                     lambda: self.decider.abort(self.inbox.current_row()), decide)
        view = bar.addMenu("&View")
        self._action("selectAll", "Select all &failures", hotkeys.SELECT_ALL,
                     self.failures.select_all, view)
        self._action("filter", "&Filter failures", hotkeys.FILTER,
                     self.failures.focus_filter, view)
        self._action("consoleLog", "Load &console log", hotkeys.CONSOLE_LOG,
                     self.detail.console.load, view)
        self._action("openInJenkins", "&Open in Jenkins", hotkeys.OPEN_IN_JENKINS,
                     self.detail.open_in_jenkins, view)
        self.watch_menu = WatchMenu(self, bar.addMenu("&Watch"))
        help_menu = bar.addMenu("&Help")
        self._action("shortcuts", "&Keyboard shortcuts", hotkeys.SHORTCUTS_HELP,
                     self._show_shortcuts, help_menu)

    def _wire(self) -> None:
        tasks = self.ctx.tasks
        tasks.error.connect(self.show_error)
        tasks.warning.connect(self.banner.show_warning)
        self.inbox.selected.connect(self.failures.show_build)
        self.inbox.selected.connect(self._name_decisions)
        self.inbox.selected.connect(lambda row: self.detail.show_build(row, None))
        self.inbox.job_synced.connect(self._job_synced)
        self.inbox.job_sync_failed.connect(self.failures.sync_failed)
        self.failures.loaded.connect(self._loaded)
        self.failures.current_changed.connect(self.detail.show_record)
        self.decider.status.connect(self.message.setText)
        self.decider.marks_changed.connect(self._marks_changed)
        self.decider.decided.connect(self._decided)
        self.decider.settled_elsewhere.connect(lambda _row: self.inbox.refresh())
        wire_watch(self)

    def _show_shortcuts(self) -> None:
        from triage.ui.widgets.dialogs import ShortcutsDialog  # its Qt classes load on first use

        ShortcutsDialog.ask(self)

    # --- reactions ------------------------------------------------------------------------

    def start_after_first_paint(self) -> None:
        """Call `start` once the window has painted, so it shows before the listing's work
        (and the core modules it imports) begins."""
        self._start_pending = True
        QTimer.singleShot(START_ANYWAY_MS, self._start_once)

    def _start_once(self) -> None:
        if self._start_pending:
            self._start_pending = False
            self.start()

    def start(self) -> None:
        """Show the builds: list them, then sync and triage what the list shows."""
        self.inbox.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.inbox.refresh()

    def show_error(self, report: ErrorReport) -> None:
        self.banner.show_error(report)

    def export(self) -> None:
        """File > Export report…, on the selected build's job."""
        from triage.ui.widgets.export_dialog import ExportDialog  # the report package on demand

        row = self.inbox.current_row()
        line = ExportDialog.ask(self, self.ctx, row.job if row is not None else None)
        if line:
            self.message.setText(line)

    def _name_decisions(self, row) -> None:
        """Proceed and Abort say the selected input's own texts ("Ship…", "Abort…")."""
        pending = row.input if row is not None and row.paused else None
        self.actions["proceed"].setText(action_text((pending and pending.ok) or "Proceed") + "…")
        self.actions["abort"].setText(action_text((pending and pending.cancel) or "Abort") + "…")
        for name in ("proceed", "abort"):
            self.actions[name].setEnabled(pending is not None)

    def _mark(self, verdict: str | None) -> None:
        self.decider.mark(self.failures.view_data, self.failures.selected_records(), verdict)

    def _job_synced(self, server: str, job: str) -> None:
        row = self.failures.row
        if row is not None and (row.server, row.job) == (server, job):
            self.failures.reload()

    def _loaded(self, view) -> None:
        self.detail.show_build(self.failures.row, view)
        if view is not None and self._first:
            self._first = False
            self.first_loaded.emit()

    def _marks_changed(self, key, marks) -> None:
        view = self.failures.view_data
        if view is not None and (view.server, view.job, view.number) == key:
            self.failures.model.update_verdicts({
                test_id: (row.verdict, row.who, row.note) if row else (None, None, None)
                for test_id, row in marks.items()})
            record = self.failures.current_record()
            self.detail.show_record(record)
        self.inbox.summarise(key[0], key[1])

    def _decided(self, row, action: str) -> None:
        self.inbox.show_state(row, "running" if action == "proceed" else "aborted")
        # Jenkins moves on by itself; list again shortly to show where the build went.
        QTimer.singleShot(1500, self.inbox.refresh)

    # --- layout and closing ---------------------------------------------------------------

    def _restore_layout(self) -> None:
        settings = self.ctx.settings
        if settings.value("layout/version", 0, int) != LAYOUT_VERSION:
            return
        geometry = settings.value("layout/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        panes = settings.value("layout/panes")
        if isinstance(panes, QByteArray):
            self.splitter.restoreState(panes)
        columns = settings.value("layout/failureColumns")
        if isinstance(columns, QByteArray):
            self.failures.tree.header().restoreState(columns)

    def reset_layout(self) -> None:
        """Back to the default layout now (Watch > Reset window layout)."""
        self.splitter.setSizes([320, 760, 440])
        self.resize(1400, 860)
        from triage.ui.widgets.failures import WIDTHS

        for column, width in WIDTHS.items():
            self.failures.tree.header().resizeSection(column, width)

    def _save_layout(self) -> None:
        settings = self.ctx.settings
        settings.setValue("layout/version", LAYOUT_VERSION)
        settings.setValue("layout/geometry", self.saveGeometry())
        settings.setValue("layout/panes", self.splitter.saveState())
        settings.setValue("layout/failureColumns", self.failures.tree.header().saveState())
        settings.sync()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._start_pending:
            QTimer.singleShot(0, self._start_once)  # once this paint has reached the screen

    def closeEvent(self, event: QCloseEvent) -> None:
        """Cancel what can be cancelled and close: a sync stops after its builds in flight
        (each stored whole or not at all; one stuck on Jenkins is left after a moment), and
        nothing waits for Jenkins. Only a decision in flight is waited for, with the event
        loop running: it is always finished and recorded."""
        tasks = self.ctx.tasks
        for op in list(tasks.running):
            op.cancel()
        if tasks.busy_writing():
            event.ignore()
            if not self._closing:
                self._closing = True
                self.message.setText("Finishing the decision in flight, then closing…")
                tasks.ended.connect(self._close_when_idle)
            return
        if not self._closing:
            self._save_layout()
        self._closing = True
        self.watch.stop()
        tasks.shutdown(wait=True)  # the writer and readers: local work, soon over
        event.accept()

    def _close_when_idle(self, _op) -> None:
        if not self.ctx.tasks.busy_writing():
            self._save_layout()
            self.close()
