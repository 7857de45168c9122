"""`make screenshots`: render the window and its dialogs offscreen to PNG, light and dark.

    QT_QPA_PLATFORM=offscreen python -m triage.ui.screenshots [FOLDER]

Runs the demo (built-in Jenkins, throwaway history), waits until every listed build is
triaged, selects the paused build with the most to decide (checkout #42: a new failure
suggested real beside a known flaky one suggested noise; the longest-waiting build, selected
at launch, has one failure in one cluster), and grabs: the main window (clusters expanded, a
failure in the detail), the Proceed form of the release gate (one parameter of each kind),
the keyboard shortcuts, settings, the first-run screen, and File > Export report with its
preview of the selected build's job.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

DEFAULT_FOLDER = Path("resources") / "screenshots"
SIZE = (1600, 900)


def wait_until(predicate, timeout_ms: int = 60_000) -> None:
    """Run the event loop until `predicate()` holds (raise on timeout)."""
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: predicate() and loop.quit())
    timer.start(20)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    deadline.start(timeout_ms)
    loop.exec()
    timer.stop()
    if not predicate():
        raise TimeoutError("the window did not get to the state to render")


def settle(ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def grab(widget: QWidget, path: Path) -> None:
    widget.repaint()
    QApplication.processEvents()
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    print(path)


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = Path(argv[0]) if argv else DEFAULT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    from triage.jenkins.server import JenkinsServer, demo_world
    from triage.ui import palette
    from triage.ui.app import application, open_window
    from triage.ui.demo import demo_context
    from triage.ui.widgets.dialogs import ProceedDialog, ShortcutsDialog

    app = application("light")
    with tempfile.TemporaryDirectory(prefix="triage-shots-") as tmp, \
            JenkinsServer(world=demo_world(seed=1), context_path="/jenkins") as server:
        ctx = demo_context(server, Path(tmp))
        window = open_window(ctx)
        window.resize(*SIZE)
        wait_until(lambda: window.failures.view_data is not None)
        wait_until(lambda: not window.inbox.sync_pending()
                   and all(r.summary for r in window.inbox.model.rows()))
        _select_build(window, "checkout", 42)
        _mark_the_known_flaky_one_noise(window)
        _select_interesting_failure(window)
        wait_until(lambda: window.detail.detail is not None)
        window.detail.console.load()
        wait_until(lambda: window.detail.console.log is not None)
        row = next(r for r in window.inbox.model.rows() if r.job == "team/backend" and r.paused)
        window.message.clear()  # the demo's one-time notices are not what the window shows
        for theme in ("light", "dark"):
            palette.apply(app, theme)
            window.activateWindow()
            window.failures.tree.setFocus()  # back from the last theme's dialogs
            settle()
            grab(window, folder / f"main-window-{theme}.png")
            dialog = ProceedDialog(window, row.display, row.input)
            dialog.show()
            settle()
            grab(dialog, folder / f"proceed-form-{theme}.png")
            dialog.close()
            shortcuts = ShortcutsDialog(window)
            shortcuts.show()
            settle()
            grab(shortcuts, folder / f"keyboard-shortcuts-{theme}.png")
            shortcuts.close()
            _grab_settings_and_first_run(window, folder, theme)
            _grab_export(window, folder, theme)
        window.close()
        ctx.tasks.shutdown(wait=True)
    return 0


def _grab_settings_and_first_run(window, folder: Path, theme: str) -> None:
    """The settings dialog on the demo server, and the first-run screen (issue 9b's)."""
    from triage.ui.widgets.first_run import FirstRun
    from triage.ui.widgets.settings_dialog import SettingsDialog, test_connection

    dialog = SettingsDialog(window, window.ctx)
    wait_until(lambda: dialog.keyring is not None)  # it reads the configuration on a worker
    entry = window.ctx.servers[0].config
    dialog.configured[entry.name] = entry  # as if saved: the demo's is not in servers.json
    dialog.servers.addItem(entry.name)
    dialog.servers.setCurrentRow(0)
    dialog.jobs.setPlainText("team\nshop")
    dialog.form_config()
    # What "Test connection" says, checked for real on the demo server (in this script's
    # thread: there is no user to keep waiting here).
    dialog.result.setText("OK: " + test_connection(entry, window.ctx.servers[0].token))
    dialog.show()
    settle()
    grab(dialog, folder / f"settings-{theme}.png")
    dialog.close()
    screen = FirstRun(window.ctx, lambda ctx: None)
    screen.show()
    settle()
    grab(screen, folder / f"first-run-{theme}.png")
    screen.close()


def _select_build(window, job: str, number: int) -> None:
    """Select a build of the demo in the inbox and wait until its failures are shown."""
    from PySide6.QtCore import QItemSelectionModel

    server = window.ctx.servers[0].config.name
    index = window.inbox.model.find((server, job, number))
    if not index.isValid():
        raise LookupError(f"{job} #{number} is not in the demo's inbox")
    window.inbox.view.selectionModel().setCurrentIndex(
        index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    wait_until(lambda: window.failures.view_data is not None
               and (window.failures.view_data.job, window.failures.view_data.number)
               == (job, number))


def _mark_the_known_flaky_one_noise(window) -> None:
    """Mark the noise-suggested failures noise, as N on them does (the Verdict column then
    shows who marked them)."""
    model = window.failures.model
    noise = [m for c in model.clusters if c.suggestion == "noise" for m in c.members]
    window.decider.mark(window.failures.view_data, noise, "noise")
    wait_until(lambda: all(m.verdict == "noise" for m in noise))


def _grab_export(window, folder: Path, theme: str) -> None:
    """File > Export report on the selected build's job, its preview built."""
    from triage.ui.widgets.export_dialog import ExportDialog

    dialog = ExportDialog(window, window.ctx, window.inbox.current_row().job)
    dialog.show()
    wait_until(lambda: dialog.data is not None)
    settle()
    grab(dialog, folder / f"export-report-{theme}.png")
    dialog.close()


def _select_interesting_failure(window) -> None:
    """Put the cursor on the first failure of the first cluster (the detail shows it)."""
    from PySide6.QtCore import QItemSelectionModel

    model = window.failures.model
    if model.rowCount():
        index = model.index(0, 0, model.index(0, 0))
        if index.isValid():
            window.failures.tree.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
    window.failures.tree.setFocus()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
