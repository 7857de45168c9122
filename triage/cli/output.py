"""The CLI's only way to print: every line escaped and redacted, output errors made typed.

`echo` writes one line through `triage.display.safe` (control and bidi characters escaped,
credentials redacted), so nothing from Jenkins or the history can act on the terminal; a test
checks that no command calls `click.echo` itself. A write that fails (`> /dev/full`, a closed
pipe) becomes an `OutputError`, which the group turns into one line on stderr. Files a command
writes (a report, the gate's summary) go through `triage.files.write_file`: whole or
not at all.

How tables read: plurals, durations, widths that fit the terminal, colours. Colours only on a
terminal and never with NO_COLOR set (https://no-color.org), through `paint` and
`echo_painted`; click strips the escapes itself when stdout is a pipe or a file. Widths are the
terminal's (`shutil.get_terminal_size`, which honours COLUMNS), 100 columns when there is none,
so piped output stays stable.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import sys
import unicodedata
from typing import Any

import click

from triage.display import plural, printable, redact, safe  # noqa: F401 - plural is re-exported
from triage.errors import OutputError


def echo(text: str = "", err: bool = False) -> None:
    """Print one line (a newline inside `text` is shown as `\\n`, never split)."""
    _write(safe(text), err)


def echo_lines(lines, err: bool = False) -> None:
    for line in lines:
        echo(line, err=err)


def echo_row(*fields: str, sep: str = "\t") -> None:
    """Print fields joined by `sep` (a tab for scripts), each escaped on its own."""
    _write(sep.join(safe(f) for f in fields), False)


def echo_json(data: Any) -> None:
    """Print `data` as indented JSON: ASCII only, so every control character is escaped."""
    _write(redact(json.dumps(data, indent=2, ensure_ascii=True)), False)


def echo_document(text: str) -> None:
    """Print a whole document (a report's CSV, JSON or Markdown) to stdout.

    Piped or redirected, it goes out byte for byte, since it is data for a file or a program;
    on a terminal each line is escaped like any other output.
    """
    if sys.stdout.isatty():
        echo_lines(text.splitlines())
        return
    try:
        click.echo(text, nl=False)
    except OSError as exc:
        raise output_error(exc) from exc


def _write(text: str, err: bool) -> None:
    try:
        click.echo(text, err=err)
    except OSError as exc:
        raise output_error(exc, err) from exc


def output_error(exc: OSError, err: bool = False) -> OutputError:
    stream = "standard error" if err else "standard output"
    reason = exc.strerror or type(exc).__name__
    error = OutputError(f"Cannot write to {stream} ({reason}); free some space or point the "
                        "output elsewhere.")
    error.broken_pipe = exc.errno == errno.EPIPE  # the reader left (`| head`): no news
    return error


def silence_stdout() -> None:
    """Point stdout at /dev/null, so what is still buffered for it cannot fail again at exit
    (Python would print "Exception ignored ... OSError" after our one line)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # no real stdout (a test runner's capture): nothing is flushed at exit anyway


DEFAULT_WIDTH = 100
MIN_WIDTH = 40
COLOURS = {"real": "red", "noise": "green", "unsure": "yellow", "paused": "cyan",
           "failed": "red", "unstable": "yellow"}


def duration(ms: int | None) -> str:
    """Return a wait as people say it: 45m, 3h07m, 2d04h; "?" when unknown."""
    if ms is None:
        return "?"
    minutes = ms // 60000
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours < 48 else f"{hours // 24}d{hours % 24:02d}h"


def age(ms: int) -> str:
    """Return how long ago, coarse: 45m, 10h, 3d, 2y (at most four characters)."""
    minutes = max(0, ms) // 60000
    if minutes < 60:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    return f"{days}d" if days < 365 else f"{min(days // 365, 999)}y"


def terminal_width() -> int:
    """Return the width to fit: the terminal's (or COLUMNS), else DEFAULT_WIDTH."""
    if not sys.stdout.isatty() and "COLUMNS" not in os.environ:
        return DEFAULT_WIDTH
    return max(MIN_WIDTH, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)


def colour_on() -> bool:
    return "NO_COLOR" not in os.environ and sys.stdout.isatty()


def paint(text: str, kind: str, bold: bool = False) -> str:
    """Return `text` (already escaped) coloured for `kind` (a suggestion or a build state) on
    a terminal; print the line with `echo_painted`, which keeps these codes and no others."""
    if not colour_on():
        return text
    return click.style(text, fg=COLOURS.get(kind), bold=bold)


_SGR = re.compile(r"\x1b\[[0-9;]*m")


def echo_painted(text: str = "", err: bool = False) -> None:
    """Print one line like `echo`, keeping the colour codes `paint` put in it.

    Only well-formed SGR colour sequences survive; every other control character is escaped
    as by `echo` (data is escaped before it is painted, so it brings none of its own).
    """
    parts, codes = _SGR.split(text), _SGR.findall(text)
    _write(safe(parts[0]) + "".join(code + safe(part)
                                    for code, part in zip(codes, parts[1:], strict=True)), err)


def echo_painted_lines(lines, err: bool = False) -> None:
    for line in lines:
        echo_painted(line, err=err)


def cells(text: str) -> int:
    """Return how many terminal columns `text` takes (wide East Asian characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else
               0 if unicodedata.combining(c) else 1 for c in text)


def cut(text: str, width: int) -> str:
    """Return `text` as one printable line of at most `width` columns, "…" where cut."""
    text = printable(text)
    if cells(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        size = cells(char)
        if used + size > width - 1:
            break
        out.append(char)
        used += size
    return "".join(out) + "…"


def pad(text: str, width: int) -> str:
    """Left-align `text` in `width` columns (by cells, so wide names line up too)."""
    return text + " " * max(0, width - cells(text))
