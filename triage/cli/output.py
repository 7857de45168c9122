"""How the CLI's tables read: plurals, durations, widths that fit the terminal, colours.

Colours only on a terminal and never with NO_COLOR set (https://no-color.org); click strips
the escapes itself when stdout is a pipe or a file. Widths are the terminal's
(`shutil.get_terminal_size`, which honours COLUMNS), 100 columns when there is none, so piped
output stays stable. Text from Jenkins or the history goes through `printable` first.
"""

from __future__ import annotations

import os
import shutil
import sys
import unicodedata

import click

from triage.cli.common import printable

DEFAULT_WIDTH = 100
MIN_WIDTH = 40
COLOURS = {"real": "red", "noise": "green", "unsure": "yellow", "paused": "cyan",
           "failed": "red", "unstable": "yellow"}


def plural(count: int, noun: str, many: str | None = None) -> str:
    """Return "1 build", "2 builds" (or `many` for irregular plurals)."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


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
    """Return `text` coloured for `kind` (a suggestion or a build state) on a terminal."""
    if not colour_on():
        return text
    return click.style(text, fg=COLOURS.get(kind), bold=bold)


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
