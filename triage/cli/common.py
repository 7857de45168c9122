"""Shared CLI plumbing: the error-translating group, --db/--verbose on every command."""

from __future__ import annotations

import functools
import sys
import traceback
from dataclasses import dataclass, field

import click
from click.core import ParameterSource

from triage.errors import NotFoundError, TriageError


@dataclass
class CliState:
    db_path: str | None = None
    verbose: bool = False
    _store: object | None = field(default=None, repr=False)

    def store(self):
        """Open (once) the history named by --db, TRIAGE_DB or the platform default."""
        if self._store is None:
            from triage.config import resolve_db_path
            from triage.store import Store

            self._store = Store.open(resolve_db_path(self.db_path))
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
            return super().invoke(ctx)
        except TriageError as exc:
            state = ctx.find_object(CliState)
            click.echo(f"error: {exc.message}", err=True)
            if state is not None and state.verbose:
                if exc.details:
                    click.echo(exc.details, err=True)
                click.echo("".join(traceback.format_exception(exc)), err=True)
            ctx.exit(exc.exit_code)
        finally:
            state = ctx.find_object(CliState)
            if state is not None:
                state.close()


def common_options(func):
    """Add --db and --verbose to a command and pass the CliState as `state`."""

    @click.option(
        "--db",
        "db_path",
        envvar="TRIAGE_DB",
        type=click.Path(dir_okay=False),
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
    """A click progress bar on a terminal; silence (warnings still printed) elsewhere."""

    def __init__(self) -> None:
        self._bar = None

    def start(self, total: int | None, label: str) -> None:
        # stderr, so stdout stays clean for scripts even on a terminal.
        if sys.stderr.isatty():
            self._bar = click.progressbar(length=total, label=label, file=sys.stderr)
            self._bar.__enter__()

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def warn(self, message: str) -> None:
        click.echo(f"warning: {message}", err=True)

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
        help="Server the job belongs to: a configured name, or `local` for imported files.",
    )(func)


def job_server(store, job: str, server: str) -> str:
    """Return the server to look `job` up on: --server, or the only server that has the job.

    Synced jobs live under their server's name, so without --server a job that is on exactly
    one server is found there rather than failing on `local`.
    """
    context = click.get_current_context()
    if context.get_parameter_source("server") is not ParameterSource.DEFAULT:
        return server
    found = store.servers_of_job(job)
    if server in found or not found:
        return server
    if len(found) > 1:
        names = ", ".join(found)
        raise NotFoundError(f"Job {job!r} is on several servers ({names}); pass --server NAME.")
    return found[0]


def format_option(func):
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json"]),
        default="table",
        show_default=True,
        help="Output format.",
    )(func)
