"""Deciding when things go wrong after the form: a 502 or a dropped connection on the POST
(it may have been applied: said, never retried), a history that cannot take the record."""

from __future__ import annotations

import sqlite3

import pytest

from tests.ui_helpers import answer, decisions, execution, select_build, wait_ready
from triage.ui.widgets.banner import ErrorDialog

pytestmark = pytest.mark.gui


def _posts(jenkins) -> int:
    return jenkins.requests.count_of(method="POST")


def _decide(qtbot, window):
    select_build(qtbot, window, "app", 30)
    row = window.inbox.current_row()
    shown: list = []
    answer(ErrorDialog, lambda dialog: (shown.append(dialog.report.message), dialog.reject()))
    window.decider.send(row, row.input, "proceed", {})
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    return row, shown[0]


@pytest.mark.parametrize("fault", ["502", "drop"])
def test_a_proceed_whose_post_fails_says_it_may_have_been_applied_and_is_never_retried(
        qtbot, window, jenkins, app_context, fault):
    wait_ready(qtbot, window)
    if fault == "502":
        jenkins.faults.error(502, glob="*/input/*", method="POST")
    else:
        jenkins.faults.drop(glob="*/input/*", method="POST")
    before = _posts(jenkins)
    row, message = _decide(qtbot, window)
    said = {"502": "The decision may have been applied all the same",
            "drop": "The decision may or may not have reached Jenkins"}[fault]
    assert said in message, message
    assert _posts(jenkins) == before + 1  # one POST: never retried
    assert [d.outcome for d in decisions(app_context.store_path)] == ["failed"]
    assert row.key not in window.decider.deciding  # the user may decide again, knowingly


def test_a_decision_the_history_cannot_record_says_jenkins_has_it(
        qtbot, window, jenkins, app_context):
    wait_ready(qtbot, window)
    app_context.tasks.write("short wait", lambda store, op: store.conn.execute(
        "PRAGMA busy_timeout = 200"))
    other = sqlite3.connect(app_context.store_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the history's write lock
    try:
        row, message = _decide(qtbot, window)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert message.startswith("The proceed of app #30 was sent to Jenkins (ok) but is not in "
                              "the history: The history at "), message
    assert execution(jenkins, "app", 30, row.input.id).decision is not None
    assert not app_context.tasks.busy_writing()  # nothing left waiting: the window goes on
