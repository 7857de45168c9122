"""Shared CLI plumbing: the error-translating group, --db/--verbose on every command."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sqlite3
import sys
import threading
import time
import traceback
import unicodedata
from dataclasses import dataclass, field

import click
from click.core import ParameterSource

from triage.errors import Cancelled, ConfigError, NotFoundError, TriageError
from triage.importing import check_job

# Shown escaped in one-line output: a newline (in a file or test name) would split the line,
# a bidi override would reorder it.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str) -> str:
    """Return `text` for one output line: control and bidi characters shown as escapes."""
    if text.isprintable():
        return text
    return "".join(
        c.encode("unicode_escape").decode("ascii")
        if c in _BIDI or unicodedata.category(c) == "Cc" else c
        for c in text
    )


@dataclass
class CliState:
    db_path: str | None = None
    verbose: bool = False
    _store: object | None = field(default=None, repr=False)

    def store(self, *, create: bool = True):
        """Open (once) the history named by --db, TRIAGE_DB or the platform default.

        With `create=False` (commands that only read) a missing file is a NotFoundError rather
        than a new empty history: a mistyped --db should not leave files behind.
        """
        if self._store is None:
            from triage.config import resolve_db_path
            from triage.store import Store

            path = resolve_db_path(self.db_path)
            if not create and not path.exists():
                raise NotFoundError(
                    f"No history at {path} yet. Import or sync builds first (triage import / "
                    "triage sync), or check --db / TRIAGE_DB."
                )
            self._store = Store.open(path)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class TriageGroup(click.Group):
    """Turn TriageError into one stderr line and the error's exit code."""

    def invoke(self, ctx: click.Context):
        ctx.ensure_object(CliState)
        try:
            try:
                return super().invoke(ctx)
            except sqlite3.DatabaseError as exc:
                # The store translates what it writes; a read query can still meet a damaged
                # or locked file. Say so in one line like every other error.
                from triage.store.db import environmental

                if not environmental(exc):
                    raise
                raise _store_error(ctx, exc) from exc
        except (KeyboardInterrupt, click.exceptions.Abort):
            # Ctrl+C anywhere (or at a prompt): one line and the table's code, never a
            # traceback or click's bare "Aborted!".
            click.echo("\nerror: Cancelled." if _on_terminal() else "error: Cancelled.",
                       err=True)
            ctx.exit(Cancelled.exit_code)
        except TriageError as exc:
            state = ctx.find_object(CliState)
            click.echo(f"error: {printable(exc.message)}", err=True)
            if state is not None and state.verbose:
                if exc.details:
                    click.echo(exc.details, err=True)
                click.echo("".join(traceback.format_exception(exc)), err=True)
            ctx.exit(exc.exit_code)
        finally:
            state = ctx.find_object(CliState)
            if state is not None:
                state.close()


def _on_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def cancel_on_ctrl_c(token):
    """First Ctrl+C cancels cooperatively (work in flight finishes, then the command stops
    with one line, exit 130); a second one stops at once, losing nothing stored.

    Everything is stored build by build in transactions, so stopping the process at once
    leaves a consistent history; only the builds in flight are lost.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop_now(signum, frame):
        click.echo("\nerror: Cancelled; what was stored so far is kept.", err=True)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(Cancelled.exit_code)  # threads may be blocked in I/O: do not wait for them

    def cancel(signum, frame):
        token.cancel()
        signal.signal(signal.SIGINT, stop_now)
        if _on_terminal():
            click.echo("\nCancelling after the work in flight (Ctrl+C again to stop now)...",
                       err=True)

    previous = signal.signal(signal.SIGINT, cancel)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _store_error(ctx: click.Context, exc: sqlite3.Error) -> TriageError:
    from triage.config import db_timeout, resolve_db_path
    from triage.store.db import store_error

    state = ctx.find_object(CliState)
    path = resolve_db_path(state.db_path if state is not None else None)
    return store_error(exc, path, db_timeout(), "read")


def _check_db_path(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    # An empty --db (a script's unset variable) would otherwise silently mean the default file.
    if value is not None and not value.strip():
        raise ConfigError("--db is empty; give the history file's path, or leave it out "
                          "for TRIAGE_DB or the default in the user data folder.")
    if value and os.path.isdir(value):
        raise ConfigError(f"--db / TRIAGE_DB {value} is a folder; point it at a file, such as "
                          f"{os.path.join(value, 'history.db')}.")
    return value


def common_options(func):
    """Add --db and --verbose to a command and pass the CliState as `state`."""

    @click.option(
        "--db",
        "db_path",
        envvar="TRIAGE_DB",
        callback=_check_db_path,
        help="History database file (default: the user data folder; env TRIAGE_DB).",
    )
    @click.option("-v", "--verbose", is_flag=True, help="Show error details.")
    @click.pass_context
    @functools.wraps(func)
    def wrapper(ctx: click.Context, db_path: str | None, verbose: bool, **kwargs):
        state = ctx.ensure_object(CliState)
        if db_path:
            state.db_path = db_path
        state.verbose = state.verbose or verbose
        return func(state, **kwargs)

    return wrapper


class TerminalReporter:
    """A progress bar on a terminal (stderr), shown only after 0.5 s so quick work never
    flickers (style habit 6); nothing when stderr is not a terminal. Warnings always print,
    on stderr so stdout stays clean for scripts."""

    DELAY = 0.5

    def __init__(self, tty: bool | None = None, defer_warnings: bool = False,
                 clock=time.monotonic) -> None:
        self.tty = sys.stderr.isatty() if tty is None else tty
        self.defer_warnings = defer_warnings  # kept for print_warnings (one error instead)
        self.clock = clock
        self._bar = None
        self._total: int | None = None
        self._label = ""
        self._done = 0
        self._started = 0.0
        self.warnings: list[str] = []

    def start(self, total: int | None, label: str) -> None:
        self._total, self._label, self._done = total, label, 0
        self._started = self.clock()

    def advance(self, n: int = 1) -> None:
        self._done += n
        if self._bar is not None:
            self._bar.update(n)
        elif self.tty and self._total and self.clock() - self._started >= self.DELAY:
            self._bar = click.progressbar(length=self._total, label=self._label,
                                          file=sys.stderr)
            self._bar.__enter__()
            self._bar.update(self._done)

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        if self.defer_warnings:
            return
        if self._bar is not None:
            click.echo("", err=True)
        click.echo(f"warning: {printable(message)}", err=True)

    def print_warnings(self) -> None:
        """Print the warnings kept with `defer_warnings`."""
        if self.defer_warnings:
            for message in self.warnings:
                click.echo(f"warning: {printable(message)}", err=True)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def server_option(func):
    """--server NAME: the Jenkins server a job belongs to (`local` for plain imports)."""
    return click.option(
        "--server",
        default="local",
        show_default=True,
        callback=_check_server,
        help="Server the job belongs to: a configured name, or `local` for imported files.",
    )(func)


def _check_server(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from triage.importing import check_name

    return check_name(value, "--server", "ci")


def job_server(store, job: str, server: str) -> str:
    """Return the server to look `job` up on: --server, or the only server that has the job.

    Synced jobs live under their server's name, so without --server a job that is on exactly
    one server is found there rather than failing on `local`. --server may be a configured
    name or a URL: both find the server's one history (`servers.history_name`).
    """
    context = click.get_current_context()
    if context.get_parameter_source("server") is not ParameterSource.DEFAULT:
        from triage.servers import history_name

        return history_name(store, server)
    found = store.servers_of_job(job)
    if server in found or not found:
        return server
    if len(found) > 1:
        names = ", ".join(found)
        raise ConfigError(f"Job {job!r} is on several servers ({names}); pass --server NAME.")
    return found[0]


def job_option(func):
    """--job JOB (required): a job's full name, checked for emptiness and control characters."""
    return click.option(
        "--job", required=True, callback=lambda _ctx, _param, value: check_job(value),
        help="Job full name, e.g. team/app/main.",
    )(func)


def format_option(func):
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json"]),
        default="table",
        show_default=True,
        help="Output format.",
    )(func)


def server_options(func):
    """Add --server (a configured name or a URL) and --user (for a URL), for Jenkins commands."""
    func = click.option("--user", help="Jenkins user, with --server URL (token from "
                        "TRIAGE_JENKINS_TOKEN).")(func)
    return click.option("--server", "server", metavar="NAME|URL",
                        help="A configured server name, or a Jenkins URL.")(func)


def pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    """Return NAME=VALUE options as a dict; anything else is a usage error."""
    found = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name:
            raise ConfigError(f"{what} must look like NAME=VALUE, not {value!r}.")
        found[name.strip()] = rest
    return found


def raise_for_problems(problems: list, listed: bool) -> None:
    """One error for what could not be read, with the exit code of its kind (3 when all of it
    was not found on Jenkins, else 1); `listed` says whether the output shows the rest."""
    from triage.errors import JenkinsNotFound

    if not problems:
        return
    rest = "; the list shows the rest" if listed else ""
    count = len(problems)
    if all(isinstance(p, JenkinsNotFound) for p in problems):
        raise JenkinsNotFound(f"{count} job{'' if count == 1 else 's'} named could not be "
                              f"found on Jenkins (see the warnings above){rest}.")
    raise TriageError(f"Some of what you asked for could not be read (see the warnings "
                      f"above){rest}.")
