"""Core use cases run in a child process, so their Python work never stalls the event loop.

A thread shares the window's GIL: decoding a 20,000-test report (`json.loads`, one C call) or
the report engine's sorts and row building hold it for up to 0.2-0.4 s at a time, and the
window freezes meanwhile (tests/benchmarks/bench_ui.py, bench_export.py). In a child process
the same core function runs with its own GIL. The op that asked waits in its worker thread
(writer or reader), relays the child's progress to its reporter, and passes its cancel on.

Each `ChildProcess` is one spawned process (no fork of a process with Qt threads), started on
first use and reused, niced: background work, the window's own process comes first. Its runs
take turns (one worker); a run waiting for its turn can be cancelled. In the child, a function
reads the run's cancel token with `token()`, reports with `reporter()`, opens a history once
with `store(path)`.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from triage.errors import Cancelled
from triage.progress import CancelToken, Reporter

POLL_S = 0.05  # how often a waiting op relays progress and checks its cancel token
SEND_S = 0.05  # the child sends its progress at most this often (a pipe is not a firehose)

_cancel_event = None  # in the child: the parent's cancel event
_progress = None  # in the child: the queue its reporter writes to
_reporter = None  # in the child: the one reporter, flushed when a call ends
_stores: dict[str, object] = {}  # in the child: one open history per path


class ChildProcess:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._cancel = context.Event()
        # Simple: a put is written at once, so a call's progress is in the pipe before its
        # result and none trails behind into the next call.
        self._progress = context.SimpleQueue()
        self._turn = threading.Lock()
        self._pool = ProcessPoolExecutor(1, mp_context=context, initializer=_start_child,
                                         initargs=(self._cancel, self._progress))

    def run(self, work, *args, token: CancelToken, reporter: Reporter | None = None):
        """Run `work(*args)` (a module-level function) in the child and return its result;
        raise what it raised, or Cancelled once `token` is cancelled."""
        while not self._turn.acquire(timeout=POLL_S):
            token.raise_if_cancelled()  # still waiting for another run to end
        try:
            token.raise_if_cancelled()
            self._cancel.clear()
            _drain(self._progress, None)
            future = self._pool.submit(_call, work, *args)
            while True:
                try:
                    result = future.result(timeout=POLL_S)
                except FutureTimeout:
                    if token.cancelled:
                        self._cancel.set()  # the child stops at its next check
                    _drain(self._progress, reporter)
                    continue
                _drain(self._progress, reporter)
                return result
        finally:
            self._turn.release()

    def cancel(self) -> None:
        self._cancel.set()

    def shutdown(self) -> None:
        self._cancel.set()
        self._pool.shutdown(wait=True, cancel_futures=True)


def _drain(messages, reporter: Reporter | None) -> None:
    """Hand the child's progress messages to `reporter` (or drop them)."""
    while not messages.empty():
        method, args = messages.get()
        if reporter is not None:
            getattr(reporter, method)(*args)


class _EventToken:
    """A CancelToken over the parent's multiprocessing event."""

    def __init__(self, event) -> None:
        self._event = event

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        self._event.set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


class _QueueReporter:
    """A Reporter whose calls travel to the parent's reporter, advances gathered."""

    def __init__(self) -> None:
        self._pending = 0
        self._sent = 0.0

    def start(self, total: int | None, label: str) -> None:
        self.flush()
        _progress.put(("start", (total, label)))

    def advance(self, n: int = 1) -> None:
        self._pending += n
        if time.monotonic() - self._sent >= SEND_S:
            self.flush()

    def warn(self, message: str) -> None:
        self.flush()
        _progress.put(("warn", (message,)))

    def finish(self) -> None:
        self.flush()

    def flush(self) -> None:
        if self._pending:
            _progress.put(("advance", (self._pending,)))
            self._pending = 0
            self._sent = time.monotonic()


def _start_child(event, progress) -> None:
    global _cancel_event, _progress, _reporter
    _cancel_event, _progress, _reporter = event, progress, _QueueReporter()
    if hasattr(os, "nice"):
        os.nice(10)


def _call(work, *args):
    """In the child: run one call; its last progress is sent before its result."""
    try:
        return work(*args)
    finally:
        _reporter.flush()


def token() -> _EventToken:
    """In the child: the running call's cancel token."""
    return _EventToken(_cancel_event)


def reporter() -> _QueueReporter:
    """In the child: the reporter that reports to the op waiting in the parent."""
    return _reporter


def store(path: str):
    """In the child: the history at `path`, opened once and kept."""
    from triage.store.db import Store

    found = _stores.get(path)
    if found is None:
        found = _stores[path] = Store.open(path)
    return found
