"""The `triage` command line: a thin click layer over the core.

Each command parses its options, calls one core function and formats the answer. Typed errors
(`TriageError`) become one line on stderr and a non-zero exit code; `--verbose` adds details.
Command modules register themselves in COMMAND_MODULES below.
"""

from __future__ import annotations

import importlib

import click

from triage import __version__
from triage.cli.common import TriageGroup

COMMAND_MODULES = (
    "triage.cli.jenkins_cmds",
    "triage.cli.history_cmds",
    "triage.cli.flaky_cmds",
    "triage.cli.demo_cmds",
    "triage.cli.gui_cmds",
    "triage.cli.gate_cmds",
    "triage.cli.report_cmds",
)


@click.group(cls=TriageGroup, context_settings={"help_option_names": ["-h", "--help"]},
             invoke_without_command=True)
@click.version_option(__version__, prog_name="triage")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Triage red and paused Jenkins builds from a local test-result history.

    Without a command, opens the window on a desktop (as `triage gui`), and prints this
    help elsewhere.

    \b
    Example:
      triage import --job app --build 41 target/surefire-reports/
      triage history --job app --last 10
    """
    if ctx.invoked_subcommand is not None:
        return
    from triage.cli.gui_cmds import open_gui
    from triage.ui.display import has_display

    if not has_display():
        click.echo(ctx.get_help())
        return
    open_gui(None, None, None, None)


for _name in COMMAND_MODULES:
    for _command in importlib.import_module(_name).COMMANDS:
        cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    import multiprocessing

    # A frozen executable started as the app's sync child must run that child, not the CLI.
    multiprocessing.freeze_support()
    cli.main(args=argv, prog_name="triage")
