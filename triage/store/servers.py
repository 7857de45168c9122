"""Servers in the history: one row per Jenkins, identified by its normalised URL.

A row's `name` is how commands name it (a configured name like `ci`, or the URL itself for a
server used by URL only); its `url` is the identity (`triage.identity`). Syncing a URL and then
configuring a name for it gives one server, not two: `adopt` renames the URL's row, and merges
two rows that turn out to be one server (`merge`, also run by migration m003 on histories
written before this rule).
"""

from __future__ import annotations

import sqlite3

from triage.store.db import Store


def adopt(store: Store, name: str, url: str, *, create: bool = True) -> None:
    """Make `name` the history's name of the server at `url` (normalised), in one transaction.

    The history of that URL keeps its builds under the new name; a row already called `name`
    for the same server (or for no URL: created by an import) is merged into it. A row called
    `name` that belongs to another URL (the name was given to a new server) keeps its history
    under its URL. With `create=False` nothing is added when the history has neither.
    """
    with store.transaction() as conn:
        by_url = _row(conn, "url = ?", url)
        by_name = _row(conn, "name = ?", name)
        if by_name is not None and by_name[1] not in (None, url):
            _rename(conn, by_name[0], by_name[1])  # that history stays with its own server
            by_name = None
        if by_url is not None and by_name is not None and by_url[0] != by_name[0]:
            merge(conn, keep=by_url[0], drop=by_name[0])
        if by_url is not None:
            _rename(conn, by_url[0], name)
        elif by_name is not None:
            conn.execute("UPDATE servers SET url = ? WHERE id = ?", (url, by_name[0]))
        elif create:
            conn.execute("INSERT INTO servers (name, url) VALUES (?, ?)", (name, url))


def name_for_url(store: Store, url: str) -> str | None:
    """Return the history's name of the server at `url` (normalised), or None."""
    row = _row(store.conn, "url = ?", url)
    return None if row is None else row[2]


def names(store: Store) -> list[str]:
    return [name for (name,) in store.conn.execute("SELECT name FROM servers ORDER BY name")]


def _row(conn: sqlite3.Connection, where: str, value: str) -> tuple | None:
    return conn.execute(f"SELECT id, url, name FROM servers WHERE {where}", (value,)).fetchone()


def _rename(conn: sqlite3.Connection, server_id: int, name: str) -> None:
    (old,) = conn.execute("SELECT name FROM servers WHERE id = ?", (server_id,)).fetchone()
    if old == name:
        return
    clash = _row(conn, "name = ?", name)
    if clash is not None:
        merge(conn, keep=server_id, drop=clash[0])
    conn.execute("UPDATE servers SET name = ? WHERE id = ?", (name, server_id))
    rename_in_records(conn, old, name)


def merge(conn: sqlite3.Connection, keep: int, drop: int) -> None:
    """Move every job, build and verdict of server `drop` into server `keep`; delete `drop`.

    A build both have (one Jenkins synced under two names) is kept once: the copy stored last
    (the fresher facts), with the verdicts of both copies; of two marks in force on one test,
    the later one stays in force. Runs inside the caller's transaction.
    """
    (kept_name,) = conn.execute("SELECT name FROM servers WHERE id = ?", (keep,)).fetchone()
    (dropped_name,) = conn.execute("SELECT name FROM servers WHERE id = ?", (drop,)).fetchone()
    pairs = conn.execute(
        "SELECT k.id, d.id FROM jobs d JOIN jobs k ON k.name = d.name AND k.server_id = ? "
        "WHERE d.server_id = ?", (keep, drop)).fetchall()
    for kept_job, dropped_job in pairs:
        _merge_job(conn, kept_job, dropped_job)
    conn.execute("UPDATE jobs SET server_id = ? WHERE server_id = ?", (keep, drop))
    conn.execute("DELETE FROM servers WHERE id = ?", (drop,))
    rename_in_records(conn, dropped_name, kept_name)


# Tables that name a server by its name, not its id (their records outlive re-synced builds).
RECORD_TABLES = ("decisions", "gate_decisions")


def rename_in_records(conn: sqlite3.Connection, old: str, new: str) -> None:
    """Move the decision records of server `old` to `new` (tables that exist at this step)."""
    present = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE "
                                                "type = 'table'")}
    for table in RECORD_TABLES:
        if table in present:
            conn.execute(f"UPDATE {table} SET server = ? WHERE server = ?", (new, old))


def _merge_job(conn: sqlite3.Connection, kept_job: int, dropped_job: int) -> None:
    twins = conn.execute(
        "SELECT k.id, k.imported_at, d.id, d.imported_at FROM builds d JOIN builds k "
        "ON k.number = d.number AND k.job_id = ? WHERE d.job_id = ?",
        (kept_job, dropped_job)).fetchall()
    for kept, kept_at, dropped, dropped_at in twins:
        winner, loser = (dropped, kept) if dropped_at > kept_at else (kept, dropped)
        conn.execute("UPDATE verdicts SET build_id = ? WHERE build_id = ?", (winner, loser))
        _one_mark_in_force(conn, winner)
        for table in ("results", "failures"):
            conn.execute(f"DELETE FROM {table} WHERE build_id = ?", (loser,))
        conn.execute("DELETE FROM builds WHERE id = ?", (loser,))
        conn.execute("UPDATE builds SET job_id = ? WHERE id = ?", (kept_job, winner))
    conn.execute("UPDATE builds SET job_id = ? WHERE job_id = ?", (kept_job, dropped_job))
    conn.execute("DELETE FROM jobs WHERE id = ?", (dropped_job,))


def _one_mark_in_force(conn: sqlite3.Connection, build_id: int) -> None:
    """Retire all but the latest mark in force per test of one build."""
    conn.execute(
        "UPDATE verdicts SET undone_at = (SELECT max(v2.at) FROM verdicts v2 "
        "WHERE v2.build_id = verdicts.build_id AND v2.test_id = verdicts.test_id "
        "AND v2.undone_at IS NULL) "
        "WHERE build_id = ? AND undone_at IS NULL AND id < (SELECT max(v3.id) FROM verdicts v3 "
        "WHERE v3.build_id = verdicts.build_id AND v3.test_id = verdicts.test_id "
        "AND v3.undone_at IS NULL)", (build_id,))
