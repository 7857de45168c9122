"""The history store: WAL, migrations, atomic and idempotent import, compact storage."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest
from support import readline_within

from triage.domain import Attempt, BuildInfo, Outcome, TestResult
from triage.errors import NotFoundError, StoreError
from triage.store import Store
from triage.store.history import db_info, outcome_history
from triage.store.importer import import_build


def results(n: int, failing: int = 0, msg: str = "expected 1 but was 2"):
    out = [TestResult("com.acme.Suite", f"test{i:05d}", Outcome.PASSED, 0.012) for i in range(n)]
    for i in range(failing):
        out[i] = TestResult(
            "com.acme.Suite",
            f"test{i:05d}",
            Outcome.FAILED,
            0.5,
            attempts=(Attempt("failure", "java.lang.AssertionError", msg, "at com.acme.Suite"),),
        )
    return out


def test_open_uses_wal_and_applies_migrations(store, db_path):
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    info = db_info(store)
    assert info["schema_version"] >= 1
    assert info["path"] == str(db_path)
    store.close()
    # Reopening applies nothing twice.
    with Store.open(db_path) as again:
        assert db_info(again)["migrations"] == info["migrations"]


def test_open_rejects_a_file_that_is_not_a_database(tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("this is not sqlite " * 100)
    with pytest.raises(StoreError, match="Cannot open the history"):
        Store.open(bogus)


def test_import_is_idempotent_and_replaces(store):
    build = BuildInfo("app", 7, revision="a1b2c3d", result="UNSTABLE")
    first = import_build(store, build, results(50, failing=3))
    second = import_build(store, build, results(50, failing=3))
    assert (first.replaced, second.replaced) == (False, True)
    assert first.build_id == second.build_id
    counts = db_info(store)["counts"]
    assert counts["results"] == 50 and counts["builds"] == 1 and counts["failures"] == 3
    # A re-import with different content replaces, it does not merge.
    import_build(store, build, results(20, failing=1))
    counts = db_info(store)["counts"]
    assert counts["results"] == 20 and counts["failures"] == 1


def test_each_distinct_message_is_stored_once(store):
    for number in range(1, 6):
        import_build(store, BuildInfo("app", number), results(100, failing=10))
    counts = db_info(store)["counts"]
    assert counts["failures"] == 50
    assert counts["texts"] == 2  # one message and one trace, shared by all 50 failures


def test_failed_import_rolls_back_and_keeps_cache_coherent(store):
    import_build(store, BuildInfo("app", 1), results(5))
    bad = results(5) + [TestResult("new.Class", "t", Outcome.PASSED)]
    bad.append(TestResult("com.acme.Suite", "test00000", Outcome.PASSED))  # duplicate key
    with pytest.raises(sqlite3.IntegrityError):
        import_build(store, BuildInfo("app", 2), bad)
    assert db_info(store)["counts"]["builds"] == 1
    # new.Class.t was created inside the rolled-back transaction: it must be created again.
    summary = import_build(store, BuildInfo("app", 3), [TestResult("new.Class", "t", Outcome.PASSED)])
    assert summary.tests == 1
    assert store.conn.execute("SELECT count(*) FROM tests WHERE classname='new.Class'").fetchone() == (1,)


def test_history_lists_outcomes_oldest_first(store):
    import_build(store, BuildInfo("app", 1), results(3))
    import_build(store, BuildInfo("app", 2), results(3, failing=1))
    import_build(store, BuildInfo("app", 3), results(2))
    history = outcome_history(store, "app", last=10)
    assert [b.number for b in history.builds] == [1, 2, 3]
    letters = {t.name: t.letters for t in history.tests}
    assert letters == {"test00000": "PFP", "test00001": "PPP", "test00002": "PP-"}
    only = outcome_history(store, "app", pattern="*00002", last=2)
    assert [(t.name, t.letters) for t in only.tests] == [("test00002", "P-")]
    assert [t.name for t in outcome_history(store, "app", pattern="SUITE.TEST00001").tests] == [
        "test00001"
    ]


def test_unknown_job_is_a_clear_not_found(store):
    with pytest.raises(NotFoundError, match="No job 'nope'"):
        outcome_history(store, "nope")


def test_passing_results_are_compact(store):
    for number in range(1, 21):
        import_build(store, BuildInfo("app", number), results(2000))
    per_result = db_info(store)["bytes_in_pages"] / (20 * 2000)
    assert per_result < 40, per_result


KILLER = textwrap.dedent(
    """
    import sys
    from triage.domain import BuildInfo, Outcome, TestResult
    from triage.store import Store
    from triage.store.importer import import_build

    store = Store.open(sys.argv[1])
    state = {"told": False}

    def pause_mid_import():
        # Called by SQLite while statements run: once rows of build 2 are being written,
        # tell the parent and wait to be killed.
        if store.conn.in_transaction and store.conn.total_changes > 5000 and not state["told"]:
            state["told"] = True
            print("MIDWAY", flush=True)
            sys.stdin.readline()
        return 0

    store.conn.set_progress_handler(pause_mid_import, 1000)
    rows = [TestResult("k.C", f"t{i}", Outcome.PASSED, 0.1) for i in range(20000)]
    import_build(store, BuildInfo("app", 2), rows)
    print("FINISHED", flush=True)
    """
)


def test_kill_mid_import_leaves_history_without_that_build(db_path):
    with Store.open(db_path) as store:
        import_build(store, BuildInfo("app", 1), results(100, failing=2))
        before = db_info(store)["counts"]
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLER, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert readline_within(proc).strip() == "MIDWAY"
        proc.kill()
    finally:
        proc.wait(timeout=30)
    assert proc.returncode != 0
    with Store.open(db_path) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db_info(store)["counts"] == before
        assert [b.number for b in outcome_history(store, "app").builds] == [1]


def test_a_failure_without_details_still_has_a_failure_row(store):
    bare = [TestResult("k.C", "quiet", Outcome.FAILED), TestResult("k.C", "boom", Outcome.ERROR)]
    import_build(store, BuildInfo("app", 1), bare)
    rows = store.conn.execute(
        "SELECT kind, type, message_id, signature IS NOT NULL FROM failures ORDER BY test_id"
    ).fetchall()
    assert rows == [("failure", None, None, 1), ("error", None, None, 1)]


def test_texts_created_in_a_rolled_back_import_are_created_again(store):
    failing = results(3, failing=1, msg="only in the failed import")
    failing.append(failing[0])  # duplicate key: the import fails after storing the texts
    with pytest.raises(sqlite3.IntegrityError):
        import_build(store, BuildInfo("app", 1), failing)
    import_build(store, BuildInfo("app", 2), results(3, failing=1, msg="only in the failed import"))
    message = store.conn.execute(
        "SELECT body FROM texts JOIN failures ON failures.message_id = texts.id"
    ).fetchall()
    assert message == [("only in the failed import",)]


def test_stale_signatures_are_recomputed_on_open(db_path):
    from triage.flakiness.signatures import signature_id

    with Store.open(db_path) as store:
        import_build(store, BuildInfo("app", 1), results(4, failing=2))
        test_id = store.conn.execute("SELECT test_id FROM failures LIMIT 1").fetchone()[0]
        store.conn.execute(
            "INSERT INTO verdicts (build_id, test_id, signature, verdict, at) "
            "VALUES (1, ?, 'old-rules', 'noise', 0)", (test_id,))
        # As if stored by a version with other signature rules.
        store.conn.execute("UPDATE failures SET signature = 'old-rules'")
        store.conn.execute("UPDATE meta SET value = '0' WHERE key = 'signature_version'")
    with Store.open(db_path) as store:
        expected = signature_id("java.lang.AssertionError", "expected 1 but was 2",
                                "at com.acme.Suite")
        assert store.conn.execute("SELECT DISTINCT signature FROM failures").fetchall() == [
            (expected,)
        ]
        assert store.conn.execute("SELECT signature FROM verdicts").fetchall() == [(expected,)]


def test_texts_from_hand_built_results_follow_the_importer_cap(store):
    from triage.junit.texts import MAX_TEXT_BYTES

    trace = "top of the trace\n" + "x" * 200_000 + "\nlast line before the failure"
    failing = TestResult("k.C", "t", Outcome.FAILED,
                         attempts=(Attempt("failure", "E", "  boom  ", trace),))
    import_build(store, BuildInfo("app", 1), [failing])
    bodies = dict(store.conn.execute(
        "SELECT t.id = f.message_id, t.body FROM texts t JOIN failures f "
        "ON t.id IN (f.message_id, f.trace_id)").fetchall())
    assert bodies[1] == "boom"
    stored = bodies[0]
    assert len(stored.encode()) <= MAX_TEXT_BYTES
    assert stored.startswith("top of the trace") and stored.endswith("last line before the failure")
