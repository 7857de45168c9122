"""`triage report`: formats, files and stdout, filters, errors in one line, Ctrl+C."""

from __future__ import annotations

import csv
import io
import json
import signal

import pytest
from click.testing import CliRunner

from tests.report_builders import HistoryBuilder, full_name
from tests.support import cli_on
from triage.cli import cli
from triage.cli.common import TerminalReporter


@pytest.fixture
def history(store, db_path):
    h = HistoryBuilder(store)
    h.build("app", 1, "2026-11-29T10:00", {"A": "P", "B": "P"}, revision="a1")
    h.build("app", 2, "2026-11-30T10:00", {"A": "F", "B": "P"}, revision="b2")
    h.build("app", 3, "2026-11-30T23:30", {"A": "P", "B": "F"}, revision="b2")
    h.build("app", 4, "2026-12-01T00:30", {"A": "F", "B": "P"}, revision="c3", branch="dev")
    h.decide("app", 2, paused="2026-11-30T10:05", at="2026-11-30T10:35")
    store.close()
    return db_path


@pytest.mark.parametrize("fmt", ["html", "csv", "json", "md"])
def test_writes_each_format_to_a_file_named_by_its_suffix(history, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    result = cli_on(history)("report", "--job", "app", "-o", str(out))
    text = out.read_text(encoding="utf-8")
    assert {"html": "<!doctype html>", "csv": "server,job,rank", "json": '{\n  "schema": 1',
            "md": "## Flakiness report"}[fmt] in text
    assert result.stdout == ""  # stdout stays clean; the summary line goes to stderr
    assert result.stderr.startswith(f"Wrote {out} ({fmt}, ") and "1 job, 4 builds" in result.stderr
    assert list(tmp_path.glob(".*.part")) == []


@pytest.mark.parametrize("fmt", ["json", "csv", "md", "html"])
def test_dash_writes_to_stdout(history, fmt):
    result = cli_on(history)("report", "--format", fmt, "-o", "-")
    if fmt == "json":
        assert json.loads(result.stdout)["summary"]["builds"] == 4
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert sorted(r["test"] for r in rows) == [full_name("A"), full_name("B")]
    assert result.stderr == ""


def test_filters_reach_the_report(history):
    invoke = cli_on(history)
    data = json.loads(invoke("report", "--branch", "main", "--format", "json", "-o", "-").stdout)
    assert data["summary"]["builds"] == 3 and data["filters"]["branch"] == "main"
    # --until takes the whole day: #3 started at 23:30 on the 30th, #4 on the 1st.
    data = json.loads(invoke("report", "--since", "2026-11-30", "--until", "2026-11-30",
                             "--format", "json", "-o", "-").stdout)
    assert data["summary"]["builds"] == 2
    assert (data["filters"]["since"], data["filters"]["until"]) == (
        "2026-11-30T00:00:00Z", "2026-12-01T00:00:00Z")
    data = json.loads(invoke("report", "--since", "2026-11-30T12:00+01:00", "--format", "json",
                             "-o", "-").stdout)
    assert data["summary"]["builds"] == 2  # 11:00 UTC on the 30th: #3 and #4
    assert data["hitl"]["time_to_decision_s"]["median"] is None


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["-o", "report.txt"], 2, "Cannot tell the format from 'report.txt'"),
        (["--format", "json", "-o", "-", "--since", "30/11/2026"], 2, "is not a date"),
        (["--format", "json", "-o", "-", "--since", "2026-12-02", "--until", "2026-12-01"], 2,
         "The start (since) is after the end (until)"),
        (["--format", "json", "-o", "-", "--job", "nope"], 3, "No job 'nope'"),
        (["--format", "json", "-o", "-", "--server", "ci"], 3, "No server named 'ci'"),
        (["--format", "json", "-o", "-", "--job", ""], 2, "--job is empty"),
        (["--format", "json", "-o", "/no/such/folder/report.json"], 1,
         "Cannot write the report to /no/such/folder/report.json: No such file or directory"),
    ],
)
def test_bad_input_gets_one_clear_line(history, args, code, message):
    result = cli_on(history)("report", *args, expect=code)
    assert message in result.output and "Traceback" not in result.output


def test_a_missing_history_is_not_created(tmp_path):
    missing = tmp_path / "none.db"
    result = cli_on(missing)("report", "--format", "md", "-o", "-", expect=3)
    assert "No history at" in result.stderr and not missing.exists()


def test_an_empty_window_warns_and_still_writes(history, tmp_path):
    out = tmp_path / "r.md"
    result = cli_on(history)("report", "--branch", "nope", "-o", str(out))
    assert "warning: No stored build matches these filters" in result.stderr
    assert "**0 builds**" in out.read_text()


def test_ctrl_c_cancels_and_leaves_the_previous_report_alone(history, tmp_path, monkeypatch):
    out = tmp_path / "report.html"
    out.write_text("yesterday's report")
    advanced = []

    def advance(self, n=1):
        advanced.append(n)
        signal.raise_signal(signal.SIGINT)  # the user presses Ctrl+C mid-report

    monkeypatch.setattr(TerminalReporter, "advance", advance)
    result = CliRunner().invoke(cli, ["report", "-o", str(out), "--db", str(history)])
    assert result.exit_code == 130, result.output
    assert result.stderr == "error: Cancelled: no report was written.\n"
    assert advanced == [1] and out.read_text() == "yesterday's report"
    assert list(tmp_path.glob(".*.part")) == []


def test_ctrl_c_while_writing_leaves_no_partial_file(history, tmp_path, monkeypatch):
    out = tmp_path / "report.json"
    import triage.report.export as report_export

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(report_export.os, "replace", interrupted)
    result = CliRunner().invoke(cli, ["report", "-o", str(out), "--db", str(history)])
    assert result.exit_code == 130 and not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["history.db"]
