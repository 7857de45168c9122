"""The `triage` command line: a thin click layer over the core.

Each command parses its options, calls one core function and formats the answer. Typed errors
(`TriageError`) become one line on stderr and a non-zero exit code; `--verbose` adds details.
Command modules register themselves in COMMAND_MODULES below, and each of their commands in
COMMAND_INDEX: a command's module is imported only when that command runs (`triage.cli.lazy`),
so `triage --help`, `--version` and each command start without the others' imports.
"""

from __future__ import annotations

import click

from triage.cli.lazy import LazyCommands, LazyGroup
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

# Each command: its module and the first paragraph of its help, which `triage --help` lists
# (click shortens it) without importing the module. tests/test_cli_lazy.py checks it against
# the commands themselves.
COMMAND_INDEX = {
    "servers": ("triage.cli.jenkins_cmds",
                "Configure Jenkins servers (tokens go to the OS keyring)."),
    "sync": ("triage.cli.jenkins_cmds",
             "Import new Jenkins builds and their test results into the history."),
    "pending": ("triage.cli.decide_cmds",
                "List builds paused at an input step, longest wait first."),
    "proceed": ("triage.cli.decide_cmds",
                "Approve a paused input step (every parameter is sent, defaults filled in)."),
    "abort": ("triage.cli.decide_cmds", "Reject a paused input step."),
    "builds": ("triage.cli.builds_cmds", "List the builds that need a person: paused at an "
               "input, or red since the last green."),
    "import": ("triage.cli.history_cmds", "Import JUnit XML files (or folders of *.xml) as "
               "one build, or many from a manifest."),
    "history": ("triage.cli.history_cmds",
                "Show each test's outcomes over the last N builds (oldest first)."),
    "db": ("triage.cli.history_cmds", "Inspect the history database."),
    "failures": ("triage.cli.flaky_cmds", "List a build's failures: real, noise or unsure, "
                 "why, grouped into clusters."),
    "mark": ("triage.cli.flaky_cmds", "Mark a failure, or a whole cluster, real or noise; "
             "used as evidence next time."),
    "unmark": ("triage.cli.flaky_cmds", "Undo the verdict on a failure or a cluster (the "
               "record is kept, marked undone)."),
    "flaky": ("triage.cli.flaky_cmds",
              "Rank the job's tests by flakiness, with the evidence for each."),
    "demo": ("triage.cli.demo_cmds",
             "Open the app on a sample Jenkins with flaky tests and paused builds."),
    "gui": ("triage.cli.gui_cmds", "Open the triage window: builds needing attention, their "
            "failures, decisions."),
    "gate": ("triage.cli.gate_cmds",
             "Decide whether the pipeline needs a human before its input step."),
    "report": ("triage.cli.report_cmds",
               "Write a flakiness and human-in-the-loop report from the history."),
    "desktop": ("triage.cli.desktop_cmds",
                "Add flaky-triage to (or remove it from) the desktop's application menu."),
}


@click.group(cls=LazyGroup, commands=LazyCommands(COMMAND_MODULES, COMMAND_INDEX),
             context_settings={"help_option_names": ["-h", "--help"]},
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


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; an output error outside a command (`--help > /dev/full`) is one line too."""
    import errno
    import sys

    from triage.cli.output import silence_stdout

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
