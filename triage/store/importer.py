"""Store one build's results: atomic and idempotent per build.

The whole build goes in one transaction: a crash or kill mid-import leaves the history without
that build (or with its previous version, for a re-import) and otherwise intact. Importing a
build again replaces its results but keeps the build's row id, so human verdicts that point at
it survive.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter

from triage.domain import Attempt, BuildInfo, Outcome, TestResult
from triage.flakiness.signatures import signature_id
from triage.gcpause import gc_paused
from triage.junit.texts import clean_text
from triage.store.db import Store

# sqlite3 binds exact ints faster than IntEnum members (no adapter lookup): 20% of the insert.
_PLAIN_INT = tuple(range(len(Outcome)))
_FAILED, _ERROR = int(Outcome.FAILED), int(Outcome.ERROR)
_BARE_FAILURES = {Outcome.FAILED: Attempt("failure"), Outcome.ERROR: Attempt("error")}


@dataclass(frozen=True)
class ImportSummary:
    job: str
    number: int
    build_id: int
    tests: int
    failed: int
    errors: int
    skipped: int
    flaky: int
    replaced: bool


def import_build(store: Store, build: BuildInfo, results: Iterable[TestResult]) -> ImportSummary:
    """Replace build `build.number` of `build.job` with `results`, in one transaction."""
    results = list(results)
    ids, texts = _TestIds(store), _Texts(store)
    try:
        with gc_paused(), store.transaction() as conn:
            build_id, replaced, rows, counts = _write(store, conn, ids, texts, build, results)
    except BaseException:
        ids.discard()
        texts.discard()
        raise
    ids.commit()
    texts.commit()
    return ImportSummary(
        job=build.job,
        number=build.number,
        build_id=build_id,
        tests=len(rows),
        failed=counts[Outcome.FAILED.value],
        errors=counts[Outcome.ERROR.value],
        skipped=counts[Outcome.SKIPPED.value],
        flaky=counts[Outcome.FLAKY.value],
        replaced=replaced,
    )


def _write(store: Store, conn, ids: _TestIds, texts: _Texts, build: BuildInfo,
           results: list[TestResult]):
    """Write the build row, its results and failure details; return ids and counts."""
    job_id = store.job_id(build.job, build.server, create=True)
    build_id, replaced = _upsert_build(conn, job_id, build)
    if replaced:
        conn.execute("DELETE FROM results WHERE build_id = ?", (build_id,))
        conn.execute("DELETE FROM failures WHERE build_id = ?", (build_id,))
    rows = []
    failure_rows = []
    known = ids.known
    append = rows.append
    # The hot loop of every import: a passing result is a dict hit and one tuple.
    for result in results:
        entry = known.get((result.classname, result.name))
        if entry is None or entry[1] != result.suite or entry[2] != result.file:
            test_id = ids.get(result)
        else:
            test_id = entry[0]
        duration = result.duration
        outcome = _PLAIN_INT[result.outcome]
        append((build_id, test_id, outcome,
                None if duration is None else round(duration * 1000), result.reruns))
        if result.attempts or outcome == _FAILED or outcome == _ERROR:
            failure_rows.extend(_failure_rows(build_id, test_id, result, texts))
    counts = Counter(map(itemgetter(2), rows))  # outcome codes
    rows.sort(key=itemgetter(1))  # B-tree appends in key order
    conn.executemany("INSERT INTO results VALUES (?, ?, ?, ?, ?)", rows)
    conn.executemany(
        "INSERT INTO failures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", failure_rows
    )
    return build_id, replaced, rows, counts


def _upsert_build(conn, job_id: int, build: BuildInfo) -> tuple[int, bool]:
    values = (
        build.revision,
        build.branch,
        build.timestamp_ms,
        build.duration_ms,
        build.result,
        build.url,
        int(build.building),
        json.dumps(list(build.causes)) if build.causes else None,
        int(time.time() * 1000),
    )
    row = conn.execute(
        "SELECT id FROM builds WHERE job_id = ? AND number = ?", (job_id, build.number)
    ).fetchone()
    if row:
        conn.execute(
            "UPDATE builds SET revision=?, branch=?, timestamp=?, duration=?, result=?, url=?, "
            "building=?, causes=?, imported_at=? WHERE id = ?",
            (*values, row[0]),
        )
        return row[0], True
    cur = conn.execute(
        "INSERT INTO builds (job_id, number, revision, branch, timestamp, duration, result, url, "
        "building, causes, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (job_id, build.number, *values),
    )
    return cur.lastrowid, False


def _failure_rows(build_id: int, test_id: int, result: TestResult, texts: _Texts):
    # A failure without details still gets its row: the flakiness queries find failing
    # tests through the failures table.
    attempts = result.attempts or (_BARE_FAILURES[result.outcome],)
    for index, attempt in enumerate(attempts):
        stdout, stderr = attempt.stdout, attempt.stderr
        if index == 0:  # the result's own output goes with its first attempt
            stdout = result.stdout if stdout is None else stdout
            stderr = result.stderr if stderr is None else stderr
        signature = None
        if attempt.kind != "skipped":
            signature = signature_id(attempt.type, attempt.message, attempt.trace)
        yield (
            build_id,
            test_id,
            index,
            attempt.kind,
            attempt.type,
            texts.id(attempt.message),
            texts.id(attempt.trace),
            texts.id(stdout),
            texts.id(stderr),
            signature,
        )


class _Cache:
    """Ids cached on the store across imports (`known`) plus those this import created (`new`).

    New ids join the cache only once their transaction commits, so a rolled-back import cannot
    leave stale ids behind.
    """

    known: dict
    new: dict

    def commit(self) -> None:
        self.known.update(self.new)
        self.new = {}

    def discard(self) -> None:
        self.new = {}


class _Texts(_Cache):
    """Store each distinct message, trace or output once; return its id."""

    MAX_CACHED = 200_000  # about 20 MB; past that the cache starts over

    def __init__(self, store: Store):
        if store.text_ids is None or len(store.text_ids) > self.MAX_CACHED:
            store.text_ids = {}
        self.conn = store.conn
        self.known = store.text_ids
        self.new: dict[bytes, int] = {}

    def id(self, body: str | None) -> int | None:
        # The importer's own rule, applied again for callers that build results by hand:
        # already-cleaned texts come back unchanged, so their hashes do not move.
        body = clean_text(body)
        if body is None:
            return None
        digest = hashlib.sha1(body.encode("utf-8", "surrogatepass")).digest()[:8]
        text_id = self.known.get(digest) or self.new.get(digest)
        if text_id is None:
            row = self.conn.execute(
                "INSERT INTO texts (hash, body) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING "
                "RETURNING id",
                (digest, body),
            ).fetchone()
            if row is None:  # stored by an earlier import
                row = self.conn.execute("SELECT id FROM texts WHERE hash = ?", (digest,)).fetchone()
            text_id = self.new[digest] = row[0]
        return text_id


class _TestIds(_Cache):
    """Map (classname, name) to test ids, creating tests as needed."""

    def __init__(self, store: Store):
        if store.test_ids is None:
            store.test_ids = {
                (c, n): (i, s, f)
                for i, c, n, s, f in store.conn.execute(
                    "SELECT id, classname, name, suite, file FROM tests"
                )
            }
        self.store = store
        self.known = store.test_ids
        self.new: dict[tuple[str, str], tuple[int, str | None, str | None]] = {}

    def get(self, result: TestResult) -> int:
        key = (result.classname, result.name)
        entry = self.known.get(key) or self.new.get(key)
        conn = self.store.conn
        if entry is None:
            # Another process may have added the test since the cache was filled.
            test_id = conn.execute(
                "INSERT INTO tests (classname, name, suite, file) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (classname, name) DO UPDATE SET "
                "suite = coalesce(excluded.suite, suite), file = coalesce(excluded.file, file) "
                "RETURNING id",
                (result.classname, result.name, result.suite, result.file),
            ).fetchone()[0]
            self.new[key] = (test_id, result.suite, result.file)
            return test_id
        test_id, suite, file = entry
        if (result.suite or suite) != suite or (result.file or file) != file:
            conn.execute(
                "UPDATE tests SET suite = ?, file = ? WHERE id = ?",
                (result.suite or suite, result.file or file, test_id),
            )
            self.new[key] = (test_id, result.suite or suite, result.file or file)
        return test_id
