"""The gate's Markdown summary: one telling first line, capped, nothing left out silently."""

from __future__ import annotations

import re

from gate_histories import STABLE, add_build, failed, flaky_history, names, scattered

from triage.gate import judge
from triage.gate_summary import LIMIT


def test_a_build_with_many_clusters_is_capped_and_says_what_it_left_out(store):
    # Twenty tests start failing one build apart: twenty "failing since #N" clusters.
    broken = names("brokenBecauseOfAVeryLongAndDescriptiveTestNameThatGoesOnAndOn", 20)
    tests = [*STABLE, *broken]
    for n in range(1, 46):
        failing = {b: failed(b, f"expected:<{i}> but was:<{i + 1}>")
                   for i, b in enumerate(broken) if n >= 25 + i}
        add_build(store, n, failing, tests=tests)
    result = judge(store, "app", 45)
    assert len(result.clusters) == 20
    summary = result.summary
    assert len(summary) <= LIMIT
    shown = re.findall(r"^- \[since-\d+\]", summary, re.M)
    left = re.search(r"^- \.\.\. and (\d+) more clusters \((\d+) failures\) left out", summary,
                     re.M)
    assert left, summary
    assert len(shown) + int(left.group(1)) == 20
    assert int(left.group(2)) == int(left.group(1))  # one test per cluster here
    first = summary.splitlines()[0]
    assert first.startswith("triage gate: a human must decide on app #45 (")
    assert "all 20 failures need a human: 20 suggested real" in first
    assert summary.rstrip().endswith("`triage failures --job app --build 45`")


def test_names_with_control_characters_cannot_break_the_markdown(store):
    odd = "odd\nname`with\u202ebidi"
    flaky_history(store, 25, {}, tests=[*STABLE, odd])
    add_build(store, 26, {odd: failed(odd, "expected:<1>\n# not a heading")},
              tests=[*STABLE, odd])
    summary = judge(store, "app", 26).summary
    assert "odd name'with bidi" in summary
    assert "\u202e" not in summary and "\n# not a heading" not in summary
    assert all(line == "" or line.startswith(("triage gate:", "- ", "  - ", "Failures", "Gate",
                                              "Details", "Also"))
               for line in summary.splitlines()), summary


def test_a_passing_summary_is_short_and_names_the_evidence(store):
    flaky_history(store, 30, {"flakyA": scattered(2, 30)})
    add_build(store, 31, {"flakyA": failed("flakyA")}, tests=[*STABLE, "flakyA"])
    summary = judge(store, "app", 31).summary
    assert summary.splitlines()[0] == (
        "triage gate: no human needed on app #31 (0000000): the failure is noise (known "
        "flaky with this error).")
    assert "  - `CartTest.flakyA` noise (known flaky with this error)" in summary
    assert "Gate rules: default policy (max_noise 10, min_history 20, min_score 0.6)." in summary
