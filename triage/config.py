"""Where things live: the history database and the configuration folder (platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "flaky-triage"
DEFAULT_DB_TIMEOUT = 30.0  # seconds; long enough for one big build's write


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    return Path(os.environ.get("TRIAGE_CONFIG_DIR")
                or platformdirs.user_config_dir(APP_NAME, appauthor=False))


def db_timeout() -> float:
    """Return how many seconds to wait for another process's write lock (TRIAGE_DB_TIMEOUT)."""
    text = os.environ.get("TRIAGE_DB_TIMEOUT", "").strip()
    try:
        seconds = float(text) if text else DEFAULT_DB_TIMEOUT
    except ValueError:
        seconds = DEFAULT_DB_TIMEOUT
    return seconds if 0 <= seconds < 86400 else DEFAULT_DB_TIMEOUT


def resolve_db_path(explicit: str | os.PathLike | None = None) -> Path:
    """Return --db if given, else TRIAGE_DB, else history.db in the user data folder."""
    # expanduser: "~/history.db" from a CI variable or a quoted argument is not a folder "~".
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("TRIAGE_DB")
    if env:
        return Path(env).expanduser()
    return data_dir() / "history.db"
