"""`triage gui`: open the desktop app (also what `triage` alone does on a desktop).

Qt is imported only inside the command, so every other command starts without it.
"""

from __future__ import annotations

import click

from triage.cli.common import CliState, common_options, theme_option
from triage.errors import ConfigError


def no_display_message() -> str:
    return ("No display here (neither DISPLAY nor WAYLAND_DISPLAY is set), so no window can "
            "open; use the CLI (`triage --help`), or run the app on a desktop.")


@click.command("gui")
@click.option("--server", metavar="URL|NAME",
              help="Open on this one server (a URL or a configured name) without saving it; "
                   "token from the keyring or TRIAGE_JENKINS_TOKEN.")
@click.option("--user", help="Jenkins user, with --server URL.")
@theme_option
@common_options
def gui_cmd(state: CliState, server: str | None, user: str | None, theme: str | None) -> None:
    """Open the triage window: builds needing attention, their failures, decisions.

    \b
    Example:
      triage gui
      triage gui --server https://ci.example.com/jenkins/ --user alice
    """
    open_gui(state.db_path, server, user, theme)


def open_gui(db: str | None, server: str | None, user: str | None, theme: str | None) -> None:
    from triage.ui.display import has_display

    if not has_display():
        raise ConfigError(no_display_message())
    from triage.ui.app import gui_context, run

    code = run(lambda: gui_context(db, server, user), theme)
    if code:
        raise click.exceptions.Exit(code)


COMMANDS = [gui_cmd]
