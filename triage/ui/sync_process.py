"""The window's history sync, run in a child process so it never stalls the event loop.

Decoding a 20,000-test report (`json.loads`, one C call) and turning it into results hold
Python's GIL for hundreds of milliseconds at a time, and a thread cannot give it back; the
window froze for up to 0.4 s per build (tests/benchmarks/bench_ui.py). In a child process the
same core use case (`triage.inbox.builds_needing_attention` with `sync=True`) runs with its
own GIL. The writer thread waits for the child while it writes, so there is still one writer
at a time; readers go on reading (WAL).

The child is started once (spawn: no fork of a process with Qt threads) and reused. Cancelling
sets an event the child's cancel token reads between builds; the writer waits `GRACE_S` for it
at most, since a child stuck on a server that holds its request would hold the writer (and
quitting) until the request's deadline. Shutting down stops the child the same way, then ends
it: every build is stored in one transaction, so a child ended mid-build stores nothing of it.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from triage.servers import ServerConfig

GRACE_S = 2.0  # how long a cancelled sync may take to stop before it is left (or ended)
_cancel_event = None  # in the child: the parent's cancel event
_stores: dict[str, object] = {}  # in the child: one open history per path


class SyncProcess:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._cancel = context.Event()
        self._pool = ProcessPoolExecutor(1, mp_context=context, initializer=_start_child,
                                         initargs=(self._cancel,))

    def sync_job(self, config: ServerConfig, token: str | None, store_path: Path, job: str,
                 cancel) -> tuple[list, list[str]]:
        """Sync one job's history in the child; return its `InboxItem`s and the warnings
        (the writer thread waits meanwhile)."""
        from triage.errors import Cancelled

        if cancel.cancelled:  # queued behind another job's sync, then the window closed
            raise Cancelled(f"Sync of {job} cancelled.")
        self._cancel.clear()
        future = self._pool.submit(_sync_job, config, token, str(store_path), job)
        given_up_at = None
        while True:
            try:
                return future.result(timeout=0.1)
            except TimeoutError:
                if cancel.cancelled and given_up_at is None:
                    self._cancel.set()  # the child stops after the builds in flight
                    given_up_at = time.monotonic() + GRACE_S
                if given_up_at is not None and time.monotonic() > given_up_at:
                    raise Cancelled(f"Sync of {job} cancelled.") from None

    def cancel(self) -> None:
        self._cancel.set()

    def shutdown(self) -> None:
        self._cancel.set()
        # The executor names its children only in a private field (terminate_workers() is
        # Python 3.14's); without it the child is left to its HTTP deadline.
        children = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        ends = time.monotonic() + GRACE_S
        for child in children:
            child.join(max(0.0, ends - time.monotonic()))
            if child.is_alive():
                child.terminate()  # stuck on a server: its build in flight is not stored
                child.join(GRACE_S)


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
        from triage.errors import Cancelled

        if self._event.is_set():
            raise Cancelled()


def _start_child(event) -> None:
    global _cancel_event
    _cancel_event = event
    if hasattr(os, "nice"):
        os.nice(10)  # background work: the window's own process comes first for the CPU


def _sync_job(config: ServerConfig, token: str | None, store_path: str,
              job: str) -> tuple[list, list[str]]:
    """In the child: sync one job and list what needs attention in it."""
    from triage.inbox import builds_needing_attention
    from triage.progress import NullReporter
    from triage.store.db import Store
    from triage.ui.sources import ServerEntry, make_client

    store = _stores.get(store_path)
    if store is not None and store.file_changed():
        store.close()  # deleted or replaced under the app: sync into what the path names now
        store = None
    if store is None:
        store = _stores[store_path] = Store.open(store_path)
    client = make_client(ServerEntry(config, token))
    reporter = NullReporter()
    items = builds_needing_attention([client], store, jobs=[job], sync=True, reporter=reporter,
                                     token=_EventToken(_cancel_event))
    return items, reporter.warnings
