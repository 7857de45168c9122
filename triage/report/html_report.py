"""The HTML report: one self-contained, printable file from Jinja2 templates in this package.

Autoescape is on for every template, so a test named `<script>alert(1)</script>` is text.
The only markup inserted as is comes from `charts` (SVG drawn by matplotlib from numbers, with
no names in it). No network: CSS inline, charts inline.
"""

from __future__ import annotations

import functools

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from triage import __version__
from triage.report import charts, formatting
from triage.report.model import ReportData

TESTS_SHOWN = 30  # per job; the CSV and JSON list every test
SIGNATURES_SHOWN = 20
HELD_SHOWN = 25  # the costliest; the JSON lists every one
WEEKS_LISTED = 26  # the chart shows every week, the table the latest ones


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("triage.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        duration=formatting.duration,
        percent=formatting.percent,
        number=formatting.number,
        day=formatting.day,
        moment=formatting.moment,
        sha=formatting.sha,
        build=formatting.build,
        breakable=breakable,
    )
    return env


def breakable(text: str | None) -> Markup:
    """Return `text` escaped, with line-break opportunities after dots and slashes, so a long
    qualified test name wraps between its parts rather than mid-word."""
    escaped = str(escape(text or ""))
    return Markup(escaped.replace(".", ".<wbr>").replace("/", "/<wbr>").replace("$", "$<wbr>"))


def render_html(data: ReportData) -> str:
    """Return the report as one HTML document."""
    name = formatting.job_namer(data)
    tests_by_job = {}
    for row in data.tests:
        tests_by_job.setdefault((row.server, row.job), []).append(row)
    has_weeks = any(w.builds for w in data.weeks)
    per_week = data.hitl.interventions.per_week
    return _environment().get_template("report.html.j2").render(
        r=data,
        version=__version__,
        scope=formatting.scope(data),
        job_name=name,
        jobs=[(j, tests_by_job.get((j.server, j.job), [])) for j in data.jobs],
        tests_shown=TESTS_SHOWN,
        signatures=data.signatures[:SIGNATURES_SHOWN],
        held=sorted(data.held_builds, key=lambda h: (-(h.wait_s or 0) - (h.ci_time_s or 0),
                                                      h.build.at or ""))[:HELD_SHOWN],
        weeks_listed=data.weeks[-WEEKS_LISTED:],
        trend_svg=Markup(charts.trend_chart(data.weeks)) if has_weeks else None,
        interventions_svg=(
            Markup(charts.interventions_chart(per_week))
            if any(w.builds or w.auto_approved for w in per_week) else None
        ),
    )
