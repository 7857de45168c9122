"""Every figure of the report against hand-built histories, expected numbers worked out here.

Each history is a real SQLite file written through the importer, the decision store and
`triage mark`; the report is built with `build_report` as the CLI and the app call it.
"""

from __future__ import annotations

import pytest

from tests.report_builders import HistoryBuilder, full_name, ms
from triage.report import ReportFilters, build_report
from triage.report.model import BuildRef

A, B, X, Y = (full_name(k) for k in "ABXY")
CLOCK = 1_800_000_000.0  # 2027-01-15T08:00:00Z


def report(store, **filters):
    return build_report(store, ReportFilters(**filters), clock=lambda: CLOCK)


@pytest.fixture
def flaky_job(store):
    """Six builds of `app`: A flaky (fails, passes on the same commit, passes on a rerun),
    B failing three builds in a row after passing on that commit, C always green.

    #1 a1 P P P | #2 b2 F P P | #3 b2 P F P | #4 c3 R F P | #5 d4 P F P | #6 e5 F S P
    """
    h = HistoryBuilder(store)
    rows = [("a1", "PPP"), ("b2", "FPP"), ("b2", "PFP"), ("c3", "RFP"), ("d4", "PFP"),
            ("e5", "FSP")]
    for number, (revision, letters) in enumerate(rows, 1):
        h.build("app", number, f"2026-11-0{number + 1}T10:00", dict(zip("ABC", letters, strict=True)),
                revision=revision, duration_s=900 if number == 6 else 600)
    h.decide("app", 6, paused="2026-11-07T10:10", at="2026-11-07T10:30", action="abort")
    h.mark("app", 6, "A", "real", note="broke the build")
    return store


def test_flakiest_tests_counts_rates_and_builds(flaky_job):
    data = report(flaky_job)
    rows = {r.test: r for r in data.tests}
    assert list(rows) == [A, B]  # C never failed; A is the flakier
    a, b = rows[A], rows[B]
    # A: P F P R P F -> 6 runs, 2 failures, 1 pass on rerun; flips 0>1, 1>0, 0>1 = 3;
    # failed in #2 and passed in #3 on commit b2 = 1 contradiction.
    assert (a.runs, a.failures, a.passed_on_rerun, a.flips, a.same_commit_contradictions) == (
        6, 2, 1, 3, 1)
    assert a.failure_rate == 0.3333
    assert a.failure_rate_interval == (0.0968, 0.7)  # Wilson, n = 6, p = 1/3, z = 1.96
    # B: P P F F F S -> 5 runs (the skip is not a run), 3 failures, one flip, passed in #2
    # and failed in #3 on commit b2.
    assert (b.runs, b.failures, b.passed_on_rerun, b.flips, b.same_commit_contradictions) == (
        5, 3, 0, 1, 1)
    assert b.failure_rate == 0.6 and b.failure_rate_interval == (0.2307, 0.8824)
    assert (a.rank, b.rank) == (1, 2) and (a.server, a.job) == ("local", "app")


def test_flakiest_tests_scores_are_the_engines(flaky_job):
    a, b = report(flaky_job).tests
    # B's only sign of flakiness is one commit it both passed and failed on: 1 - (1 - 0.9).
    assert b.score == 0.9
    # A adds a rerun pass in #4 (weight 0.75) and a failure in #2 that went away (weight
    # 0.4), each fading with a half-life of 150 builds, seen from build 7.
    keep = 0.1 * (1 - 0.75 * 0.5 ** (3 / 150)) * (1 - 0.4 * 0.5 ** (5 / 150))
    assert a.score == round(1 - keep, 3) == 0.984


def test_flakiest_tests_first_last_red_held_ci_time_and_verdicts(flaky_job):
    a, b = report(flaky_job).tests
    sha = "b2" * 20
    assert a.first_flaked == BuildRef("local", "app", 2, "2026-11-03T10:00:00Z", sha)
    assert a.last_flaked == BuildRef("local", "app", 6, "2026-11-07T10:00:00Z", "e5" * 20)
    assert b.first_flaked.build == 3 and b.last_flaked.build == 5
    # A made #2 (600 s) and #6 (900 s) red; #6 paused at an input.
    assert (a.red_builds, a.held_builds, a.ci_time_s) == (2, 1, 1500.0)
    assert (b.red_builds, b.held_builds, b.ci_time_s) == (3, 0, 1800.0)
    assert a.verdicts == {"real": 1, "noise": 0} and b.verdicts == {"real": 0, "noise": 0}
    # A #2 passed on its commit in #3, but the real mark on A's error in #6 pins that error
    # real (as `triage failures` says today). B #3 passed on its commit in #2: noise; B #4
    # and #5 fail build after build: real.
    assert (a.noise_failures, b.noise_failures) == (0, 1)


def test_summary_held_builds_and_signatures(flaky_job):
    data = report(flaky_job)
    s = data.summary
    assert (s.builds, s.red_builds, s.failures, s.noise, s.noise_share) == (6, 5, 5, 1, 0.2)
    assert (s.flaky_tests, s.tests_failing) == (2, 2)  # A passed on a rerun; B had noise
    assert (s.first_build_at, s.last_build_at) == ("2026-11-02T10:00:00Z", "2026-11-07T10:00:00Z")
    # Only #3 (B's noise) failed with noise alone; every other red build had a real failure.
    (held,) = data.held_builds
    assert (held.build.build, held.failures, held.paused, held.wait_s) == (3, 1, False, None)
    assert (s.noise_only_builds, s.noise_only_ci_time_s, s.noise_only_wait_s) == (1, 600.0, 0.0)
    # One signature per test; only B's caused noise (1 of its 3 failures, in 3 builds).
    (sig,) = data.signatures
    assert (sig.failures, sig.noise, sig.tests, sig.builds) == (3, 1, 1, 3)
    assert (sig.first_seen.build, sig.last_seen.build) == (3, 5)
    assert sig.message == "B broke in #5" and sig.jobs == ("app",)


def test_a_noise_suggestion_marked_real_is_listed_as_the_dangerous_disagreement(flaky_job):
    hitl = report(flaky_job).hitl
    # Without any mark the engine calls A's failure in #6 noise: known flaky (score >= 0.6
    # over 5 earlier runs) with the same error as in #2. Alice marked it real.
    agreement = hitl.agreement
    assert agreement.matrix["noise"] == {"real": 1, "noise": 0}
    assert (agreement.verdicts, agreement.agreed, agreement.share) == (1, 0, 0.0)
    (danger,) = agreement.noise_marked_real
    assert (danger.test, danger.build.build, danger.who, danger.note) == (
        A, 6, "alice", "broke the build")
    # The one decision aborted a build holding that real failure, 20 minutes after it paused.
    e = hitl.effectiveness
    assert (e.decisions, e.aborted_with_real, e.aborted_with_real_share) == (1, 1, 1.0)
    assert hitl.time_to_decision_s.median == 1200.0


def test_weeks_are_iso_weeks_across_a_year_boundary_with_gaps_kept(store):
    h = HistoryBuilder(store)
    h.build("app", 1, "2026-12-27T12:00", {"X": "P", "Y": "P"})  # Sunday: 2026-W52
    h.build("app", 2, "2026-12-28T09:00", {"X": "F", "Y": "P"})  # Monday: 2026-W53
    h.build("app", 3, "2026-12-31T23:30", {"X": "P", "Y": "R"})  # 2026-W53
    h.build("app", 4, "2027-01-01T00:30", {"X": "F", "Y": "F"})  # 2026-W53 still
    h.build("app", 5, "2027-01-05T10:00", {"X": "P", "Y": "P"})  # 2027-W01
    h.build("app", 6, "2027-01-19T10:00", {"X": "F", "Y": "P"})  # 2027-W03 (W02 empty)
    for number, key, verdict in ((2, "X", "noise"), (4, "X", "noise"), (4, "Y", "real"),
                                 (6, "X", "real")):
        h.mark("app", number, key, verdict)
    h.decide("app", 4, paused="2027-01-01T00:40", at="2027-01-01T01:00")
    h.decide("app", 99, paused="2027-01-12T10:00", at="2027-01-12T10:05")  # build not stored
    weeks = report(store).weeks
    assert [(w.week, w.start) for w in weeks] == [
        ("2026-W52", "2026-12-21"), ("2026-W53", "2026-12-28"), ("2027-W01", "2027-01-04"),
        ("2027-W02", "2027-01-11"), ("2027-W03", "2027-01-18")]
    rows = [(w.builds, w.red_builds, w.failures, w.noise, w.noise_share, w.flaky_tests)
            for w in weeks]
    # W53: #2 X noise, #4 X noise and Y real -> 3 failures, 2 noise; flaky: X (noise) and
    # Y (passed on rerun in #3).
    assert rows == [(1, 0, 0, 0, None, 0), (3, 2, 3, 2, 0.6667, 2), (1, 0, 0, 0, None, 0),
                    (0, 0, 0, 0, None, 0), (1, 1, 1, 0, 0.0, 0)]
    per_week = report(store).hitl.interventions.per_week
    # #4 counts in its build's week; #99, not stored, in the week it paused.
    assert [(w.week, w.builds) for w in per_week] == [
        ("2026-W52", 0), ("2026-W53", 1), ("2027-W01", 0), ("2027-W02", 1), ("2027-W03", 0)]


def test_time_to_decision_from_stored_pause_and_decision_times(store):
    h = HistoryBuilder(store)
    for number in range(1, 9):
        h.build("gate", number, f"2026-11-{number + 9}T08:00", {"A": "P"})
    # Waits of 60 s, 120 s, 5 min, 10 min and 1 h; #6's clocks disagree (decided "before" it
    # paused: a wait of 0); #7 was answered by someone else first; #8 has no pause time.
    waits = {1: "08:11:00", 2: "08:12:00", 3: "08:15:00", 4: "08:20:00", 5: "09:10:00",
             6: "08:09:00"}
    for number, decided in waits.items():
        day = f"2026-11-{number + 9}"
        h.decide("gate", number, paused=f"{day}T08:10", at=f"{day}T{decided}")
    h.decide("gate", 7, paused="2026-11-16T08:10", at="2026-11-16T08:30",
             outcome="already-decided")
    h.decide("gate", 8, paused=None, at="2026-11-17T09:00")
    hitl = report(store).hitl
    assert hitl.decisions == 8
    assert hitl.decision_outcomes == {"already-decided": 1, "ok": 7}
    t = hitl.time_to_decision_s
    # Sorted: 0, 60, 120, 300, 600, 3600. Median between the 3rd and 4th: (120 + 300) / 2.
    # p90 at rank 0.9 * 5 = 4.5: 600 + 0.5 * (3600 - 600). Mean 4680 / 6.
    assert (t.count, t.median, t.p90, t.mean) == (6, 210.0, 2100.0, 780.0)
    assert [(w.build.build, w.wait_s) for w in hitl.longest_waits][:3] == [
        (5, 3600.0), (4, 600.0), (3, 300.0)]
    assert hitl.longest_waits[0].paused_at == "2026-11-14T08:10:00Z"
    assert hitl.interventions.builds == 8
    assert (hitl.interventions.auto_approved, hitl.interventions.gate_builds) == (0, {})


def test_effectiveness_judges_each_applied_decision_by_its_builds_failures(store):
    h = HistoryBuilder(store)
    h.build("rel", 1, "2026-11-02T08:00", {"A": "F", "B": "P"})
    h.build("rel", 2, "2026-11-03T08:00", {"A": "P", "B": "F"})
    h.build("rel", 3, "2026-11-04T08:00", {"A": "P", "B": "P"})
    h.build("rel", 4, "2026-11-05T08:00", {"A": "F", "B": "P"})
    h.build("rel", 5, "2026-11-06T08:00", {"A": "P", "B": "F"})
    for number, key, verdict in ((1, "A", "real"), (2, "B", "noise"), (4, "A", "real"),
                                 (5, "B", "noise")):
        h.mark("rel", number, key, verdict)
    decided = [(1, "abort", "Release", "ok"), (2, "proceed", "Release", "ok"),
               (3, "proceed", "Release", "ok"), (3, "proceed", "Migrate", "ok"),
               (4, "refused", "Release", "refused"), (4, "proceed", "Release", "ok"),
               (5, "abort", "Release", "ok"), (9, "proceed", "Release", "ok")]
    for number, action, input_id, outcome in decided:
        h.decide("rel", number, paused=f"2026-11-0{min(number, 8) + 1}T08:30",
                 at=f"2026-11-0{min(number, 8) + 1}T09:00",
                 action="proceed" if action == "refused" else action, input_id=input_id,
                 outcome=outcome)
    hitl = report(store).hitl
    e = hitl.effectiveness
    # Applied decisions on stored builds: #1 abort (real), #2 proceed (noise only), #3 twice
    # proceed (no failure), #4 proceed (real), #5 abort (noise only); #9 is not stored.
    assert (e.decisions, e.unknown) == (6, 1)
    assert (e.aborted_with_real, e.proceeded_with_nothing_real, e.proceeded_with_real,
            e.aborted_with_nothing_real) == (1, 3, 1, 1)
    assert (e.aborted_with_real_share, e.proceeded_with_nothing_real_share) == (0.1667, 0.5)
    # Six builds needed a person; #3's two inputs count once, #4's refusal adds nothing.
    assert hitl.interventions.builds == 6
    assert hitl.decision_outcomes == {"ok": 7, "refused": 1}


def test_a_job_on_two_servers_stays_two_jobs(store):
    h = HistoryBuilder(store)
    for server, letters in (("ci-a", "PF"), ("ci-b", "PP")):
        for number, letter in enumerate(letters, 1):
            h.build("app", number, f"2026-11-0{number}T08:00", {"A": letter}, server=server)
    h.decide("app", 2, paused="2026-11-02T08:20", at="2026-11-02T08:30", server="ci-a")
    h.decide("app", 2, paused="2026-11-02T08:20", at="2026-11-02T08:50", server="ci-b",
             action="abort")
    data = report(store)
    assert [(j.server, j.job, j.builds, j.failures) for j in data.jobs] == [
        ("ci-a", "app", 2, 1), ("ci-b", "app", 2, 0)]
    assert [(t.server, t.test, t.held_builds) for t in data.tests] == [("ci-a", A, 1)]
    e = data.hitl.effectiveness
    # ci-a #2 failed once with too little history to call it real; ci-b #2 had no failure.
    assert (e.proceeded_with_nothing_real, e.aborted_with_nothing_real) == (1, 1)
    t = data.hitl.time_to_decision_s
    assert (t.count, t.median, t.p90, t.mean) == (2, 1200.0, 1680.0, 1200.0)
    only_b = report(store, server="ci-b")
    assert [j.server for j in only_b.jobs] == ["ci-b"] and only_b.tests == ()
    assert only_b.hitl.time_to_decision_s.median == 1800.0
    assert only_b.hitl.effectiveness.aborted_with_nothing_real == 1
    assert [j.server for j in report(store, jobs=("app",)).jobs] == ["ci-a", "ci-b"]


def test_branch_and_date_filters_choose_builds_and_decisions(store):
    h = HistoryBuilder(store)
    h.build("app", 1, "2026-11-01T08:00", {"A": "F"}, branch="main")
    h.build("app", 2, "2026-11-02T08:00", {"A": "F"}, branch="dev")
    h.build("app", 3, "2026-11-03T08:00", {"A": "P"}, branch="main")
    h.build("app", 4, None, {"A": "F"}, branch="main")  # no start time
    h.decide("app", 2, paused="2026-11-02T08:10", at="2026-11-02T08:20")
    h.decide("app", 7, paused="2026-11-02T09:00", at="2026-11-02T09:10")  # not stored
    main = report(store, branch="main")
    assert (main.summary.builds, main.summary.failures) == (3, 2)
    assert main.hitl.decisions == 0  # #2 is on dev; #7's branch cannot be known
    assert "1 builds have no start time" in " ".join(main.notes)
    since = report(store, since_ms=ms("2026-11-02T00:00"), until_ms=ms("2026-11-03T00:00"))
    assert (since.summary.builds, since.summary.failures, since.hitl.decisions) == (1, 1, 2)
    assert report(store, branch="nope").notes == ("No stored build matches these filters.",)


def test_the_gate_counts_the_builds_it_let_through_that_nobody_decided(store):
    h = HistoryBuilder(store)
    for number in range(1, 6):
        h.build("app", number, f"2026-11-0{number + 1}T08:00", {"A": "P"})
    h.build("other", 1, "2026-11-02T08:00", {"A": "P"})
    # #1 passed; #2 asked and a person decided; #3 passed but a person decided anyway; #4
    # asked, then passed after a rerun (the newest counts); #5 failed to decide; #9 passed
    # before its results were stored; `other` is not in the report.
    for job, number, outcome, day in (("app", 1, "pass", 2), ("app", 2, "ask", 3),
                                      ("app", 3, "pass", 4), ("app", 4, "ask", 5),
                                      ("app", 4, "pass", 5), ("app", 5, "error", 6),
                                      ("app", 9, "pass", 9), ("other", 1, "pass", 2)):
        h.gate(job, number, outcome, at=f"2026-11-0{day}T08:0{number}")
    h.decide("app", 2, paused="2026-11-03T08:10", at="2026-11-03T08:20")
    h.decide("app", 3, paused="2026-11-04T08:10", at="2026-11-04T08:20")
    interventions = report(store, jobs=("app",)).hitl.interventions
    assert (interventions.builds, interventions.auto_approved) == (2, 3)  # #1, #4 and #9
    assert interventions.gate_builds == {"ask": 1, "error": 1, "pass": 4}
    # #1-#5 started in 2026-W45; #9 is not stored, so it counts when the gate ran: Monday
    # 2026-11-09, the next week.
    assert [(w.week, w.builds, w.auto_approved) for w in interventions.per_week] == [
        ("2026-W45", 2, 2), ("2026-W46", 0, 1)]
    everything = report(store).hitl.interventions
    assert everything.auto_approved == 4 and everything.gate_builds["pass"] == 5
