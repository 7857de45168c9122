"""The `triage` command line: a thin click layer over the core.

Each command parses its options, calls one core function and formats the answer. Typed errors
(`TriageError`) become one line on stderr and a non-zero exit code; `--verbose` adds details.
Command modules register themselves in COMMAND_MODULES below.
"""

from __future__ import annotations

import importlib

import click

from triage.cli.common import TriageGroup
from triage.cli.version import version_option

COMMAND_MODULES = (
    "triage.cli.jenkins_cmds",
    "triage.cli.decide_cmds",
    "triage.cli.builds_cmds",
    "triage.cli.history_cmds",
    "triage.cli.flaky_cmds",
    "triage.cli.demo_cmds",
    "triage.cli.gui_cmds",
    "triage.cli.gate_cmds",
    "triage.cli.report_cmds",
    "triage.cli.desktop_cmds",
)


@click.group(cls=TriageGroup, context_settings={"help_option_names": ["-h", "--help"]},
             invoke_without_command=True)
@version_option
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
    from triage.cli.output import echo_lines
    from triage.ui.display import has_display

    if not has_display():
        echo_lines(ctx.get_help().splitlines())
        return
    open_gui(None, None, None, None)


for _name in COMMAND_MODULES:
    for _command in importlib.import_module(_name).COMMANDS:
        cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; an output error outside a command (`--help > /dev/full`) is one line too."""
    import errno
    import multiprocessing
    import sys

    from triage.cli.output import silence_stdout

    # A frozen executable started as the app's sync child must run that child, not the CLI.
    multiprocessing.freeze_support()
    try:
        cli.main(args=argv, prog_name="triage")
    except OSError as exc:  # click's own output (help, usage, version); commands use `echo`
        silence_stdout()
        if exc.errno != errno.EPIPE:
            try:
                sys.stderr.write(f"error: Cannot write to standard output "
                                 f"({exc.strerror or type(exc).__name__}).\n")
                sys.stderr.flush()
            except OSError:
                pass
        sys.exit(1)
