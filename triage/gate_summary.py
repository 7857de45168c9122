"""The gate's Markdown summary, written for the message of the pipeline's `input` step.

Jenkins shows an input's message escaped, as the heading of the build's input page and as the
title of the console's input dialog, where line breaks become spaces
(pipeline-input-step `InputStepExecution/index.jelly`, `dialog.jelly`); the console log prints
it as it is. So the first line says everything on its own, the rest is plain Markdown that
reads as text too (bullets, `code` for names, no tables or HTML), and the whole is capped at
`LIMIT` characters: clusters that do not fit are counted, never silently dropped.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from triage.display import plural
from triage.flakiness.model import Cluster
from triage.flakiness.suggest import short_sha
from triage.store.gates import PASS

if TYPE_CHECKING:  # triage.gate builds its summary with this module
    from triage.gate import GateFailure, GateResult

LIMIT = 1500  # characters: a dialog's worth
TESTS_SHOWN = 3  # per cluster; the people asked want the gist, `triage failures` has the rest
TEXT_CHARS = 140  # one test name or reason


def gate_summary(result: GateResult, limit: int = LIMIT) -> str:
    """Return the Markdown summary of a gate decision, at most about `limit` characters."""
    head = [_headline(result)]
    more = [f"- {_clip(reason, 2 * TEXT_CHARS)}" for reason in result.reasons[1:5]]
    head += ["", "Also:", *more] if more else []
    footer = ["", _policy_line(result), f"Details: `triage failures --job {_code(result.job)} "
              f"--build {result.number}`"]
    blocks = [_cluster_block(result, c) for c in result.clusters]
    body: list[str] = []
    used = _size(head) + _size(footer)
    shown = 0
    for index, block in enumerate(blocks):
        room = 0 if index == len(blocks) - 1 else 90  # for the "... and N more" line
        if used + _size(block) + room > limit:
            break
        body += block
        used += _size(block)
        shown += 1
    if shown < len(blocks):
        left = result.clusters[shown:]
        tests = sum(len(c.members) for c in left)
        body.append(f"- ... and {plural(len(left), 'more cluster')} ({plural(tests, 'failure')}) "
                    "left out to keep this short")
    if body:
        body = ["", "Failures by cluster:", *body]
    return "\n".join(head + body + footer) + "\n"


def _headline(result: GateResult) -> str:
    sha = f" ({short_sha(result.revision)})" if result.revision else ""
    where = f"{_text(result.job)} #{result.number}{sha}"
    verdict = "no human needed" if result.outcome == PASS else "a human must decide"
    # Plain text: Jenkins shows this line as the input dialog's title, Markdown unrendered.
    return f"triage gate: {verdict} on {where}: {_clip(result.reasons[0], 2 * TEXT_CHARS)}."


def _cluster_block(result: GateResult, cluster: Cluster) -> list[str]:
    judged = {id(f.item): f for f in result.failures}
    members = [judged[id(m)] for m in cluster.members if id(m) in judged]
    members.sort(key=lambda f: f.needs_human is None)  # what needs a human first
    lines = [f"- [{_code(cluster.id)}] {_clip(cluster.label, TEXT_CHARS)} -> {cluster.suggestion}"]
    for f in members[:TESTS_SHOWN]:
        lines.append(f"  - `{_code(short_name(f.item.failure))}` {_verdict(f)}")
    if len(members) > TESTS_SHOWN:
        lines.append(f"  - ... and {len(members) - TESTS_SHOWN} more")
    return lines


def _verdict(f: GateFailure) -> str:
    if f.needs_human is None:
        return f"noise ({f.noise_by})"
    detail = (f.detail or "").removeprefix(f"{f.needs_human}: ")  # "new failure: no fail..."
    return f"needs a human ({f.needs_human})" + (f": {_clip(detail, TEXT_CHARS)}" if detail
                                                 else "")


def _policy_line(result: GateResult) -> str:
    p = result.policy
    where = f"policy {_text(p.source)}" if p.source else "default policy"
    extra = [f"{key} {', '.join(_text(v) for v in values)}" for key, values in
             (("ask_branches", p.ask_branches), ("ask_clusters", p.ask_clusters),
              ("ask_tests", p.ask_tests)) if values]
    return (f"Gate rules: {where} (max_noise {p.max_noise}, min_history {p.min_history}, "
            f"min_score {p.min_score:g}{''.join('; ' + e for e in extra)}).")


def short_name(failure) -> str:
    """Return `Class.method`: the package is the same for most of a build's tests."""
    simple = failure.classname.rsplit(".", 1)[-1]
    return _clip(f"{simple}.{failure.name}" if simple else failure.name, TEXT_CHARS)


def _text(text: str | None) -> str:
    """Return `text` on one line: control and format characters (newlines, bidi overrides)
    become spaces, as Jenkins does in the dialog title."""
    return "".join(" " if unicodedata.category(c) in ("Cc", "Cf") else c for c in text or "")


def _code(text: str) -> str:
    return _text(text).replace("`", "'")


def _clip(text: str | None, chars: int) -> str:
    text = _text(text)
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)
