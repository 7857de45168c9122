"""The history schema as registered, transactional migrations (sqlite-utils 4).

One function per schema step, applied in order on every open. Never edit a step that has
shipped: add a new one, so a user's history survives every upgrade.

Size matters: 1,000 builds x 5,000 tests is five million results. `results` is a WITHOUT ROWID
table keyed (build_id, test_id) holding small integers only; SQLite stores 0 and 1 in the record
header, so a passing result with no reruns costs a few bytes of payload. Everything textual about
a failure (message, trace, output) goes to `texts`, each distinct text stored once.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("flaky-triage")


@migrations()
def m001_history(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE servers (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            url TEXT
        );
        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY,
            server_id INTEGER NOT NULL REFERENCES servers(id),
            name TEXT NOT NULL,
            UNIQUE (server_id, name)
        );
        CREATE TABLE builds (
            id INTEGER PRIMARY KEY,
            job_id INTEGER NOT NULL REFERENCES jobs(id),
            number INTEGER NOT NULL,
            revision TEXT,
            branch TEXT,
            timestamp INTEGER,          -- epoch ms
            duration INTEGER,           -- ms
            result TEXT,
            url TEXT,
            building INTEGER NOT NULL DEFAULT 0,
            causes TEXT,                -- JSON array of strings
            imported_at INTEGER NOT NULL,
            UNIQUE (job_id, number)
        );
        CREATE INDEX builds_revision ON builds(revision);
        CREATE TABLE tests (
            id INTEGER PRIMARY KEY,
            classname TEXT NOT NULL,
            name TEXT NOT NULL,
            suite TEXT,
            file TEXT,
            UNIQUE (classname, name)
        );
        -- outcome: 0 passed, 1 failed, 2 error, 3 skipped, 4 flaky-passed (triage.domain.Outcome)
        CREATE TABLE results (
            build_id INTEGER NOT NULL,
            test_id INTEGER NOT NULL,
            outcome INTEGER NOT NULL,
            duration INTEGER,           -- ms
            reruns INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (build_id, test_id)
        ) WITHOUT ROWID;
        CREATE TABLE texts (
            id INTEGER PRIMARY KEY,
            hash BLOB NOT NULL UNIQUE,  -- first 8 bytes of sha1(body)
            body TEXT NOT NULL
        );
        -- One row per failed/skipped attempt: attempt 0 is the final result's own failure.
        CREATE TABLE failures (
            build_id INTEGER NOT NULL,
            test_id INTEGER NOT NULL,
            attempt INTEGER NOT NULL,
            kind TEXT NOT NULL,
            type TEXT,
            message_id INTEGER REFERENCES texts(id),
            trace_id INTEGER REFERENCES texts(id),
            stdout_id INTEGER REFERENCES texts(id),
            stderr_id INTEGER REFERENCES texts(id),
            signature TEXT,
            PRIMARY KEY (build_id, test_id, attempt)
        ) WITHOUT ROWID;
        CREATE INDEX failures_test ON failures(test_id, build_id);
        CREATE INDEX failures_signature ON failures(signature);
        CREATE TABLE verdicts (
            id INTEGER PRIMARY KEY,
            build_id INTEGER NOT NULL REFERENCES builds(id),
            test_id INTEGER NOT NULL REFERENCES tests(id),
            signature TEXT,
            verdict TEXT NOT NULL CHECK (verdict IN ('real', 'noise')),
            note TEXT,
            who TEXT,
            at INTEGER NOT NULL,        -- epoch ms
            undone_at INTEGER           -- epoch ms; set by undo, the row is kept
        );
        CREATE INDEX verdicts_test ON verdicts(test_id, signature);
        CREATE INDEX verdicts_build ON verdicts(build_id);
        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            server TEXT NOT NULL,
            job TEXT NOT NULL,
            build INTEGER NOT NULL,
            input_id TEXT NOT NULL,
            message TEXT,
            action TEXT NOT NULL CHECK (action IN ('proceed', 'abort')),
            parameters TEXT,            -- JSON object, passwords left out
            who TEXT,
            at INTEGER NOT NULL,        -- epoch ms
            paused_at INTEGER,          -- epoch ms, when the build started waiting
            outcome TEXT                -- what Jenkins answered: ok, already-decided, refused
        );
        CREATE INDEX decisions_job ON decisions(server, job, build);
        """
    )


@migrations()
def m002_meta(db: Database) -> None:
    # Facts about the history itself, such as the signature rules its failures were stored with.
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


@migrations()
def m003_one_server_identity(db: Database) -> None:
    # One Jenkins synced by URL and by a configured name was two servers, each with a copy of
    # the same builds. Rows with the same normalised URL become one (the configured name
    # wins); every URL is stored normalised. Bad URLs (edited by hand) are left as they are.
    from triage.errors import ConfigError
    from triage.identity import looks_like_url, normalise_url
    from triage.store.servers import merge, rename_in_records

    conn = db.conn
    groups: dict[str, list[tuple[int, str]]] = {}
    for server_id, name, url in conn.execute("SELECT id, name, url FROM servers ORDER BY id"):
        raw = url or (name if looks_like_url(name) else None)
        try:
            identity = normalise_url(raw) if raw else None
        except ConfigError:
            identity = None
        if identity is not None:
            groups.setdefault(identity, []).append((server_id, name))
    for identity, rows in groups.items():
        named = [r for r in rows if not looks_like_url(r[1])]
        keep_id, keep_name = (named or rows)[0]
        for server_id, _ in rows:
            if server_id != keep_id:
                merge(conn, keep=keep_id, drop=server_id)
        name = identity if looks_like_url(keep_name) else keep_name
        rename_in_records(conn, keep_name, name)
        conn.execute("UPDATE servers SET name = ?, url = ? WHERE id = ?", (name, identity, keep_id))


@migrations()
def m004_gate_decisions(db: Database) -> None:
    # What `triage gate` decided for a build, so reports can count the interventions it saved
    # and the app can say "auto-approved by the gate". Names, not ids, like `decisions`: a
    # record must survive its build being re-synced (replaced) or never stored (an error).
    db.executescript(
        """
        CREATE TABLE gate_decisions (
            id INTEGER PRIMARY KEY,
            server TEXT NOT NULL,
            job TEXT NOT NULL,
            build INTEGER NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('pass', 'ask', 'error')),
            exit_code INTEGER NOT NULL,
            at INTEGER NOT NULL,        -- epoch ms
            failures INTEGER NOT NULL,  -- failing tests of the build (0 when unknown: error)
            noise INTEGER NOT NULL,     -- of which the gate counted noise
            reasons TEXT NOT NULL,      -- JSON array of strings, most important first
            policy TEXT NOT NULL,       -- JSON object: the policy in force
            summary TEXT                -- the Markdown written for the input step, if any
        );
        CREATE INDEX gate_decisions_build ON gate_decisions(server, job, build);
        CREATE INDEX gate_decisions_at ON gate_decisions(at);
        """
    )


# Every step this version knows, in order: a history with any other step was written by a
# newer flaky-triage. (Registered steps are all pending on an empty database.)
KNOWN_STEPS = tuple(m.name for m in migrations.pending(Database(memory=True)))
