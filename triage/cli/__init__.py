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
    "triage.cli.gate_cmds",
    "triage.cli.report_cmds",
    "triage.cli.desktop_cmds",
)


@click.group(cls=TriageGroup, context_settings={"help_option_names": ["-h", "--help"]})
@version_option
def cli() -> None:
    """Triage red and paused Jenkins builds from a local test-result history.

    \b
    Example:
      triage import --job app --build 41 target/surefire-reports/
      triage history --job app --last 10
    """


for _name in COMMAND_MODULES:
    for _command in importlib.import_module(_name).COMMANDS:
        cli.add_command(_command)


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
