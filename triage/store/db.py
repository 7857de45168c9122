"""Open the history: one SQLite file in WAL mode, migrated on every open.

SQLite errors never leave this module raw from `open` or `transaction`: `store_error` turns
them into a StoreError that says what happened and what to do (the CLI does the same for the
rare error a read query meets).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from triage.config import db_timeout
from triage.errors import NotFoundError, StoreError
from triage.store.schema import KNOWN_STEPS, migrations

_BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
_DAMAGED = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def environmental(exc: BaseException) -> bool:
    """Return True for SQLite errors about the file or disk (locked, full, read-only, damaged).

    The others (a constraint violated, bad SQL) are bugs in triage and stay as they are.
    """
    return isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError


def _identity(path: Path | None) -> tuple[int, int] | None:
    """Return the (device, inode) of the file at `path`, None when there is none."""
    if path is None:
        return None
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def store_error(exc: sqlite3.Error, path: Path | str | None, timeout: float,
                action: str = "write") -> StoreError:
    """Return the StoreError telling the user what `exc` means for the history at `path`.

    `action` ("open", "read" or "write") words the message for errors without a better one.
    """
    where = f"the history at {path}"
    undone = "This write was undone" if action == "write" else "Nothing was changed"
    # Branch on SQLite's result code, never on its message; extended codes keep it in the low byte.
    code = getattr(exc, "sqlite_errorcode", None)
    primary = None if code is None else code & 0xFF
    if primary in _BUSY:
        message = (f"The history at {path} is locked: another process has been writing to it "
                   f"for more than {timeout:g} s. {undone}; wait for that process "
                   "to finish (or stop it) and run the command again (TRIAGE_DB_TIMEOUT sets "
                   "the wait in seconds).")
    elif primary == sqlite3.SQLITE_READONLY:
        message = (f"Cannot write {where}: the file or its folder is read-only. {undone}; "
                   "fix the permissions or point --db / TRIAGE_DB at a writable file.")
    elif primary == sqlite3.SQLITE_FULL:
        message = (f"The disk holding {where} is full. {undone}; free some space "
                   "and run the command again.")
    elif primary == sqlite3.SQLITE_IOERR:
        message = (f"Disk I/O error on {where} ({exc}). {undone}; check the disk "
                   "and that the folder is writable, then run the command again.")
    elif primary in _DAMAGED:
        message = (f"Cannot open {where}: {exc}. It is not a triage history or it is damaged; "
                   "check the path, or point --db / TRIAGE_DB at another file.")
    elif primary == sqlite3.SQLITE_CANTOPEN:
        message = (f"Cannot open or create {where}: SQLite cannot use that file or write its "
                   "folder. Check the permissions, or point --db / TRIAGE_DB at a file in a "
                   "folder you can write.")
    elif action == "open":
        message = (f"Cannot open {where}: {exc}. Check the path, or point --db / TRIAGE_DB "
                   "at another file.")
    else:
        message = (f"Cannot {action} {where}: {exc}. The file may be damaged or edited by "
                   "hand; restore a backup, or point --db / TRIAGE_DB at another file.")
    return StoreError(message, details=repr(exc))


class Store:
    """The history database. Only `triage.store` modules run SQL against `conn`."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None, timeout: float = 30.0):
        self.conn = conn
        self.timeout = timeout
        self.db = Database(conn)
        self.path = path
        self._lock = threading.RLock()
        # (classname, name) -> (test id, suite, file); filled lazily by the importer.
        self.test_ids: dict[tuple[str, str], tuple[int, str | None, str | None]] | None = None
        self.text_ids: dict[bytes, int] | None = None  # sha1 prefix -> texts.id, likewise
        self.identity = _identity(path)  # the file this connection has open

    @classmethod
    def open(cls, path: str | Path, *, check_same_thread: bool = True,
             timeout: float | None = None, read_only: bool = False) -> Store:
        """Open (creating if needed) the history at `path` and apply pending migrations.

        `timeout` is how long to wait for another process's write lock (default: TRIAGE_DB_TIMEOUT,
        else 30 s). `read_only` opens an existing history without writing anything, not even
        WAL's shared-memory file (see `_open_read_only`).
        """
        path = Path(path)
        timeout = db_timeout() if timeout is None else timeout
        if read_only:
            return cls._open_read_only(path, timeout)
        _prepare_folder(path)
        conn = None
        try:
            conn = sqlite3.connect(
                str(path), isolation_level=None, timeout=timeout,
                check_same_thread=check_same_thread,
            )
            _enable_wal(conn, timeout)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA cache_size=-65536")
            store = cls(conn, path, timeout)
            store._migrate()
            # Imported here: resign needs the signature rules, which need nothing of the store.
            from triage.store.resign import refresh_signatures

            refresh_signatures(store)
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise store_error(exc, path, timeout, "open") from exc
        except StoreError:
            conn.close()
            raise
        return store

    @classmethod
    def _open_read_only(cls, path: Path, timeout: float) -> Store:
        """Open for reading where nothing may be written (a read-only folder or disk).

        A WAL history needs its `-shm` file to be read; where none exists and none can be made,
        SQLite reads the file as immutable, which is right while no writer can exist (a writer
        needs a `-wal` file beside it). Migrations cannot run here: an older history is refused.
        """
        wal = path.with_name(path.name + "-wal")
        uri = path.resolve().as_uri() + "?mode=ro" + ("" if wal.exists() else "&immutable=1")
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=timeout)
            store = cls(conn, path, timeout)
            store._refuse_newer()
            if migrations.pending(store.db):
                conn.close()
                raise StoreError(
                    f"The history at {path} was written by an older flaky-triage and must be "
                    "upgraded, but its folder is read-only. Run any command on it once where "
                    "the folder is writable, or copy it somewhere writable.")
        except sqlite3.Error as exc:
            raise store_error(exc, path, timeout, "open") from exc
        return store

    def _migrate(self) -> None:
        """Apply pending migrations under the write lock; refuse a history from a newer triage.

        The lock matters when several processes open a new file at once: without it each saw
        the same steps pending and all but one failed ("table servers already exists").
        """
        self._refuse_newer()
        if not migrations.pending(self.db):
            return
        with self.transaction():
            self._refuse_newer()  # another process may have migrated while we waited
            migrations.apply(self.db)

    def _refuse_newer(self) -> None:
        unknown = [m.name for m in migrations.applied(self.db) if m.name not in KNOWN_STEPS]
        if unknown:
            raise StoreError(
                f"The history at {self.path} was written by a newer flaky-triage (schema step "
                f"{unknown[0]!r} is unknown to this version). Upgrade flaky-triage, or point "
                "--db / TRIAGE_DB at another file; the file was left untouched."
            )

    def file_changed(self) -> str | None:
        """Return "deleted" or "replaced" when `path` no longer names the file this connection
        has open, else None.

        SQLite keeps writing to the file it opened: after `rm` or a restored backup, what a
        long-lived connection (the app's) writes would go to a file nobody can open again.
        """
        if self.identity is None:
            return None
        now = _identity(self.path)
        if now == self.identity:
            return None
        return "deleted" if now is None else "replaced"

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block as one write transaction (BEGIN IMMEDIATE: take the write lock up front).

        Errors about the file or disk (locked past the timeout, disk full, read-only) roll back
        and leave as StoreError; others roll back and propagate unchanged.
        """
        with self._lock:
            if self.conn.in_transaction:
                yield self.conn
                return
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise self.error(exc) from exc
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as exc:
                # A failed COMMIT or a disk error may have ended the transaction already.
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                if environmental(exc):
                    raise self.error(exc) from exc
                raise

    def error(self, exc: sqlite3.Error, action: str = "write") -> StoreError:
        """Return `exc` as a StoreError about this history (see `store_error`)."""
        return store_error(exc, self.path, self.timeout, action)

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
            raise NotFoundError(self._no_job(job, server))
        server_id = self.server_id(server, create=True)
        return self.conn.execute(
            "INSERT INTO jobs (server_id, name) VALUES (?, ?)", (server_id, job)
        ).lastrowid

    def _no_job(self, job: str, server: str) -> str:
        """Say that `job` is not on `server` here, and what the user probably meant."""
        from triage.jobnames import did_you_mean

        where = f"No job {job!r} on server {server!r} in the history"
        names = [name for (name,) in self.conn.execute(
            "SELECT jobs.name FROM jobs JOIN servers ON servers.id = jobs.server_id "
            "WHERE servers.name = ? ORDER BY jobs.name", (server,))]
        hint = did_you_mean(job, names)
        if hint:
            return f"{where}; {hint}"
        elsewhere = self.servers_of_job(job)
        if elsewhere:
            return f"{where}; it is on {', '.join(elsewhere)}: pass --server {elsewhere[0]}."
        return f"{where}; import or sync it first (triage import / triage sync)."

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


def _enable_wal(conn: sqlite3.Connection, timeout: float) -> None:
    """Switch the file to WAL, retrying while another process does the same (new files only).

    Changing the journal mode needs an exclusive lock and SQLite answers SQLITE_BUSY at once,
    without its busy handler, when another connection is in the middle of it: processes that
    create one new history together failed here. Retry with a short backoff until `timeout`.
    """
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in _BUSY
            if not busy or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def _prepare_folder(path: Path) -> None:
    """Create the history's folder; refuse a folder given as the history file."""
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a history file; point --db / TRIAGE_DB at a "
                         f"file such as {path / 'history.db'}.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        culprit = f" ({exc.filename})" if exc.filename else ""
        raise StoreError(
            f"Cannot create the folder of the history at {path}: {exc.strerror}{culprit}. "
            "Point --db / TRIAGE_DB at a file in a folder you can write.",
            details=repr(exc),
        ) from exc
