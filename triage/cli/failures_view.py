"""How `triage failures` reads: clusters, each failure's error, its marks and its Jenkins page.

The table: a header, then each cluster with the reasons most of its members share said once,
then its members: suggestion, score and history letters in fixed columns, then the test's
name (names and links are never cut: they are what a person copies), then its error's first
line, its own reasons and the mark in force (who, note). Lines fit the terminal's width:
letters shrink and messages and reasons are cut with "…". Real and unsure failures show their
Jenkins test page; -v shows every page, whole messages, the top of each trace and when a
mark was made. The JSON keeps every text whole.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from datetime import UTC, datetime

from triage.cli.common import printable
from triage.cli.output import cut, paint, plural, terminal_width
from triage.flakiness.clusters import OUTAGE
from triage.flakiness.model import NOISE
from triage.flakiness.signatures import short_message
from triage.flakiness.suggest import short_sha
from triage.triage_build import history_letters

REASONS_SHOWN = 3  # per test in the table; -v shows every reason
PLAIN_SHOWN = 8  # members of a cluster listed when they have nothing of their own to add
TRACE_LINES = 8  # of each trace with -v
INDENT = " " * 9
LEGEND = ("Each test: suggestion, flakiness score (0-1), history oldest first ending with "
          "this build (P passed, F failed, E error, S skipped, R passed on rerun), name.")


def failures_table(result, job: str, *, verbose: bool = False, details=None,
                   build_url: str | None = None) -> list[str]:
    """Return the table of `triage failures` (`details`: triage_build.failure_details)."""
    build = result.build
    sha = f" ({short_sha(build.revision)})" if build.revision else ""
    if not result.failures:
        return [f"{job} #{build.number}{sha}: no failures."]
    counts = Counter(t.suggestion for t in result.failures)
    split = ", ".join(paint(f"{counts[k]} {k}", k) for k in ("real", "unsure", "noise")
                      if counts[k])
    lines = [f"{printable(job)} #{build.number}{sha}: "
             f"{plural(len(result.failures), 'failure')} in "
             f"{plural(len(result.clusters), 'cluster')}: {split}"]
    if build_url:
        lines.append(printable(build_url))
    view = _View(verbose, details or {}, terminal_width())
    for cluster in result.clusters:
        verdicts = {m.failure.own_verdict for m in cluster.members}
        marked = (f" (marked {verdicts.pop()})" if len(verdicts) == 1 and None not in verdicts
                  else "")
        lines += ["", *_cluster_head(cluster, marked, view.width)]
        lines += view.cluster(cluster)
    example = result.clusters[0].id
    lines += ["", *textwrap.wrap(LEGEND, view.width),
              "Decide a whole cluster:",
              f"  triage mark --job {printable(job)} --build {build.number} --cluster "
              f"{example} --verdict real|noise"]
    return lines


_NBSP = "\u00a0"  # joins the suggestion to the label's last word: they wrap as one


def _cluster_head(cluster, marked: str, width: int) -> list[str]:
    """`[id] label  -> suggestion`, wrapped at spaces to the width (an outage's label holds
    its whole error), the suggestion painted on the last line."""
    tail = f"  -> {cluster.suggestion}{marked}"
    text = f"[{cluster.id}] {printable(cluster.label)}{tail.replace(' ', _NBSP)}"
    lines = [line.replace(_NBSP, " ") for line in textwrap.wrap(
        text, width, subsequent_indent=" " * (len(cluster.id) + 3), break_long_words=False,
        break_on_hyphens=False)]
    painted = f"  -> {paint(cluster.suggestion, cluster.suggestion, bold=True)}{marked}"
    lines[-1] = lines[-1][: -len(tail)] + painted
    return lines


class _View:
    """The member lines of one table: what -v adds, the details, the width to fit."""

    def __init__(self, verbose: bool, details: dict, width: int):
        self.verbose, self.details, self.width = verbose, details, width

    def cluster(self, cluster) -> list[str]:
        """Return a cluster's shared reasons once, then its members with what is theirs.

        Members with something of their own come first; past PLAIN_SHOWN members with nothing
        to add are counted, not listed (-v lists them; the JSON always has every failure).
        """
        members = cluster.members
        shared = _shared(members) if len(members) > 1 else {}
        # An outage's first reason ("same error in N tests of this build") restates the label.
        head = members[0].reasons[0] if cluster.kind == OUTAGE and members[0].reasons else None
        lines = [self._cut(f"  - {f'{n} of {len(members)} tests: ' if n < len(members) else ''}"
                           f"{reason}") for reason, n in shared.items() if reason != head]
        own = {id(m): [r for r in m.reasons if r not in shared] for m in members}
        odd = [m for m in members if own[id(m)] or m.failure.own_verdict]
        plain = [m for m in members if not (own[id(m)] or m.failure.own_verdict)]
        hidden = 0 if self.verbose or len(plain) <= PLAIN_SHOWN + 1 else len(plain) - PLAIN_SHOWN
        listed = odd + plain[: len(plain) - hidden]
        # One letters width per cluster, so names and this build's letter line up.
        longest = max(len(m.failure.test) for m in listed)
        history = max(len(history_letters(m)) for m in listed)
        letters = max(min(5, history), min(history, self.width - 17 - longest))
        for item in listed:
            lines += self.member(item, own[id(item)], cluster, letters)
        if cluster.kind == OUTAGE and self.verbose:  # one error: its trace once
            detail = self.details.get(members[0].failure.test_id)
            if detail is not None and detail.trace:
                lines += _trace(detail.trace)
        if hidden:
            lines.append(f"  ... and {hidden} more tests with nothing else to add (-v lists "
                         "them)")
        return lines

    def member(self, item, mine: list[str], cluster, letters: int) -> list[str]:
        failure = item.failure
        detail = self.details.get(failure.test_id)
        lines = [self._head(item, letters)]
        if cluster.kind != OUTAGE:  # an outage's label already says its one error
            lines += self._message(failure, detail)
        shown = mine if self.verbose else mine[:REASONS_SHOWN]
        lines += [self._cut(f"{INDENT}- {r}") for r in shown]
        if len(mine) > len(shown):
            lines.append(f"{INDENT}({len(mine) - len(shown)} more with -v)")
        if detail is not None and detail.verdict is not None:
            lines.append(self._cut(INDENT + _mark(detail.verdict, self.verbose)))
        if detail is not None and detail.trace and self.verbose and cluster.kind != OUTAGE:
            lines += _trace(detail.trace)
        if detail is not None and detail.url and (self.verbose or item.suggestion != NOISE):
            lines.append(INDENT + printable(detail.url))  # whole: a cut link is no link
        return lines

    def _head(self, item, width: int) -> str:
        """`  real   0.42  PPPPF  name`: fixed columns; this build's letter is the last one."""
        suggestion = paint(f"{item.suggestion:<6}", item.suggestion)
        letters = history_letters(item, width)
        return (f"  {suggestion} {item.evidence.score:4.2f}  {letters:>{width}}  "
                f"{printable(item.failure.test)}")

    def _message(self, failure, detail) -> list[str]:
        message = detail.message if detail is not None else None
        if self.verbose and message and "\n" in message.strip():
            return [INDENT + printable(line) for line in message.strip().splitlines()]
        return [self._cut(INDENT + short_message(failure.type, message or failure.message,
                                                 limit=10_000))]

    def _cut(self, line: str) -> str:
        return printable(line) if self.verbose else cut(line, self.width)


def _mark(verdict, verbose: bool) -> str:
    by = f" by {verdict.who}" if verdict.who else ""
    when = f" on {_when(verdict.at)}" if verbose else ""
    note = f": {verdict.note}" if verdict.note else ""
    return f"marked {verdict.verdict}{by}{when}{note}"


def _when(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _trace(trace: str) -> list[str]:
    lines = [line.rstrip().expandtabs(4) for line in trace.strip().splitlines()]
    shown = [INDENT + "| " + printable(line) for line in lines[:TRACE_LINES]]
    if len(lines) > TRACE_LINES:
        shown.append(f"{INDENT}| ({len(lines) - TRACE_LINES} more lines in the JSON)")
    return shown


def _shared(members) -> dict[str, int]:
    """Return {reason: how many members give it} for reasons most members give, said once."""
    counts = Counter(r for m in members for r in dict.fromkeys(m.reasons))
    order = {r: i for m in reversed(members) for i, r in enumerate(m.reasons)}
    common = [r for r, n in counts.items() if n * 2 > len(members)]
    return {r: counts[r] for r in sorted(common, key=lambda r: (-counts[r], order[r]))}


def failures_json(result, details=None) -> list[dict]:
    """Return the documented JSON contract of `triage failures`, cluster by cluster."""
    details = details or {}
    out = []
    for cluster in result.clusters:
        for item in cluster.members:
            f = item.failure
            detail = details.get(f.test_id)
            verdict = detail.verdict if detail is not None else None
            out.append({
                "classname": f.classname, "name": f.name, "test": f.test,
                "status": f.outcome.label, "suggestion": item.suggestion,
                "score": item.evidence.score,
                "cluster": {"id": cluster.id, "label": cluster.label,
                            "suggestion": cluster.suggestion},
                "signature": f.signature,
                "message": detail.message if detail is not None else f.message,
                "first_line": f.message,
                "trace": detail.trace if detail is not None else None,
                "url": detail.url if detail is not None else None,
                "reasons": item.reasons, "verdict": f.own_verdict,
                "verdict_by": verdict.who if verdict else None,
                "verdict_note": verdict.note if verdict else None,
                "verdict_at": verdict.at if verdict else None,
                "history": history_letters(item),
            })
    return out
