"""Open the history: one SQLite file in WAL mode, migrated on every open."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from triage.errors import NotFoundError, StoreError
from triage.store.schema import migrations


class Store:
    """The history database. Only `triage.store` modules run SQL against `conn`."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None):
        self.conn = conn
        self.db = Database(conn)
        self.path = path
        self._lock = threading.RLock()
        # (classname, name) -> (test id, suite, file); filled lazily by the importer.
        self.test_ids: dict[tuple[str, str], tuple[int, str | None, str | None]] | None = None
        self.text_ids: dict[bytes, int] | None = None  # sha1 prefix -> texts.id, likewise

    @classmethod
    def open(cls, path: str | Path, *, check_same_thread: bool = True) -> Store:
        """Open (creating if needed) the history at `path` and apply pending migrations."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                str(path), isolation_level=None, timeout=30, check_same_thread=check_same_thread
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA cache_size=-65536")
            store = cls(conn, path)
            migrations.apply(store.db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"Cannot open the history at {path}: {exc}. "
                "Check the path, or point --db / TRIAGE_DB at another file.",
                details=repr(exc),
            ) from exc
        except OSError as exc:
            raise StoreError(f"Cannot create the history at {path}: {exc.strerror}.") from exc
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block as one write transaction (BEGIN IMMEDIATE: take the write lock up front)."""
        with self._lock:
            if self.conn.in_transaction:
                yield self.conn
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    # --- lookups shared by every store module -------------------------------------------

    def server_id(self, name: str, *, create: bool = False, url: str | None = None) -> int:
        row = self.conn.execute("SELECT id FROM servers WHERE name = ?", (name,)).fetchone()
        if row:
            return row[0]
        if not create:
            raise NotFoundError(f"No server named {name!r} in the history.")
        return self.conn.execute(
            "INSERT INTO servers (name, url) VALUES (?, ?)", (name, url)
        ).lastrowid

    def job_id(self, job: str, server: str = "local", *, create: bool = False) -> int:
        row = self.conn.execute(
            "SELECT jobs.id FROM jobs JOIN servers ON servers.id = jobs.server_id "
            "WHERE servers.name = ? AND jobs.name = ?",
            (server, job),
        ).fetchone()
        if row:
            return row[0]
        if not create:
            raise NotFoundError(
                f"No job {job!r} on server {server!r} in the history; "
                "import or sync it first (triage import / triage sync)."
            )
        server_id = self.server_id(server, create=True)
        return self.conn.execute(
            "INSERT INTO jobs (server_id, name) VALUES (?, ?)", (server_id, job)
        ).lastrowid

    def servers_of_job(self, job: str) -> list[str]:
        """Return the names of the servers that have a job called `job`."""
        rows = self.conn.execute(
            "SELECT s.name FROM jobs j JOIN servers s ON s.id = j.server_id WHERE j.name = ? "
            "ORDER BY s.name",
            (job,),
        )
        return [name for (name,) in rows]

    def build_id(self, job: str, number: int, server: str = "local") -> int:
        job_id = self.job_id(job, server)
        row = self.conn.execute(
            "SELECT id FROM builds WHERE job_id = ? AND number = ?", (job_id, number)
        ).fetchone()
        if not row:
            raise NotFoundError(f"Build #{number} of {job!r} is not in the history.")
        return row[0]
