"""What the app keeps in QSettings: watching preferences, mutes, the layout (style habit 13).

Plain values only (numbers, strings, JSON text, Qt's own saved states): never pickled. The
servers live in `servers.json` (`triage.servers`, shared with the CLI), tokens in the OS
keyring, the history in SQLite. `reset_layout` forgets geometry, splitters and columns; the
window's `LAYOUT_VERSION` ignores layouts saved by an older window.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

from triage.ui.watch_rules import DEFAULT_INTERVAL_S, MIN_INTERVAL_S, Mutes

INTERVAL = "watch/intervalSeconds"
JOBS = "watch/jobs"
MUTES = "watch/mutes"
NO_TRAY_TOLD = "tray/noTrayTold"
LAYOUT_GROUP = "layout"


def interval_s(settings: QSettings) -> int:
    try:
        value = int(settings.value(INTERVAL, DEFAULT_INTERVAL_S))
    except (TypeError, ValueError):
        return DEFAULT_INTERVAL_S
    return max(MIN_INTERVAL_S, value)


def set_interval_s(settings: QSettings, seconds: int) -> None:
    settings.setValue(INTERVAL, max(MIN_INTERVAL_S, int(seconds)))


def watched_jobs(settings: QSettings) -> list[str] | None:
    """The jobs or folders to watch, one per line; None (the default): every job."""
    text = settings.value(JOBS, "")
    jobs = [line.strip().strip("/") for line in str(text or "").splitlines() if line.strip()]
    return jobs or None


def set_watched_jobs(settings: QSettings, jobs: list[str] | None) -> None:
    settings.setValue(JOBS, "\n".join(jobs or []))


def mutes(settings: QSettings) -> Mutes:
    return Mutes.from_json(settings.value(MUTES, ""))


def save_mutes(settings: QSettings, value: Mutes) -> None:
    settings.setValue(MUTES, value.to_json())
    settings.sync()


def reset_layout(settings: QSettings) -> None:
    """Forget the saved window layout; the next window opens with the default one."""
    settings.remove(LAYOUT_GROUP)
    settings.sync()


def tell_no_tray_once(settings: QSettings) -> bool:
    """Return True the first time only (the no-tray message is said once per machine)."""
    if settings.value(NO_TRAY_TOLD, False, bool):
        return False
    settings.setValue(NO_TRAY_TOLD, True)
    settings.sync()
    return True
