"""Each cluster kind, its label and its suggestion, on hand-made failures of one build."""

from __future__ import annotations

from flaky_builders import failure, number_after, runs

from triage.domain import Outcome
from triage.flakiness.clusters import MASS_MIN, mass_signatures, triage_build
from triage.flakiness.model import (
    NOISE,
    REAL,
    UNSURE,
    BuildContext,
    PastVerdict,
    Run,
    SignatureSpread,
)

CLEAN = "P" * 60
NUMBER = number_after(CLEAN)


def build(failures, spreads=None, number=NUMBER):
    return triage_build(BuildContext("app", number, "f" * 40), failures, spreads)


def outage(
    count,
    message="Connection refused: db:5432",
    type_="java.net.ConnectException",
    history=CLEAN,
    sig="OUT",
    module="billing",
):
    return [
        failure(
            history,
            test_id=100 + i,
            sig=sig,
            message=message,
            type_=type_,
            classname=f"com.acme.{module}.Case{i}Test",
            name="test",
        )
        for i in range(count)
    ]


def test_one_infrastructure_error_across_many_tests_is_one_noise_cluster():
    result = build(outage(23) + [failure(CLEAN, test_id=1, sig="OWN")])
    assert [c.kind for c in result.clusters] == ["new", "outage"]  # what is real comes first
    cluster = result.clusters[1]
    assert cluster.id == "sig-OUT"
    assert cluster.suggestion == NOISE
    assert (
        cluster.label == "Same error in 23 tests of com.acme.billing: Connection refused: db:5432"
    )
    assert all(m.suggestion == NOISE for m in cluster.members)
    assert (
        cluster.members[0].reasons[0] == "same error in 23 tests of this build of com.acme.billing"
    )
    assert result.clusters[0].suggestion == REAL  # the unrelated new failure is never hidden


def test_fewer_tests_than_the_threshold_are_not_an_outage():
    result = build(outage(MASS_MIN - 1))
    assert {c.kind for c in result.clusters} == {"new"}
    assert all(t.suggestion == REAL for t in result.failures)


def test_an_unknown_error_in_many_tests_is_unsure_not_noise():
    result = build(
        outage(
            8,
            message="Cannot invoke Repo.find() because repo is null",
            type_="java.lang.NullPointerException",
        )
    )
    assert result.clusters[0].suggestion == UNSURE


def test_an_unknown_error_that_struck_many_tests_before_and_went_away_is_noise():
    spread = {"OUT": SignatureSpread("OUT", ((12, 30), (40, 1)))}
    result = build(
        outage(8, message="Gradle worker daemon disappeared", type_="GradleException"), spread
    )
    assert result.clusters[0].suggestion == NOISE
    assert "struck many tests in #12" in result.clusters[0].members[0].reasons[1]


def test_a_mass_failure_lasting_several_builds_is_a_regression():
    result = build(
        outage(
            8,
            message="Cannot invoke Repo.find()",
            type_="java.lang.NullPointerException",
            history=CLEAN + "FF",
        ),
        number=NUMBER + 2,
    )
    assert result.clusters[0].suggestion == REAL
    assert "failing since" in result.clusters[0].members[0].reasons[1]


def test_an_outage_lasting_three_builds_is_no_longer_called_noise():
    result = build(outage(8, history=CLEAN + "FF"), number=NUMBER + 2)
    assert result.clusters[0].suggestion == UNSURE
    one_more = build(outage(8, history=CLEAN + "F"), number=NUMBER + 1)
    assert one_more.clusters[0].suggestion == NOISE


def test_a_member_marked_real_stays_out_of_the_outage():
    items = outage(6)
    items[0].verdicts = (PastVerdict(50, "OUT", REAL, "bob", 1),)
    result = build(items)
    kinds = {c.kind: c for c in result.clusters}
    assert len(kinds["outage"].members) == 5
    assert kinds["marked-real"].suggestion == REAL


def test_regressions_are_grouped_by_the_build_they_started_in():
    since_62 = [failure(CLEAN + "PFF", test_id=i, sig=f"R{i}") for i in (1, 2)]
    since_63 = [failure(CLEAN + "PPF", test_id=3, sig="R3")]
    result = build(since_62 + since_63, number=NUMBER + 3)
    by_id = {c.id: c for c in result.clusters}
    assert by_id["since-62"].label == "Failing since #62 (2 tests)"
    assert by_id["since-63"].label == "Failing since #63 (1 test)"
    assert by_id["since-62"].suggestion == REAL


def test_known_flaky_failures_form_one_noise_cluster():
    history = ("P" * 12 + "F") * 4 + "PP"
    items = [failure(history, test_id=i, sig=f"F{i}", name=f"t{i}") for i in range(3)]
    result = triage_build(BuildContext("app", number_after(history)), items)
    (cluster,) = result.clusters
    assert (cluster.id, cluster.label, cluster.suggestion) == (
        "flaky",
        "Known flaky (3 tests)",
        NOISE,
    )


def test_passes_on_the_same_commit_join_the_noise_cluster():
    sha = "a" * 40
    item = failure(CLEAN, same_revision=(Run(60, Outcome.PASSED, sha),))
    (cluster,) = build([item]).clusters
    assert cluster.label == "Passed on the same commit (1 test)"


def test_new_failures_are_never_hidden():
    (cluster,) = build(
        [failure(CLEAN, test_id=i, sig=f"N{i}", name=f"t{i}") for i in range(3)]
    ).clusters
    assert (cluster.id, cluster.suggestion) == ("new", REAL)


def test_a_flaky_test_with_a_new_error_is_suspicious():
    history = ("P" * 10 + "R") * 5
    item = failure(history, history_sig="USUAL", sig="NEW")
    (cluster,) = triage_build(BuildContext("app", number_after(history)), [item]).clusters
    assert cluster.id == "suspicious"
    assert cluster.suggestion != NOISE


def test_a_cluster_takes_its_safest_members_suggestion():
    noisy = ("P" * 10 + "R") * 5 + "P" * 4
    items = [
        failure(noisy + "F", test_id=1, sig="A"),  # known flaky, twice in a row: unsure
        failure(noisy + "P", test_id=2, sig="NEW", history_sig="B"),  # flaky, new error: real
    ]
    result = triage_build(BuildContext("app", number_after(noisy + "F")), items)
    (cluster,) = result.clusters
    assert cluster.kind == "suspicious"
    assert sorted(m.suggestion for m in cluster.members) == [REAL, UNSURE]
    assert cluster.suggestion == REAL


def test_fifty_failures_become_a_few_decisions():
    flaky_history = ("P" * 12 + "F") * 4 + "PPPPPPP" + "P"
    items = outage(40)
    items += [failure(flaky_history, test_id=200 + i, sig=f"F{i}") for i in range(6)]
    items += [
        failure(CLEAN[: len(flaky_history) - 3] + "PFF", test_id=300 + i, sig=f"R{i}")
        for i in range(4)
    ]
    result = triage_build(BuildContext("app", number_after(flaky_history)), items)
    assert len(result.failures) == 50
    assert len(result.clusters) == 3


def test_mass_signatures_counts_distinct_tests():
    assert mass_signatures(outage(MASS_MIN)) == ["OUT"]
    assert mass_signatures(outage(MASS_MIN - 1)) == []


def test_every_failure_gets_a_cluster_and_the_order_is_stable():
    items = outage(6) + [
        failure(CLEAN, test_id=1, sig="X", name="a"),
        failure(CLEAN + "", test_id=2, sig="Y", name="b"),
    ]
    first = build(items)
    second = build(list(reversed(items)))
    assert all(t.cluster_id for t in first.failures)
    assert [c.id for c in first.clusters] == [c.id for c in second.clusters]
    assert [m.failure.test for m in first.clusters[1].members] == [
        m.failure.test for m in second.clusters[1].members
    ]


def test_runs_builder_sanity():
    assert [r.outcome.letter for r in runs("PF.R")] == ["P", "F", "R"]


def test_a_wide_break_stays_real_even_though_outage_runs_leave_the_flakiness_evidence():
    # Found by the quality replay: builds where the error struck many tests are left out of
    # each test's flakiness evidence, but they must still count for "failing since #N".

    items = outage(
        8,
        message="Cannot invoke Repo.find()",
        type_="java.lang.NullPointerException",
        history=CLEAN + "FF",
    )
    for item in items:
        item.history = tuple(r._replace(mass=r.failed) for r in item.history)
    spread = {"OUT": SignatureSpread("OUT", ((NUMBER, 8), (NUMBER + 1, 8)))}
    result = build(items, spread, number=NUMBER + 2)
    assert result.clusters[0].suggestion == REAL
    assert all(m.suggestion == REAL for m in result.clusters[0].members)


def test_an_outage_member_with_a_clean_history_is_not_called_a_new_failure():
    result = build(outage(6))
    reasons = result.clusters[0].members[0].reasons
    assert reasons[-1] == "had not failed in 60 earlier runs"
    assert not any(r.startswith("new failure") for r in reasons)


def test_an_outage_member_keeps_its_own_flaky_history():
    items = outage(6)
    items[0].history = runs(("F" + "P" * 12) * 4, sig="OTHER")
    reasons = next(m for m in build(items).failures if m.failure.test_id == 100).reasons
    assert "failed 4 of 52 earlier runs (7.7%; likely 3.0%–18.2%)" in reasons


def test_suspicious_clusters_say_which_kind_of_odd():
    flaky = ("P" * 10 + "R") * 5
    new_error = failure(flaky, history_sig="USUAL", sig="NEW")
    (cluster,) = triage_build(BuildContext("app", number_after(flaky)), [new_error]).clusters
    assert cluster.label == "Flaky, but failing with an error new for it (1 test)"
    twice = failure(("P" * 10 + "F") * 5 + "P" * 5 + "F", sig="S")
    number = number_after(("P" * 10 + "F") * 5 + "P" * 5 + "F")
    (cluster,) = triage_build(BuildContext("app", number), [twice]).clusters
    assert cluster.label == "Flaky, but failing several builds in a row (1 test)"
    assert cluster.suggestion == UNSURE


def test_an_outage_member_never_contradicts_the_group():
    # Found on the benchmark history: a flaky test caught in an outage said "treat as real"
    # next to the group's noise.
    items = outage(6)
    items[0].history = runs(("F" + "P" * 9) * 5, sig="USUAL")
    member = next(m for m in build(items).failures if m.failure.test_id == 100)
    assert member.suggestion == NOISE
    assert not any("real" in r or r.startswith("new ") for r in member.reasons)
    assert member.reasons[2].startswith("failed 5 of 50 earlier runs")


def test_an_outage_member_failing_for_builds_says_since_when():
    items = outage(6, history=CLEAN + "F")
    member = build(items, number=NUMBER + 1).failures[0]
    assert "failing since #61 (2 builds in a row)" in member.reasons
