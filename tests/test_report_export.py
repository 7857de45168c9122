"""`triage.report.export`: what the CLI and the app's File > Export share."""

from __future__ import annotations

import pytest

from tests.report_builders import HistoryBuilder, ms
from triage.errors import Cancelled, ConfigError, TriageError
from triage.progress import CancelToken
from triage.report import ReportFilters, build_report
from triage.report.export import format_of, parse_moment, report_filters, save_report


def test_dates_and_times_read_as_the_cli_documents():
    assert parse_moment("2026-11-30") == ms("2026-11-30T00:00")
    assert parse_moment(" 2026-11-30 ", end=True) == ms("2026-12-01T00:00")  # the whole day
    assert parse_moment("2026-11-30T18:00", end=True) == ms("2026-11-30T18:00")
    assert parse_moment("2026-11-30T18:00+01:00") == ms("2026-11-30T17:00")
    with pytest.raises(ConfigError, match=r"^'30/11/2026' is not a date: use YYYY-MM-DD"):
        parse_moment("30/11/2026")


def test_filters_are_checked_once_for_both_faces():
    assert report_filters(("app",), "ci", 1, 2, "main") == ReportFilters(
        jobs=("app",), server="ci", since_ms=1, until_ms=2, branch="main")
    with pytest.raises(ConfigError, match="is after the end"):
        report_filters(since_ms=2, until_ms=2)
    with pytest.raises(ConfigError, match="--job is empty"):
        report_filters(("",))
    with pytest.raises(ConfigError, match="--server 'c\\\\ni' has leading/trailing spaces"):
        report_filters(server="c\ni")


def test_the_format_follows_the_suffix():
    assert [format_of(n) for n in ("a.HTML", "a.htm", "b.csv", "c.json", "d.markdown")] == [
        "html", "html", "csv", "json", "md"]
    with pytest.raises(ConfigError, match="Cannot tell the format from 'a.txt'"):
        format_of("a.txt")


def test_a_cancel_while_rendering_writes_nothing(store, tmp_path):
    HistoryBuilder(store).build("app", 1, "2026-11-30T10:00", {"A": "F"})
    data = build_report(store, ReportFilters())
    token = CancelToken()
    token.cancel()
    out = tmp_path / "out" / "r.json"
    out.parent.mkdir()
    with pytest.raises(Cancelled):
        save_report(data, "json", out, token)
    assert list(out.parent.iterdir()) == []
    path, text = save_report(data, "json", out, CancelToken())
    assert path == out and out.read_text() == text and '"schema": 1' in text


def test_a_folder_that_is_a_file_is_one_clear_error(store, tmp_path):
    data = build_report(store, ReportFilters())
    (tmp_path / "taken").write_text("a file")
    with pytest.raises(TriageError, match=r"Cannot write the report to .*taken/r\.md: Not a "
                                          r"directory\. Check that the folder exists"):
        save_report(data, "md", tmp_path / "taken" / "r.md")


def test_a_report_date_reads_as_an_imported_timestamp_does():
    from triage.importing import parse_timestamp

    # What each reads as, in epoch ms (naive means UTC), and the same as an import reads it.
    expected = {"2026-11-30": 1_795_996_800_000, "2026-11-30T18:00": 1_796_061_600_000,
                "2026-11-30T18:00Z": 1_796_061_600_000,
                "2026-11-30T18:00+01:00": 1_796_058_000_000,
                "2026-11-30T18:00:05.250": 1_796_061_605_250}
    for text, epoch_ms in expected.items():
        assert parse_moment(text) == epoch_ms == parse_timestamp(text), text
    for bad in ("", "   ", "yesterday"):
        with pytest.raises(ConfigError, match=r"is not a date: use YYYY-MM-DD"):
            parse_moment(bad)
