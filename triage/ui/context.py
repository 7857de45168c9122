"""The one explicit application context handed to every panel (style habit 2).

It holds where the history is, the Jenkins servers the window watches, the task runner and the
settings. Nothing in `triage.ui` reaches for module globals: tests build a context around a
temporary history and the built-in server, `triage demo` around a throwaway one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from triage.config import person
from triage.ui.sources import ServerEntry, make_client
from triage.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from triage.jenkins import JenkinsSource

__all__ = ["AppContext", "ServerEntry", "settings_at"]

SETTINGS_ORG = "flaky-triage"
SETTINGS_APP = "flaky-triage"


@dataclass
class AppContext:
    store_path: Path
    servers: list[ServerEntry]
    tasks: TaskRunner
    settings: QSettings
    jobs: list[str] | None = None  # watched jobs or folders; None: every job the user sees
    user: str = field(default_factory=person)  # the CLI's rule: TRIAGE_USER, else the login
    demo: bool = False
    _sources: dict[str, JenkinsSource] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def source(self, name: str) -> JenkinsSource:
        """Return the client of one server (made once; call from a worker: keyring may block)."""
        with self._lock:
            found = self._sources.get(name)
            if found is None:
                entry = self.server(name)
                found = self._sources[name] = make_client(entry)
            return found

    def server(self, name: str) -> ServerEntry:
        for entry in self.servers:
            if entry.config.name == name:
                return entry
        raise KeyError(name)

    def who(self, server: str) -> str:
        """Who a decision or a mark is recorded as: the Jenkins user, else the login name."""
        try:
            return self.server(server).config.user or self.user
        except KeyError:
            return self.user



def settings_at(path: Path | None) -> QSettings:
    """Return the app's QSettings: the platform's place, or an INI file (demo, tests)."""
    if path is None:
        return QSettings(SETTINGS_ORG, SETTINGS_APP)
    return QSettings(str(path), QSettings.Format.IniFormat)
