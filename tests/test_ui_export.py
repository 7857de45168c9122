"""File > Export report…: the CLI's report with its filters, a preview, progress and Cancel.

Real SQLite history, real widgets offscreen; waits are on signals and conditions. To cancel
deterministically, a hook holds the report's worker at its first step until the test has
pressed Cancel (the worker then stops at its next check, as it would on a long history).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import threading

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit

from tests.report_builders import HistoryBuilder
from tests.support import cli_on
from tests.ui_helpers import answer, stop_answering
from triage.store import Store

pytestmark = pytest.mark.gui

WAIT_MS = 30_000


@pytest.fixture
def history(db_path):
    """Two jobs on `local` (app on two branches), app again on a second server `ci`."""
    with Store.open(db_path) as store:
        h = HistoryBuilder(store)
        h.build("app", 1, "2026-11-29T10:00", {"A": "P", "B": "P"}, revision="a1")
        h.build("app", 2, "2026-11-30T10:00", {"A": "F", "B": "P"}, revision="b2")
        h.build("app", 3, "2026-11-30T23:30", {"A": "P", "B": "F"}, revision="b2")
        h.build("app", 4, "2026-12-01T00:30", {"A": "F", "B": "P"}, revision="c3", branch="dev")
        h.build("lib", 1, "2026-11-30T09:00", {"C": "F", "D": "P"}, revision="d4")
        h.build("lib", 2, "2026-11-30T11:00", {"C": "P", "D": "P"}, revision="d4")
        h.build("app", 7, "2026-11-30T12:00", {"E": "F"}, revision="e5", server="ci")
        h.decide("app", 2, paused="2026-11-30T10:05", at="2026-11-30T10:35")
        h.mark("app", 2, "A", "noise")
    return db_path


@pytest.fixture
def ctx(qapp, history, tmp_path):
    from triage.ui.context import AppContext, settings_at
    from triage.ui.tasks import TaskRunner

    context = AppContext(store_path=history, servers=[], tasks=TaskRunner(history),
                         settings=settings_at(tmp_path / "settings.ini"), user="tester")
    context.settings.setValue("export/folder", str(tmp_path))
    yield context
    context.tasks.shutdown(wait=True)


@pytest.fixture
def dialog(qtbot, ctx):
    from triage.ui.widgets.export_dialog import ExportDialog

    shown = ExportDialog(None, ctx, job="app")
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitUntil(lambda: shown.data is not None, timeout=WAIT_MS)
    yield shown
    stop_answering()
    shown.close()


@pytest.fixture
def hold(monkeypatch):
    """Hold the report's worker at its first step (OpReporter.advance) until `release()`."""
    from triage.ui.tasks import OpReporter

    gate = threading.Event()
    reached = threading.Event()
    advance = OpReporter.advance

    def held(self, n=1):
        advance(self, n)
        reached.set()
        gate.wait(WAIT_MS / 1000)

    monkeypatch.setattr(OpReporter, "advance", held)
    yield gate, reached
    gate.set()


def _tick(dialog, *jobs: str) -> None:
    for i in range(dialog.form.jobs.count()):
        item = dialog.form.jobs.item(i)
        item.setCheckState(Qt.CheckState.Checked if item.text() in jobs
                           else Qt.CheckState.Unchecked)


def _choose(path):
    """Answer the file dialog with `path`."""
    def act(file_dialog: QFileDialog) -> None:
        file_dialog.findChild(QLineEdit, "fileNameEdit").setText(str(path))
        file_dialog.accept()
    return answer(QFileDialog, act)


def _saved(qtbot, dialog, path) -> str:
    _choose(path)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        dialog.save_button.click()
    return saved.args[0]


def _without_stamp(text: str) -> str:
    """The report says when it was made: the CLI's and the app's differ by that alone."""
    return re.sub(r"(?i)(generated(?:_at\": \"| ))\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?Z?",
                  r"\1(when)", text)


@pytest.mark.parametrize("fmt", ["html", "csv", "json", "md"])
def test_each_format_is_what_the_cli_writes_for_the_same_filters(
        qtbot, dialog, history, tmp_path, fmt):
    _tick(dialog, "app")
    dialog.form.server.setCurrentIndex(dialog.form.server.findData("local"))
    dialog.form.since.setText("2026-11-30")
    dialog.form.until.setText("2026-11-30")  # the whole day, as --until takes it
    dialog.form.branch.setText("main")
    dialog.form.format.setCurrentIndex(dialog.form.format.findData(fmt))
    out = tmp_path / "app" / f"from-the-app.{fmt}"
    out.parent.mkdir()
    line = _saved(qtbot, dialog, out)
    assert line.startswith(f"Wrote {out} ({fmt}, ") and "1 job, 2 builds, 2 tests" in line
    cli_out = tmp_path / f"from-the-cli.{fmt}"
    cli_on(history)("report", "--job", "app", "--server", "local", "--since", "2026-11-30",
                    "--until", "2026-11-30", "--branch", "main", "--format", fmt,
                    "-o", str(cli_out))
    app_text, cli_text = out.read_text(encoding="utf-8"), cli_out.read_text(encoding="utf-8")
    assert _without_stamp(app_text) == _without_stamp(cli_text)
    if fmt != "csv":
        assert _without_stamp(app_text) != app_text  # the stamp was there to be replaced
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no .part left


def test_a_name_without_a_suffix_gets_the_formats(qtbot, dialog, tmp_path):
    dialog.form.format.setCurrentIndex(dialog.form.format.findData("json"))
    line = _saved(qtbot, dialog, tmp_path / "q4")
    assert (tmp_path / "q4.json").read_text().startswith('{\n  "schema": 1')
    assert f"Wrote {tmp_path / 'q4.json'} (json" in line
    assert dialog.ctx.settings.value("export/folder") == str(tmp_path)  # next time: here


def test_the_preview_follows_the_filters(qtbot, dialog):
    from triage.report import ReportFilters

    assert [dialog.form.jobs.item(i).text() for i in range(dialog.form.jobs.count())] == ["app", "lib"]
    assert dialog.data_filters == ReportFilters(jobs=("app",))  # the selected build's job
    text = dialog.preview.toPlainText()
    assert "Flakiness report" in text and "app (ci)" in text and "app (local)" in text
    assert "5 builds" in text and "lib" not in text
    with qtbot.waitSignal(dialog.previewed, timeout=WAIT_MS) as shown:
        _tick(dialog, "app", "lib")
    assert shown.args[0] == ReportFilters(jobs=("app", "lib"))
    assert "7 builds" in dialog.preview.toPlainText() and "lib" in dialog.preview.toPlainText()
    with qtbot.waitSignal(dialog.previewed, timeout=WAIT_MS) as shown:
        dialog.form.server.setCurrentIndex(dialog.form.server.findData("ci"))
    assert shown.args[0] == ReportFilters(jobs=("app",), server="ci")  # lib is not on ci
    assert dialog.form.jobs.item(1).isHidden()
    assert "1 build" in dialog.preview.toPlainText()
    with qtbot.waitSignal(dialog.previewed, timeout=WAIT_MS) as shown:
        dialog.form.server.setCurrentIndex(0)
        dialog.form.branch.setText("dev")
    assert shown.args[0].branch == "dev" and "1 build," in dialog.summary.text()
    # A date that is not one: said beside the form, Save off, the preview left as it was.
    dialog.form.since.setText("30/11/2026")
    qtbot.waitUntil(lambda: dialog.form.problem.isVisible(), timeout=WAIT_MS)
    assert dialog.form.problem.text() == (
        "Since: '30/11/2026' is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC).")
    assert not dialog.save_button.isEnabled() and dialog.data_filters.branch == "dev"
    dialog.form.since.setText("2026-12-02")
    dialog.form.until.setText("2026-12-01")
    qtbot.waitUntil(lambda: "is after the end" in dialog.form.problem.text(), timeout=WAIT_MS)
    with qtbot.waitSignal(dialog.previewed, timeout=WAIT_MS):
        dialog.form.since.clear()
    assert not dialog.form.problem.isVisible() and dialog.save_button.isEnabled()
    assert dialog.data.summary.builds == 1  # #4, the dev build, before 2026-12-02


def test_names_stay_text_in_the_preview(qtbot, ctx, history):
    from triage.ui.widgets.export_dialog import ExportDialog

    with Store.open(history) as store:
        HistoryBuilder(store).build("app", 5, "2026-12-01T09:00",
                                    {"<script>alert(1)</script>": "F", "*bold*": "F"})
    dialog = ExportDialog(None, ctx, job="app")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=WAIT_MS)
    text = dialog.preview.toPlainText()
    assert "com.acme.<script>alert(1)</script>Test.test<script>alert(1)</script>" in text
    assert "com.acme.*bold*Test.test*bold*" in text


def test_a_late_answer_for_old_filters_is_dropped(qtbot, dialog, monkeypatch):
    from triage.ui.widgets import export_dialog

    held, release = threading.Event(), threading.Event()
    render = export_dialog.render_markdown

    def slow_for_dev(data):
        if data.filters["branch"] == "dev":  # the first answer comes after the second
            held.set()
            release.wait(WAIT_MS / 1000)
        return render(data)

    monkeypatch.setattr(export_dialog, "render_markdown", slow_for_dev)
    shown = []
    dialog.previewed.connect(shown.append)
    dialog.form.branch.setText("dev")
    dialog.refresh()  # no need to wait for the debounce
    old = dialog._preview_op
    qtbot.waitUntil(held.is_set, timeout=WAIT_MS)
    with qtbot.waitSignal(dialog.previewed, timeout=WAIT_MS):
        dialog.form.branch.setText("main")
        dialog.refresh()
    release.set()
    qtbot.waitUntil(lambda: old.finished, timeout=WAIT_MS)
    assert [f.branch for f in shown] == ["main"]
    assert dialog.data_filters.branch == "main" and dialog.data.summary.builds == 4


def test_cancel_during_a_long_report_writes_nothing(qtbot, dialog, tmp_path, hold):
    gate, reached = hold
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "report.html").write_text("yesterday's report")
    dialog.form.branch.setText("main")  # not previewed yet: Save builds it first
    dialog.refresh()
    qtbot.waitUntil(reached.is_set, timeout=WAIT_MS)
    seen = _choose(folder / "new.html")
    dialog.save_button.click()
    assert seen and not dialog.form.branch.isEnabled()  # the filters stay as asked while saving
    # Progress shows once the work has taken half a second, with Cancel.
    qtbot.waitUntil(lambda: dialog.activity.isVisible(), timeout=WAIT_MS)
    assert dialog.activity.cancel_button.isVisible()
    assert "Triaging" in dialog.activity.label.text()
    QTest.keyClick(dialog, Qt.Key.Key_Escape)  # Esc cancels first, and keeps the dialog
    assert dialog.isVisible()
    gate.set()
    qtbot.waitUntil(lambda: "Cancelled: no report was written." in dialog.summary.text(),
                    timeout=WAIT_MS)
    assert not dialog.activity.isVisible() and dialog.form.branch.isEnabled()
    assert os.listdir(folder) == ["report.html"]  # no new file, no .part
    assert (folder / "report.html").read_text() == "yesterday's report"
    assert dialog.last_written is None
    QTest.keyClick(dialog, Qt.Key.Key_Escape)  # nothing runs: Esc closes
    assert not dialog.isVisible()


@contextlib.contextmanager
def _unwritable(folder):
    """A folder nobody may write in: read-only, and immutable too when tests run as root
    (root ignores permissions, not the immutable flag)."""
    folder.mkdir()
    os.chmod(folder, 0o555)
    immutable = False
    if os.geteuid() == 0:
        if not shutil.which("chattr") or subprocess.run(
                ["chattr", "+i", str(folder)], capture_output=True).returncode:
            os.chmod(folder, 0o755)
            pytest.skip("running as root on a filesystem without the immutable flag")
        immutable = True
    try:
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        os.chmod(folder, 0o755)


def test_a_write_that_fails_shows_one_error_and_loses_nothing(qtbot, dialog, ctx, tmp_path):
    errors = []
    ctx.tasks.error.connect(errors.append)
    dialog.form.branch.setText("main")
    qtbot.waitUntil(lambda: dialog.data_filters.branch == "main", timeout=WAIT_MS)
    preview = dialog.preview.toPlainText()
    with _unwritable(tmp_path / "read-only") as folder:
        _choose(folder / "report.md")
        dialog.form.format.setCurrentIndex(dialog.form.format.findData("md"))
        dialog.save_button.click()
        qtbot.waitUntil(lambda: dialog.banner.isVisible(), timeout=WAIT_MS)
        assert os.listdir(folder) == []
    # Permission denied; as root, the immutable flag: Operation not permitted.
    assert re.match(f"Cannot write the report to {re.escape(str(folder / 'report.md'))}: "
                    "(Permission denied|Operation not permitted). ", dialog.banner.text)
    assert "Check that the folder exists and is writable" in dialog.banner.text
    assert dialog.banner.count == 1 and errors == []  # one error, shown where the user looks
    assert dialog.summary.text() == "Nothing was written." and dialog.last_written is None
    # Nothing lost: the filters, the format and the preview are as they were; Save again.
    assert dialog.form.branch.text() == "main" and dialog.form.fmt() == "md"
    assert dialog.preview.toPlainText() == preview and dialog.save_button.isEnabled()
    line = _saved(qtbot, dialog, tmp_path / "report.md")
    assert line.startswith(f"Wrote {tmp_path / 'report.md'} (md") and \
        "**4 builds**" in (tmp_path / "report.md").read_text()


def _focus():
    return QApplication.focusWidget()


def _key(key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(_focus(), key, modifier)


def test_the_dialog_works_from_the_keyboard_alone(qtbot, dialog, history, tmp_path):
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=WAIT_MS)
    assert _focus() is dialog.form.jobs and dialog.form.jobs.currentItem().text() == "app"
    _key(Qt.Key.Key_Down)
    with qtbot.waitSignal(dialog.previewed, timeout=WAIT_MS):
        _key(Qt.Key.Key_Space)  # tick lib
    _key(Qt.Key.Key_Up)
    with qtbot.waitSignal(dialog.previewed, timeout=WAIT_MS) as shown:
        _key(Qt.Key.Key_Space)  # untick app
    assert shown.args[0].jobs == ("lib",)
    _key(Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # Alt+I: Since
    assert _focus() is dialog.form.since
    QTest.keyClicks(_focus(), "2026-11-30T08:00")
    _key(Qt.Key.Key_Tab)
    assert _focus() is dialog.form.until
    _key(Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)  # Alt+F: Format
    assert _focus() is dialog.form.format
    _key(Qt.Key.Key_Down)  # HTML -> CSV
    assert dialog.form.fmt() == "csv"
    qtbot.waitUntil(lambda: dialog.data_filters is not None
                    and dialog.data_filters.since_ms is not None, timeout=WAIT_MS)

    def type_name(file_dialog: QFileDialog) -> None:
        edit = file_dialog.findChild(QLineEdit, "fileNameEdit")
        assert file_dialog.directory().absolutePath() == str(tmp_path)  # the last folder
        edit.selectAll()
        QTest.keyClicks(edit, "lib")  # the suffix comes from the format
        QTest.keyClick(edit, Qt.Key.Key_Return)

    answer(QFileDialog, type_name)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        _key(Qt.Key.Key_Return)  # Enter: Save…, the default button
    cli_out = tmp_path / "cli.csv"
    cli_on(history)("report", "--job", "lib", "--since", "2026-11-30T08:00", "-o", str(cli_out))
    assert (tmp_path / "lib.csv").read_text() == cli_out.read_text()
    assert "lib" in (tmp_path / "lib.csv").read_text()
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_file_export_opens_on_the_selected_builds_job(qtbot, window):
    from tests.ui_helpers import wait_ready
    from triage.ui.widgets.export_dialog import ExportDialog

    wait_ready(qtbot, window)
    job = window.inbox.current_row().job
    ticked = []

    def when_built(dialog: ExportDialog) -> None:
        timer = QTimer(dialog)

        def check() -> None:
            if dialog.data is not None:
                timer.stop()
                ticked.append(dialog.data_filters.jobs)
                QTest.keyClick(dialog, Qt.Key.Key_Escape)

        timer.timeout.connect(check)
        timer.start(20)

    answer(ExportDialog, when_built)
    QTest.keyClick(window.inbox.view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert ticked == [(job,)]
    assert window.actions["exportReport"].shortcut().toString() == "Ctrl+E"
