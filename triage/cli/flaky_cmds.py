"""`triage failures`, `triage mark`, `triage unmark`, `triage flaky`: the flakiness engine."""

from __future__ import annotations

import getpass
import os
from collections import Counter

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
from triage.cli.output import echo, echo_json
from triage.flakiness.clusters import OUTAGE
from triage.flakiness.suggest import short_sha
from triage.triage_build import history_letters, mark, rank_flaky, triage, unmark

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
    S skipped, R passed on rerun. Real failures come first; -v shows every reason
    and every member of a big cluster.

    \b
    Example:
      triage failures --job app --build 57
      triage failures --job app --build 57 --format json
    """
    store = state.store()
    result = triage(store, job, number, job_server(store, job, server))
    if fmt == "json":
        echo_json(failures_json(result))
        return
    for line in failures_table(result, job, verbose=state.verbose):
        echo(line)  # escaped: test names and messages may hold control characters


REASONS_SHOWN = 3  # per test in the table; -v shows every reason
PLAIN_SHOWN = 8  # members of a cluster listed when they have nothing of their own to add
LEGEND = [
    "Each test: suggestion, flakiness score (0-1), name, history oldest first ending with this "
    "build:",
    "P passed, F failed, E error, S skipped, R passed on rerun.",
]


def failures_table(result, job: str, *, verbose: bool = False) -> list[str]:
    """Return the table of `triage failures`: clusters, their members, reasons said once."""
    build = result.build
    sha = f" ({short_sha(build.revision)})" if build.revision else ""
    if not result.failures:
        return [f"{job} #{build.number}{sha}: no failures."]
    counts = Counter(t.suggestion for t in result.failures)
    split = ", ".join(f"{counts[k]} {k}" for k in ("real", "unsure", "noise") if counts[k])
    lines = [
        f"{job} #{build.number}{sha}: {_plural(len(result.failures), 'failure')} in "
        f"{_plural(len(result.clusters), 'cluster')}: {split}"
    ]
    for cluster in result.clusters:
        members = cluster.members
        verdicts = {m.failure.own_verdict for m in members}
        marked = (
            f" (marked {verdicts.pop()})" if len(verdicts) == 1 and None not in verdicts else ""
        )
        lines += ["", f"[{cluster.id}] {cluster.label}  -> {cluster.suggestion}{marked}"]
        lines += _cluster_lines(cluster, verbose)
    example = result.clusters[0].id
    lines += [
        "",
        *LEGEND,
        f"Decide a whole cluster: triage mark --job {job} --build {build.number} "
        f"--cluster {example} --verdict real|noise",
    ]
    return lines


def _cluster_lines(cluster, verbose: bool) -> list[str]:
    """Return a cluster's shared reasons once, then its members with what is theirs alone.

    Members with something of their own come first; past PLAIN_SHOWN members with nothing to
    add are counted, not listed (-v lists them; the JSON always has every failure).
    """
    members = cluster.members
    shared = _shared(members) if len(members) > 1 else {}
    # An outage's first reason ("same error in N tests of this build") restates the label.
    head = members[0].reasons[0] if cluster.kind == OUTAGE and members[0].reasons else None
    lines = [
        f"  - {f'{n} of {len(members)} tests: ' if n < len(members) else ''}{reason}"
        for reason, n in shared.items()
        if reason != head
    ]
    own = {id(m): [r for r in m.reasons if r not in shared] for m in members}
    odd = [m for m in members if own[id(m)]]
    plain = [m for m in members if not own[id(m)]]
    hidden = 0 if verbose or len(plain) <= PLAIN_SHOWN + 1 else len(plain) - PLAIN_SHOWN
    for item in odd + plain[: len(plain) - hidden]:
        verdict = f" (marked {item.failure.own_verdict})" if item.failure.own_verdict else ""
        lines.append(
            f"  {item.suggestion:<6} {item.evidence.score:4.2f}  {item.failure.test}{verdict}"
            f"  {history_letters(item)}"
        )
        mine = own[id(item)]
        shown = mine if verbose else mine[:REASONS_SHOWN]
        lines += [f"         - {r}" for r in shown]
        if len(mine) > len(shown):
            lines.append(f"         ({len(mine) - len(shown)} more with -v)")
    if hidden:
        lines.append(f"  ... and {hidden} more tests with nothing else to add (-v lists them)")
    return lines


def _shared(members) -> dict[str, int]:
    """Return {reason: how many members give it} for reasons most members give, said once."""
    counts = Counter(r for m in members for r in dict.fromkeys(m.reasons))
    order = {r: i for m in reversed(members) for i, r in enumerate(m.reasons)}
    common = [r for r, n in counts.items() if n * 2 > len(members)]
    return {r: counts[r] for r in sorted(common, key=lambda r: (-counts[r], order[r]))}


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


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
    store = state.store()
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
    echo(f"Marked {_plural(len(marked), 'failure')} of {job} #{number} {verdict} "
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
    store = state.store()
    server = job_server(store, job, server)
    count = unmark(store, job, number, server=server, test=test, cluster=cluster)
    if count:
        echo(f"Undid {_plural(count, 'verdict')} on {job} #{number}.")
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
    store = state.store()
    ranked = rank_flaky(store, job, job_server(store, job, server), last)
    if fmt == "json":
        echo_json([flaky_json(t) for t in ranked])
        return
    if not ranked:
        echo(f"No test of {job} failed in these builds.")
        return
    names = [printable(t.test) for t in ranked[:limit]]
    width = min(max(map(len, names)), 80)
    echo(f"score {'test':<{width}}  failed/runs  history (oldest first)")
    for t, name in zip(ranked[:limit], names, strict=True):
        ev = t.evidence
        rate = f"{ev.failures}/{ev.runs}"
        echo(f"{ev.score:4.2f}  {name:<{width}}  {rate:>11}  {t.history}")
        for reason in t.reasons[:2]:
            echo(f"      - {reason}")
    if len(ranked) > limit:
        echo(f"... and {len(ranked) - limit} more (--limit, or --format json for all)")


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
