"""`triage failures`, `triage mark`, `triage unmark`, `triage flaky`: the flakiness engine."""

from __future__ import annotations

import getpass
import json
import os

import click

from triage.cli.common import CliState, common_options, format_option, server_option
from triage.triage_build import history_letters, mark, rank_flaky, triage, unmark

_job = click.option("--job", required=True, help="Job full name, e.g. team/app/main.")
_build = click.option(
    "--build", "number", type=click.IntRange(min=0), required=True, help="Build number."
)
_test = click.option("--test", help="The failing test: classname.name (or a unique name).")
_cluster = click.option("--cluster", help="A cluster id from `triage failures`, e.g. since-57.")


@click.command("failures")
@_job
@click.option(
    "--build",
    "number",
    type=click.IntRange(min=0),
    help="Build number (default: the newest stored build).",
)
@server_option
@format_option
@common_options
def failures_cmd(state: CliState, job, number, server, fmt):
    """List a build's failures: real, noise or unsure, why, grouped into clusters.

    History letters (oldest first, this build last): P passed, F failed, E error,
    S skipped, R flaky-passed.

    \b
    Example:
      triage failures --job app --build 57
      triage failures --job app --build 57 --format json
    """
    result = triage(state.store(), job, number, server)
    if fmt == "json":
        click.echo(json.dumps(failures_json(result), indent=2))
        return
    build = result.build
    sha = f" ({build.revision[:7]})" if build.revision else ""
    if not result.failures:
        click.echo(f"{job} #{build.number}{sha}: no failures.")
        return
    click.echo(
        f"{job} #{build.number}{sha}: {len(result.failures)} failures "
        f"in {len(result.clusters)} clusters"
    )
    for cluster in result.clusters:
        click.echo(f"\n[{cluster.id}] {cluster.label}  -> {cluster.suggestion}")
        for item in cluster.members:
            verdict = f" (marked {item.failure.own_verdict})" if item.failure.own_verdict else ""
            click.echo(
                f"  {item.suggestion:<6} {item.evidence.score:4.2f}  {item.failure.test}{verdict}"
                f"  {history_letters(item)}"
            )
            for reason in item.reasons[: 3 if not state.verbose else None]:
                click.echo(f"         - {reason}")


def failures_json(result) -> list[dict]:
    """Return the documented JSON contract of `triage failures`, cluster by cluster."""
    out = []
    for cluster in result.clusters:
        for item in cluster.members:
            f = item.failure
            out.append(
                {
                    "classname": f.classname,
                    "name": f.name,
                    "test": f.test,
                    "status": f.outcome.label,
                    "suggestion": item.suggestion,
                    "score": item.evidence.score,
                    "cluster": {
                        "id": cluster.id,
                        "label": cluster.label,
                        "suggestion": cluster.suggestion,
                    },
                    "signature": f.signature,
                    "message": f.message,
                    "reasons": item.reasons,
                    "verdict": f.own_verdict,
                    "history": history_letters(item),
                }
            )
    return out


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
    who = who or os.environ.get("TRIAGE_USER") or getpass.getuser()
    marked = mark(
        state.store(),
        job,
        number,
        verdict,
        server=server,
        test=test,
        cluster=cluster,
        note=note,
        who=who,
    )
    noun = "failure" if len(marked) == 1 else "failures"
    click.echo(f"Marked {len(marked)} {noun} of {job} #{number} {verdict} (by {who}).")


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
    count = unmark(state.store(), job, number, server=server, test=test, cluster=cluster)
    if count:
        click.echo(f"Undid {count} verdict{'s' if count != 1 else ''} on {job} #{number}.")
    else:
        click.echo(f"No verdict in force there on {job} #{number}; nothing to undo.")


@click.command("flaky")
@_job
@server_option
@click.option(
    "--last",
    type=click.IntRange(min=1),
    default=None,
    help="Only the last N builds (default: the whole job).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
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
    ranked = rank_flaky(state.store(), job, server, last)
    if fmt == "json":
        click.echo(json.dumps([flaky_json(t) for t in ranked], indent=2))
        return
    if not ranked:
        click.echo(f"No test of {job} failed in these builds.")
        return
    width = min(max(len(t.test) for t in ranked[:limit]), 80)
    for t in ranked[:limit]:
        ev = t.evidence
        click.echo(f"{ev.score:4.2f}  {t.test:<{width}}  {ev.failures}/{ev.runs}  {t.history}")
        for reason in t.reasons[:2]:
            click.echo(f"      - {reason}")
    if len(ranked) > limit:
        click.echo(f"... and {len(ranked) - limit} more (--limit, or --format json for all)")


def flaky_json(t) -> dict:
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
    }


COMMANDS = [failures_cmd, mark_cmd, unmark_cmd, flaky_cmd]
