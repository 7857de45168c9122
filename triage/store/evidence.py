"""Queries that feed the flakiness engine: a build's failures and their tests' history.

Query shape matters at five million results. `results` is keyed (build_id, test_id), so
`build_id IN (...) AND test_id IN (...)` is a set of point lookups; `failures` is keyed by
build first and indexed (test_id, build_id) and by signature. Each function below is one or
two statements whatever the number of tests, with id lists passed through `json_each` so no
statement grows with the input.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from triage.errors import NotFoundError
from triage.flakiness.model import is_commit
from triage.store.db import Store


@dataclass(frozen=True, slots=True)
class BuildRow:
    id: int
    job_id: int
    number: int
    revision: str | None
    branch: str | None


@dataclass(frozen=True, slots=True)
class FailureRow:
    test_id: int
    classname: str
    name: str
    outcome: int
    reruns: int
    type: str | None
    signature: str | None
    message: str | None
    trace: str | None = None  # only where the engine needs its top frame


_BUILD_ROW = "SELECT id, number, revision, branch FROM builds WHERE job_id = ? "


def build_row(store: Store, job: str, number: int, server: str = "local") -> BuildRow:
    """Return the stored build, or raise NotFoundError naming what to do."""
    job_id = store.job_id(job, server)
    row = store.conn.execute(_BUILD_ROW + "AND number = ?", (job_id, number)).fetchone()
    if row is None:
        raise NotFoundError(_no_build(store, job, job_id, number))
    return BuildRow(row[0], job_id, *row[1:])


def _no_build(store: Store, job: str, job_id: int, number: int) -> str:
    """Say that a build is not stored; for one older than the stored ones, why and what to do."""
    oldest, newest, count = store.conn.execute(
        "SELECT min(number), max(number), count(*) FROM builds WHERE job_id = ?", (job_id,)
    ).fetchone()
    if oldest is not None and number < oldest:
        held = f"{count} build{'' if count == 1 else 's'}, #{oldest} to #{newest}"
        return (f"Build #{number} of {job!r} is not in the history: it has {held}; sync keeps the newest --max-builds of a job (100 "
                f"by default), so take it in with `triage sync --job {job} --max-builds "
                f"{newest - number + 1}`.")
    return f"Build #{number} of {job!r} is not in the history; sync or import it first."


def latest_build(store: Store, job: str, server: str = "local") -> BuildRow:
    """Return the newest stored build of `job`."""
    job_id = store.job_id(job, server)
    row = store.conn.execute(_BUILD_ROW + "ORDER BY number DESC LIMIT 1", (job_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"Job {job!r} has no builds in the history yet.")
    return BuildRow(row[0], job_id, *row[1:])


def build_failures(store: Store, build_id: int) -> list[FailureRow]:
    """Return the failed and errored tests of one build with their final failure's details."""
    rows = store.conn.execute(
        "SELECT r.test_id, t.classname, t.name, r.outcome, r.reruns, f.type, f.signature, m.body, "
        "tr.body FROM results r JOIN tests t ON t.id = r.test_id "
        "LEFT JOIN failures f "
        "ON f.build_id = r.build_id AND f.test_id = r.test_id AND f.attempt = 0 "
        "LEFT JOIN texts m ON m.id = f.message_id LEFT JOIN texts tr ON tr.id = f.trace_id "
        "WHERE r.build_id = ? AND r.outcome IN (1, 2) ORDER BY t.classname, t.name",
        (build_id,),
    )
    return [FailureRow(*row) for row in rows]


def window(store: Store, build: BuildRow, size: int) -> list[tuple[int, int, str | None]]:
    """Return (build id, number, revision) of the `size` builds before `build`, oldest first.

    Only builds of the same branch count when the branch is known: flip rates mix badly
    across branches.
    """
    sql = "SELECT id, number, revision FROM builds WHERE job_id = ? AND number < ? "
    args: list = [build.job_id, build.number]
    if build.branch is not None:
        sql += "AND (branch = ? OR branch IS NULL) "
        args.append(build.branch)
    sql += "ORDER BY number DESC LIMIT ?"
    args.append(size)
    return list(reversed(store.conn.execute(sql, args).fetchall()))


def job_builds(store: Store, job_id: int, last: int | None) -> list[tuple[int, int, str | None]]:
    """Return (build id, number, revision) of the job's last `last` builds (all if None)."""
    rows = store.conn.execute(
        "SELECT id, number, revision FROM builds WHERE job_id = ? ORDER BY number DESC LIMIT ?",
        (job_id, -1 if last is None else last),
    ).fetchall()
    return list(reversed(rows))


def outcomes(
    store: Store, build_ids: list[int], test_ids: list[int]
) -> tuple[dict[int, dict[int, int]], dict[tuple[int, int], str | None]]:
    """Return ({test id: {build id: outcome}}, {(test id, build id): first failure's signature}).

    Signatures come only for results with a failed attempt, from the (test_id, build_id) index.
    """
    found: dict[int, dict[int, int]] = defaultdict(dict)
    signatures: dict[tuple[int, int], str | None] = {}
    if not build_ids or not test_ids:
        return found, signatures
    builds, tests = json.dumps(build_ids), json.dumps(test_ids)
    rows = store.conn.execute(
        # IN (subquery) lets SQLite seek the primary key per pair; a join on json_each does not.
        "SELECT test_id, build_id, outcome FROM results "
        "WHERE build_id IN (SELECT value FROM json_each(?)) "
        "AND test_id IN (SELECT value FROM json_each(?))",
        (builds, tests),
    )
    for test_id, build_id, outcome in rows:
        found[test_id][build_id] = outcome
    rows = store.conn.execute(
        "SELECT f.test_id, f.build_id, f.signature FROM json_each(?) t "
        "JOIN failures f ON f.test_id = t.value AND f.build_id BETWEEN ? AND ? AND f.attempt = 0",
        (tests, min(build_ids), max(build_ids)),
    )
    for test_id, build_id, signature in rows:
        signatures[(test_id, build_id)] = signature
    return found, signatures


def mass_events(store: Store, build_ids: list[int], at_least: int) -> set[tuple[int, str]]:
    """Return (build id, signature) for errors that struck `at_least` tests in one build."""
    if not build_ids:
        return set()
    rows = store.conn.execute(
        "SELECT build_id, signature FROM failures WHERE build_id BETWEEN ? AND ? AND attempt = 0 "
        "AND signature IS NOT NULL GROUP BY build_id, signature HAVING count(*) >= ?",
        (min(build_ids), max(build_ids), at_least),
    )
    return {(build_id, signature) for build_id, signature in rows}


def same_revision(store: Store, build: BuildRow) -> list[tuple[int, int, str | None]]:
    """Return (build id, number, job label or None for this job) of other builds on its commit.

    The label is the other job's name; when those builds come from more than one server, it
    names the server too ("app (ci-eu)"), so a reason never reads "in app #40, #40".
    """
    if not is_commit(build.revision):
        return []
    rows = store.conn.execute(
        "SELECT b.id, b.number, b.job_id, j.name, s.name FROM builds b "
        "JOIN jobs j ON j.id = b.job_id JOIN servers s ON s.id = j.server_id "
        "WHERE b.revision = ? AND b.id != ? ORDER BY b.number",
        (build.revision, build.id),
    ).fetchall()
    (own_server,) = store.conn.execute(
        "SELECT s.name FROM jobs j JOIN servers s ON s.id = j.server_id WHERE j.id = ?",
        (build.job_id,)).fetchone()
    several = any(server != own_server for *_, server in rows)
    return [(i, n, None if job_id == build.job_id else
             f"{name} ({server})" if several else name)
            for i, n, job_id, name, server in rows]


def signature_spread(
    store: Store, build: BuildRow, signatures: list[str], first_number: int
) -> dict[str, list[tuple[int, int]]]:
    """Return {signature: [(build number, tests failing with it)]} for earlier builds of the job."""
    spread: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for signature in signatures:
        rows = store.conn.execute(
            "SELECT b.number, count(*) FROM failures f JOIN builds b ON b.id = f.build_id "
            "WHERE f.signature = ? AND f.attempt = 0 AND b.job_id = ? AND b.number < ? "
            "AND b.number >= ? GROUP BY b.number ORDER BY b.number",
            (signature, build.job_id, build.number, first_number),
        )
        spread[signature] = [(number, count) for number, count in rows]
    return spread


def signature_tests(
    store: Store, build_ids: list[int], signatures: list[str]
) -> dict[str, list[int]]:
    """Return {signature: ids of the tests whose first failed attempt had it in these builds}."""
    found: dict[str, list[int]] = defaultdict(list)
    if not build_ids or not signatures:
        return found
    rows = store.conn.execute(
        "SELECT DISTINCT f.signature, f.test_id FROM failures f "
        "WHERE f.signature IN (SELECT value FROM json_each(?)) AND f.attempt = 0 "
        "AND f.build_id BETWEEN ? AND ? AND f.build_id IN (SELECT value FROM json_each(?)) "
        "ORDER BY f.signature, f.test_id",
        (json.dumps(signatures), min(build_ids), max(build_ids), json.dumps(build_ids)),
    )
    for signature, test_id in rows:
        found[signature].append(test_id)
    return found


def candidate_tests(store: Store, build_ids: list[int]) -> list[int]:
    """Return the tests with any failed attempt in these builds: the only ones that can flip."""
    if not build_ids:
        return []
    rows = store.conn.execute(
        "SELECT DISTINCT f.test_id FROM failures f WHERE f.build_id BETWEEN ? AND ? "
        "AND f.kind != 'skipped' AND f.build_id IN (SELECT value FROM json_each(?))",
        (min(build_ids), max(build_ids), json.dumps(build_ids)),
    )
    return [test_id for (test_id,) in rows]


def test_names(store: Store, test_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Return {test id: (classname, name)}."""
    rows = store.conn.execute(
        "SELECT t.id, t.classname, t.name FROM json_each(?) j JOIN tests t ON t.id = j.value",
        (json.dumps(test_ids),),
    )
    return {i: (c, n) for i, c, n in rows}


def find_test(store: Store, build_id: int, text: str) -> list[int]:
    """Return ids of the build's tests named `text` (classname.name, or a bare name)."""
    rows = store.conn.execute(
        "SELECT t.id FROM results r JOIN tests t ON t.id = r.test_id WHERE r.build_id = ? "
        "AND (t.classname || '.' || t.name = ? OR t.name = ?)",
        (build_id, text, text),
    )
    return [test_id for (test_id,) in rows]
