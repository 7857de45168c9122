"""How the app words times, durations and verdicts (plain functions, no widgets)."""

from __future__ import annotations

import time

from triage.display import markup, printable, shorten

# A 100 KB test name or message from Jenkins must not make a label, a tooltip or a row the
# width of a hundred screens (Qt lays the whole text out, and the window's minimum width with it).
NAME_CHARS = 300  # a name in a row, a title or a heading
TEXT_CHARS = 2000  # a message in a label or a tooltip


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


def action_text(text: str, limit: int = 120) -> str:
    """Return Jenkins text for a button or a menu entry: one line, cut, and `&` shown as
    itself (Qt takes `&x` as the shortcut letter x)."""
    return printable(shorten(text, limit)).replace("&", "&&")


def tooltip(text: str | None) -> str:
    """Return a tooltip that shows `text` as typed.

    Qt reads a tooltip as rich text when it looks like HTML (`Qt::mightBeRichText`), so a test
    named `<img src=...>` would be rendered; this one is always HTML, escaped (`markup`).
    """
    if not text:
        return ""
    return f"<p>{markup(shorten(text, TEXT_CHARS), lines=True)}</p>"
