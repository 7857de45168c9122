"""`triage report`: the flakiness and human-in-the-loop report as HTML, CSV, JSON or Markdown.

Parses the options, reads them as the app's File > Export does (`triage.report.export`), calls
`triage.report.build_report`, renders, writes. The report package
(Jinja2, and matplotlib for HTML charts) is imported inside the command, so other commands do
not pay for it.
"""

from __future__ import annotations

from pathlib import Path

import click

from triage.cli.common import CliState, TerminalReporter, common_options
from triage.cli.output import echo, echo_document
from triage.errors import Cancelled, ConfigError


class Moment(click.ParamType):
    """A date or a time as epoch ms (`triage.report.export.parse_moment`); a bare date given
    as an end (`--until`) means the end of that day."""

    name = "DATE"

    def __init__(self, end: bool = False):
        self.end = end

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        from triage.report.export import parse_moment

        try:
            return parse_moment(value, end=self.end)
        except ConfigError as exc:
            self.fail(exc.message, param, ctx)


@click.command("report")
@click.option("--job", "jobs", multiple=True,
              help="A job's full name; repeat for several (default: every job).")
@click.option("--server",
              help="Only jobs of this server (default: every server; imported files are `local`).")
@click.option("--since", type=Moment(), help="Builds started on or after this date (UTC).")
@click.option("--until", type=Moment(end=True),
              help="Builds started up to this date, inclusive (UTC).")
@click.option("--branch", help="Only builds of this branch.")
@click.option("--format", "fmt", type=click.Choice(["html", "csv", "json", "md"]),
              help="Output format (default: from the file name's suffix).")
@click.option("-o", "--output", required=True, metavar="FILE",
              help="File to write, or - for standard output.")
@common_options
def report_cmd(state: CliState, jobs, server, since, until, branch, fmt, output):
    """Write a flakiness and human-in-the-loop report from the history.

    Flakiest tests per job, recurring failure signatures, builds held by noise alone, weekly
    trends, and how people decided paused builds: time to decision, interventions, whether a
    decision caught a real failure, agreement with the suggestions. HTML is one printable file
    with charts; CSV one row per test; JSON the whole report (schema in the README); md a
    summary for a ticket or a pull request.

    \b
    Examples:
      triage report --job app -o report.html
      triage report --job app --job team/backend --since 2026-10-01 --format md -o -
      triage report --server ci --branch main --until 2026-11-30 -o tests.csv
    """
    from triage.report import build_report, render
    from triage.report.export import EMPTY, format_of, report_filters, save_report, written

    fmt = fmt or format_of(output)
    filters = report_filters(jobs, server, since, until, branch)
    reporter = TerminalReporter()
    try:
        data = build_report(state.store(create=False), filters, reporter=reporter)
        if not data.summary.builds:
            reporter.warn(EMPTY)
        if output == "-":
            echo_document(render(data, fmt))
            return
        path, text = save_report(data, fmt, Path(output))
    except KeyboardInterrupt:
        raise Cancelled("Cancelled: no report was written.") from None
    finally:
        reporter.finish()
    echo(written(path, fmt, text, data), err=True)


COMMANDS = [report_cmd]
