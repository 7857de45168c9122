"""Error signatures: a failure normalised so the same underlying error matches across builds.

(First version by the lead; the flakiness work refines the masking and frame selection.)
"""

from __future__ import annotations

import hashlib
import re

_VOLATILE = [
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I), "<uuid>"),
    (re.compile(r"\b0x[0-9a-f]+\b", re.I), "<hex>"),
    (re.compile(r"\b\d+(\.\d+)?\b"), "<n>"),
]


def normalise_message(message: str | None) -> str:
    text = (message or "").strip().splitlines()[0] if message and message.strip() else ""
    for pattern, repl in _VOLATILE:
        text = pattern.sub(repl, text)
    return text[:500]


def signature_id(type_: str | None, message: str | None, trace: str | None) -> str:
    """Return a stable 16-hex-digit id for a failure's type, message and top frames."""
    key = f"{type_ or ''}\n{normalise_message(message)}"
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
