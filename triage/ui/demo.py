"""`triage demo` with a window: the built-in Jenkins, a throwaway history and configuration.

`self_test` drives the real window offscreen through one whole triage (used by packaging's
`make dist` on the frozen executable): list, sync, load the longest-waiting paused build, mark
its failures, proceed, and check that the server saw the decision and the history kept it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from triage.servers import ServerConfig
from triage.ui.context import AppContext, ServerEntry, settings_at
from triage.ui.tasks import TaskRunner

DEMO_USER = "alice"
SELF_TEST_SECONDS = 120


def demo_context(server, folder: Path, user: str = DEMO_USER) -> AppContext:
    """A context on the running demo server, everything kept under `folder`."""
    config = ServerConfig(name="demo", url=server.url, user=user)
    store_path = folder / "history.db"
    return AppContext(
        store_path=store_path,
        servers=[ServerEntry(config, token=server.users[user])],
        tasks=TaskRunner(store_path, open_now=False),  # opened after the first paint
        settings=settings_at(folder / "settings.ini"),
        demo=True,
    )


class SelfTest(QObject):
    """The steps of the self-test, each started by the previous one's signal."""

    def __init__(self, window, server, deadline_s: float = SELF_TEST_SECONDS):
        super().__init__(window)
        self.window, self.server = window, server
        self.failure: str | None = None
        self.passed = False
        self.step = "opening the window"
        self.row = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(lambda: self.fail(f"timed out while {self.step}"))
        self._timer.start(int(deadline_s * 1000))
        window.first_loaded.connect(self._loaded)
        window.ctx.tasks.error.connect(lambda report: self.fail(report.message))
        window.decider.decided.connect(self._decided)
        window.decider.settled_elsewhere.connect(
            lambda row: self.fail(f"Jenkins did not take the decision on {row.display}"))
        self.step = "listing and syncing the demo"

    def _loaded(self) -> None:
        self.row = self.window.inbox.current_row()
        view = self.window.failures.view_data
        if self.row is None or not self.row.paused or view is None:
            self.fail("the window did not open on a paused build with its failures")
            return
        self.step = f"marking the failures of {self.row.display}"
        records = self.window.failures.model.failures()
        self.window.decider.marks_changed.connect(self._marked)
        if records:
            self.window.decider.mark(view, records, "noise")
        else:
            self._marked(None, {})

    def _marked(self, _key, _marks) -> None:
        self.window.decider.marks_changed.disconnect(self._marked)
        self.step = f"proceeding {self.row.display}"
        self.window.decider.send(self.row, self.row.input, "proceed", {})

    def _decided(self, row, action: str) -> None:
        self.step = "checking what the server and the history saw"
        problem = self._check(row)
        if problem:
            self.fail(problem)
            return
        self.passed = True
        print(f"self-test passed: proceeded {row.display} at {row.input.id}; the server and "
              "the history have the decision.")
        self.window.close()

    def _check(self, row) -> str | None:
        world = self.server.world
        with world.lock:
            build = world.job(row.job).build(row.number)
            executions = build.input_action.all if build.input_action else []
            decision = next((e.decision for e in executions if e.id == row.input.id), None)
        if decision is None or not decision.proceeded:
            return f"the server has no proceed of {row.display} at {row.input.id}"
        from triage.store import decisions as decision_store
        from triage.store.db import Store

        with Store.open(self.window.ctx.store_path) as store:
            found = decision_store.list_decisions(store, row.server, row.job, row.number)
        if not any(d.action == "proceed" and d.outcome == "ok" for d in found):
            return f"the history has no recorded proceed of {row.display}"
        return None

    def fail(self, message: str) -> None:
        if self.failure is None and not self.passed:
            self.failure = message
            print(f"self-test failed: {message}", file=sys.stderr)
            self.window.close()


@contextlib.contextmanager
def _throwaway_config(folder: str):
    """The demo's servers and keyring choices live in its folder, not the user's own: Settings
    opened in `triage demo` neither lists nor writes the user's real servers. (The demo runs
    in a process of its own, so the environment is the place that every reader shares.)"""
    before = os.environ.get("TRIAGE_CONFIG_DIR")
    os.environ["TRIAGE_CONFIG_DIR"] = str(Path(folder) / "config")
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TRIAGE_CONFIG_DIR", None)
        else:
            os.environ["TRIAGE_CONFIG_DIR"] = before


def run_demo(server, self_test: bool = False, theme: str | None = None) -> int:
    """Open the window on the running demo Jenkins `server`; return the exit code."""
    from triage.ui.app import application, open_window

    app = application(theme)
    with tempfile.TemporaryDirectory(prefix="triage-demo-") as tmp, _throwaway_config(tmp):
        ctx = demo_context(server, Path(tmp))
        window = open_window(ctx)
        test = SelfTest(window, server) if self_test else None
        code = app.exec()
        ctx.tasks.shutdown(wait=True)
        window.deleteLater()
        if test is not None:
            return 0 if test.passed else 1
        return code
