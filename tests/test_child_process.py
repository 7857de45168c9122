"""The child process that runs core work for the window: results, errors, progress, Cancel.

A real spawned process (no Qt needed). The functions it runs live in this module, which the
child imports by name.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from triage.errors import Cancelled, NotFoundError
from triage.progress import CancelToken, NullReporter
from triage.ui import child_process
from triage.ui.child_process import ChildProcess

WAIT_S = 30


def counted(n: int) -> int:
    reporter = child_process.reporter()
    reporter.start(n, "counting")
    for _ in range(n):
        reporter.advance()
    return n * 2


def until_cancelled() -> str:
    """Report once, then wait for the cancel (at most WAIT_S), as long work checks its token."""
    child_process.reporter().start(None, "waiting")
    token = child_process.token()
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        token.raise_if_cancelled()
        time.sleep(0.01)  # the child's work, not the test's synchronisation
    return "never cancelled"


def missing() -> None:
    raise NotFoundError("No job 'nope' in the history.")


class Recorder(NullReporter):
    def __init__(self) -> None:
        super().__init__()
        self.started = threading.Event()
        self.labels: list[str] = []

    def start(self, total, label) -> None:
        super().start(total, label)
        self.labels.append(label)
        self.started.set()


@pytest.fixture
def child():
    process = ChildProcess()
    yield process
    process.shutdown()


def test_results_errors_and_progress_come_back(child):
    reporter = Recorder()
    assert child.run(counted, 3, token=CancelToken(), reporter=reporter) == 6
    # All of a call's progress is relayed by the time its result is back, none left behind.
    assert reporter.labels == ["counting"] and (reporter.done, reporter.total) == (3, 3)
    with pytest.raises(NotFoundError, match="No job 'nope'"):
        child.run(missing, token=CancelToken())


def test_cancel_reaches_the_child_and_a_waiting_run_is_not_stuck(child):
    token, reporter = CancelToken(), Recorder()
    outcome: list = []

    def first() -> None:
        try:
            outcome.append(child.run(until_cancelled, token=token, reporter=reporter))
        except Cancelled as exc:
            outcome.append(exc)

    thread = threading.Thread(target=first)
    thread.start()
    assert reporter.started.wait(WAIT_S)
    # A second run waits for its turn; cancelled meanwhile, it gives up at once.
    late = CancelToken()
    late.cancel()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        child.run(counted, 1, token=late)
    assert time.monotonic() - started < 5
    token.cancel()
    thread.join(WAIT_S)
    assert isinstance(outcome[0], Cancelled)
    assert child.run(counted, 2, token=CancelToken()) == 4  # the next run is not cancelled


def test_what_the_children_import_loads_no_qt():
    """A child imports the module of the function it runs: Qt would cost it time and memory."""
    code = ("import sys, triage.ui.child_process, triage.ui.report_process, "
            "triage.ui.sync_process\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
