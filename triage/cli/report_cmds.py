"""`triage report`: the flakiness and human-in-the-loop report as HTML, CSV, JSON or Markdown.

Parses the filters, calls `triage.report.build_report`, renders, writes. The report package
(Jinja2, and matplotlib for HTML charts) is imported inside the command, so other commands do
not pay for it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from triage.cli.common import CliState, TerminalReporter, common_options
from triage.cli.output import echo, echo_document, plural, write_file
from triage.errors import Cancelled, ConfigError, TriageError
from triage.importing import check_job, check_name

_SUFFIXES = {".html": "html", ".htm": "html", ".csv": "csv", ".json": "json", ".md": "md",
             ".markdown": "md"}


class Moment(click.ParamType):
    """A date (2026-11-30) or a time (2026-11-30T18:00, UTC unless it says otherwise), as epoch
    ms. A bare date given as an end (`--until`) means the end of that day."""

    name = "DATE"

    def __init__(self, end: bool = False):
        self.end = end

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{value!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC).",
                      param, ctx)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        try:
            if self.end and len(text) == 10:  # a whole day: up to its end
                moment += timedelta(days=1)
            return int(moment.timestamp() * 1000)
        except OverflowError:  # --until 9999-12-31: the day after has no date
            self.fail(f"{value!r} is out of the range of dates; give one before 9999-12-31.",
                      param, ctx)


def _jobs(ctx, param, values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(check_job(v) for v in values)


def _server(ctx, param, value: str | None) -> str | None:
    return None if value is None else check_name(value, "--server", "ci")


@click.command("report")
@click.option("--job", "jobs", multiple=True, callback=_jobs,
              help="A job's full name; repeat for several (default: every job).")
@click.option("--server", callback=_server,
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
    fmt = fmt or _format_of(output)
    if since is not None and until is not None and since >= until:
        raise ConfigError("--since is after --until: nothing could match; swap them.")
    from triage.report import ReportFilters, build_report, render

    filters = ReportFilters(jobs=jobs, server=server, since_ms=since, until_ms=until,
                            branch=branch)
    reporter = TerminalReporter()
    try:
        data = build_report(state.store(create=False), filters, reporter=reporter)
        if not data.summary.builds:
            reporter.warn("No stored build matches these filters: the report is empty.")
        text = render(data, fmt)
        if output == "-":
            echo_document(text)
            return
        path = _write(Path(output), text)
    except KeyboardInterrupt:
        raise Cancelled("Cancelled: no report was written.") from None
    finally:
        reporter.finish()
    size = len(text.encode("utf-8"))
    echo(f"Wrote {path} ({fmt}, {size / 1024:,.0f} KiB): "
         f"{plural(len(data.jobs), 'job')}, {plural(data.summary.builds, 'build')}, "
         f"{plural(len(data.tests), 'test')}.", err=True)




def _format_of(output: str) -> str:
    fmt = _SUFFIXES.get(Path(output).suffix.lower()) if output != "-" else None
    if fmt is None:
        raise ConfigError(
            f"Cannot tell the format from {output!r}: give --format html, csv, json or md."
        )
    return fmt


def _write(path: Path, text: str) -> Path:
    """Write `text` to `path` whole or not at all: a file beside it, renamed when complete, so
    a full disk or a Ctrl+C never leaves half a report (or spoils the previous one)."""
    try:
        return write_file(path, text)
    except OSError as exc:
        raise TriageError(
            f"Cannot write the report to {path}: {exc.strerror or exc}. Check that the "
            "folder exists and is writable and that the disk has room.", details=repr(exc),
        ) from exc


COMMANDS = [report_cmd]
