"""Clean and cap the free text we keep (stack traces, messages, captured output).

Every stored text is stripped (reporters pad CDATA with newlines; whitespace-only output is
None) and capped at 64 KiB of UTF-8. A longer text keeps its head and its tail, because a
trace's cause is at the top and a log's last lines before the failure are at the bottom, with
a marker in between saying how much was cut.
"""

from __future__ import annotations

MAX_TEXT_BYTES = 64 * 1024
_MARKER = "\n...[truncated {n} bytes by flaky-triage]...\n"
# A str of at most this many characters cannot exceed the byte cap (4 bytes per character max).
_SAFE_CHARS = MAX_TEXT_BYTES // 4


def clean_text(text: str | None) -> str | None:
    """Return `text` stripped and capped (see module doc); None when nothing is left."""
    if not text:
        return None
    text = text.strip()
    if not text:
        return None
    if len(text) <= _SAFE_CHARS:
        return text
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= MAX_TEXT_BYTES:
        return text
    marker_room = len(_MARKER.format(n=len(data)).encode())
    keep = MAX_TEXT_BYTES - marker_room
    head, tail = data[: keep // 2], data[len(data) - (keep - keep // 2):]
    cut = len(data) - len(head) - len(tail)
    # "ignore" drops a character split at either cut, so the result stays within the cap.
    return (head.decode("utf-8", "ignore") + _MARKER.format(n=cut)
            + tail.decode("utf-8", "ignore"))
