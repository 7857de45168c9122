"""The history file deleted or replaced under the running window: never written into a file
nobody can open again, said once, and the window goes on with the file the path names."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from tests.ui_helpers import WAIT_MS, select_build, verdicts, wait_ready
from triage.store import Store

pytestmark = pytest.mark.gui


def _first_failure(qtbot, window) -> str:
    tree = window.failures.tree
    tree.expandAll()
    tree.setCurrentIndex(tree.model().index(0, 0, tree.model().index(0, 0)))
    qtbot.waitUntil(lambda: window.failures.current_record() is not None, timeout=WAIT_MS)
    tree.setFocus()
    return window.failures.current_record().test


def test_a_history_replaced_under_the_window_is_said_and_never_written_blind(
        qtbot, window, app_context, tmp_path):
    wait_ready(qtbot, window)
    select_build(qtbot, window, "app", 30)
    path = app_context.store_path
    backup = tmp_path / "backup.db"
    with Store.open(path) as store:  # a backup, as a user keeps one
        store.conn.execute(f"VACUUM INTO '{backup}'")
    test = _first_failure(qtbot, window)
    # The user restores the backup while the window is open (the old file is unlinked).
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    shutil.copy(backup, path.with_name("restored.db"))
    path.with_name("restored.db").replace(path)
    with qtbot.waitSignal(app_context.tasks.error, timeout=20_000) as blocker:
        qtbot.keyClick(window.failures.tree, Qt.Key.Key_R)
    assert "was replaced while the window was open, so this was not done" in \
        blocker.args[0].message
    assert verdicts(path, "app", 30) == {}
    # Once said, the window works on the file the path names now.
    qtbot.keyClick(window.failures.tree, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: verdicts(path, "app", 30).get(test, (None,))[0] == "real",
                    timeout=20_000)
