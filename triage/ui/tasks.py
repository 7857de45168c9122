"""Background work as ops with exactly one outcome, delivered on the GUI thread.

Three executors (style habit 5):
- the writer: one thread that owns the only SQLite connection that writes (sync, marks,
  decisions), so two writes never race and a decision queues behind at most one job's sync;
- readers: two threads, each with its own read connection (WAL lets them read while the
  writer writes: a read never fails because a sync is writing);
- the network: a small bounded pool for Jenkins requests;
- the pollers: the watcher's own small pool (`poll`), with read connections, so a server that
  hangs holds one poller and never a decision's or a listing's thread.

An op's function runs in a worker and never touches widgets. When it ends, exactly one of its
callbacks runs on the GUI thread: `done(result)` or `failed(error)`. Without a `failed`
callback the error goes to `TaskRunner.error`, the window's one error display, so a worker
exception is never lost. Cancellation is cooperative, through the op's `CancelToken`.

Quitting never waits for Jenkins: the network and poller threads are daemon threads, which
neither `shutdown` nor the interpreter's exit waits for (a server that holds a request would
hold the app open until the request's deadline, minutes); what they bring back after that goes
nowhere. The writer is waited for (a decision is always finished and recorded), and so are
the readers (local reads).
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from queue import SimpleQueue
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from triage.errors import Cancelled, StoreError, TriageError
from triage.progress import CancelToken

if TYPE_CHECKING:
    from triage.store.db import Store

READERS = 2
NETWORK = 4
POLLERS = 4  # one per server up to four: a hung server never delays another's poll


@dataclass(frozen=True)
class ErrorReport:
    """What the error display shows: one line, the details behind "Copy details"."""

    message: str
    details: str
    error: BaseException | None = None
    title: str = "Something went wrong"

    @classmethod
    def of(cls, error: BaseException, title: str | None = None) -> ErrorReport:
        """Turn any exception into a report: typed errors speak for themselves."""
        trace = "".join(traceback.format_exception(error))
        if isinstance(error, TriageError):
            details = "\n\n".join(part for part in (error.details, trace) if part)
            return cls(error.message, details, error, title or "Something went wrong")
        message = f"Unexpected error: {type(error).__name__}: {error}"
        return cls(message, trace, error, title or "Unexpected error (a bug in flaky-triage)")


class Op:
    """One piece of background work; `token` is its cancel token, `progress` its reporter."""

    def __init__(self, label: str, cancellable: bool, relay: _Relay):
        self.label = label
        self.cancellable = cancellable
        self.token = CancelToken()
        self.started = time.monotonic()
        self.finished = False
        self.progress = OpReporter(self, relay)

    def cancel(self) -> None:
        if self.cancellable:
            self.token.cancel()

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled

    def __repr__(self) -> str:
        return f"<Op {self.label!r}{' done' if self.finished else ''}>"


class OpReporter:
    """The `Reporter` port for use cases run in an op: progress and warnings as signals."""

    def __init__(self, op: Op, relay: _Relay):
        self._op, self._relay = op, relay
        self.total: int | None = None
        self.done = 0
        self.label = op.label
        self.warnings: list[str] = []

    def start(self, total: int | None, label: str) -> None:
        self.total, self.done, self.label = total, 0, label
        self._relay.progress.emit(self._op, 0, total)

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._relay.progress.emit(self._op, self.done, self.total)

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        self._relay.warned.emit(self._op, message)

    def finish(self) -> None:
        pass


class _DaemonPool:
    """A fixed pool of daemon threads (ThreadPoolExecutor's are joined at exit): for work
    that only waits on the network and may be abandoned when the app quits."""

    def __init__(self, workers: int, name: str):
        self._queue: SimpleQueue = SimpleQueue()
        self._closed = False
        self._workers = workers
        for number in range(workers):
            threading.Thread(target=self._work, name=f"{name}_{number}", daemon=True).start()

    def submit(self, fn: Callable, *args) -> Future:
        future: Future = Future()
        self._queue.put((future, fn, args))
        return future

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, fn, args = item
            if self._closed or not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # noqa: BLE001 - handed on, as an executor does
                future.set_exception(exc)

    def shutdown(self) -> None:
        """Stop taking work; what runs is abandoned, never waited for. Each idle worker
        wakes to its own stop and ends; a busy one ends once its request does."""
        self._closed = True
        for _ in range(self._workers):
            self._queue.put(None)


class _Relay(QObject):
    """Lives on the GUI thread; workers emit, Qt queues the call to the GUI thread."""

    outcome = Signal(object, object, object, object)  # op, callback, value, is_error
    progress = Signal(object, object, object)  # op, done, total
    warned = Signal(object, str)


class TaskRunner(QObject):
    """Run ops on the writer, the readers or the network pool (see the module docstring)."""

    started = Signal(object)  # op
    ended = Signal(object)  # op
    progressed = Signal(object, object, object)  # op, done, total
    warning = Signal(str)
    error = Signal(object)  # ErrorReport: failures nobody else handled

    def __init__(self, store_path: Path | str, parent: QObject | None = None,
                 open_now: bool = True):
        super().__init__(parent)
        self.store_path = Path(store_path)
        self._relay = _Relay()
        self._relay.outcome.connect(self._deliver)
        self._relay.progress.connect(self.progressed)
        self._relay.warned.connect(lambda _op, message: self.warning.emit(message))
        self._stores: list[Store] = []
        self._stores_lock = threading.Lock()
        self._local = threading.local()
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="triage-writer")
        self._readers = ThreadPoolExecutor(READERS, thread_name_prefix="triage-reader")
        self._network = _DaemonPool(NETWORK, "triage-net")
        self._pollers = _DaemonPool(POLLERS, "triage-poll")
        self.running: set[Op] = set()
        self._children: dict[str, Any] = {}  # name -> ChildProcess, started on first use
        self._children_lock = threading.Lock()
        self._closed = False
        self._opening = False
        if open_now:
            self.open_history()

    def open_history(self) -> None:
        """Open (and migrate) the history on the writer, first, before any reader needs it;
        an error (locked, newer, damaged) reaches the error display like any other.

        Done once: at once, or with `open_now=False` by the first op, as the window's runner
        does, so the store's imports and its opening wait for the window's first paint.
        """
        if not self._opening:
            self._opening = True
            self.write("Opening the history", lambda store, op: None)

    # --- starting ops ---------------------------------------------------------------------

    def write(self, label: str, work: Callable[[Store, Op], Any], done: Callable | None = None,
              failed: Callable | None = None, cancellable: bool = True) -> Op:
        """Run `work(store, op)` on the writer thread (the only one that writes)."""
        return self._start(self._writer, label, lambda op: work(self._store(), op), done, failed,
                           cancellable)

    def read(self, label: str, work: Callable[[Store, Op], Any], done: Callable | None = None,
             failed: Callable | None = None) -> Op:
        """Run `work(store, op)` on a reader thread with its own read connection."""
        return self._start(self._readers, label, lambda op: work(self._store(), op), done,
                           failed, True)

    def network(self, label: str, work: Callable[[Op], Any], done: Callable | None = None,
                failed: Callable | None = None) -> Op:
        """Run `work(op)` on the network pool (no database here)."""
        return self._start(self._network, label, work, done, failed, True)

    def poll(self, label: str, work: Callable[[Store, Op], Any], done: Callable | None = None,
             failed: Callable | None = None) -> Op:
        """Run `work(store, op)` on a poller thread with its own read connection."""
        return self._start(self._pollers, label, lambda op: work(self._store(), op), done,
                           failed, True, tracked=False)

    def _start(self, pool: ThreadPoolExecutor | _DaemonPool, label: str, work, done, failed,
               cancellable: bool, tracked: bool = True) -> Op:
        """`tracked` ops are in `running` (closing waits for them); polls are not: one stuck
        on a server that does not answer must not hold the window open."""
        self.open_history()
        op = Op(label, cancellable, self._relay)
        if self._closed:
            # The window is closing: a timer that fires now starts nothing and hears nothing.
            op.finished = True
            op.token.cancel()
            return op
        if tracked:
            self.running.add(op)
        self.started.emit(op)
        pool.submit(self._run, op, work, done, failed)
        return op

    def _run(self, op: Op, work, done, failed) -> None:
        """Worker side: run, then hand exactly one outcome to the GUI thread."""
        try:
            value = work(op)
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the user
            self._relay.outcome.emit(op, failed, exc, True)
        else:
            self._relay.outcome.emit(op, done, value, False)

    def _deliver(self, op: Op, callback, value, is_error: bool) -> None:
        """GUI side: call the op's one callback; unhandled errors go to `error`."""
        op.finished = True
        self.running.discard(op)
        self.ended.emit(op)
        if self._closed:
            return  # the window is gone: nobody to tell
        if is_error and callback is None:
            if not isinstance(value, Cancelled):
                self.error.emit(ErrorReport.of(value))
            return
        if callback is not None:
            try:
                callback(value)
            except Exception as exc:  # a bug in a callback still reaches the error display
                self.error.emit(ErrorReport.of(exc))

    def report(self, error: BaseException, title: str | None = None) -> None:
        """Send an error to the window's error display (for callbacks that handled part)."""
        self.error.emit(ErrorReport.of(error, title))

    # --- connections ----------------------------------------------------------------------

    def _store(self) -> Store:
        store = getattr(self._local, "store", None)
        changed = store.file_changed() if store is not None else None
        if changed is not None:
            # Never write into a file nobody can open again: drop the connection, say so once;
            # the next op opens whatever the path names now.
            self._local.store = None
            with self._stores_lock:
                self._stores.remove(store)
            store.close()
            raise StoreError(
                f"The history at {self.store_path} was {changed} while the window was open, "
                "so this was not done. Do it again: the window now uses the file at that path "
                "(F5 lists again).")
        if store is None:
            from triage.store.db import Store  # in the worker: the window paints without it

            store = Store.open(self.store_path, check_same_thread=False)
            self._local.store = store
            with self._stores_lock:
                self._stores.append(store)
        return store

    def sync_process(self):
        """The child process that syncs for the writer (started on first use)."""
        from triage.ui.sync_process import SyncProcess

        return self._child("sync", SyncProcess)

    def report_process(self):
        """The child process that builds reports for the readers (File > Export)."""
        from triage.ui.child_process import ChildProcess

        return self._child("report", ChildProcess)

    def _child(self, name: str, kind):
        with self._children_lock:
            found = self._children.get(name)
            if found is None:
                if self._closed:  # no new process once closing has begun
                    raise Cancelled("The window is closing.")
                found = self._children[name] = kind()
            return found

    # --- shutting down --------------------------------------------------------------------

    def busy_writing(self) -> bool:
        return any(not op.finished for op in self.running if not op.cancellable)

    def shutdown(self, wait: bool = True) -> None:
        """Cancel what can be cancelled, let the rest finish (a decision is never cut in
        half), then close every connection."""
        self._closed = True
        for op in list(self.running):
            op.cancel()
        # Polls and network reads stuck on a server that does not answer only read: never
        # waited for (their HTTP deadline ends them; their late results go nowhere).
        self._pollers.shutdown()
        self._network.shutdown()
        with self._children_lock:
            children = list(self._children.values())
        for child in children:
            child.cancel()
        for pool in (self._readers, self._writer):
            pool.shutdown(wait=wait, cancel_futures=False)
        with self._children_lock:
            children = list(self._children.values())
            self._children.clear()
        for child in children:
            child.shutdown()
        with self._stores_lock:
            for store in self._stores:
                store.close()
            self._stores.clear()
