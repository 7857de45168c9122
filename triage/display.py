"""Text on its way to a person: control characters escaped, credentials redacted.

Everything the CLI prints goes through `safe` (via `triage.cli.output`); the core uses `redact`
for error details it keeps (an error body may echo our request headers). The app shows names
and messages with `printable(text, lines=True)` in plain-text widgets and `markup` where the
text is read as HTML (Qt's rich-text labels and tooltips, a notification body): a name like
`<a href=...>` or `<!--` from Jenkins is shown as typed, never as markup.

`printable` escapes exactly what could act on a terminal or reorder a line: C0 and C1 control
characters (ESC, BEL, BS, CR, newline, ...) and the bidi controls, as Python escapes (`\\x1b`,
`\\n`, `\\u202e`). `from_printable` reads that form back, so a name shown escaped can be typed
as shown (Jenkins job names never contain a backslash, so the escapes cannot be confused with
the name's own characters).
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import unicodedata

# A newline (in a file or test name) would split the line, a bidi override would reorder it.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _escaped(c: str) -> bool:
    # Cs: a lone surrogate (a non-UTF-8 byte of a file name or argument) cannot be printed.
    return c in _BIDI or unicodedata.category(c) in ("Cc", "Cs")


_LINES = frozenset("\n\t")


def printable(text: str, lines: bool = False) -> str:
    """Return `text` for one output line: control and bidi characters shown as escapes.

    With `lines`, line breaks and tabs stay as they are (text shown in a box of its own, such
    as an input's message, not on a terminal line).
    """
    if text.isprintable() and text.isascii():
        return text
    return "".join(c.encode("unicode_escape").decode("ascii")
                   if _escaped(c) and not (lines and c in _LINES) else c for c in text)


def markup(text: str, lines: bool = False) -> str:
    """Return `text` as HTML that shows it as typed: `printable`, then `&`, `<`, `>` and quotes
    escaped; with `lines`, each line break becomes `<br>`."""
    escaped = html.escape(printable(text, lines))
    return escaped.replace("\n", "<br>") if lines else escaped


def shorten(text: str, limit: int) -> str:
    """Return `text` cut to at most `limit` characters, "…" where cut (a 100 KB test name
    must not make a tooltip or a notification the size of a page)."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


_ESCAPE = re.compile(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8}|[ntr])")
_SHORT = {"n": "\n", "t": "\t", "r": "\r"}


def from_printable(text: str) -> str:
    """Return the text `printable` showed as `text`; `text` itself if it shows no escape.

    Only escapes of characters `printable` escapes are read, so `printable(from_printable(s))`
    is `s` whenever `s` came from `printable`.
    """
    if "\\" not in text:
        return text

    def one(match: re.Match) -> str:
        code = match.group(1)
        char = _SHORT.get(code) or chr(int(code[1:], 16))
        # Never a lone surrogate: no stored name holds one (the JSON decoder refuses them).
        return char if _escaped(char) and unicodedata.category(char) != "Cs" else match.group(0)

    return _ESCAPE.sub(one, text)


def _basic(match: re.Match) -> str:
    """Redact `Basic <blob>` only when the blob is base64 of user:secret (not "Basic setup")."""
    try:
        decoded = base64.b64decode(match.group(2), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return match.group(0)
    return f"{match.group(1)} ***" if ":" in decoded else match.group(0)


# Credentials a server or proxy may echo back (request headers in an error page, a URL with a
# token): the scheme or name stays, the secret goes.
_SECRETS = [
    (re.compile(r"(?i)\b(authorization|proxy-authorization)(\s*[:=]\s*)"
                r"(?:(basic|bearer|digest|negotiate|token)\s+)?[^\s,;\"'<>]+"),
     lambda m: f"{m.group(1)}{m.group(2)}{m.group(3) + ' ' if m.group(3) else ''}***"),
    (re.compile(r"(?i)\b(basic)\s+([A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])"), _basic),
    (re.compile(r"(?i)\b(bearer)\s+(?=[A-Za-z0-9._~+/-]*\d)[A-Za-z0-9._~+/-]{20,}=*"),
     lambda m: f"{m.group(1)} ***"),
    (re.compile(r"(?im)^(\s*(?:cookie|set-cookie|x-api-key|x-auth-token|jenkins-crumb)"
                r"\s*:\s*)[^\r\n<\"]+"),
     lambda m: f"{m.group(1)}***"),
    (re.compile(r"(?i)([?&;](?:token|api[_-]?token|access[_-]?token|password|passwd|secret)=)"
                r"[^&#\s\"'<>]+"),
     lambda m: f"{m.group(1)}***"),
    (re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@\"'<>]*:)[^@/\s\"'<>]+@"),
     lambda m: f"{m.group(1)}***@"),
]


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Return `text` without credentials: the given `secrets` and any that look like one."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def safe(text: str) -> str:
    """Return `text` ready for one terminal line: credentials redacted, controls escaped."""
    return printable(redact(text))


def plural(count: int, noun: str, many: str | None = None) -> str:
    """Return "1 build", "2 builds", "1,200 tests" (or `many` for irregular plurals)."""
    return f"{count:,} {noun if count == 1 else many or noun + 's'}"
