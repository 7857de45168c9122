"""The real-world corpus in shared/corpus/junit, read in place, against its MANIFEST.tsv.

The manifest's expected_* numbers count `<testcase>` elements holding a `<failure>`, `<error>`
or `<skipped>` (before any retry merging), which is `ElementCounts`. Where the manifest leaves
a number empty (the source project does not assert it), VERIFY.tsv's element count from the
corpus's own check run (`etree_*`) is the expectation, so no file is compared `{} == {}`.
Where a source project counts differently (README "Verification summary"), EXCEPTIONS asserts
our documented merged view instead, with the reason.

The cases come from tests/fixtures/corpus_files.txt, so each one is collected, and shown
skipped, without the corpus; `test_corpus_is_complete` keeps that list equal to the manifest.
"""

from __future__ import annotations

import pytest
from support import CORPUS, corpus_cases, corpus_files, corpus_table, needs_corpus

from triage.domain import Outcome
from triage.errors import HostileXmlError, MalformedReportError, NotJUnitError, ReportError
from triage.junit import merge_results, read_file
from triage.junit.build import OutcomeCounts

pytestmark = needs_corpus

WELL = corpus_cases(exclude="malformed/")
MALFORMED = corpus_cases("malformed/")

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


# ElementCounts field -> (MANIFEST.tsv column, VERIFY.tsv column counting the same elements)
COLUMNS = {
    "testcases": ("expected_tests", "etree_testcases"),
    "with_failure": ("expected_failures", "etree_cases_with_failure"),
    "with_error": ("expected_errors", "etree_cases_with_error"),
    "with_skipped": ("expected_skipped", "etree_cases_with_skipped"),
}


def _expected(name: str) -> dict[str, int]:
    """Return every count: the manifest's where it has one, VERIFY.tsv's element count else."""
    row, verify = corpus_table("MANIFEST.tsv")[name], corpus_table("VERIFY.tsv")[name]
    return {ours: int(row[manifest] if row[manifest] != "" else verify[checked])
            for ours, (manifest, checked) in COLUMNS.items()}


def test_corpus_is_complete():
    listed = corpus_table("MANIFEST.tsv")
    assert set(corpus_files()) == set(listed)  # the committed case list is the manifest's
    assert len(WELL) == 183
    assert len(MALFORMED) == 18
    assert set(EXCEPTIONS) <= set(corpus_files()) - set(corpus_files("malformed/"))
    verified = corpus_table("VERIFY.tsv")
    assert set(verified) >= set(listed)
    # VERIFY.tsv fills what the manifest leaves empty: every file has all four numbers.
    empty = [n for n in listed if all(listed[n][m] == "" for m, _ in COLUMNS.values())]
    assert empty and all(verified[n]["etree"] == "ok" for n in empty
                         if not n.startswith("malformed/"))


@pytest.mark.parametrize("name", WELL)
def test_every_wellformed_file_reads_and_matches_manifest(name):
    row = corpus_table("MANIFEST.tsv")[name]
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
    expected = _expected(name)
    got = {field: getattr(report.counts, field) for field in expected}
    assert got == expected and len(expected) == 4


@pytest.mark.parametrize("name", MALFORMED)
def test_every_malformed_file_gives_one_line_report_error(name):
    row = corpus_table("MANIFEST.tsv")[name]
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
    for name in corpus_files("malformed/"):
        with pytest.raises(ReportError) as info:
            read_file(CORPUS / name)
        kinds[name] = type(info.value)
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
