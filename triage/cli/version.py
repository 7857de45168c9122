"""`triage --version`: the release, the Qt it would show its window with, the history schema."""

from __future__ import annotations

import click


def qt_description() -> str:
    """Return the Qt version the app runs on, loading only QtCore (no GUI, no display needed).

    The one place outside triage/ui/ that touches PySide6, and only when asked: QtCore's
    qVersion() is the Qt actually loaded, which a bindings version number cannot promise.
    """
    try:
        import PySide6
        from PySide6.QtCore import qVersion
    except ImportError as exc:  # a CLI-only install still answers --version
        return f"not available ({exc})"
    return f"{qVersion()} (PySide6 {PySide6.__version__})"


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from triage.about import about
    from triage.cli.output import echo_lines
    from triage.errors import OutputError

    try:
        echo_lines(about().lines(qt=qt_description()))
    except OutputError as exc:
        # Eager options run before the group's error handling: hand the write error to
        # main(), which reports click's own output errors (help, usage) as one line.
        raise exc.__cause__ from None
    ctx.exit()


def version_option(func):
    """Add an eager --version that prints the version lines and exits."""
    return click.option("--version", is_flag=True, expose_value=False, is_eager=True,
                        callback=_print_version,
                        help="Show the version, the Qt version and the history schema "
                             "version, then exit.")(func)
