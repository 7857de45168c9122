"""The human in the loop: how long builds waited for a person, how often one was asked, whether
the decision changed anything, and how often people overruled the engine.

From the stored decisions (each with the time its build paused and the time of the decision)
and the marks on failures. Only decisions Jenkins applied (`outcome` ok) are timed and judged:
one another user answered first, or Jenkins refused, says nothing about our user's pace.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from triage.flakiness.model import NOISE, REAL, SUGGESTIONS
from triage.report.collect import Collected, DecisionFacts, GateFacts
from triage.report.model import (
    Agreement,
    BuildRef,
    Disagreement,
    Effectiveness,
    Hitl,
    Interventions,
    InterventionWeek,
    Wait,
)
from triage.report.stats import iso_time, monday_of, share, time_stats, week_label
from triage.store import gates
from triage.store.decisions import Decision

LONGEST_WAITS = 10


def paused_builds(decisions: list[DecisionFacts]) -> dict[tuple[str, str, int], list[Decision]]:
    """Return {(server, job, build): its decisions, oldest first}: the builds a person decided."""
    found: dict[tuple[str, str, int], list[Decision]] = defaultdict(list)
    for facts in decisions:
        d = facts.decision
        found[(d.server, d.job, d.build)].append(d)
    return found


def hitl(collected: Collected, span: list) -> Hitl:
    """Return the human-in-the-loop section for the collected window."""
    decisions = collected.decisions
    applied = [f for f in decisions if f.decision.outcome == "ok"]
    timed = [f for f in applied if f.decision.paused_at is not None]
    return Hitl(
        decisions=len(decisions),
        decision_outcomes=dict(sorted(Counter(f.decision.outcome for f in decisions).items())),
        time_to_decision_s=time_stats([_wait_ms(f.decision) / 1000 for f in timed]),
        interventions=_interventions(decisions, collected.gate, span),
        effectiveness=_effectiveness(collected, applied),
        agreement=_agreement(collected),
        longest_waits=_longest(timed),
    )


def _wait_ms(decision: Decision) -> int:
    # Pause times come from Jenkins' clock, decision times from ours: a skewed clock must not
    # make a wait negative.
    return max(0, decision.at - decision.paused_at)


def _ref(facts: DecisionFacts) -> BuildRef:
    d, build = facts.decision, facts.build
    if build is None:
        return BuildRef(d.server, d.job, d.build, None, None)
    return BuildRef(d.server, d.job, d.build, iso_time(build.timestamp), build.revision)


def counted_at(record: DecisionFacts | GateFacts) -> int:
    """Return when a decision counts (epoch ms): its build's start when stored, as for every
    other figure, else when the build paused (a person's decision) or the gate ran."""
    build, decision = record.build, record.decision
    if build is not None and build.timestamp is not None:
        return build.timestamp
    if isinstance(record, GateFacts):
        return decision.at
    return decision.paused_at if decision.paused_at is not None else decision.at


def _interventions(decisions: list[DecisionFacts], gate: list[GateFacts], span: list
                   ) -> Interventions:
    """Count paused builds a person decided (several inputs of one build count once), and the
    builds the gate let through that nobody had to decide: the interventions it saved.

    The gate may run several times on a build (after a rerun); its newest decision counts.
    """
    people = {(f.decision.server, f.decision.job, f.decision.build): f for f in decisions}
    newest = {(g.decision.server, g.decision.job, g.decision.build): g for g in gate}
    saved = {key: g for key, g in newest.items()
             if g.decision.outcome == gates.PASS and key not in people}
    weekly = {monday: [0, 0] for monday in span}
    for f in people.values():
        weekly[monday_of(counted_at(f))][0] += 1
    for g in saved.values():
        weekly[monday_of(counted_at(g))][1] += 1
    return Interventions(
        builds=len(people),
        auto_approved=len(saved),
        gate_builds=dict(sorted(Counter(g.decision.outcome for g in newest.values()).items())),
        per_week=tuple(
            InterventionWeek(week_label(m), m.isoformat(), people_n, auto_n)
            for m, (people_n, auto_n) in weekly.items()
        ),
    )


def _effectiveness(collected: Collected, applied: list[DecisionFacts]) -> Effectiveness:
    """Judge each applied decision by the failures of its build (mark, else suggestion)."""
    real_builds = set()
    for job in collected.jobs:
        numbers = {b.id: b.number for b in job.builds}
        real_builds.update(
            (job.ref.server, job.ref.name, numbers[f.build_id])
            for f in job.failures if f.judged == REAL
        )
    counts = Counter()
    for facts in applied:
        d = facts.decision
        if not facts.has_results:
            counts["unknown"] += 1
            continue
        real = (d.server, d.job, d.build) in real_builds
        counts[(d.action, real)] += 1
    judged = sum(n for k, n in counts.items() if k != "unknown")
    return Effectiveness(
        decisions=judged,
        unknown=counts["unknown"],
        aborted_with_real=counts[("abort", True)],
        proceeded_with_nothing_real=counts[("proceed", False)],
        proceeded_with_real=counts[("proceed", True)],
        aborted_with_nothing_real=counts[("abort", False)],
        aborted_with_real_share=share(counts[("abort", True)], judged),
        proceeded_with_nothing_real_share=share(counts[("proceed", False)], judged),
    )


def _agreement(collected: Collected) -> Agreement:
    """Compare each mark with the engine's own suggestion for that failure (made without any
    mark, so a mark cannot agree with itself through the engine)."""
    matrix = {s: {REAL: 0, NOISE: 0} for s in SUGGESTIONS}
    dangerous = []
    for job in collected.jobs:
        numbers = {b.id: b for b in job.builds}
        for f in job.failures:
            if f.verdict is None or f.alone is None:
                continue
            matrix[f.alone][f.verdict] += 1
            if f.alone == NOISE and f.verdict == REAL:
                build = numbers[f.build_id]
                classname, name = next((c, n) for t, c, n, _ in job.tests if t == f.test_id)
                dangerous.append(Disagreement(
                    BuildRef(job.ref.server, job.ref.name, build.number,
                             iso_time(build.timestamp), build.revision),
                    f"{classname}.{name}" if classname else name, f.verdict_who, f.verdict_note,
                ))
    agreed = matrix[REAL][REAL] + matrix[NOISE][NOISE]
    decided = sum(matrix[REAL].values()) + sum(matrix[NOISE].values())
    return Agreement(
        verdicts=sum(sum(row.values()) for row in matrix.values()),
        agreed=agreed,
        share=share(agreed, decided),
        matrix=matrix,
        noise_marked_real=tuple(sorted(dangerous, key=lambda d: (d.test, d.build.job,
                                                                 d.build.build))),
        real_marked_noise=matrix[REAL][NOISE],
    )


def _longest(timed: list[DecisionFacts]) -> tuple[Wait, ...]:
    ordered = sorted(timed, key=lambda f: (-_wait_ms(f.decision), f.decision.at))
    return tuple(
        Wait(
            build=_ref(f), input_id=f.decision.input_id, message=f.decision.message,
            action=f.decision.action, who=f.decision.who,
            paused_at=iso_time(f.decision.paused_at), decided_at=iso_time(f.decision.at),
            wait_s=round(_wait_ms(f.decision) / 1000, 3),
        )
        for f in ordered[:LONGEST_WAITS]
    )
