"""The reporter port and cancel token shared by every long-running use case.

Use cases (import, sync, reports) report through a `Reporter`; the CLI plugs in a terminal
progress bar, the UI a signal-based one, tests a recording one. Cancellation is cooperative:
work checks the token between units and stops before starting the next one.
"""

from __future__ import annotations

import threading
from typing import Protocol

from triage.errors import Cancelled


class Reporter(Protocol):
    def start(self, total: int | None, label: str) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def warn(self, message: str) -> None: ...
    def finish(self) -> None: ...


class NullReporter:
    """Swallows progress; keeps warnings so callers and tests can read them."""

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.total: int | None = None
        self.done = 0

    def start(self, total: int | None, label: str) -> None:
        self.total, self.done = total, 0

    def advance(self, n: int = 1) -> None:
        self.done += n

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def finish(self) -> None:
        pass


class CancelToken:
    """Thread-safe flag that long work checks between units."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()
