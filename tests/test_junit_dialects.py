"""Dialect features: roots, nesting, names, times, several results, output, encodings."""

from __future__ import annotations

import pytest
from support import CORPUS, needs_corpus

from triage.domain import Outcome
from triage.junit import parse_duration, parse_file, read_file
from triage.junit.texts import MAX_TEXT_BYTES, clean_text


def _write(tmp_path, text, name="report.xml", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _by_name(results):
    return {r.name: r for r in results}


# --- times ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text, seconds", [
    ("0.25", 0.25), ("3", 3.0), ("1.4e-05", 1.4e-05), (" 0.5 ", 0.5),
    ("0,001", 0.001), ("12,5", 12.5), ("2,503.1", 2503.1), ("1,2,3", 123.0),
    ("1000ms", 1.0), ("2s", 2.0), ("1m30s", 90.0), ("1h2m3.5s", 3723.5), ("250 us", 0.00025),
    ("1,5s", 1.5), ("3 sec", 3.0), ("1min", 60.0), ("42ns", 42e-9),
])
def test_durations_are_read_sensibly(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", [
    None, "", "  ", "-1", "-0.5", "NaN", "nan", "inf", "-inf", "abc", "1.2.3", "5 parsecs",
    "1m30", "-2s", "999638317", "1e400", "1,234,567", "8d",
])
def test_meaningless_durations_are_none(text):
    assert parse_duration(text) is None


@needs_corpus
def test_decimal_comma_times_from_corpus_are_not_a_thousand_times_too_big():
    report = read_file(CORPUS / "derived/time-decimal-comma__TEST-com.sample.test.TestMessage2.xml")
    assert sorted(r.duration for r in report.results) == [0.001, 0.003]
    assert report.suites[0].duration == pytest.approx(0.06)


@needs_corpus
def test_unit_times_from_corpus():
    report = read_file(CORPUS / "derived/time-with-units__junit-report-494.xml")
    assert [r.duration for r in report.results] == [1.0, 1.0]
    assert report.suites[0].duration == 2.0


@needs_corpus
def test_negative_time_from_corpus_is_unknown():
    results = parse_file(CORPUS / "junit-plugin/junit-report-bad-duration.xml")
    assert [r.duration for r in results] == [None]


@needs_corpus
def test_antunit_time_child_element_is_used():
    [result] = parse_file(CORPUS / "maven-surefire/TEST-AntUnit.xml")
    assert result.duration == pytest.approx(0.378)


# --- structure and names -------------------------------------------------------------------


def test_bare_testsuite_root_and_testsuites_root_read_the_same(tmp_path):
    case = '<testcase classname="a.B" name="t" time="0.1"/>'
    single = parse_file(_write(tmp_path, f'<testsuite name="S">{case}</testsuite>', "one.xml"))
    wrapped = parse_file(_write(tmp_path, f'<testsuites name="run"><testsuite name="S">{case}'
                                          "</testsuite></testsuites>", "two.xml"))
    assert [(r.key, r.suite, r.duration) for r in single] == \
        [(r.key, r.suite, r.duration) for r in wrapped] == [(("a.B", "t"), "S", 0.1)]


def test_nested_suites_give_a_suite_path_and_class_fallback(tmp_path):
    path = _write(tmp_path, """<testsuites name="root">
      <testsuite name="outer">
        <testcase name="direct"/>
        <testsuite>
          <testsuite name="inner" package="pkg">
            <testcase name="deep"/>
            <testcase classname="Explicit" name="own"/>
          </testsuite>
          <testcase name="in_nameless"/>
        </testsuite>
      </testsuite>
      <testcase name="loose"/>
    </testsuites>""", "TEST-nest.xml")
    results = _by_name(parse_file(path))
    assert (results["direct"].classname, results["direct"].suite) == ("outer", "outer")
    assert (results["deep"].classname, results["deep"].suite) == ("pkg.inner", "outer/pkg.inner")
    assert results["own"].classname == "Explicit"
    assert (results["in_nameless"].classname, results["in_nameless"].suite) == ("outer", "outer")
    assert (results["loose"].classname, results["loose"].suite) == ("TEST-nest", None)
    assert all(r.file is None for r in results.values())  # no file= attribute in this report


@needs_corpus
def test_deeply_nested_corpus_suites():
    results = _by_name(parse_file(CORPUS / "publish-unit-test-result-action/"
                                           "testsuite-in-testsuite.xml"))
    assert results["TestCase3"].suite == "Project Test Suite/TestSuite2/TestSuite2.1"
    assert results["TestCase5"].suite == "Project Test Suite"


def test_missing_and_empty_classname_fall_back_to_suite_then_file_stem(tmp_path):
    path = _write(tmp_path, """<testsuites>
      <testsuite name="Suite"><testcase name="a"/><testcase classname="" name="b"/></testsuite>
      <testsuite><testcase name="c"/></testsuite>
    </testsuites>""", "results-7.xml")
    results = _by_name(parse_file(path))
    assert [results[n].classname for n in "abc"] == ["Suite", "Suite", "results-7"]


@needs_corpus
def test_no_classname_corpus_file_uses_file_stem():
    results = parse_file(CORPUS / "action-junit-report/container-structure__test.xml")
    assert {r.classname for r in results} == {"container-structure__test"}
    assert len(results) == 3


@needs_corpus
def test_nameless_cases_stay_separate_tests():
    results = parse_file(CORPUS / "publish-unit-test-result-action/no-attributes.xml")
    assert sorted((r.name, r.outcome) for r in results) == [
        ("(unnamed 1)", Outcome.PASSED), ("(unnamed 2)", Outcome.SKIPPED),
        ("(unnamed 3)", Outcome.FAILED), ("(unnamed 4)", Outcome.ERROR)]


def test_namespaced_report_is_read(tmp_path):
    path = _write(tmp_path, '<testsuite xmlns="urn:x" name="S"><testcase classname="c" name="t">'
                            "<failure message='m'>trace</failure></testcase></testsuite>")
    [result] = parse_file(path)
    assert (result.key, result.outcome, result.attempts[0].trace) == (("c", "t"), Outcome.FAILED,
                                                                       "trace")


def test_empty_suites_give_no_results(tmp_path):
    assert parse_file(_write(tmp_path, "<testsuites/>")) == []
    assert parse_file(_write(tmp_path, '<testsuite name="x" tests="9"/>', "b.xml")) == []


# --- outcomes of one element ---------------------------------------------------------------


@needs_corpus
def test_several_results_in_one_testcase_error_beats_failure_beats_skipped():
    results = _by_name(parse_file(CORPUS / "publish-unit-test-result-action/"
                                           "junit.multiresult.xml"))
    errors = results["test that errors"]
    assert errors.outcome is Outcome.ERROR
    assert [a.kind for a in errors.attempts] == ["error", "failure"]
    assert errors.attempts[0].message == "test teardown failure"
    assert results["test that fails"].outcome is Outcome.FAILED
    assert [a.kind for a in results["test that fails"].attempts] == ["failure"]
    assert results["test that is skipped"].outcome is Outcome.SKIPPED
    assert results["test that succeeds"].outcome is Outcome.PASSED


@needs_corpus
def test_disabled_status_is_skipped_in_ctest_output():
    results = _by_name(parse_file(CORPUS / "generated-ctest/ctest-junit.xml"))
    assert results["disabled_test"].outcome is Outcome.SKIPPED
    assert results["skipped"].outcome is Outcome.SKIPPED
    assert results["skipped"].attempts[0].message == "SKIP_RETURN_CODE=77"
    assert results["fails"].outcome is Outcome.FAILED
    assert results["passes"].outcome is Outcome.PASSED
    assert "name with spaces & <xml> chars" in results


def test_disabled_status_loses_to_a_failure(tmp_path):
    path = _write(tmp_path, """<testsuite name="s">
      <testcase classname="c" name="off" status="disabled"/>
      <testcase classname="c" name="off_but_failed" status="disabled"><failure>boom</failure>
      </testcase></testsuite>""")
    results = _by_name(parse_file(path))
    assert results["off"].outcome is Outcome.SKIPPED
    assert results["off_but_failed"].outcome is Outcome.FAILED


@needs_corpus
def test_skip_reason_comes_from_text_when_there_is_no_message():
    [result] = [r for r in parse_file(CORPUS / "junit-plugin/skippedTestResult.xml")
                if r.outcome is Outcome.SKIPPED]
    assert result.attempts[0].message.startswith("Given skip This Test.....")
    assert result.attempts[0].message.endswith("...pending")


@needs_corpus
def test_suite_level_error_becomes_init_case():
    [result] = parse_file(CORPUS / "junit-plugin/junit-report-6700.xml")
    assert result.key == ("gda.device.detector.XHDetectorTest", "<init>")
    assert result.outcome is Outcome.ERROR
    assert result.attempts[0].type == "java.lang.NoClassDefFoundError"
    assert result.attempts[0].trace.startswith("java.lang.NoClassDefFoundError")


# --- output, properties, encodings ---------------------------------------------------------


def test_case_and_suite_output_rules(tmp_path):
    path = _write(tmp_path, """<testsuite name="s">
      <testcase classname="c" name="pass_with_output"><system-out>noise</system-out></testcase>
      <testcase classname="c" name="fail_own"><failure/><system-out>own out</system-out>
        <system-err>own err</system-err></testcase>
      <testcase classname="c" name="fail_inherits"><error message="x"/></testcase>
      <system-out><![CDATA[
suite out
]]></system-out>
      <system-err>   </system-err>
    </testsuite>""")
    results = _by_name(parse_file(path))
    assert results["pass_with_output"].stdout is None
    assert (results["fail_own"].stdout, results["fail_own"].stderr) == ("own out", "own err")
    assert (results["fail_inherits"].stdout, results["fail_inherits"].stderr) == ("suite out", None)
    kept = _by_name(parse_file(path, keep_passing_output=True))
    assert kept["pass_with_output"].stdout == "noise"
    [suite] = read_file(path).suites
    assert (suite.stdout, suite.stderr) == ("suite out", None)


def test_huge_output_is_capped_with_marker(tmp_path):
    body = "first line\n" + "é" * 100_000 + "\nlast line"
    path = _write(tmp_path, f'<testsuite name="s"><testcase classname="c" name="t"><failure>'
                            f"{body}</failure><system-out>{body}</system-out></testcase>"
                            "</testsuite>")
    [result] = parse_file(path)
    for text in (result.stdout, result.attempts[0].trace):
        assert len(text.encode("utf-8")) <= MAX_TEXT_BYTES
        assert text.startswith("first line") and text.endswith("last line")
        assert "...[truncated " in text and " bytes by flaky-triage]..." in text


def test_clean_text_keeps_short_text_and_cuts_on_character_boundaries():
    assert clean_text("  x \n") == "x"
    assert clean_text(" \n ") is None
    exact = "a" * MAX_TEXT_BYTES
    assert clean_text(exact) == exact
    cut = clean_text("€" * 30_000)  # 90,000 bytes, 3 per character
    assert len(cut.encode()) <= MAX_TEXT_BYTES
    head, marker, tail = cut.partition("\n...[truncated ")
    assert set(head) == set(tail.split("]...\n", 1)[1]) == {"€"} and marker


@needs_corpus
def test_properties_with_value_attribute_or_text():
    report = read_file(CORPUS / "junit-plugin/junit-report-with-properties.xml")
    props = dict(p for s in report.suites for p in s.properties)
    assert props["prop1"] == "value1"  # from the value attribute
    lines = [line.strip() for line in props["multiline"].splitlines()]
    assert lines == ["Config line 1", "Config line 2", "Config line 3"]  # from the text


def test_properties_text_content(tmp_path):
    path = _write(tmp_path, """<testsuite name="s"><properties>
      <property name="a" value="1"/><property name="b">two</property></properties>
      <testcase classname="c" name="t"/></testsuite>""")
    [suite] = read_file(path).suites
    assert suite.properties == (("a", "1"), ("b", "two"))


@needs_corpus
def test_utf16_with_bom_from_corpus():
    results = parse_file(CORPUS / "derived/no_suites_tag.utf16-bom.xml")
    assert sorted(r.outcome.name for r in results) == ["FAILED", "PASSED", "SKIPPED"]


@pytest.mark.parametrize("encoding, bom", [("utf-8", "\ufeff"), ("utf-16-le", "\ufeff"),
                                           ("utf-16-be", "\ufeff"), ("utf-8", "")])
def test_boms_and_utf16_handwritten(tmp_path, encoding, bom):
    declared = "UTF-16" if "16" in encoding else "UTF-8"
    text = (f'{bom}<?xml version="1.0" encoding="{declared}"?>\n<testsuite name="Süite">'
            '<testcase classname="ünï.Cødé" name="テスト_🙂" time="0,5"/></testsuite>')
    [result] = parse_file(_write(tmp_path, text, encoding=encoding))
    assert result.key == ("ünï.Cødé", "テスト_🙂")
    assert (result.suite, result.duration) == ("Süite", 0.5)


@needs_corpus
def test_unicode_names_from_corpus():
    results = parse_file(CORPUS / "maven-surefire/TEST-umlautTest.BasicTest.xml")
    assert len(results) == 1 and results[0].outcome is Outcome.PASSED


@needs_corpus
def test_qualified_name_without_class_or_suite_name_is_split_like_jenkins():
    results = parse_file(CORPUS / "junit-plugin/junit-report-testTrends-first-1.xml")
    assert {r.classname for r in results} == {"org.twia.vendor.VendorManagerTest"}
    assert "testCreateVendorFirm" in {r.name for r in results}


@pytest.mark.parametrize("name, key", [
    ("pkg.Cls.method", ("pkg.Cls", "method")), ("plain", ("r", "plain")),
    ("trailing.", ("r", "trailing.")), (".leading", ("r", ".leading")),
])
def test_name_split_only_when_both_parts_exist(tmp_path, name, key):
    path = _write(tmp_path, f'<testsuite><testcase name="{name}"/></testsuite>', "r.xml")
    assert [r.key for r in parse_file(path)] == [key]
