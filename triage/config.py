"""Where things live: the history database and the configuration folder (platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "flaky-triage"
DEFAULT_DB_TIMEOUT = 30.0  # seconds; long enough for one big build's write
# One Jenkins request, headers and body, must end within this many seconds (TRIAGE_HTTP_DEADLINE).
DEFAULT_HTTP_DEADLINE = 180.0
# The most one Jenkins answer may hold, in MiB (TRIAGE_HTTP_MAX_MB): a 200,000-case test report
# with the fields we ask for is about 60 MiB.
DEFAULT_HTTP_MAX_MB = 128.0


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


def http_deadline() -> float:
    """Return the total seconds one Jenkins request may take (TRIAGE_HTTP_DEADLINE)."""
    return _positive_env("TRIAGE_HTTP_DEADLINE", DEFAULT_HTTP_DEADLINE, "seconds")


def http_max_bytes() -> int:
    """Return the most bytes one Jenkins answer may hold (TRIAGE_HTTP_MAX_MB, in MiB)."""
    return int(_positive_env("TRIAGE_HTTP_MAX_MB", DEFAULT_HTTP_MAX_MB, "MiB") * 2**20)


def _positive_env(name: str, default: float, unit: str) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 1e9:  # also refuses nan and inf
        from triage.errors import ConfigError

        raise ConfigError(f"{name}={text!r} is not a positive number of {unit}; unset it for "
                          f"the default ({default:g}).")
    return value


def person() -> str:
    """Return who marks and decides here when no Jenkins user says it: TRIAGE_USER, else the
    login name ("unknown" in a container whose user has no passwd entry)."""
    import getpass

    try:
        return os.environ.get("TRIAGE_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def resolve_db_path(explicit: str | os.PathLike | None = None) -> Path:
    """Return --db if given, else TRIAGE_DB, else history.db in the user data folder."""
    # expanduser: "~/history.db" from a CI variable or a quoted argument is not a folder "~".
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("TRIAGE_DB")
    if env:
        return Path(env).expanduser()
    return data_dir() / "history.db"
