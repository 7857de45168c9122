"""The real-world corpus in shared/corpus/junit, read in place, against its MANIFEST.tsv.

The manifest's expected_* numbers count `<testcase>` elements holding a `<failure>`, `<error>`
or `<skipped>` (before any retry merging), which is `ElementCounts`. Where a source project
counts differently (README "Verification summary"), EXCEPTIONS asserts our documented merged
view instead, with the reason.
"""

from __future__ import annotations

import csv
import os

import pytest
from support import CORPUS, needs_corpus

from triage.domain import Outcome
from triage.errors import HostileXmlError, MalformedReportError, NotJUnitError, ReportError
from triage.junit import merge_results, read_file
from triage.junit.build import OutcomeCounts

pytestmark = needs_corpus


def _manifest() -> list[dict[str, str]]:
    if not (CORPUS / "MANIFEST.tsv").is_file() and not os.environ.get("CI"):
        return []
    with open(CORPUS / "MANIFEST.tsv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


ROWS = _manifest()
WELL = [r for r in ROWS if not r["file"].startswith("malformed/")]
MALFORMED = [r for r in ROWS if r["file"].startswith("malformed/")]

# file -> (reason, our merged counts as OutcomeCounts fields)
EXCEPTIONS = {
    "action-junit-report/flaky_all_failures.xml": (
        "3 elements of one test, never passing: merged into 1 ERROR (last attempt) with 2 reruns",
        dict(tests=1, errors=1, reruns=2)),
    "action-junit-report/flaky_success_first.xml": (
        "3 elements of one test, passed and failed: merged into 1 FLAKY with 2 reruns",
        dict(tests=1, flaky=1, reruns=2)),
    "action-junit-report/flaky_with_classname_file.xml": (
        "5 elements of 3 tests: one test retried twice is FLAKY",
        dict(tests=3, passed=2, flaky=1, reruns=2)),
    "action-junit-report/junit-server-test__report.xml": (
        "TestWebSocketReconnectRace failed then passed: FLAKY, not a failure",
        dict(tests=3, passed=1, skipped=1, flaky=1, reruns=1)),
    "action-junit-report/testDisabled.xml": (
        'status="disabled" without <skipped> counts as skipped in our outcome',
        dict(tests=22, passed=6, failed=4, errors=2, skipped=10)),
    "action-junit-report/testFailedDisabled.xml": (
        'a <failure> beats status="disabled": we keep the failure (the source counts a skip)',
        dict(tests=1, failed=1)),
    "junit-plugin/junit-report-6700.xml": (
        "suite-level <error> becomes an ERROR case named <init>, as Jenkins does",
        dict(tests=1, errors=1)),
    "junit-plugin/junit-report-nested-testsuites.xml": (
        "2 testcases plus a suite-level <error> turned into an <init> case, as Jenkins does",
        dict(tests=3, passed=2, errors=1)),
    "publish-unit-test-result-action/no-cases-but-tests.xml": (
        "suite attributes claim 6 tests but there is no <testcase>; attributes are not trusted",
        dict(tests=0)),
}


def _expected(row: dict[str, str]) -> dict[str, int]:
    columns = {"expected_tests": "testcases", "expected_failures": "with_failure",
               "expected_errors": "with_error", "expected_skipped": "with_skipped"}
    return {ours: int(row[col]) for col, ours in columns.items() if row[col] != ""}


def test_corpus_is_complete():
    assert len(WELL) == 183
    assert len(MALFORMED) == 18
    assert set(EXCEPTIONS) <= {r["file"] for r in WELL}


@pytest.mark.parametrize("row", WELL, ids=[r["file"] for r in WELL])
def test_every_wellformed_file_reads_and_matches_manifest(row):
    report = read_file(CORPUS / row["file"])
    merged = merge_results(report.results)
    assert len({r.key for r in merged}) == len(merged)
    for result in merged:
        assert isinstance(result.outcome, Outcome)
        assert result.duration is None or result.duration >= 0
    if row["file"] in EXCEPTIONS:
        _reason, fields = EXCEPTIONS[row["file"]]
        assert OutcomeCounts.of(merged) == OutcomeCounts(**fields)
        return
    expected = _expected(row)
    got = {name: getattr(report.counts, name) for name in expected}
    assert got == expected


@pytest.mark.parametrize("row", MALFORMED, ids=[r["file"] for r in MALFORMED])
def test_every_malformed_file_gives_one_line_report_error(row):
    path = CORPUS / row["file"]
    with pytest.raises(ReportError) as info:
        read_file(path)
    error = info.value
    assert type(error) in (MalformedReportError, NotJUnitError, HostileXmlError)
    assert "\n" not in error.message
    assert error.message.startswith(str(path) + ": ")
    assert error.path == str(path)
    if "not-junit" in row["features"] and "wellformed" in row["features"].split(","):
        assert isinstance(error, NotJUnitError)
    if isinstance(error, MalformedReportError):
        assert error.line >= 1 and error.column >= 1
        assert f"at line {error.line}, column {error.column} (" in error.message
        assert error.message.endswith("fix or remove the file")


def test_malformed_split_is_fifteen_broken_three_not_junit_one_hostile():
    kinds = {}
    for row in MALFORMED:
        with pytest.raises(ReportError) as info:
            read_file(CORPUS / row["file"])
        kinds[row["file"]] = type(info.value)
    assert sum(k is NotJUnitError for k in kinds.values()) == 3
    # testXxe-xxe.xml is both not well-formed and hostile: refused before it is parsed
    assert kinds["malformed/junit-plugin/testXxe-xxe.xml"] is HostileXmlError
    assert sum(k is MalformedReportError for k in kinds.values()) == 14


@pytest.mark.parametrize("name, line, column, reason", [
    ("malformed/derived/truncated-in-start-tag__001-report.xml", 8, 3, "unclosed token"),
    ("malformed/derived/missing-end-tag__normal.xml", 18, 3, "mismatched tag"),
    ("malformed/derived/undefined-entity-nbsp__junit-report-494.xml", 5, 7, "undefined entity"),
    ("malformed/derived/cp1252-byte-declared-utf8__TestSuite_second.xml", 7, 45, "invalid token"),
    ("malformed/publish-unit-test-result-action/empty.xml", 1, 1, "no element found"),
])
def test_malformed_positions_are_exact(name, line, column, reason):
    with pytest.raises(MalformedReportError) as info:
        read_file(CORPUS / name)
    assert (info.value.line, info.value.column) == (line, column)
    assert info.value.message == (f"{CORPUS / name}: not well-formed XML at line {line}, "
                                  f"column {column} ({reason}); fix or remove the file")
