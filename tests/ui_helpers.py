"""Helpers for the window's tests: waiting on its state, answering its dialogs, reading what
the history stored. Waits are on conditions (qtbot.waitUntil), never sleeps."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QTimer
from PySide6.QtWidgets import QApplication

from triage.store import Store

# How long a test waits for the window (a sync, a write, a Jenkins round trip) before it fails.
# Only a failing test waits this long; on a machine other sessions load, the sync child (run at
# low priority) took 30 s to sync the test world once (`wait_ready`), 2-3 s unloaded.
WAIT_MS = 120_000
_TIMERS: list[QTimer] = []  # the answering timers, kept alive until they stop


def wait_ready(qtbot, window) -> None:
    """Wait until the window shows a build's failures and every listed job is synced."""
    try:
        qtbot.waitUntil(lambda: window.failures.view_data is not None
                        and not window.inbox.sync_pending()
                        and all(r.summary for r in window.inbox.model.rows()), timeout=WAIT_MS)
    except Exception as exc:  # pytest-qt's TimeoutError says nothing of what was missing
        unsynced = [r.display for r in window.inbox.model.rows() if not r.summary]
        raise AssertionError(
            f"window not ready after {WAIT_MS} ms: failures shown "
            f"{window.failures.view_data is not None}, sync pending "
            f"{window.inbox.sync_pending()}, rows without a summary {unsynced}, "
            f"banner {window.banner.text()!r}") from exc


def answer(kind, act, timeout_ms: int = WAIT_MS) -> list:
    """Let `act(dialog)` handle the next modal dialog of class `kind`; return what was seen.

    The dialog's `exec()` runs a nested event loop, so a timer started before it opens gets to
    look at it.
    """
    seen: list = []
    timer = QTimer()
    timer.setInterval(20)

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if isinstance(widget, kind) and widget not in seen:
            seen.append(widget)
            timer.stop()
            act(widget)

    timer.timeout.connect(poll)
    timer.start()
    QTimer.singleShot(timeout_ms, timer.stop)
    _TIMERS[:] = [t for t in _TIMERS if t.isActive()] + [timer]
    return seen


def settings_dialog(qtbot, ctx):
    """A settings dialog once it has read the configuration (on a worker)."""
    from triage.ui.widgets.settings_dialog import SettingsDialog

    dialog = SettingsDialog(None, ctx)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.ready, timeout=WAIT_MS):
        pass  # the answer is queued to the GUI thread: it cannot have arrived yet
    return dialog


def select_build(qtbot, window, job: str, number: int, input_id: str | None = None) -> None:
    """Select a build in the inbox and wait until its failures are shown."""
    index = window.inbox.model.find(("ci", job, number), input_id)
    assert index.isValid(), f"{job} #{number} is not in the inbox"
    window.inbox.view.selectionModel().setCurrentIndex(
        index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    qtbot.waitUntil(lambda: window.failures.view_data is not None
                    and window.failures.view_data.number == number
                    and window.failures.view_data.job == job, timeout=WAIT_MS)


def verdicts(store_path, job: str, number: int) -> dict[str, tuple[str, str | None]]:
    """Return {test: (verdict, who)} of the marks in force on one build."""
    with Store.open(store_path) as store:
        rows = store.conn.execute(
            "SELECT t.classname || '.' || t.name, v.verdict, v.who FROM verdicts v "
            "JOIN builds b ON b.id = v.build_id JOIN jobs j ON j.id = b.job_id "
            "JOIN tests t ON t.id = v.test_id WHERE j.name = ? AND b.number = ? "
            "AND v.undone_at IS NULL", (job, number)).fetchall()
    return {test: (verdict, who) for test, verdict, who in rows}


def decisions(store_path):
    from triage.store.decisions import list_decisions

    with Store.open(store_path) as store:
        return list_decisions(store)


def execution(server, job: str, number: int, input_id: str):
    """Return the server's input execution (decided or not) of one build."""
    with server.world.lock:
        build = server.world.job(job).build(number)
        return next(e for e in build.input_action.all if e.id == input_id)


def stop_answering() -> None:
    """Stop every answering timer (a test's unused answer must not catch the next test's)."""
    for timer in _TIMERS:
        timer.stop()
    _TIMERS.clear()
