"""Proceed and Abort from the window, against the built-in Jenkins over real HTTP."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QMessageBox

from tests.ui_helpers import (
    WAIT_MS,
    answer,
    decisions,
    execution,
    select_build,
    wait_ready,
)
from triage.jenkins.client import JenkinsClient
from triage.jenkins.model import InputParam, PendingInput
from triage.ui.widgets.dialogs import InputChooser, ProceedDialog

pytestmark = pytest.mark.gui


def _fill_release_form(dialog: ProceedDialog) -> None:
    dialog.fields["TARGET"].setCurrentText("staging-us")
    dialog.fields["SMOKE"].setChecked(False)
    assert dialog.fields["VERSION"].text() == "1.4.100"  # pre-filled with the default
    assert dialog.ok_button.text() == "Ship"
    dialog.ok_button.setFocus()
    from PySide6.QtTest import QTest

    QTest.keyClick(dialog, Qt.Key.Key_Return)  # Enter submits with the input's OK text


def test_proceed_with_parameters_resumes_the_build_and_records_the_decision(
        qtbot, window, jenkins, app_context):
    wait_ready(qtbot, window)
    assert window.inbox.current_row().job == "team/backend"
    confirmations = answer(QMessageBox, lambda box: next(
        b for b in box.buttons() if b.text().startswith("Ship anyway")).click())
    forms = answer(ProceedDialog, _fill_release_form)
    qtbot.keyClick(window.inbox.view, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: execution(jenkins, "team/backend", 15, "Release-gate").decision
                    is not None, timeout=20_000)
    assert forms and confirmations  # the form, then "2 failures ... are real"
    decision = execution(jenkins, "team/backend", 15, "Release-gate").decision
    assert decision.proceeded and decision.user == "alice"
    # Every parameter was sent: the changed ones, the defaults, the password's own default.
    assert decision.values["TARGET"] == "staging-us" and decision.values["SMOKE"] is False
    assert decision.values["VERSION"] == "1.4.100"
    assert decision.values["TOKEN"] == "s3cret-default"
    qtbot.waitUntil(lambda: bool(decisions(app_context.store_path)), timeout=WAIT_MS)
    [stored] = decisions(app_context.store_path)
    assert (stored.job, stored.build, stored.action, stored.outcome, stored.who) == (
        "team/backend", 15, "proceed", "ok", "alice")
    assert "TOKEN" not in stored.parameters and stored.paused_at is not None
    # The inbox moves on: the build no longer waits.
    qtbot.waitUntil(lambda: all(r.key != ("ci", "team/backend", 15) or not r.paused
                                for r in window.inbox.model.rows()), timeout=20_000)


def test_the_confirmation_names_real_failures_and_cancel_is_the_default(
        qtbot, window, jenkins, app_context):
    wait_ready(qtbot, window)
    seen: list = []

    def press_enter(box: QMessageBox) -> None:
        seen.append((box.text(), box.informativeText(), box.defaultButton().text()))
        from PySide6.QtTest import QTest

        QTest.keyClick(box, Qt.Key.Key_Return)  # Enter takes the default: Cancel

    answer(QMessageBox, press_enter)
    answer(ProceedDialog, lambda dialog: dialog.accept())
    window.actions["proceed"].trigger()
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT_MS)
    text, names, default = seen[0]
    assert "2 failures of team » backend #15 are real" in text
    assert names.count(" — ") == 2  # each named, with why
    assert default == "Cancel"
    assert execution(jenkins, "team/backend", 15, "Release-gate").decision is None
    assert decisions(app_context.store_path) == []


def test_no_confirmation_when_every_failure_is_marked_noise(qtbot, window, jenkins):
    wait_ready(qtbot, window)
    select_build(qtbot, window, "app", 30)
    window.failures.select_all()
    window.actions["markNoise"].trigger()
    qtbot.waitUntil(lambda: all(r.verdict == "noise" for r in window.failures.model.failures()),
                    timeout=WAIT_MS)
    boxes = answer(QMessageBox, lambda box: box.reject())
    answer(ProceedDialog, lambda dialog: dialog.accept())
    window.inbox.view.setFocus()
    qtbot.keyClick(window.inbox.view, Qt.Key.Key_P)
    row = window.inbox.current_row()
    qtbot.waitUntil(lambda: execution(jenkins, "app", 30, row.input.id).decision is not None,
                    timeout=WAIT_MS)
    assert boxes == []


def test_abort_asks_then_aborts(qtbot, window, jenkins, app_context):
    wait_ready(qtbot, window)
    select_build(qtbot, window, "app", 30)
    row = window.inbox.current_row()
    asked = answer(QMessageBox, lambda box: next(
        b for b in box.buttons() if b.text() == "Abort").click())
    qtbot.keyClick(window.inbox.view, Qt.Key.Key_X)
    qtbot.waitUntil(lambda: execution(jenkins, "app", 30, row.input.id).decision is not None,
                    timeout=WAIT_MS)
    assert asked and asked[0].defaultButton().text() == "Cancel"
    assert execution(jenkins, "app", 30, row.input.id).decision.proceeded is False
    qtbot.waitUntil(lambda: [d.action for d in decisions(app_context.store_path)] == ["abort"],
                    timeout=WAIT_MS)
    # The status bar names the input by its message, as the person saw it, not by its id.
    qtbot.waitUntil(lambda: window.message.text().startswith("Aborted "), timeout=WAIT_MS)
    assert f"“{row.input.message}”" in window.message.text()
    assert row.input.id not in window.message.text()


def test_parallel_inputs_ask_which_one_first(qtbot, window, jenkins):
    wait_ready(qtbot, window)
    select_build(qtbot, window, "shop/feature%2Fcheckout", 12, "Us-rollout")

    def choose_us(chooser: InputChooser) -> None:
        assert chooser.list.count() == 2
        assert chooser.list.item(0).text().startswith("Roll out to US?")  # this row's first
        chooser.accept()

    answer(InputChooser, choose_us)
    answer(ProceedDialog, lambda dialog: dialog.accept())
    answer(QMessageBox, lambda box: next(
        b for b in box.buttons() if "anyway" in b.text()).click())
    qtbot.keyClick(window.inbox.view, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: execution(jenkins, "shop/feature%2Fcheckout", 12,
                                      "Us-rollout").decision is not None, timeout=WAIT_MS)
    assert execution(jenkins, "shop/feature%2Fcheckout", 12, "Eu-rollout").decision is None


def test_an_input_someone_else_answered_is_explained_never_retried(
        qtbot, window, jenkins, app_context):
    wait_ready(qtbot, window)
    select_build(qtbot, window, "app", 30)
    row = window.inbox.current_row()
    bob = JenkinsClient("ci", jenkins.url, "bob", jenkins.users["bob"])
    bob.proceed("app", 30, row.input, {})  # meanwhile, in another browser
    posts_before = _posts(jenkins)
    explained = answer(QMessageBox, lambda box: box.accept())
    answer(ProceedDialog, lambda dialog: dialog.accept())
    qtbot.keyClick(window.inbox.view, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: bool(explained), timeout=20_000)
    assert "not waiting for any input" in explained[0].text()
    assert "bob" in explained[0].text()
    assert _posts(jenkins) == posts_before  # nothing sent, nothing retried
    assert execution(jenkins, "app", 30, row.input.id).decision.user == "bob"


def test_closing_during_a_decision_waits_and_records_it(qtbot, window, jenkins, app_context):
    wait_ready(qtbot, window)
    select_build(qtbot, window, "app", 30)
    row = window.inbox.current_row()
    release = threading.Event()
    held = jenkins.faults.latency(glob="*/input/*", method="POST", release=release)
    window.decider.send(row, row.input, "proceed", {})
    qtbot.waitUntil(held.fired.is_set, timeout=WAIT_MS)
    window.close()  # while the POST is out: the window waits for it
    assert window.isVisible()
    assert "Finishing the decision" in window.message.text()
    release.set()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20_000)
    assert execution(jenkins, "app", 30, row.input.id).decision is not None
    assert [d.outcome for d in decisions(app_context.store_path)] == ["ok"]


def test_proceed_form_never_sends_empty_where_jenkins_has_a_default(qtbot):
    pending = PendingInput("Gate", "Go?", ok="Go", parameters=(
        InputParam("NAME", "StringParameterDefinition", default="main"),
        InputParam("EMPTY", "StringParameterDefinition", default=""),
        InputParam("SECRET", "PasswordParameterDefinition"),
        InputParam("FLAG", "BooleanParameterDefinition", default=True),
        InputParam("WHERE", "ChoiceParameterDefinition", default="b", choices=("a", "b")),
    ))
    dialog = ProceedDialog(None, "app #1", pending)
    qtbot.addWidget(dialog)
    assert isinstance(dialog.fields["WHERE"], QComboBox)
    assert dialog.fields["WHERE"].currentText() == "b"
    assert isinstance(dialog.fields["FLAG"], QCheckBox) and dialog.fields["FLAG"].isChecked()
    assert dialog.fields["SECRET"].echoMode() == QLineEdit.EchoMode.Password
    dialog.fields["NAME"].setText("")  # emptied: Jenkins' default is sent, not ""
    assert dialog.values() == {"WHERE": "b"}
    dialog.fields["EMPTY"].setText("x")
    dialog.fields["FLAG"].setChecked(False)
    assert dialog.values() == {"EMPTY": "x", "FLAG": "false", "WHERE": "b"}


def _posts(server) -> int:
    return server.requests.count_of(method="POST")
