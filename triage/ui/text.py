"""How the app words times, durations and verdicts (plain functions, no widgets)."""

from __future__ import annotations

import time


def duration(ms: int) -> str:
    """Return "12 min", "2 h 05 min", "3 d 04 h" (under a minute: "<1 min")."""
    minutes = ms // 60000
    if minutes < 1:
        return "<1 min"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    return f"{hours // 24} d {hours % 24:02d} h"


def when(epoch_ms: int | None, now: float | None = None) -> str:
    """Return a stored time as people read it: "14:05", "yesterday 09:12", "2026-11-20"."""
    if epoch_ms is None:
        return ""
    now = time.time() if now is None else now
    stamp = time.localtime(epoch_ms / 1000)
    today = time.localtime(now)
    if stamp[:3] == today[:3]:
        return time.strftime("%H:%M", stamp)
    if now - epoch_ms / 1000 < 6 * 86400:
        return time.strftime("%a %H:%M", stamp)
    return time.strftime("%Y-%m-%d", stamp)


def verdict_text(verdict: str, who: str | None, note: str | None) -> str:
    """Return "noise (alice: db down)"."""
    said = ": ".join(part for part in (who, note) if part)
    return f"{verdict} ({said})" if said else verdict
