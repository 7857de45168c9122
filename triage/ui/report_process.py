"""File > Export's report data, built in the report child process (`child_process`).

`build_report` holds Python's GIL for up to 0.2 s at a time on a large history (sorts and row
building in C); in a reader thread the dialog froze that long while typing a filter
(tests/benchmarks/bench_export.py). The reader op waits here instead, relaying the child's
progress and passing its Cancel on. This module imports no Qt: the child imports it.
"""

from __future__ import annotations

from pathlib import Path

from triage.report.model import ReportData, ReportFilters
from triage.ui import child_process


def build_report(tasks, store_path: Path, filters: ReportFilters, op) -> ReportData:
    """Return the report's data for `filters`, built in the child for the op `op`.

    A report cancelled is never shown or written, even when the child had just finished it.
    """
    data = tasks.report_process().run(_build, str(store_path), filters, token=op.token,
                                      reporter=op.progress)
    op.token.raise_if_cancelled()
    return data


def _build(store_path: str, filters: ReportFilters) -> ReportData:
    """In the child: `triage.report.build_report`, progress and Cancel relayed."""
    from triage.report import build_report as build

    return build(child_process.store(store_path), filters, reporter=child_process.reporter(),
                 token=child_process.token())
