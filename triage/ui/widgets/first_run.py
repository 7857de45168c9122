"""The first-run screen, shown when no Jenkins server is configured.

"Add a Jenkins server…" opens the settings; once one is saved the main window opens on it.
"Try the demo" does what `triage demo` does, in this process: the built-in Jenkins with its
sample pipelines on loopback, a throwaway history and configuration (`triage.ui.demo`), and
the main window on them. The demo server and its folder live until the app quits.

Reading the saved servers and starting the demo (building its sample world takes a good part
of a second) run on a worker, as every disk and network step of the app does.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget

from triage import servers as server_config
from triage.errors import TriageError
from triage.ui.context import AppContext
from triage.ui.widgets.hint import Hint


class FirstRun(QWidget):
    opened = Signal(object)  # the MainWindow it opened

    def __init__(self, ctx: AppContext, open_window: Callable[[AppContext], QWidget]):
        super().__init__()
        self.setObjectName("firstRun")
        self.setWindowTitle("flaky-triage")
        self.ctx, self._open_window = ctx, open_window
        self.window: QWidget | None = None
        self._demo = None  # (server, TemporaryDirectory) while the demo runs
        icon = QLabel()
        icon.setPixmap(QApplication.windowIcon().pixmap(96, 96))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        icon.setVisible(not QApplication.windowIcon().isNull())
        title = QLabel("<h2>Welcome to flaky-triage</h2>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(
            "flaky-triage watches your Jenkins servers for builds that failed or wait at an "
            "<i>input</i> step, tells which failures look real and which are noise, and lets "
            "you proceed or abort without opening Jenkins.<br><br>No Jenkins server is "
            "configured yet. Add yours (its URL, your user and an API token from Jenkins: "
            "your name, <i>Security</i>, <i>API Token</i>), or look around on the built-in "
            "demo Jenkins first.")
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.add_button = QPushButton("Add a Jenkins server…")
        self.add_button.setDefault(True)
        self.add_button.clicked.connect(self.add_server)
        self.demo_button = QPushButton("Try the demo")
        self.demo_button.clicked.connect(self.try_demo)
        self.note = Hint("The demo runs a sample Jenkins on this computer only, with a "
                         "throwaway history; nothing of it is kept.")
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 36, 48, 36)
        layout.setSpacing(14)
        layout.addStretch(1)
        for widget in (icon, title, text, self.add_button, self.demo_button, self.note):
            if isinstance(widget, QPushButton):
                widget.setMinimumWidth(260)
                layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
            else:
                layout.addWidget(widget)
        layout.addStretch(1)
        self.resize(620, 520)

    def add_server(self) -> None:
        from triage.ui.widgets.settings_dialog import SettingsDialog

        if SettingsDialog.ask(self, self.ctx):
            self.ctx.tasks.network(
                "Reading the servers", lambda _op: server_config.load(), self._saved,
                lambda error: self._tell(error, "read the saved servers"))

    def _saved(self, configured: dict) -> None:
        if configured:
            from triage.ui.context import ServerEntry

            self.ctx.servers = [ServerEntry(c) for c in configured.values()]
            self._open(self.ctx)

    def try_demo(self) -> None:
        """Start the demo Jenkins here and open the window on it."""
        self.demo_button.setEnabled(False)
        self.ctx.tasks.network("Starting the demo Jenkins", lambda _op: _start_demo(),
                               self._demo_started, self._demo_failed)

    def _demo_started(self, demo) -> None:
        from triage.ui.demo import demo_context

        self._demo = demo
        QCoreApplication.instance().aboutToQuit.connect(self.stop_demo)
        server, folder = demo
        self._open(demo_context(server, Path(folder.name)))

    def _demo_failed(self, error: BaseException) -> None:
        self.demo_button.setEnabled(True)
        self._tell(error, "start the demo Jenkins")

    def _tell(self, error: BaseException, what: str) -> None:
        """Say what failed on the screen itself: no window, and so no banner, is open yet."""
        if isinstance(error, TriageError):
            why = error.message
        else:
            why = f"{type(error).__name__}: {error}"
        self.note.setText(f"Could not {what}: {why}")
        self.note.setEnabled(True)

    def _open(self, ctx: AppContext) -> None:
        self.window = self._open_window(ctx)
        self.opened.emit(self.window)
        self.hide()

    def stop_demo(self) -> None:
        if self._demo is not None:
            server, folder = self._demo
            self._demo = None
            if self.window is not None:
                self.window.ctx.tasks.shutdown(wait=True)
            server.stop()
            folder.cleanup()


def _start_demo():
    """Return the demo Jenkins, running on loopback, and the folder of its throwaway files."""
    from triage.jenkins.server import JenkinsServer, demo_world

    folder = tempfile.TemporaryDirectory(prefix="triage-demo-")
    server = JenkinsServer(world=demo_world(seed=1), context_path="/jenkins").start()
    return server, folder
