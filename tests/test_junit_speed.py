"""The synthetic report generator, and parse throughput against the raw iterparse floor."""

from __future__ import annotations

from triage.domain import Outcome
from triage.junit import parse_file, read_file
from triage.junit.synth import case_identity, write_surefire_report


def test_generator_is_deterministic_per_seed(tmp_path):
    a, b, c = tmp_path / "a.xml", tmp_path / "b.xml", tmp_path / "c.xml"
    write_surefire_report(a, 500, 0.05, seed=7)
    write_surefire_report(b, 500, 0.05, seed=7)
    write_surefire_report(c, 500, 0.05, seed=8)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    keys_a = [r.key for r in parse_file(a)]
    assert keys_a == [r.key for r in parse_file(c)]  # same tests, different outcomes
    assert keys_a[0] == case_identity(0, 25)


def test_generator_summary_matches_what_we_read(tmp_path):
    path = tmp_path / "TEST-big.xml"
    summary = write_surefire_report(path, 2000, 0.03, seed=3, skip_rate=0.02, flaky_rate=0.01)
    assert summary.bytes == path.stat().st_size
    report = read_file(path)
    assert report.counts.testcases == summary.tests == 2000
    assert report.counts.with_failure == summary.failures > 0
    assert report.counts.with_error == summary.errors > 0
    assert report.counts.with_skipped == summary.skipped > 0
    outcomes = [r.outcome for r in parse_file(path)]
    assert outcomes.count(Outcome.FLAKY) == summary.flaky > 0
    failed = [r for r in parse_file(path) if r.outcome is Outcome.FAILED]
    assert all(r.attempts[0].trace.count("\n\tat ") >= 25 for r in failed)
    assert all(r.stdout for r in failed)


