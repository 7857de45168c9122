"""`triage desktop install` / `uninstall`: the app in the Linux desktop's application menu."""

from __future__ import annotations

from pathlib import Path

import click

from triage.cli.output import echo


def _data_home(value: str | None) -> Path:
    from triage.desktop import default_data_home

    return Path(value).expanduser() if value else default_data_home()


_DATA_HOME = click.option("--data-home", metavar="DIR",
                          help="Data folder to use (default: $XDG_DATA_HOME or ~/.local/share).")


@click.group("desktop")
def desktop_group() -> None:
    """Add flaky-triage to (or remove it from) the desktop's application menu."""


@desktop_group.command("install")
@_DATA_HOME
def install_cmd(data_home: str | None) -> None:
    """Install the menu entry, icons and AppStream metadata for this user.

    The entry starts this installation (the bundle, or the `triage` that pip or pipx
    installed) with `triage gui`; run it again after moving the bundle.

    \b
    Example:
      triage desktop install
      triage desktop install --data-home ~/.local/share
    """
    from triage import desktop

    command = desktop.launcher_command()
    written = desktop.install(_data_home(data_home), command)
    echo(f"Installed {len(written)} files; the menu entry runs {' '.join(command)} gui")
    echo(f"  {written[-1]}")


@desktop_group.command("uninstall")
@_DATA_HOME
def uninstall_cmd(data_home: str | None) -> None:
    """Remove what `triage desktop install` put in the data folder.

    \b
    Example:
      triage desktop uninstall
    """
    from triage import desktop

    removed = desktop.uninstall(_data_home(data_home))
    echo(f"Removed {len(removed)} files." if removed else "Nothing to remove.")


COMMANDS = [desktop_group]
