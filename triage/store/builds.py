"""Build lookups: what sync stored per job, what was still running; facts for the gate."""

from __future__ import annotations

import json

from triage.store.db import Store


def known_builds(store: Store, server: str, job: str) -> dict[int, tuple[bool, int | None]]:
    """Return {build number: (still running when stored, its timestamp)} for one job."""
    rows = store.conn.execute(
        "SELECT builds.number, builds.building, builds.timestamp FROM builds "
        "JOIN jobs ON jobs.id = builds.job_id JOIN servers ON servers.id = jobs.server_id "
        "WHERE servers.name = ? AND jobs.name = ?",
        (server, job),
    )
    return {number: (bool(building), timestamp) for number, building, timestamp in rows}


def running_builds(store: Store, server: str) -> list[tuple[str, int]]:
    """Return (job, number) of every build stored while it was still running."""
    rows = store.conn.execute(
        "SELECT jobs.name, builds.number FROM builds "
        "JOIN jobs ON jobs.id = builds.job_id JOIN servers ON servers.id = jobs.server_id "
        "WHERE servers.name = ? AND builds.building = 1 ORDER BY jobs.name, builds.number",
        (server,),
    )
    return [(job, number) for job, number in rows]


def synced_jobs(store: Store, server: str) -> list[str]:
    """Return the names of the jobs stored for `server`."""
    rows = store.conn.execute(
        "SELECT jobs.name FROM jobs JOIN servers ON servers.id = jobs.server_id "
        "WHERE servers.name = ? ORDER BY jobs.name",
        (server,),
    )
    return [name for (name,) in rows]


def build_facts(store: Store, build_id: int) -> tuple[str | None, bool, int]:
    """Return (result, still running when stored, number of test results) of one build."""
    result, building = store.conn.execute(
        "SELECT result, building FROM builds WHERE id = ?", (build_id,)
    ).fetchone()
    (tests,) = store.conn.execute(
        "SELECT COUNT(*) FROM results WHERE build_id = ?", (build_id,)
    ).fetchone()
    return result, bool(building), tests


def with_results(store: Store, build_ids: list[int]) -> int:
    """Return how many of these builds have test results (a compile failure has none)."""
    (count,) = store.conn.execute(
        "SELECT COUNT(*) FROM json_each(?) j "
        "WHERE EXISTS (SELECT 1 FROM results r WHERE r.build_id = j.value)",
        (json.dumps(build_ids),),
    ).fetchone()
    return count
