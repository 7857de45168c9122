"""Flakiness and human-in-the-loop reports: data first, then renderers.

The CLI (`triage report`) and the app's File > Export call the same four things:

    from triage.report import ReportFilters, build_report, render, FORMATS

    filters = ReportFilters(jobs=("app",), server=None, since_ms=..., until_ms=..., branch=None)
    data = build_report(store, filters, reporter=reporter, token=token)   # ReportData
    text = render(data, "html")      # or render_html / render_csv / render_json / render_markdown

- `build_report(store, filters, reporter=None, token=None, clock=time.time) -> ReportData`
  reads the history (it never writes) and computes every figure. `filters` is a
  `ReportFilters`: job names (empty: every job), a server name, `since_ms` inclusive and
  `until_ms` exclusive (epoch ms, on the builds' start), a branch. Progress goes to `reporter`
  (`triage.progress.Reporter`: `start(total, label)` / `advance()` / `finish()` once per job,
  the total being its red builds); `token` (`triage.progress.CancelToken`) is checked between
  builds, and `token.cancel()` from another thread makes the call raise `Cancelled` soon after.
  A job or server not in the history raises `NotFoundError`. SQLite connections belong to one
  thread: a worker opens its own `Store` (`Store.open(path)`) and closes it after.
- `render(data, fmt)` with `fmt` in `FORMATS` ("html", "csv", "json", "md") returns `str`;
  `FORMATS[fmt]` gives the file suffix. Renderers are pure and quick (HTML draws its charts
  with matplotlib, imported on first use). `render_markdown` is also the text for a preview.

`triage.report.export` holds what both faces read from a person and write for one: dates
(`parse_moment`), checked filters (`report_filters`), the format of a suffix (`format_of`), and
the file written whole or not at all (`save_report`).

`ReportData` (`triage.report.model`) is plain frozen dataclasses whose field names are the
JSON report's keys (`json_report.report_dict`); its schema is `schema/report-v1.schema.json`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from triage.progress import CancelToken, Reporter
from triage.report.collect import collect
from triage.report.csv_report import render_csv
from triage.report.figures import figures
from triage.report.html_report import render_html
from triage.report.json_report import render_json
from triage.report.markdown_report import render_markdown
from triage.report.model import ReportData, ReportFilters
from triage.store.db import Store

_RENDERERS = {"html": render_html, "csv": render_csv, "json": render_json, "md": render_markdown}
# format -> file suffix
FORMATS = {"html": ".html", "csv": ".csv", "json": ".json", "md": ".md"}


def build_report(
    store: Store,
    filters: ReportFilters,
    reporter: Reporter | None = None,
    token: CancelToken | None = None,
    clock: Callable[[], float] = time.time,
) -> ReportData:
    """Return the report's data for the builds `filters` selects."""
    return figures(collect(store, filters, int(clock() * 1000), reporter, token))


def render(data: ReportData, fmt: str) -> str:
    """Return the report in one of FORMATS."""
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r}; one of {', '.join(FORMATS)}") from None
    return renderer(data)


__all__ = [
    "FORMATS",
    "ReportData",
    "ReportFilters",
    "build_report",
    "render",
    "render_csv",
    "render_html",
    "render_json",
    "render_markdown",
]
