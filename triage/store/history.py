"""Read-side queries over the history: outcomes per test across builds, and database facts."""

from __future__ import annotations

import os
from dataclasses import dataclass

from triage.domain import Outcome, qualified_name
from triage.store.db import Store
from triage.store.schema import migrations

_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class BuildRef:
    number: int
    revision: str | None
    branch: str | None
    result: str | None
    timestamp_ms: int | None


@dataclass(frozen=True)
class TestRow:
    __test__ = False  # not a pytest class, despite the name

    classname: str
    name: str
    outcomes: tuple[Outcome | None, ...]  # one per build in History.builds; None = did not run

    @property
    def test(self) -> str:
        return qualified_name(self.classname, self.name)

    @property
    def letters(self) -> str:
        return "".join(o.letter if o is not None else "-" for o in self.outcomes)


@dataclass(frozen=True)
class History:
    job: str
    server: str
    builds: tuple[BuildRef, ...]  # oldest first
    tests: tuple[TestRow, ...]  # sorted by name


def recent_builds(store: Store, job_id: int, last: int = 20) -> list[tuple[int, BuildRef]]:
    """Return (build id, ref) for the last `last` builds of a job, oldest first."""
    rows = store.conn.execute(
        "SELECT id, number, revision, branch, result, timestamp FROM builds WHERE job_id = ? "
        "ORDER BY number DESC LIMIT ?",
        (job_id, last),
    ).fetchall()
    return [(r[0], BuildRef(*r[1:])) for r in reversed(rows)]


def outcome_history(
    store: Store,
    job: str,
    server: str = "local",
    pattern: str | None = None,
    last: int = 20,
) -> History:
    """Return each test's outcomes over the last `last` builds of `job`.

    `pattern` filters on "classname.name": a shell-style glob when it holds * ? or [, otherwise
    a case-insensitive substring.
    """
    job_id = store.job_id(job, server)
    builds = recent_builds(store, job_id, last)
    column = {build_id: i for i, (build_id, _) in enumerate(builds)}
    where, params = _pattern_clause(pattern)
    outcomes: dict[int, list] = {}
    names: dict[int, tuple[str, str]] = {}
    if column:
        # The builds again as a subquery, not one ? per build: SQLite allows 32,766 variables
        # and --last may ask for more builds than that.
        sql = (
            "SELECT r.build_id, r.test_id, r.outcome, t.classname, t.name FROM results r "
            "JOIN tests t ON t.id = r.test_id WHERE r.build_id IN (SELECT id FROM builds "
            f"WHERE job_id = ? ORDER BY number DESC LIMIT ?){where}"
        )
        for build_id, test_id, outcome, classname, name in store.conn.execute(
            sql, (job_id, last, *params)
        ):
            index = column.get(build_id)
            if index is None:
                continue  # stored by another process since `builds` was read
            row = outcomes.get(test_id)
            if row is None:
                row = outcomes[test_id] = [None] * len(column)
                names[test_id] = (classname, name)
            row[index] = Outcome(outcome)
    tests = sorted(
        (TestRow(*names[test_id], tuple(row)) for test_id, row in outcomes.items()),
        key=lambda t: (t.classname, t.name),
    )
    return History(job, server, tuple(ref for _, ref in builds), tuple(tests))


def _pattern_clause(pattern: str | None) -> tuple[str, tuple]:
    if not pattern:
        return "", ()
    full = "(CASE WHEN t.classname = '' THEN t.name ELSE t.classname || '.' || t.name END)"
    if _GLOB_CHARS & set(pattern):
        return f" AND {full} GLOB ?", (pattern,)
    return f" AND instr(lower({full}), lower(?)) > 0", (pattern,)


def db_info(store: Store) -> dict:
    """Return the path, schema version, row counts and size on disk of the history."""
    conn = store.conn
    counts = {
        table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("servers", "jobs", "builds", "tests", "results", "failures", "texts",
                      "verdicts", "decisions")
    }
    applied = [m.name for m in migrations.applied(store.db)]
    size = 0
    if store.path is not None:
        for suffix in ("", "-wal", "-shm"):
            candidate = f"{store.path}{suffix}"
            if os.path.exists(candidate):
                size += os.path.getsize(candidate)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    return {
        "path": str(store.path),
        "schema_version": len(applied),
        "migrations": applied,
        "counts": counts,
        "bytes_on_disk": size,
        "bytes_in_pages": page_size * pages,
    }
