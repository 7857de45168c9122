"""The renderers: escaping in HTML and Markdown, defused CSV formulas, the JSON schema, and a
self-contained, reproducible HTML file."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import subprocess
import sys
import typing
from html.parser import HTMLParser

import jsonschema
import pytest
from markdown_it import MarkdownIt

from tests.report_builders import HistoryBuilder
from triage.report import (
    ReportFilters,
    build_report,
    model,
    render_csv,
    render_html,
    render_json,
    render_markdown,
)
from triage.report.json_report import json_schema

HOSTILE = "<script>alert(1)</script>"
HOSTILE_CLASS = "ui.<b>Login</b>"
HOSTILE_JOB = "web/<svg onload=alert(1)>"
FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+SUM(1,2)", "-2+3", "@cmd", " =1+1"]


@pytest.fixture
def hostile(store):
    """A job whose names and messages are markup, and tests named like spreadsheet formulas."""
    from triage.domain import Attempt, BuildInfo, Outcome, TestResult
    from triage.store.importer import import_build
    from triage.triage_build import mark

    for number in (1, 2, 3):
        failing = number != 1
        attempt = (Attempt("failure", "Error", "<img src=x onerror=alert(1)>"),)
        results = [
            TestResult(HOSTILE_CLASS, HOSTILE, Outcome.FAILED if failing else Outcome.PASSED,
                       attempts=attempt if failing else ()),
            *(TestResult("", name, Outcome.FAILED if failing else Outcome.PASSED,
                         attempts=attempt if failing else ()) for name in FORMULAS),
        ]
        import_build(store, BuildInfo(HOSTILE_JOB, number, timestamp_ms=1_790_000_000_000
                                      + number * 3_600_000, duration_ms=60_000), results)
    HistoryBuilder(store).decide(HOSTILE_JOB, 2, paused="2026-09-21T00:00",
                                 at="2026-09-21T00:05", who="<b>mallory</b>")
    mark(store, HOSTILE_JOB, 3, "noise", test=f"{HOSTILE_CLASS}.{HOSTILE}", who="<b>mallory</b>",
         note="<i>flaky</i>")  # its error becomes a signature behind noise
    return build_report(store, ReportFilters(), clock=lambda: 1_800_000_000.0)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.handlers, self.text, self.ids = set(), [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        self.ids += [value for name, value in attrs if name == "id"]

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def test_html_shows_markup_in_names_as_text(hostile):
    page = _parse(render_html(hostile))
    assert not {"script", "img", "b"} & page.tags and page.handlers == []
    text = "".join(page.text)
    for shown in (HOSTILE, HOSTILE_CLASS, HOSTILE_JOB, "<img src=x onerror=alert(1)>",
                  "<b>mallory</b>"):
        assert shown in text


def test_markdown_shows_markup_in_names_as_text(hostile):
    source = render_markdown(hostile)
    html = MarkdownIt("commonmark").enable("table").render(source)
    page = _parse(html)
    assert not {"script", "img", "b", "svg"} & page.tags and page.handlers == []
    text = "".join(page.text)
    assert f"{HOSTILE_CLASS}.{HOSTILE}" in text and HOSTILE_JOB in text
    assert "<table>" in html  # the tables survive the escaping


def test_markdown_code_spans_keep_backticks_pipes_and_newlines_harmless():
    from triage.report.markdown_report import code

    assert code("a`b") == "``a`b``"
    assert code("`x`") == "`` `x` ``"
    assert code("a|b", table=True) == "`a\\|b`"
    assert code("line\nbreak") == "`line\\nbreak`"
    rendered = MarkdownIt("commonmark").enable("table").render(
        f"| h |\n|---|\n| {code('x|<i>y</i>', table=True)} |\n")
    assert "<code>x|&lt;i&gt;y&lt;/i&gt;</code>" in rendered


def test_csv_defuses_formula_cells_and_keeps_numbers(hostile):
    text = render_csv(hostile)
    assert text.startswith("server,job,rank,test,") and "\r\n" in text
    rows = list(csv.DictReader(io.StringIO(text)))
    names = {row["name"] for row in rows}
    assert names == {HOSTILE, *("'" + f for f in FORMULAS)}
    for row in rows:
        for column, cell in row.items():
            assert not cell.lstrip(" ").startswith(("=", "+", "-", "@")), (column, cell)
        assert row["runs"] == "3" and row["failures"] == "2" and row["score"] == "0.0"
    assert {row["job"] for row in rows} == {HOSTILE_JOB}


def test_json_follows_its_schema_with_the_documented_keys(hostile, flaky_history):
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for data in (hostile, flaky_history):
        document = json.loads(render_json(data))
        jsonschema.validate(document, schema)
        assert document["schema"] == 1 and document["generated_at"] == "2027-01-15T08:00:00Z"
        for key in ("filters", "tests", "signatures", "weeks", "hitl"):
            assert key in document
        for key in ("decisions", "time_to_decision_s", "interventions", "effectiveness",
                    "agreement"):
            assert key in document["hitl"]
        assert set(document["hitl"]["time_to_decision_s"]) >= {"median", "p90", "mean"}
        for test in document["tests"]:
            assert set(test) >= {"job", "test", "classname", "name", "runs", "failures",
                                 "passed_on_rerun", "flips", "same_commit_contradictions",
                                 "failure_rate", "score", "verdicts"}
            assert set(test["verdicts"]) == {"real", "noise"}


def test_json_schema_names_every_field_of_the_model():
    """The schema file and the dataclasses describe the same records."""
    schema = json_schema()
    classes = {"ReportData": schema, **schema["$defs"]}
    for name, part in classes.items():
        fields = [f.name for f in dataclasses.fields(getattr(model, name))]
        assert list(part["properties"]) == fields, name
        assert part["required"] == fields, name
    refs = set(re.findall(r'"#/\$defs/(\w+)"', json.dumps(schema)))
    assert refs == set(schema["$defs"])
    assert typing.get_type_hints(model.ReportData)["schema"] is int


def test_html_is_self_contained_reproducible_and_printable(flaky_history):
    first = render_html(flaky_history)
    assert render_html(flaky_history) == first
    page = _parse(first)
    assert len(page.ids) == len(set(page.ids)), "duplicate element ids across the charts"
    assert not re.search(r"""\b(src|href)\s*=\s*["']?(https?:)?//""", first)
    assert "<link" not in first and "@import" not in first and "url(http" not in first
    assert "dc:date" not in first and "<?xml" not in first
    assert first.count("<svg") == 2  # the trend and interventions charts
    assert "@media print" in first and "@page" in first


def test_every_format_renders_an_empty_report(store):
    HistoryBuilder(store).build("app", 1, "2026-11-01T00:00", {"A": "P"})
    data = build_report(store, ReportFilters(branch="nope"))
    assert "No stored build matches" in render_html(data)
    assert render_csv(data).count("\r\n") == 1
    jsonschema.validate(json.loads(render_json(data)), json_schema())
    assert "**0 builds**" in render_markdown(data)


def test_matplotlib_is_imported_only_to_draw_a_chart(tmp_path):
    code = (
        "import sys\n"
        "from triage.store import Store\n"
        "from triage.report import ReportFilters, build_report, render\n"
        f"store = Store.open({str(tmp_path / 'h.db')!r})\n"
        "data = build_report(store, ReportFilters())\n"
        "for fmt in ('json', 'csv', 'md'):\n"
        "    render(data, fmt)\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@pytest.fixture
def flaky_history(store):
    """A few weeks of one job with a flaky test, decisions and a mark: every section has rows."""
    h = HistoryBuilder(store)
    letters = "PFPRPFPPFP"
    for number, letter in enumerate(letters, 1):
        h.build("app", number, f"2026-11-{number * 3:02d}T10:00", {"A": letter, "B": "P"},
                revision=f"{number // 2 + 1:x}a")
        if number % 2 == 0:
            h.decide("app", number, paused=f"2026-11-{number * 3:02d}T10:10",
                     at=f"2026-11-{number * 3:02d}T10:{10 + number:02d}")
    h.mark("app", 2, "A", "noise")
    return build_report(store, ReportFilters(), clock=lambda: 1_800_000_000.0)
