"""Queries behind `triage report`: which jobs and builds a report covers, and their failures.

The report reads a whole window of builds at once, so each function here is one statement for
any number of builds, with id lists passed through `json_each` (no statement grows with the
input). Failures are found through the `failures` table (about 2% of the rows of `results`),
never by scanning `results`: five million results stay out of the way.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from triage.errors import NotFoundError
from triage.store.db import Store


@dataclass(frozen=True, slots=True)
class JobRef:
    id: int
    server: str
    name: str


@dataclass(frozen=True, slots=True)
class BuildFacts:
    id: int
    number: int
    revision: str | None
    branch: str | None
    timestamp: int | None  # epoch ms
    duration: int | None  # ms
    result: str | None


@dataclass(frozen=True, slots=True)
class FailedResult:
    """A failed or errored result with its final failure's details."""

    build_id: int
    test_id: int
    outcome: int
    reruns: int
    type: str | None
    signature: str | None
    message: str | None


def report_jobs(store: Store, jobs: tuple[str, ...] = (), server: str | None = None) -> list[JobRef]:
    """Return the jobs a report covers: the named ones (every server that has them), or all.

    A named job that no server (or not `server`) has is a NotFoundError naming the job.
    """
    sql = "SELECT j.id, s.name, j.name FROM jobs j JOIN servers s ON s.id = j.server_id"
    args: list = []
    if server is not None:
        sql += " WHERE s.name = ?"
        args.append(server)
    found = [JobRef(*row) for row in store.conn.execute(sql + " ORDER BY s.name, j.name", args)]
    if server is not None and not found and not store.conn.execute(
        "SELECT 1 FROM servers WHERE name = ?", (server,)
    ).fetchone():
        raise NotFoundError(f"No server named {server!r} in the history.")
    if not jobs:
        return found
    wanted = list(dict.fromkeys(jobs))
    missing = [job for job in wanted if all(ref.name != job for ref in found)]
    if missing:
        where = f" on server {server!r}" if server is not None else ""
        raise NotFoundError(
            f"No job {missing[0]!r}{where} in the history; import or sync it first "
            "(triage import / triage sync)."
        )
    return [ref for ref in found if ref.name in wanted]


def job_builds(store: Store, job_id: int) -> list[BuildFacts]:
    """Return every stored build of a job, oldest (lowest number) first."""
    rows = store.conn.execute(
        "SELECT id, number, revision, branch, timestamp, duration, result FROM builds "
        "WHERE job_id = ? ORDER BY number",
        (job_id,),
    )
    return [BuildFacts(*row) for row in rows]


def failed_results(store: Store, build_ids: list[int]) -> list[FailedResult]:
    """Return the failed and errored results of these builds, by build then test id.

    Every failed or errored result has a failure row for attempt 0 (the importer writes one
    even without details), so the failures table finds them all.
    """
    if not build_ids:
        return []
    rows = store.conn.execute(
        "SELECT f.build_id, f.test_id, r.outcome, r.reruns, f.type, f.signature, m.body "
        "FROM failures f JOIN results r ON r.build_id = f.build_id AND r.test_id = f.test_id "
        "LEFT JOIN texts m ON m.id = f.message_id "
        "WHERE f.build_id BETWEEN ? AND ? AND f.build_id IN (SELECT value FROM json_each(?)) "
        "AND f.attempt = 0 AND r.outcome IN (1, 2) ORDER BY f.build_id, f.test_id",
        (min(build_ids), max(build_ids), json.dumps(build_ids)),
    )
    return [FailedResult(*row) for row in rows]


def outage_traces(store: Store, keys: list[tuple[int, str]]) -> dict[tuple[int, int], str]:
    """Return {(build id, test id): trace} of the failures with these (build id, signature)s.

    The engine reads a shared error's top frame (is it thrown in the project's own code?);
    only errors that struck many tests need it, so only their traces are read.
    """
    found: dict[tuple[int, int], str] = {}
    for build_id, signature in keys:
        rows = store.conn.execute(
            "SELECT f.test_id, t.body FROM failures f JOIN texts t ON t.id = f.trace_id "
            "WHERE f.build_id = ? AND f.signature = ? AND f.attempt = 0",
            (build_id, signature),
        )
        found.update(((build_id, test_id), body) for test_id, body in rows)
    return found


def signature_counts(store: Store, build_ids: list[int]) -> dict[tuple[int, str], int]:
    """Return {(build id, signature): tests whose first failed attempt had it} for these builds.

    The same count as `evidence.mass_events` and `evidence.signature_spread`, for many builds
    in one statement.
    """
    if not build_ids:
        return {}
    rows = store.conn.execute(
        "SELECT build_id, signature, count(*) FROM failures WHERE build_id BETWEEN ? AND ? "
        "AND build_id IN (SELECT value FROM json_each(?)) AND attempt = 0 "
        "AND signature IS NOT NULL GROUP BY build_id, signature",
        (min(build_ids), max(build_ids), json.dumps(build_ids)),
    )
    return {(build_id, signature): count for build_id, signature, count in rows}


def builds_on_revisions(
    store: Store, revisions: list[str]
) -> dict[str, list[tuple[int, int, int, str]]]:
    """Return {revision: [(build id, number, job id, job name)]} for builds of any job."""
    found: dict[str, list[tuple[int, int, int, str]]] = defaultdict(list)
    if not revisions:
        return found
    rows = store.conn.execute(
        "SELECT b.revision, b.id, b.number, b.job_id, j.name FROM builds b "
        "JOIN jobs j ON j.id = b.job_id "
        "WHERE b.revision IN (SELECT value FROM json_each(?)) ORDER BY b.number, b.id",
        (json.dumps(revisions),),
    )
    for revision, build_id, number, job_id, name in rows:
        found[revision].append((build_id, number, job_id, name))
    return found


def builds_with_results(store: Store, build_ids: list[int]) -> set[int]:
    """Return which of these builds have any stored test result (a build stored while it ran,
    before its tests, has none)."""
    if not build_ids:
        return set()
    rows = store.conn.execute(
        "SELECT j.value FROM json_each(?) j "
        "WHERE EXISTS (SELECT 1 FROM results r WHERE r.build_id = j.value)",
        (json.dumps(build_ids),),
    )
    return {build_id for (build_id,) in rows}
