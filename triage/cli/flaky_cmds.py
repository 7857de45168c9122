"""`triage failures`, `triage mark`, `triage unmark`, `triage flaky`: the flakiness engine."""

from __future__ import annotations

import click

from triage.cli.common import (
    BUILD_NUMBER,
    COUNT,
    CliState,
    common_options,
    format_option,
    job_option,
    job_server,
    printable,
    server_option,
)
from triage.cli.failures_view import failures_json, failures_table
from triage.cli.output import (
    cells,
    cut,
    echo,
    echo_json,
    echo_lines,
    echo_painted_lines,
    plural,
    terminal_width,
)
from triage.config import person
from triage.triage_build import (
    build_url,
    failure_details,
    mark,
    rank_flaky,
    test_verdicts,
    triage,
    unmark,
)

_job = job_option
_build = click.option(
    "--build", "number", type=BUILD_NUMBER, required=True, help="Build number."
)
_test = click.option("--test", help="The failing test: classname.name (or a unique name).")
_cluster = click.option("--cluster", help="A cluster id from `triage failures`, e.g. since-57.")


@click.command("failures")
@_job
@click.option(
    "--build",
    "number",
    type=BUILD_NUMBER,
    help="Build number (default: the newest stored build).",
)
@server_option
@format_option
@common_options
def failures_cmd(state: CliState, job, number, server, fmt):
    """List a build's failures: real, noise or unsure, why, grouped into clusters.

    History letters (oldest first, this build last): P passed, F failed, E error,
    S skipped, R passed on rerun. Real failures come first, each with its error's first
    line, who marked it and its Jenkins test page; -v shows every reason, every member of
    a big cluster, whole messages and the top of each trace.

    With --format json, one object per failure, cluster by cluster: classname, name, test,
    status, suggestion, score, cluster (id, label, suggestion), signature, message and trace
    (whole), first_line, url (its Jenkins test page, null for imported files), reasons,
    verdict, verdict_by, verdict_note, verdict_at (epoch ms) and history.

    \b
    Example:
      triage failures --job app --build 57
      triage failures --job app --build 57 --format json
    """
    store = state.store(create=False)
    server = job_server(store, job, server)
    result = triage(store, job, number, server)
    details = failure_details(store, job, result.build.number, server)
    if fmt == "json":
        echo_json(failures_json(result, details))
        return
    url = build_url(store, job, result.build.number, server)
    # The view escapes names, messages and links itself, then colours: echo_painted keeps
    # only its colour codes.
    echo_painted_lines(failures_table(result, job, verbose=state.verbose, details=details,
                                      build_url=url))


@click.command("mark")
@_job
@_build
@server_option
@_test
@_cluster
@click.option(
    "--verdict", type=click.Choice(["real", "noise"]), required=True, help="What the failure is."
)
@click.option("--note", help="Why, for whoever reads it next.")
@click.option("--who", default=None, help="Who decides (default: $TRIAGE_USER or the login name).")
@common_options
def mark_cmd(state: CliState, job, number, server, test, cluster, verdict, note, who):
    """Mark a failure, or a whole cluster, real or noise; used as evidence next time.

    \b
    Examples:
      triage mark --job app --build 57 --cluster sig-3fa2b1c9 --verdict noise --note "db down"
      triage mark --job app --build 57 --test com.shop.CartTest.total --verdict real
    """
    who = who or person()
    store = state.store(create=False)
    marked = mark(
        store,
        job,
        number,
        verdict,
        server=job_server(store, job, server),
        test=test,
        cluster=cluster,
        note=note,
        who=who,
    )
    echo(f"Marked {plural(len(marked), 'failure')} of {job} #{number} {verdict} "
               f"(by {who}).")


@click.command("unmark")
@_job
@_build
@server_option
@_test
@_cluster
@common_options
def unmark_cmd(state: CliState, job, number, server, test, cluster):
    """Undo the verdict on a failure or a cluster (the record is kept, marked undone).

    \b
    Example:
      triage unmark --job app --build 57 --cluster sig-3fa2b1c9
    """
    store = state.store(create=False)
    server = job_server(store, job, server)
    count = unmark(store, job, number, server=server, test=test, cluster=cluster)
    if count:
        echo(f"Undid {plural(count, 'verdict')} on {job} #{number}.")
    else:
        echo(f"No verdict in force there on {job} #{number}; nothing to undo.")


@click.command("flaky")
@_job
@server_option
@click.option(
    "--last",
    type=COUNT,
    default=None,
    help="Only the last N builds (default: the whole job).",
)
@click.option(
    "--limit",
    type=COUNT,
    default=50,
    show_default=True,
    help="Rows in the table (JSON lists every test).",
)
@format_option
@common_options
def flaky_cmd(state: CliState, job, server, last, limit, fmt):
    """Rank the job's tests by flakiness, with the evidence for each.

    \b
    Example:
      triage flaky --job app --last 200
    """
    store = state.store(create=False)
    server = job_server(store, job, server)
    ranked = rank_flaky(store, job, server, last)
    marks = test_verdicts(store, job, server, [t.test_id for t in ranked])
    if fmt == "json":
        echo_json([flaky_json(t, marks.get(t.test_id, ())) for t in ranked])
        return
    if not ranked:
        echo(f"No test of {job} looks flaky in these builds (failures "
                   "marked real are not flakiness).")
        return
    echo_lines(flaky_table(ranked[:limit], marks))
    if len(ranked) > limit:
        echo(f"... and {len(ranked) - limit} more (--limit, or --format json for all)")


def flaky_table(ranked, marks) -> list[str]:
    """Return the ranking: score, failed/runs and letters in fixed columns, then the name.

    As in `triage failures`, the letters shrink (the newest kept) so that the lines fit the
    terminal; names are never cut."""
    width = terminal_width()
    longest = max(cells(printable(t.test)) for t in ranked)
    full = max(len(t.history) for t in ranked)
    # 22: the score, failed/runs and the gaps around the letters.
    letters = max(len("history"), min(full, width - 22 - longest))
    lines = [f"score  failed/runs  {'history':<{letters}}  test (history oldest first)"]
    for t in ranked:
        ev = t.evidence
        rate = f"{ev.failures}/{ev.runs}"
        lines.append(f"{ev.score:4.2f}   {rate:>11}  {t.history[-letters:]:>{letters}}  "
                     f"{printable(t.test)}")
        lines += [cut(f"       - {reason}", width) for reason in t.reasons[:2]]
        shown = marks.get(t.test_id) or ()
        if shown:
            newest = shown[0]
            by = f" by {newest.who}" if newest.who else ""
            note = f": {newest.note}" if newest.note else ""
            more = f" (and {plural(len(shown) - 1, 'other mark')})" if len(shown) > 1 else ""
            lines.append(cut(f"       marked {newest.verdict}{by} on #{newest.build_number}"
                             f"{note}{more}", width))
    return lines


def flaky_json(t, marks=()) -> dict:
    ev = t.evidence
    return {
        "test": t.test,
        "classname": t.classname,
        "name": t.name,
        "score": ev.score,
        "runs": ev.runs,
        "failures": ev.failures,
        "failure_rate": round(ev.failures / ev.runs, 4) if ev.runs else None,
        "failure_rate_interval": [round(ev.rate_low, 4), round(ev.rate_high, 4)],
        "flip_rate": round(ev.flip_rate, 4),
        "same_commit": [
            {"revision": sha, "failed": failed, "passed": passed}
            for sha, failed, passed in ev.same_commit_flips
        ],
        "rerun_passes": list(ev.rerun_passes),
        "recovered": list(ev.recovered),
        "failing_since": ev.streak_start if ev.streak >= 2 else None,
        "last_failure": t.last_failure,
        "history": t.history,
        "reasons": t.reasons,
        "verdicts": [{"build": m.build_number, "verdict": m.verdict, "verdict_by": m.who,
                      "verdict_note": m.note, "verdict_at": m.at} for m in marks],
    }


COMMANDS = [failures_cmd, mark_cmd, unmark_cmd, flaky_cmd]
