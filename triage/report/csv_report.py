"""The CSV report: one row per job and test with the ranked columns, for spreadsheets.

A text cell that a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a
tab or a carriage return, maybe after spaces) gets a leading apostrophe, the OWASP advice:
a test named `=HYPERLINK(...)` shows as text and runs nothing. Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io

from triage.report.formatting import sha
from triage.report.model import ReportData, TestRow

COLUMNS = (
    "server", "job", "rank", "test", "classname", "name", "score", "runs", "failures",
    "failure_rate", "failure_rate_low", "failure_rate_high", "flips",
    "same_commit_contradictions", "passed_on_rerun", "first_flaked_build", "first_flaked_at",
    "first_flaked_sha", "last_flaked_build", "last_flaked_at", "last_flaked_sha", "red_builds",
    "held_builds", "ci_time_s", "noise_failures", "verdicts_real", "verdicts_noise",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Return `value` for a CSV cell; a text a spreadsheet would run as a formula is defused."""
    if isinstance(value, str) and value.lstrip(" ").startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _row(t: TestRow) -> list:
    low, high = t.failure_rate_interval or (None, None)
    first, last = t.first_flaked, t.last_flaked
    return [
        t.server, t.job, t.rank, t.test, t.classname, t.name, t.score, t.runs, t.failures,
        t.failure_rate, low, high, t.flips, t.same_commit_contradictions, t.passed_on_rerun,
        first.build, first.at, sha(first.revision), last.build, last.at, sha(last.revision),
        t.red_builds, t.held_builds, t.ci_time_s, t.noise_failures, t.verdicts["real"],
        t.verdicts["noise"],
    ]


def render_csv(data: ReportData) -> str:
    """Return the tests table as CSV (RFC 4180: CRLF line ends, quotes where needed)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for test in data.tests:
        writer.writerow([safe_cell(v) for v in _row(test)])
    return out.getvalue()
