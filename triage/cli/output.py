"""The CLI's only way to print: every line escaped and redacted, output errors made typed.

`echo` writes one line through `triage.display.safe` (control and bidi characters escaped,
credentials redacted), so nothing from Jenkins or the history can act on the terminal; a test
checks that no command calls `click.echo` itself. A write that fails (`> /dev/full`, a closed
pipe) becomes an `OutputError`, which the group turns into one line on stderr.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from typing import Any

import click

from triage.display import redact, safe
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
