"""Every figure of the report, computed from the collected history without any I/O.

`figures(collected)` is the one place numbers are made: the renderers only format them. The
definitions below are the README's ("Reports") and the JSON schema's.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import pairwise

from triage.domain import Outcome, qualified_name
from triage.flakiness.evidence import gather, same_commit_flips, wilson
from triage.flakiness.model import NOISE, FailureInput
from triage.flakiness.signatures import short_message
from triage.report.collect import Collected, JobWindow, JudgedFailure
from triage.report.hitl import counted_at, hitl, paused_builds
from triage.report.model import (
    SCHEMA_VERSION,
    BuildRef,
    HeldBuild,
    JobSummary,
    ReportData,
    SignatureRow,
    Summary,
    TestRow,
    Week,
)
from triage.report.stats import iso_time, monday_of, seconds, share, week_label, weeks_between
from triage.store.reports import BuildFacts

_SKIPPED, _FAILED_RUN, _ERROR_RUN, _FLAKY = (
    Outcome.SKIPPED, Outcome.FAILED, Outcome.ERROR, Outcome.FLAKY)


def figures(collected: Collected) -> ReportData:
    """Return the report's data for what `collect` read."""
    jobs = collected.jobs
    paused = paused_builds(collected.decisions)
    held = [h for job in jobs for h in _held_builds(job, paused)]
    span = _week_span(collected)
    tests = tuple(row for job in jobs for row in _test_rows(job, paused))
    flaky = [_flaky_events(job) for job in jobs]
    return ReportData(
        schema=SCHEMA_VERSION,
        generated_at=iso_time(collected.generated_ms),
        filters=_filters(collected),
        summary=_summary(jobs, held, flaky),
        jobs=tuple(_job_summary(job) for job in jobs),
        tests=tests,
        signatures=_signatures(jobs),
        held_builds=tuple(sorted(held, key=lambda h: (h.build.at or "", h.build.job,
                                                       h.build.build))),
        weeks=_weeks(jobs, span, flaky),
        hitl=hitl(collected, span),
        notes=_notes(collected),
    )


def build_ref(job: JobWindow, build: BuildFacts) -> BuildRef:
    return BuildRef(job.ref.server, job.ref.name, build.number, iso_time(build.timestamp),
                    build.revision)


# --- flakiest tests ---------------------------------------------------------------------------


def _test_rows(job: JobWindow, paused: dict) -> list[TestRow]:
    """Return the job's tests that failed (or passed on rerun) in the window, flakiest first."""
    if not job.builds:
        return []
    failures = defaultdict(list)
    for failure in job.failures:
        failures[failure.test_id].append(failure)
    held = {number for (server, name, number) in paused if (server, name) == _key(job)}
    by_number = {b.number: b for b in job.builds}
    rows = [
        row for test in job.tests
        if (row := _test_row(job, test, failures[test[0]], held, by_number)) is not None
    ]
    rows.sort(key=lambda pair: pair[0])
    return [TestRow(rank=i, **fields) for i, (_, fields) in enumerate(rows, 1)]


def _test_row(job: JobWindow, test, mine: list[JudgedFailure], held: set[int], by_number):
    """Return (sort key, TestRow fields) for one test, or None if it never failed."""
    test_id, classname, name, runs = test
    decisive, flags, failed, flaked = _tally(runs)
    if not flaked:
        return None
    probe = FailureInput(test_id, classname, name, Outcome.PASSED, None, history=runs)
    evidence = gather(probe, job.builds[-1].number + 1)
    red = [by_number[number] for number in failed]
    marks = Counter(f.verdict for f in mine if f.verdict)
    qualified = qualified_name(classname, name)
    key = (-evidence.score, -evidence.flip_rate, -len(failed), qualified)
    return key, dict(
        server=job.ref.server, job=job.ref.name, test=qualified, classname=classname,
        name=name, score=evidence.score, runs=len(decisive), failures=len(failed),
        passed_on_rerun=len(flaked) - len(failed),
        flips=sum(a != b for a, b in pairwise(flags)),
        same_commit_contradictions=len(same_commit_flips(decisive, flags)),
        failure_rate=share(len(failed), len(decisive)),
        failure_rate_interval=_interval(len(failed), len(decisive)),
        first_flaked=build_ref(job, by_number[flaked[0]]),
        last_flaked=build_ref(job, by_number[flaked[-1]]),
        red_builds=len(red), held_builds=sum(b.number in held for b in red),
        ci_time_s=seconds(sum(b.duration or 0 for b in red)),
        noise_failures=sum(f.judged == NOISE for f in mine),
        verdicts={"real": marks["real"], "noise": marks["noise"]},
    )


def _tally(runs):
    """Return the runs that were not skipped, whether each failed, and the build numbers it
    failed in and flaked in (failed, or passed only on a rerun). One pass: runs number in the
    hundreds of thousands."""
    decisive, flags, failed, flaked = [], [], [], []
    for run in runs:
        outcome = run.outcome
        if outcome is _SKIPPED:
            continue
        bad = outcome is _FAILED_RUN or outcome is _ERROR_RUN
        decisive.append(run)
        flags.append(bad)
        if bad:
            failed.append(run.number)
            flaked.append(run.number)
        elif outcome is _FLAKY:
            flaked.append(run.number)
    return decisive, flags, failed, flaked


def _interval(failures: int, runs: int) -> tuple[float, float] | None:
    if not runs:
        return None
    low, high = wilson(failures, runs)
    return (round(low, 4), round(high, 4))


# --- signatures and builds held by noise -------------------------------------------------------


def _signatures(jobs: list[JobWindow]) -> tuple[SignatureRow, ...]:
    """Return the error signatures that caused noise, the most noise first."""
    seen: dict[str, list[tuple[JobWindow, BuildFacts, JudgedFailure]]] = defaultdict(list)
    for job in jobs:
        builds = {b.id: b for b in job.builds}
        for failure in job.failures:
            if failure.signature is not None:
                seen[failure.signature].append((job, builds[failure.build_id], failure))
    rows = []
    for signature, found in seen.items():
        noise = sum(f.judged == NOISE for _, _, f in found)
        if not noise:
            continue
        found.sort(key=lambda item: (item[1].timestamp or 0, item[0].ref.name, item[1].number))
        first, last = found[0], found[-1]
        rows.append(SignatureRow(
            signature=signature, type=last[2].type,
            message=short_message(last[2].type, last[2].message),
            failures=len(found), noise=noise,
            tests=len({(_key(j), f.test_id) for j, _, f in found}),
            builds=len({(_key(j), b.number) for j, b, _ in found}),
            jobs=tuple(sorted({j.ref.name for j, _, _ in found})),
            first_seen=build_ref(first[0], first[1]), last_seen=build_ref(last[0], last[1]),
        ))
    rows.sort(key=lambda r: (-r.noise, -r.builds, -r.failures, r.signature))
    return tuple(rows)


def _held_builds(job: JobWindow, paused: dict) -> list[HeldBuild]:
    """Return the job's red or paused builds whose every failure was noise."""
    by_build = defaultdict(list)
    for failure in job.failures:
        by_build[failure.build_id].append(failure)
    held = []
    for build in job.builds:
        found = by_build.get(build.id)
        if not found or any(f.judged != NOISE for f in found):
            continue
        decisions = paused.get((*_key(job), build.number), [])
        waits = [d.at - d.paused_at for d in decisions
                 if d.outcome == "ok" and d.paused_at is not None]
        held.append(HeldBuild(
            build=build_ref(job, build), result=build.result, failures=len(found),
            paused=bool(decisions), decision=decisions[-1].action if decisions else None,
            ci_time_s=seconds(build.duration),
            wait_s=seconds(sum(max(0, w) for w in waits)) if waits else None,
        ))
    return held


# --- summary and weeks -------------------------------------------------------------------------


def _job_summary(job: JobWindow) -> JobSummary:
    return JobSummary(
        server=job.ref.server, job=job.ref.name, builds=len(job.builds),
        red_builds=len({f.build_id for f in job.failures}), failures=len(job.failures),
        tests_failing=len({f.test_id for f in job.failures}),
    )


def _flaky_events(job: JobWindow) -> list[tuple[int, int]]:
    """Return (build number, test id) for each sign of flakiness in the window: a pass on
    rerun, or a failure judged noise. A test with any is one of the window's flaky tests."""
    numbers = {b.id: b.number for b in job.builds}
    found = [
        (run.number, test_id)
        for test_id, _, _, runs in job.tests
        for run in runs
        if run.outcome is _FLAKY
    ]
    found += [(numbers[f.build_id], f.test_id) for f in job.failures if f.judged == NOISE]
    return found


def _summary(jobs: list[JobWindow], held: list[HeldBuild], flaky: list) -> Summary:
    failures = [f for job in jobs for f in job.failures]
    noise = sum(f.judged == NOISE for f in failures)
    times = [b.timestamp for job in jobs for b in job.builds if b.timestamp is not None]
    return Summary(
        builds=sum(len(job.builds) for job in jobs),
        red_builds=sum(len({f.build_id for f in job.failures}) for job in jobs),
        failures=len(failures), noise=noise, noise_share=share(noise, len(failures)),
        flaky_tests=sum(len({t for _, t in events}) for events in flaky),
        tests_failing=sum(len({f.test_id for f in job.failures}) for job in jobs),
        first_build_at=iso_time(min(times)) if times else None,
        last_build_at=iso_time(max(times)) if times else None,
        noise_only_builds=len(held),
        noise_only_ci_time_s=seconds(sum(round((h.ci_time_s or 0) * 1000) for h in held)),
        noise_only_wait_s=seconds(sum(round((h.wait_s or 0) * 1000) for h in held)),
    )


def _week_span(collected: Collected) -> list:
    """Return the Mondays the report's weeks run over: its builds' and decisions' weeks."""
    times = [b.timestamp for job in collected.jobs for b in job.builds if b.timestamp is not None]
    times += [counted_at(r) for r in (*collected.decisions, *collected.gate)]
    if not times:
        return []
    return weeks_between(monday_of(min(times)), monday_of(max(times)))


def _weeks(jobs: list[JobWindow], span: list, flaky: list) -> tuple[Week, ...]:
    """Return failures, noise and flaky tests per ISO week of the builds' start, gaps kept."""
    weekly = {monday: {"builds": 0, "red": set(), "failures": 0, "noise": 0, "flaky": set()}
              for monday in span}
    for job, events in zip(jobs, flaky, strict=True):
        key = _key(job)
        week_of = {b.number: monday_of(b.timestamp) for b in job.builds if b.timestamp is not None}
        numbers = {b.id: b.number for b in job.builds}
        for monday in week_of.values():
            weekly[monday]["builds"] += 1
        for failure in job.failures:
            monday = week_of.get(numbers[failure.build_id])
            if monday is not None:
                week = weekly[monday]
                week["red"].add((key, failure.build_id))
                week["failures"] += 1
                week["noise"] += failure.judged == NOISE
        for number, test_id in events:
            if number in week_of:
                weekly[week_of[number]]["flaky"].add((key, test_id))
    return tuple(
        Week(week=week_label(monday), start=monday.isoformat(), builds=w["builds"],
             red_builds=len(w["red"]), failures=w["failures"], noise=w["noise"],
             noise_share=share(w["noise"], w["failures"]), flaky_tests=len(w["flaky"]))
        for monday, w in weekly.items()
    )


def _filters(collected: Collected) -> dict:
    f = collected.filters
    return {"jobs": list(f.jobs), "server": f.server, "since": iso_time(f.since_ms),
            "until": iso_time(f.until_ms), "branch": f.branch}


def _notes(collected: Collected) -> tuple[str, ...]:
    notes = []
    if not any(job.builds for job in collected.jobs):
        notes.append("No stored build matches these filters.")
    undated = sum(1 for job in collected.jobs for b in job.builds if b.timestamp is None)
    if undated:
        notes.append(f"{undated} builds have no start time: counted in the totals, in no week.")
    return tuple(notes)


def _key(job: JobWindow) -> tuple[str, str]:
    return (job.ref.server, job.ref.name)
