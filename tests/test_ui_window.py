"""The window against the built-in Jenkins over real HTTP: inbox, failures, keyboard marking."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui_helpers import WAIT_MS, answer, select_build, verdicts, wait_ready
from triage.ui import hotkeys
from triage.ui.models.failures_model import ClusterRecord, FailureRecord
from triage.ui.models.inbox_model import state_text
from triage.ui.widgets.dialogs import ShortcutsDialog

pytestmark = pytest.mark.gui


def test_inbox_lists_paused_builds_first_longest_wait_first_then_red(qtbot, window):
    wait_ready(qtbot, window)
    rows = window.inbox.model.rows()
    shown = [(r.display, r.state, r.input.id if r.input else None) for r in rows]
    paused = [s for s in shown if s[1] == "paused"]
    assert paused[0][:2] == ("team » backend #15", "paused")  # waited 3 h
    assert paused[1][:2] == ("app #30", "paused")  # 50 min
    # Parallel inputs of one build are separate rows; the branch shows its display name.
    assert ("Shop » feature/checkout #12", "paused", "Eu-rollout") in paused
    assert ("Shop » feature/checkout #12", "paused", "Us-rollout") in paused
    assert len(paused) == 4
    assert shown[len(paused):] == [("lib #10", "unstable", None)]  # newest red build only
    first = rows[0]
    assert state_text(first).startswith("waiting 3 h")
    assert first.input.message == "Ship backend to which environment?"
    assert window.inbox.model.data(window.inbox.model.index(0, 0)) == "ci (5)"


def test_each_row_shows_its_triage_summary(qtbot, window):
    wait_ready(qtbot, window)
    summaries = {r.display: r.summary for r in window.inbox.model.rows()}
    assert summaries["app #30"] == "8 failures: 1 real, 7 noise"
    assert summaries["team » backend #15"] == "2 failures: 2 real"


def test_launch_focuses_the_inbox_on_the_longest_waiting_build_with_its_failures(qtbot, window):
    wait_ready(qtbot, window)
    assert window.inbox.view.hasFocus() or QApplication.focusWidget() is window.inbox.view
    row = window.inbox.current_row()
    assert (row.job, row.number) == ("team/backend", 15)
    view = window.failures.view_data
    assert (view.job, view.number) == ("team/backend", 15)
    assert window.actions["proceed"].text() == "Ship…"  # the input's own texts
    assert window.actions["abort"].text() == "Abort…"
    assert window.failures.model.rowCount() == len(view.triage.clusters) == 2


def test_selecting_a_build_loads_its_clusters_expandable_to_failures(qtbot, window):
    wait_ready(qtbot, window)
    select_build(qtbot, window, "app", 30)
    model = window.failures.model
    labels = [model.data(model.index(i, 0)) for i in range(model.rowCount())]
    assert labels[0].startswith("Failing since #22")  # real first
    assert any(label.startswith("Same error in 6 tests") for label in labels)
    outage = next(i for i, label in enumerate(labels) if label.startswith("Same error"))
    assert model.rowCount(model.index(outage, 0)) == 6
    assert window.failures.tree.isExpanded(model.index(outage, 0))
    assert window.failures.title.text() == "app #30: 8 failures in 3 clusters"


def test_tab_moves_focus_inbox_failures_detail(qtbot, window):
    wait_ready(qtbot, window)
    window.inbox.view.setFocus()
    qtbot.keyClick(window.inbox.view, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.failures.tree
    qtbot.keyClick(window.failures.tree, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.detail.trace.text
    qtbot.keyClick(window.detail.trace.text, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is window.failures.tree


def test_j_and_k_move_in_the_inbox(qtbot, window):
    wait_ready(qtbot, window)
    window.inbox.view.setFocus()
    first = window.inbox.current_row()
    qtbot.keyClick(window.inbox.view, Qt.Key.Key_J)
    second = window.inbox.current_row()
    assert second is not None and second.key != first.key
    qtbot.keyClick(window.inbox.view, Qt.Key.Key_K)
    assert window.inbox.current_row().key == first.key


def test_keyboard_marking_stores_verdicts_and_undo_puts_them_back(qtbot, window, app_context):
    wait_ready(qtbot, window)
    select_build(qtbot, window, "app", 30)
    tree = window.failures.tree
    tree.setFocus()
    outage = next(i for i in range(window.failures.model.rowCount())
                  if isinstance(window.failures.model.record(window.failures.model.index(i, 0)),
                                ClusterRecord)
                  and window.failures.model.shown[i].id.startswith("sig-"))
    tree.setCurrentIndex(window.failures.model.index(outage, 0))  # a whole cluster
    qtbot.keyClick(tree, Qt.Key.Key_N)
    qtbot.waitUntil(lambda: window.failures.model.shown[outage].verdict_shown == "all noise",
                    timeout=WAIT_MS)
    stored = verdicts(app_context.store_path, "app", 30)
    assert set(stored.values()) == {("noise", "alice")}  # who: the Jenkins user
    # One failure of it real, then clear it, then undo the clear.
    member = window.failures.model.index(0, 0, window.failures.model.index(outage, 0))
    tree.setCurrentIndex(member)
    test = window.failures.model.record(member).test
    qtbot.keyClick(tree, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: window.failures.model.record(member).verdict == "real", timeout=WAIT_MS)
    assert verdicts(app_context.store_path, "app", 30)[test][0] == "real"
    qtbot.keyClick(tree, Qt.Key.Key_U)
    qtbot.waitUntil(lambda: window.failures.model.record(member).verdict is None, timeout=WAIT_MS)
    assert test not in verdicts(app_context.store_path, "app", 30)
    qtbot.keyClick(tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.failures.model.record(member).verdict == "real", timeout=WAIT_MS)
    assert verdicts(app_context.store_path, "app", 30)[test][0] == "real"


def test_ctrl_a_then_a_key_marks_every_failure(qtbot, window, app_context):
    wait_ready(qtbot, window)
    select_build(qtbot, window, "app", 30)
    tree = window.failures.tree
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(window.failures.selected_records()) == 8
    qtbot.keyClick(tree, Qt.Key.Key_N)
    qtbot.waitUntil(lambda: all(r.verdict for r in window.failures.model.failures()),
                    timeout=WAIT_MS)
    assert len(verdicts(app_context.store_path, "app", 30)) == 8
    qtbot.waitUntil(lambda: window.inbox.model.rows()[1].summary == "8 failures: 8 noise",
                    timeout=WAIT_MS)


def test_accept_suggestions_marks_real_and_noise_and_leaves_unsure(qtbot, window, app_context):
    wait_ready(qtbot, window)
    select_build(qtbot, window, "app", 30)
    window.failures.tree.setFocus()
    qtbot.keyClick(window.failures.tree, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: all(r.verdict for r in window.failures.model.failures()),
                    timeout=WAIT_MS)
    stored = verdicts(app_context.store_path, "app", 30)
    assert sorted(v for v, _ in stored.values()) == ["noise"] * 7 + ["real"]
    records = [r for r in window.failures.model.failures()]
    assert all(r.note == "accepted suggestion" for r in records)


def test_ctrl_f_filters_the_failures(qtbot, window):
    wait_ready(qtbot, window)
    select_build(qtbot, window, "app", 30)
    window.activateWindow()
    window.actions["filter"].trigger()
    assert QApplication.focusWidget() is window.failures.filter
    outage = next(c for c in window.failures.model.clusters if c.id.startswith("sig-"))
    needle = outage.members[0].test.rsplit(".", 1)[1]
    qtbot.keyClicks(window.failures.filter, needle)
    shown = [m for c in window.failures.model.shown for m in c.shown]
    assert [m.test for m in shown] == [outage.members[0].test]


def _first_failure_of_app_30(qtbot, window) -> FailureRecord:
    """Select app #30 and put the cursor on its first failure."""
    wait_ready(qtbot, window)
    select_build(qtbot, window, "app", 30)
    model = window.failures.model
    member = model.index(0, 0, model.index(0, 0))
    window.failures.tree.setCurrentIndex(member)
    record = model.record(member)
    assert isinstance(record, FailureRecord)
    return record


def test_detail_shows_the_whole_failure_history_and_verdicts(qtbot, window):
    record = _first_failure_of_app_30(qtbot, window)
    qtbot.waitUntil(lambda: window.detail.detail is not None
                    and window.detail.detail.test_id == record.test_id, timeout=WAIT_MS)
    assert record.message.partition("\n")[0] in window.detail.trace.text.toPlainText()
    assert "\tat " in window.detail.trace.text.toPlainText() or \
        "Error" in window.detail.trace.text.toPlainText()
    history = window.detail.history
    assert history.topLevelItem(0).text(0) == "#30"
    assert len(history.topLevelItem(0).text(2)) == 7  # a short SHA
    assert window.detail.reasons.toPlainText().startswith("• ")
    # Search highlights matches.
    window.detail.trace.search.setText(record.message.split()[0])
    assert window.detail.trace.text.extraSelections()


def test_console_log_on_demand_shows_the_end_and_errors(qtbot, window, jenkins):
    wait_ready(qtbot, window)
    select_build(qtbot, window, "app", 30)
    with jenkins.world.lock:
        build = jenkins.world.job("app").build(30)
        build.log[1:1] = [f"[INFO] step {i}" for i in range(200)] + [
            "[ERROR] Tests run: 40, Failures: 8", "[ERROR] There are test failures."] + [
            f"[INFO] after {i}" for i in range(100)]
    assert "Press L" in window.detail.console.text.toPlainText()  # nothing fetched yet
    window.actions["consoleLog"].trigger()
    qtbot.waitUntil(lambda: window.detail.console.log is not None, timeout=WAIT_MS)
    text = window.detail.console.text.toPlainText()
    assert "Around errors" in text and "[ERROR] There are test failures." in text
    assert "Deploy to production?" in text  # the last lines


def test_help_lists_every_shortcut(qtbot, window):
    seen = answer(ShortcutsDialog, lambda dialog: dialog.reject())
    window.actions["shortcuts"].trigger()
    dialog = seen[0]
    assert dialog.table.topLevelItemCount() == len(hotkeys.TABLE)
    bound = {a.shortcut().toString() for a in window.actions.values()}
    for key in ("R", "N", "U", "A", "P", "X", "Ctrl+Z", "Ctrl+F", "F5", "Ctrl+Q", "Ctrl+A"):
        assert key in bound


def test_a_build_the_gate_let_through_says_so(qtbot, window, app_context):
    from triage.store import Store
    from triage.store.gates import PASS, GateDecision, record_gate

    wait_ready(qtbot, window)
    with Store.open(app_context.store_path) as store:
        record_gate(store, GateDecision("ci", "app", 30, PASS, 0, at=1_796_000_000_000,
                                        failures=8, noise=8))
    select_build(qtbot, window, "app", 30)
    assert "auto-approved by the gate" in window.failures.title.text()


def test_open_in_jenkins_names_the_test_page_of_the_build(qtbot, window):
    record = _first_failure_of_app_30(qtbot, window)
    from PySide6.QtCore import QObject, QUrl, Slot
    from PySide6.QtGui import QDesktopServices

    class Browser(QObject):  # stands in for the desktop's browser
        def __init__(self):
            super().__init__()
            self.opened = []

        @Slot(QUrl)
        def open(self, url):
            self.opened.append(url.toString())

    browser = Browser()
    QDesktopServices.setUrlHandler("http", browser, "open")
    try:
        window.actions["openInJenkins"].trigger()
    finally:
        QDesktopServices.unsetUrlHandler("http")
    package, _, simple = record.classname.rpartition(".")
    assert browser.opened == [f"{window.failures.view_data.url}testReport/{package}/{simple}/"
                              f"{record.name}/"]


def test_a_console_log_that_fails_by_a_bug_reaches_the_error_display(qtbot, app_context,
                                                                      monkeypatch):
    from triage import console_log
    from triage.errors import JenkinsUnreachable
    from triage.ui.inbox_data import InboxRow
    from triage.ui.widgets.console_log import ConsoleLogPanel

    panel = ConsoleLogPanel(app_context)
    qtbot.addWidget(panel)
    panel.show_build(InboxRow("ci", "app", "app #30", 30, "paused"))

    def broken(*_args, **_kwargs):
        raise KeyError("X-Text-Size")

    monkeypatch.setattr(console_log, "fetch", broken)
    with qtbot.waitSignal(app_context.tasks.error, timeout=WAIT_MS) as reported:
        panel.load()
    assert reported.args[0].message == "Unexpected error: KeyError: 'X-Text-Size'"
    assert "Traceback" in reported.args[0].details
    assert panel.text.toPlainText() == "Could not read the console log: KeyError: 'X-Text-Size'"

    def down(*_args, **_kwargs):
        raise JenkinsUnreachable("Cannot reach Jenkins at ci.")

    monkeypatch.setattr(console_log, "fetch", down)
    reports = []
    app_context.tasks.error.connect(reports.append)
    panel.load()
    qtbot.waitUntil(lambda: "Cannot reach" in panel.text.toPlainText(), timeout=WAIT_MS)
    assert panel.text.toPlainText() == "Could not read the console log: Cannot reach Jenkins at ci."
    assert reports == []  # Jenkins being down is no bug: said in the pane, nothing else
