"""The Markdown report: a short summary to paste into a ticket or a pull request.

Every name, message and note from the history is written as a code span, which Markdown shows
as literal text (a test named `<script>alert(1)</script>` or `*bold*` stays as typed), on one
line (line breaks shown as `\\n`), with `|` escaped inside tables.
"""

from __future__ import annotations

import re

from triage.report import formatting as fmt
from triage.report.model import ReportData

TESTS_SHOWN = 10
SIGNATURES_SHOWN = 5
DANGEROUS_SHOWN = 10
_TICKS = re.compile(r"`+")


def code(text: str | None, *, table: bool = False) -> str:
    """Return `text` as a Markdown code span that shows it literally."""
    text = fmt.one_line(text)
    if not text:
        return "–"
    fence = "`" * (max((len(m) for m in _TICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    if table:
        text = text.replace("|", "\\|")
    return f"{fence}{pad}{text}{pad}{fence}"


def render_markdown(data: ReportData) -> str:
    """Return the summary as GitHub-flavoured Markdown."""
    name = fmt.job_namer(data)
    jobs = ", ".join(code(name(j.server, j.job)) for j in data.jobs) or "no jobs"
    s = data.summary
    lines = [
        "## Flakiness report",
        "",
        f"{jobs} · generated {fmt.moment(data.generated_at)}" + _dates(data),
        "",
        f"- **{fmt.number(s.builds)} builds**, {fmt.number(s.red_builds)} red; "
        f"**{fmt.number(s.failures)} failures**, {fmt.percent(s.noise_share)} judged noise; "
        f"**{fmt.number(s.flaky_tests)} flaky tests**",
        f"- {fmt.number(s.noise_only_builds)} builds held by noise alone: "
        f"{fmt.duration(s.noise_only_ci_time_s)} of CI, "
        f"{fmt.duration(s.noise_only_wait_s)} waiting for a person",
        *[f"- {note}" for note in data.notes],
        "",
        *_hitl(data, name),
        *_tests(data, name),
        *_signatures(data),
        "Made with `triage report`; the HTML, CSV and JSON reports have every figure.",
    ]
    return "\n".join(lines) + "\n"


def _dates(data: ReportData) -> str:
    s = data.summary
    if not s.first_build_at:
        return ""
    branch = data.filters.get("branch")
    on = f" on branch {code(branch)}" if branch else ""
    return f" · builds from {fmt.day(s.first_build_at)} to {fmt.day(s.last_build_at)}{on}"


def _hitl(data: ReportData, name) -> list[str]:
    h = data.hitl
    t, e, a = h.time_to_decision_s, h.effectiveness, h.agreement
    gate = "the gate has not run on these builds"
    if h.interventions.gate_builds:
        gate = f"{h.interventions.auto_approved} more let through by `triage gate`"
    lines = [
        "### Human in the loop",
        "",
        f"- A person decided **{fmt.number(h.interventions.builds)} paused builds** ({gate})",
        f"- Time to decision: median **{fmt.duration(t.median)}**, p90 {fmt.duration(t.p90)}, "
        f"mean {fmt.duration(t.mean)} ({t.count} decisions timed)",
        f"- Aborted with a real failure: {e.aborted_with_real} of {e.decisions} decisions "
        f"({fmt.percent(e.aborted_with_real_share)}); proceeded with nothing real found: "
        f"{e.proceeded_with_nothing_real} ({fmt.percent(e.proceeded_with_nothing_real_share)})",
        f"- Marks agreeing with the engine: {a.agreed} of {a.verdicts} "
        f"({fmt.percent(a.share)}); suggested noise but marked real: "
        f"**{len(a.noise_marked_real)}**",
    ]
    for d in a.noise_marked_real[:DANGEROUS_SHOWN]:
        who = f" by {code(d.who)}" if d.who else ""
        lines.append(f"  - {code(d.test)} in {code(name(d.build.server, d.build.job))} "
                     f"#{d.build.build}{who}")
    return [*lines, ""]


def _tests(data: ReportData, name) -> list[str]:
    ranked = sorted(data.tests, key=lambda t: (-t.score, -t.failures, t.job, t.test))
    if not ranked:
        return []
    lines = [
        "### Flakiest tests",
        "",
        "| test | job | score | failed / runs | passed on rerun | last flaked |",
        "|---|---|--:|--:|--:|---|",
    ]
    for t in ranked[:TESTS_SHOWN]:
        lines.append(
            f"| {code(t.test, table=True)} | {code(name(t.server, t.job), table=True)} "
            f"| {t.score:.2f} | {t.failures} / {t.runs} | {t.passed_on_rerun} "
            f"| {fmt.build(t.last_flaked)} |"
        )
    if len(ranked) > TESTS_SHOWN:
        lines.append(f"\n… and {len(ranked) - TESTS_SHOWN} more.")
    return [*lines, ""]


def _signatures(data: ReportData) -> list[str]:
    if not data.signatures:
        return []
    lines = [
        "### Recurring failure signatures",
        "",
        "| error | noise / failures | tests | builds | last seen |",
        "|---|--:|--:|--:|---|",
    ]
    for g in data.signatures[:SIGNATURES_SHOWN]:
        lines.append(
            f"| {code(g.message or g.type or g.signature, table=True)} | {g.noise} / "
            f"{g.failures} | {g.tests} | {g.builds} | {fmt.build(g.last_seen)} |"
        )
    return [*lines, ""]
