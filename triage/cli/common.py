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
from dataclasses import dataclass, field

import click
from click.core import ParameterSource

from triage.cli.output import echo, plural, silence_stdout
from triage.display import from_printable, printable, safe
from triage.domain import MAX_BUILD
from triage.errors import Cancelled, ConfigError, NotFoundError, OutputError, TriageError
from triage.jobnames import check_job, check_name

__all__ = ["printable", "echo"]  # printable: the one escaping rule, from triage.display

BUILD_NUMBER = click.IntRange(0, MAX_BUILD)  # what the history can hold


class _Count(click.IntRange):
    """A number of builds or rows: at least 1; past what the history can hold means all."""

    def __init__(self) -> None:
        super().__init__(min=1)

    def convert(self, value, param, ctx) -> int:
        return min(super().convert(value, param, ctx), MAX_BUILD)


COUNT = _Count()


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
            read_only = False
            if not create:
                _check_readable(path)
                # Reading needs no writable folder: open it read-only where it is not.
                read_only = not os.access(path.parent, os.W_OK)
            self._store = Store.open(path, read_only=read_only)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def _check_readable(path) -> None:
    """Refuse a missing or empty history before SQLite turns it into a new one."""
    if not path.exists():
        raise NotFoundError(
            f"No history at {path} yet. Import or sync builds first (triage import / "
            "triage sync), or check --db / TRIAGE_DB."
        )
    if path.is_file() and path.stat().st_size == 0:
        raise NotFoundError(
            f"The history at {path} is empty (0 bytes): nothing was ever stored in it. It was "
            "left untouched; import or sync into it first, or check --db / TRIAGE_DB."
        )


class TriageGroup(click.Group):
    """Turn TriageError into one stderr line and the error's exit code."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["triage.args"] = list(args)  # checked in `invoke`, where errors are one line
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        ctx.ensure_object(CliState)
        try:
            try:
                _check_utf8(ctx.meta.get("triage.args", []))
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
            _cancelled("error: Cancelled.")
            ctx.exit(Cancelled.exit_code)
        except TriageError as exc:
            _report(ctx, exc)
            ctx.exit(exc.exit_code)
        finally:
            state = ctx.find_object(CliState)
            if state is not None:
                state.close()


def _cancelled(line: str) -> None:
    """Say one line on stderr after a Ctrl+C (on a new line: the terminal shows ^C)."""
    try:
        if _on_terminal():
            echo(err=True)
        echo(line, err=True)
    except OutputError:
        pass  # stderr is gone: the exit code says it


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
        _cancelled("error: Cancelled; what was stored so far is kept.")
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        os._exit(Cancelled.exit_code)  # threads may be blocked in I/O: do not wait for them

    def cancel(signum, frame):
        token.cancel()
        signal.signal(signal.SIGINT, stop_now)
        if _on_terminal():
            _cancelled("Cancelling after the work in flight (Ctrl+C again to stop now)...")

    previous = signal.signal(signal.SIGINT, cancel)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
def _report(ctx: click.Context, exc: TriageError) -> None:
    """Print the error's one line (and with --verbose its details) on stderr."""
    if isinstance(exc, OutputError):
        silence_stdout()
        if getattr(exc, "broken_pipe", False):
            return  # `triage ... | head`: the reader has all it wanted
    state = ctx.find_object(CliState)
    try:
        echo(f"error: {exc.message}", err=True)
        if state is not None and state.verbose:
            for line in (exc.details or "").splitlines():
                echo(line, err=True)
            for line in "".join(traceback.format_exception(exc)).splitlines():
                echo(line, err=True)
    except OutputError:
        pass  # stderr is gone too: the exit code is all that is left


def _check_utf8(args: list[str]) -> None:
    """Refuse an argument that is not valid UTF-8 before any command sees it.

    On POSIX, Python decodes such bytes as lone surrogates, which SQLite, HTTP and the terminal
    would each fail on later with a traceback.
    """
    for arg in args:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = os.fsencode(arg).decode("utf-8", "backslashreplace")
            raise ConfigError(f"Argument {shown!r} is not valid UTF-8; give names and paths "
                              "in UTF-8 (as Jenkins and the history keep them).") from None


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
            self._bar = click.progressbar(length=self._total, label=safe(self._label),
                                          file=sys.stderr)
            self._bar.__enter__()
            self._bar.update(self._done)

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        if self.defer_warnings:
            return
        if self._bar is not None:
            echo(err=True)
        echo(f"warning: {message}", err=True)

    def print_warnings(self) -> None:
        """Print the warnings kept with `defer_warnings`."""
        if self.defer_warnings:
            for message in self.warnings:
                echo(f"warning: {message}", err=True)

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
    """--job JOB (required): the full name of a job in the history (see `typed_job`)."""
    return click.option(
        "--job", required=True, callback=lambda _ctx, _param, value: typed_job(value),
        help="Job full name, e.g. team/app/main (control characters as shown: \\x1b).",
    )(func)


def new_job_option(func):
    """--job JOB (required) for a job about to be stored: no control characters at all."""
    return click.option(
        "--job", required=True, callback=lambda _ctx, _param, value: _new_job(value),
        help="Job full name, e.g. team/app/main.",
    )(func)


def _new_job(value: str) -> str:
    # Typed escaped (`\\x1b`) names a control character too: refused either way.
    check_job(from_printable(value))
    return value


def typed_job(value: str) -> str:
    """Return the job a user typed: its name as shown, control characters read back.

    Tables show a control character in a name escaped (`\\x1b`, `\\n`); typing the name that
    way finds the job (`triage.display.from_printable`), so a synced job with such a name stays
    queryable. Empty names and outer spaces are refused, as for new jobs.
    """
    name = from_printable(value)
    if name.strip() != name or not name:
        check_name(value, "--job", "team/app")
    return name


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
        raise JenkinsNotFound(f"{plural(count, 'job')} named could not be found on Jenkins "
                              f"(see the warnings above){rest}.")
    raise TriageError(f"Some of what you asked for could not be read (see the warnings "
                      f"above){rest}.")


def jenkins_job(value: str) -> str:
    """Return the job a user named for Jenkins: as shown in tables, and a name Jenkins allows
    (never `..`, which a URL would read as the parent folder)."""
    from triage.jenkins import urls

    name = typed_job(value)
    urls.job_path(name)  # refuses '.', '..' and empty names
    return name


def jobs_callback(_ctx, _param, values: tuple[str, ...]) -> tuple[str, ...]:
    """click callback for repeated --job options naming Jenkins jobs."""
    return tuple(jenkins_job(v) for v in values)


def jenkins_jobs_option(help_text: str):
    """--job JOB, repeatable: Jenkins jobs by full name (a folder stands for its jobs)."""
    return click.option("--job", "jobs", multiple=True, metavar="JOB", callback=jobs_callback,
                        help=help_text)


def job_callback(_ctx, _param, value: str) -> str:
    """click callback for a JOB argument naming a Jenkins job."""
    return jenkins_job(value)


# `triage gui` and `triage demo` both take it (README: "--theme light|dark"); here, not in
# gui_cmds, so that each command still imports only its own module.
theme_option = click.option(
    "--theme", type=click.Choice(["system", "light", "dark"]), default=None,
    help="Colour theme (default: the system's; env TRIAGE_THEME).")
