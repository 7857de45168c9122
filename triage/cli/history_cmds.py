"""`triage import`, `triage history`, `triage db info`."""

from __future__ import annotations

import click

from triage.cli.common import (
    BUILD_NUMBER,
    COUNT,
    CliState,
    TerminalReporter,
    common_options,
    format_option,
    job_option,
    job_server,
    new_job_option,
    printable,
    server_option,
)
from triage.cli.output import echo, echo_json, plural
from triage.domain import BUILD_RESULTS, BuildInfo
from triage.errors import ConfigError
from triage.importing import (
    check_result,
    import_files,
    import_manifest,
    parse_timestamp,
)
from triage.store.history import db_info, outcome_history

# Past this width a long name is printed whole and its letters follow it, unaligned.
MAX_NAME_WIDTH = 100



@click.command("import")
@new_job_option
@click.option("--build", "number", type=BUILD_NUMBER,
              help="Build number.")
@server_option
@click.option("--revision", help="Commit SHA the build ran on.")
@click.option("--branch", help="Branch the build ran on.")
@click.option("--timestamp", help="When the build started, ISO 8601 (default: unknown).")
@click.option("--result", type=click.Choice(BUILD_RESULTS, case_sensitive=False))
@click.option(
    "--manifest",
    type=click.Path(exists=True, dir_okay=False),
    help="JSON-lines file listing many builds (one object per line).",
)
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@common_options
def import_cmd(state: CliState, job, number, server, revision, branch, timestamp, result,
               manifest, paths):
    """Import JUnit XML files (or folders of *.xml) as one build, or many from a manifest.

    Importing a build again replaces it. A bad file stores nothing of its build.

    \b
    Examples:
      triage import --job app --build 41 --revision a1b2c3d target/surefire-reports/
      triage import --job app --manifest builds.jsonl

    \b
    Manifest lines look like:
      {"build": 41, "revision": "a1b2c3d", "branch": "main",
       "timestamp": "2026-11-26T18:15:00Z", "result": "UNSTABLE", "files": ["41/TEST-a.xml"]}
    (files are relative to the manifest's folder).
    """
    if manifest:
        if number is not None or paths:
            raise ConfigError("Give either --manifest or --build with PATHs, not both.")
        if any(v is not None for v in (revision, branch, timestamp, result)):
            # Silently ignoring them would store every build without what the user gave.
            raise ConfigError("--revision, --branch, --timestamp and --result describe one "
                              "build; with --manifest put them in each line of the manifest.")
        _import_manifest(state, job, server, manifest)
        return
    if number is None or not paths:
        raise ConfigError("Give --build N and at least one PATH (or --manifest FILE).")
    build = BuildInfo(
        job=job,
        number=number,
        server=server,
        revision=revision,
        branch=branch,
        timestamp_ms=parse_timestamp(timestamp),
        result=check_result(result),
    )
    summary = import_files(state.store(), build, paths)
    verb = "Replaced" if summary.replaced else "Imported"
    echo(
        f"{verb} {job} #{number}: {plural(summary.tests, 'test')}, {summary.failed} failed, "
        f"{plural(summary.errors, 'error')}, {summary.skipped} skipped, {summary.flaky} "
        "flaky-passed."
    )
    if not summary.tests:
        echo("warning: the reports hold no test case; the build was stored empty. "
                   "Check that these are the right files.", err=True)


def _import_manifest(state: CliState, job: str, server: str, manifest: str) -> None:
    base = BuildInfo(job=job, number=0, server=server)
    summary = import_manifest(state.store(), manifest, base, TerminalReporter())
    if not summary.imported and not summary.skipped:
        raise ConfigError(f"Manifest {manifest} lists no build (it is empty or blank); write one "
                          'JSON object per line, e.g. {"build": 41, "files": ["41/TEST-a.xml"]}.')
    echo(
        f"Imported {plural(len(summary.imported), 'build')} of {job} "
        f"({plural(summary.tests, 'test result')}); "
        f"skipped {len(summary.skipped)}."
        + (" Fix the lines named above and import the manifest again (stored builds are "
           "replaced, not doubled)." if summary.skipped else "")
    )
    if summary.skipped and not summary.imported:
        raise ConfigError("No build of the manifest could be imported; see the warnings above.")
    if summary.skipped:
        raise click.exceptions.Exit(1)


@click.command("history")
@job_option
@server_option
@click.option("--test", "pattern", help="Filter tests: glob (* ?) or substring of classname.name.")
@click.option("--last", type=COUNT, default=10,
              show_default=True, help="Number of most recent builds.")
@format_option
@common_options
def history_cmd(state: CliState, job, server, pattern, last, fmt):
    """Show each test's outcomes over the last N builds (oldest first).

    Letters: P passed, F failed, E error, S skipped, R flaky-passed (passed on rerun), - absent.

    \b
    Example:
      triage history --job app --test 'com.shop.*Cart*' --last 20
    """
    store = state.store(create=False)
    history = outcome_history(store, job, job_server(store, job, server), pattern, last)
    if fmt == "json":
        echo_json(_history_json(history))
        return
    if not history.builds:
        echo(f"No builds of {job} in the history.")
        return
    builds = history.builds
    first, last = f"#{builds[0].number}", f"#{builds[-1].number}"
    span = f"{first} to {last}" if len(builds) > 1 else first
    echo(f"{job}: {plural(len(builds), 'build')}, {span}, oldest first")
    names = [printable(t.test) for t in history.tests]
    width = min(max(map(len, names), default=4), MAX_NAME_WIDTH)
    echo(f"{'test':<{width}}  {_ruler(first, last, len(builds))}".rstrip())
    for name, row in zip(names, history.tests, strict=True):
        echo(f"{name:<{width}}  {row.letters}")
    if not history.tests:
        echo("No test matches." if pattern else "No test results in these builds.")


def _ruler(first: str, last: str, letters: int) -> str:
    """Label the letters' columns: the first build over the first letter, the last over the
    last one (just the last when both do not fit; nothing when even that does not)."""
    if letters == 1:
        return first if len(first) == 1 else ""
    if len(first) + len(last) + 1 <= letters:
        return first + " " * (letters - len(first) - len(last)) + last
    return last.rjust(letters) if len(last) <= letters else ""


def _history_json(history) -> dict:
    return {
        "job": history.job,
        "server": history.server,
        "builds": [
            {"number": b.number, "revision": b.revision, "branch": b.branch, "result": b.result,
             "timestamp": b.timestamp_ms}
            for b in history.builds
        ],
        "tests": [
            {
                "test": t.test,
                "classname": t.classname,
                "name": t.name,
                "history": t.letters,
                "outcomes": [o.label if o is not None else None for o in t.outcomes],
            }
            for t in history.tests
        ],
    }


@click.group("db")
def db_group():
    """Inspect the history database."""


@db_group.command("info")
@format_option
@common_options
def db_info_cmd(state: CliState, fmt):
    """Show the history's path, schema version, row counts and size on disk.

    \b
    Example:
      triage db info --db /tmp/history.db
    """
    info = db_info(state.store(create=False))
    if fmt == "json":
        echo_json(info)
        return
    echo(f"path:           {info['path']}")
    echo(f"schema version: {info['schema_version']} ({info['migrations'][-1]})")
    for table, count in info["counts"].items():
        echo(f"{table + ':':<15} {count:,}")
    echo(f"size on disk:   {info['bytes_on_disk']:,} bytes")
    results = info["counts"]["results"]
    if results:
        echo(f"bytes/result:   {info['bytes_in_pages'] / results:.1f}")


COMMANDS = [import_cmd, history_cmd, db_group]
