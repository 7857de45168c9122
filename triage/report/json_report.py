"""The JSON report: the whole `ReportData`, versioned by its `schema` key.

The schema is `schema/report-v1.schema.json` in this package (JSON Schema 2020-12), documented
in the README ("Reports"). Version 1 only grows: new keys may appear, none is renamed or
removed and no meaning changes without `schema` becoming 2.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from importlib.resources import files

from triage.report.model import ReportData


def report_dict(data: ReportData) -> dict:
    """Return the report as plain JSON data."""
    return asdict(data)


def render_json(data: ReportData) -> str:
    return json.dumps(report_dict(data), indent=2, ensure_ascii=False) + "\n"


def json_schema() -> dict:
    """Return the JSON Schema the report follows."""
    text = files("triage.report").joinpath("schema", "report-v1.schema.json").read_text("utf-8")
    return json.loads(text)
