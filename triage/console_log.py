"""A build's console log, read so a reviewer need not dig: its last lines and the lines around
errors, from at most `MAX_BYTES` of it.

Reference: /work/shared/reference/jenkins-api.md, section 4.8. The log comes from
`{run}/logText/progressiveText`, whose `X-Text-Size` is the log's length in bytes: a log longer
than the cap is read from `size - cap`, so the end (where a build fails) is always there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from triage.display import shorten
from triage.jenkins import JenkinsSource
from triage.jenkins.model import ConsoleLog

MAX_BYTES = 2 * 1024 * 1024
TAIL_LINES = 60
CONTEXT = 3
MAX_WINDOWS = 30
# What an excerpt shows at most, whatever the log: a log whose every line is an error (one
# window merging them all) or 2 MiB on one line must not take seconds to lay out.
MAX_WINDOW_LINES = 600
LINE_CHARS = 2000
# Colour codes (the AnsiColor plugin's SGR sequences) say nothing in an excerpt: dropped.
_SGR = re.compile(r"\x1b\[[0-9;]*m")

# What build tools print when something goes wrong: Maven/Gradle/npm/pytest/Jenkins markers.
_ERROR = re.compile(
    r"\[ERROR\]|\bERROR\b|\bFATAL\b|\bFAILED\b|\bFAILURE\b|BUILD FAILED|Exception\b|"
    r"\bError:|Traceback \(most recent call last\)|\bnpm ERR!|^Caused by:"
)


@dataclass(frozen=True)
class LogExcerpt:
    """The last lines of a log and windows of lines around errors, with 1-based line numbers.

    Line numbers count from the first line read (`ConsoleLog.start`).
    """

    tail: list[tuple[int, str]]
    windows: list[list[tuple[int, str]]] = field(default_factory=list)
    lines: int = 0
    errors: int = 0  # lines that look like an error, all of them (windows may be capped)


def fetch(source: JenkinsSource, job: str, number: int, max_bytes: int = MAX_BYTES) -> ConsoleLog:
    """Read the end of a build's console log, at most `max_bytes` of it."""
    return source.console_log(job, number, max_bytes)


def excerpt(log: ConsoleLog, tail_lines: int = TAIL_LINES, context: int = CONTEXT,
            max_windows: int = MAX_WINDOWS) -> LogExcerpt:
    """Return the log's last `tail_lines` lines and the lines around errors before them.

    The windows hold at most `MAX_WINDOW_LINES` lines in all, and a line longer than
    `LINE_CHARS` is cut ("…"); colour codes are dropped.
    """
    lines = log.text.splitlines()
    numbered = [(n, _shown(line)) for n, line in enumerate(lines, start=1)]
    tail_from = max(0, len(lines) - tail_lines)
    hits = [i for i, line in enumerate(lines) if _ERROR.search(line)]
    windows: list[list[tuple[int, str]]] = []
    last_end = -1
    for index in hits:
        start, end = max(0, index - context), min(len(lines), index + context + 1)
        if start >= tail_from:
            break  # the tail shows it already
        end = min(end, tail_from)
        shown = sum(len(w) for w in windows)
        if shown >= MAX_WINDOW_LINES:
            break
        end = min(end, max(start, last_end) + MAX_WINDOW_LINES - shown)
        if windows and start <= last_end:
            windows[-1].extend(numbered[last_end:end])  # overlapping: one window
        elif len(windows) < max_windows:
            windows.append(numbered[start:end])
        else:
            break
        last_end = end
    return LogExcerpt(numbered[tail_from:], windows, len(lines), len(hits))


def _shown(line: str) -> str:
    if "\x1b" in line:
        line = _SGR.sub("", line)
    return shorten(line, LINE_CHARS)


def is_error_line(line: str) -> bool:
    """Return True for a line the excerpt treats as an error (the app highlights them)."""
    return _ERROR.search(line) is not None
