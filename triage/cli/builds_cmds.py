"""`triage builds`: the builds that need a person, paused first, each with its triage summary.

Parse, call `triage.inbox.builds_needing_attention` (the app's list calls it too), format.
"""

from __future__ import annotations

import time

import click

from triage.cli.common import (
    CliState,
    TerminalReporter,
    cancel_on_ctrl_c,
    common_options,
    format_option,
    jenkins_jobs_option,
    raise_for_problems,
    server_options,
)
from triage.cli.output import (
    age,
    cells,
    cut,
    duration,
    echo_json,
    echo_painted_lines,
    pad,
    paint,
    plural,
    terminal_width,
)
from triage.errors import Cancelled
from triage.progress import CancelToken


@click.command("builds")
@server_options
@jenkins_jobs_option("Only this job, or the jobs in this folder; repeat.")
@click.option("--since", metavar="DATE",
              help="Only builds started since then: 2026-11-20, 2026-11-20T09:00Z, or an "
                   "age such as 12h, 3d, 2w.")
@click.option("--no-sync", is_flag=True,
              help="Do not sync first: summaries from the history as it is (faster).")
@format_option
@common_options
def builds_cmd(state: CliState, server, user, jobs, since, no_sync, fmt):
    """List the builds that need a person: paused at an input, or red since the last green.

    Paused builds come first, longest wait first, then red builds newest first. Each has its
    triage summary: failures, and how many are real, unsure or noise (by their mark, else
    the suggestion); "-" when the build is not in the history. The jobs shown are synced
    first (only what is new), unless --no-sync.

    With --format json: a list of objects with the keys server, job (Jenkins' full name),
    display (e.g. feature/checkout), full_display, build, state (paused, failed, unstable),
    failures, real, noise, unsure (null when not in the history), waiting_s (null unless
    paused), wait_source, url, started_ms, revision and inputs (as in `triage pending`).

    \\b
    Example:
      triage builds --server ci --since 2d
      triage builds --server ci --job shop --format json
    """
    from triage import servers as server_config
    from triage.inbox import builds_needing_attention, since_ms_from

    since_ms = since_ms_from(since) if since else None
    token = CancelToken()
    problems: list = []
    with cancel_on_ctrl_c(token):
        configs = server_config.resolve(server, user)
        clients = [server_config.client_for(c) for c in configs]
        store = state.store()
        started = time.monotonic()
        reporter = TerminalReporter(defer_warnings=True)
        try:
            items = builds_needing_attention(clients, store, list(jobs) or None, since_ms,
                                             reporter, token, not no_sync, problems)
        except Cancelled:
            items = None
    if token.cancelled or items is None:
        raise Cancelled("Cancelled; builds synced so far are kept in the history.")
    if not items and len(problems) == 1:
        raise problems[0]  # one thing went wrong and nothing else to show: one error
    reporter.print_warnings()
    if fmt == "json":
        from triage.inbox import inbox_as_dict

        echo_json([inbox_as_dict(i) for i in items])
    else:
        cost = (f"{plural(sum(c.request_count for c in clients), 'request')}, "
                f"{time.monotonic() - started:.1f} s")
        echo_painted_lines(builds_table(items, len(clients) > 1, cost))
    raise_for_problems(problems, bool(items))


COLUMNS = ("STATE", "WAITED", "BUILD", "FAILED", "REAL", "UNSURE", "NOISE")


def builds_table(items, show_server: bool = False, cost: str = "") -> list[str]:
    """Return the table of `triage builds`, fitted to the terminal's width."""
    cost = f" ({cost})" if cost else ""
    if not items:
        return [f"Nothing needs you: no build is paused at an input or red since its last "
                f"green{cost}."]
    paused = sum(i.state == "paused" for i in items)
    lines = [f"{plural(paused, 'build')} paused, {len(items) - paused} red{cost}:"]
    names = [_name(i, show_server) for i in items]
    width = terminal_width()
    room = width - 48  # the other columns and their gaps (see _row)
    name_width = max(10, min(max(cells(n) for n in names), room))
    head = (f"{'STATE':<8}  {'WAITED':>9}  {pad('BUILD', name_width)}  FAILED  REAL UNSURE "
            "NOISE")
    lines.append(head)
    now_ms = int(time.time() * 1000)
    for item, name in zip(items, names, strict=True):
        lines.append(_row(item, cut(name, name_width), name_width, now_ms))
        if item.inputs and len(item.inputs) > 1:
            ids = ", ".join(i.id for i in item.inputs)
            lines.append(cut(f"{'':<21}waits at {len(item.inputs)} inputs: {ids}", width))
    return lines


def _name(item, show_server: bool) -> str:
    name = f"{item.job} #{item.build}"
    leaf = item.job.rsplit("/", 1)[-1]
    if item.display and item.display != leaf:
        name += f" ({item.display})"
    return f"{item.server}: {name}" if show_server else name


def _row(item, name: str, name_width: int, now_ms: int) -> str:
    if item.state == "paused":
        waited = duration(item.waiting_s * 1000 if item.waiting_s is not None else None)
        if item.wait_source == "build-start":
            waited += "+"
    else:
        waited = age(now_ms - item.started_ms) + " ago" if item.started_ms else "?"
    counts = [item.real, item.unsure, item.noise]
    real, unsure, noise = ("-" if c is None else str(c) for c in counts)
    failed = "?" if item.failures is None else str(item.failures)
    state = paint(f"{item.state:<8}", item.state)
    real_cell = paint(f"{real:>4}", "real", bold=True) if item.real else f"{real:>4}"
    return (f"{state}  {waited:>9}  {pad(name, name_width)}  {failed:>6}  {real_cell} "
            f"{unsure:>6} {noise:>5}")


COMMANDS = [builds_cmd]
