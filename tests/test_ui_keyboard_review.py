"""The keyboard walk of the real window (Xvfb, xdotool), what it found, as offscreen tests."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QLabel

from tests.ui_helpers import WAIT_MS, select_build, wait_ready

pytestmark = pytest.mark.gui

BRANCH = "shop/feature%2Fcheckout"


def _select_first_build(window) -> None:
    window.inbox.view.setFocus()
    window.inbox.view.selectionModel().setCurrentIndex(
        window.inbox.model.index(0, 0, window.inbox.model.index(0, 0)),
        QItemSelectionModel.SelectionFlag.ClearAndSelect)

@pytest.mark.parametrize("key", [Qt.Key.Key_K, Qt.Key.Key_Up, Qt.Key.Key_Home,
                                 Qt.Key.Key_PageUp])
def test_moving_up_past_the_first_build_never_lands_on_the_server_row(qtbot, window, key):
    wait_ready(qtbot, window)
    _select_first_build(window)
    first = window.inbox.current_row()
    qtbot.keyClick(window.inbox.view, key)
    assert window.inbox.current_row() is not None, "the cursor is on the server's row"
    assert window.inbox.current_row().key == first.key
    assert window.actions["proceed"].isEnabled()


def test_the_next_input_of_the_same_build_keeps_the_failure_shown(qtbot, window):
    wait_ready(qtbot, window)
    select_build(qtbot, window, BRANCH, 12, "Eu-rollout")
    qtbot.waitUntil(lambda: window.detail.record is not None, timeout=WAIT_MS)
    shown = window.detail.record
    window.inbox.view.setFocus()
    qtbot.keyClick(window.inbox.view, Qt.Key.Key_J)
    assert window.inbox.current_row().input.id == "Us-rollout"
    assert window.failures.current_record() is not None
    assert window.detail.record is shown  # the failures did not change: neither does the detail


def test_accepting_one_suggestion_says_one_suggestion(qtbot, window):
    wait_ready(qtbot, window)
    select_build(qtbot, window, "team/backend", 15)
    model, tree = window.failures.model, window.failures.tree
    tree.setFocus()
    tree.setCurrentIndex(model.index(0, 0, model.index(0, 0)))
    qtbot.keyClick(tree, Qt.Key.Key_N)  # one of the two failures marked: one left to accept
    qtbot.waitUntil(lambda: "Ctrl+Z" in window.message.text(), timeout=WAIT_MS)
    qtbot.keyClick(tree, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: window.message.text().startswith("Accepted"), timeout=WAIT_MS)
    assert window.message.text() == "Accepted 1 suggestion (Ctrl+Z undoes)."


def test_a_filter_that_hides_every_failure_of_a_build_says_so(qtbot, window):
    wait_ready(qtbot, window)
    select_build(qtbot, window, "app", 30)
    window.failures.filter.setText("no-such-failure-anywhere")
    assert window.failures.model.rowCount() == 0
    title = window.failures.title.text()
    assert "no-such-failure-anywhere" in title and "Esc" in title, title
    window.failures.filter.clear()
    assert window.failures.title.text() == "app #30: 8 failures in 3 clusters"


def _first_failure_of_app_30(qtbot, window) -> None:
    """Select app #30's first failure (the first of its first cluster)."""
    wait_ready(qtbot, window)
    select_build(qtbot, window, "app", 30)
    model = window.failures.model
    window.failures.tree.setCurrentIndex(model.index(0, 0, model.index(0, 0)))


def test_no_verdicts_yet_is_readable_across_the_columns(qtbot, window):
    _first_failure_of_app_30(qtbot, window)
    verdicts = window.detail.verdicts
    qtbot.waitUntil(lambda: verdicts.topLevelItemCount() > 0, timeout=WAIT_MS)
    item = verdicts.topLevelItem(0)  # app #30's first failure was never marked
    assert item.text(0) == "no verdicts on this test yet"
    assert item.isFirstColumnSpanned()


def test_every_proceed_field_is_labelled_with_its_parameter(qtbot):
    from triage.jenkins.model import InputParam, PendingInput
    from triage.ui.widgets.dialogs import ProceedDialog

    pending = PendingInput("Load", "Run the load test first?", parameters=(
        InputParam("LOAD_TEST", "BooleanParameterDefinition", default=False),
        InputParam("DURATION", "ChoiceParameterDefinition", default="5m",
                   choices=("5m", "15m")),
    ))
    dialog = ProceedDialog(None, "Shop » main #90", pending)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog, timeout=WAIT_MS)
    for name, field in dialog.fields.items():
        label = dialog.findChild(QLabel, f"label-{name}")
        assert label is not None and label.buddy() is field
        needed = label.fontMetrics().horizontalAdvance(label.text())
        assert label.isVisible() and label.width() >= needed, (name, label.width(), needed)


def test_tab_from_the_trace_reaches_its_search_and_enter_finds(qtbot, window):
    from PySide6.QtWidgets import QApplication

    _first_failure_of_app_30(qtbot, window)
    trace = window.detail.trace
    qtbot.waitUntil(lambda: trace.text.toPlainText() != "", timeout=WAIT_MS)
    trace.text.setFocus()
    qtbot.keyClick(trace.text, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is trace.search  # else no keyboard can search
    word = trace.text.toPlainText().split()[0]
    qtbot.keyClicks(trace.search, word)
    qtbot.keyClick(trace.search, Qt.Key.Key_Return)
    assert trace.text.textCursor().selectedText() == word
    qtbot.keyClick(trace.search, Qt.Key.Key_Tab)  # and on round to the inbox
    assert QApplication.focusWidget() is window.inbox.view
