"""A hostile new user against `triage import`, `history` and `db info`: one clear line, no loss.

Each test here failed before its fix (a traceback, a hang, a silent wrong import or a lost
build). Everything is real: SQLite files, subprocesses, FIFOs; nothing sleeps to synchronise.
"""

from __future__ import annotations

import gzip
import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from triage.cli import cli
from triage.domain import BuildInfo
from triage.errors import StoreError
from triage.importing import import_manifest
from triage.store import Store
from triage.store.history import db_info
from triage.store.schema import KNOWN_STEPS

ONE = '<testsuite name="s"><testcase classname="c.A" name="ok" time="0.1"/></testsuite>\n'
MAX_BUILD = 2**63 - 1


def run(db: Path, *args: str, expect: int = 0, env: dict | None = None):
    result = CliRunner().invoke(cli, [*args, "--db", str(db)], env=env)
    assert result.exit_code == expect, result.output + repr(result.exception)
    assert "Traceback" not in result.output
    return result


def error_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "one.xml"
    path.write_text(ONE)
    return path


# --- numbers and names --------------------------------------------------------------------


def test_build_numbers_sqlite_cannot_store_are_usage_errors(db_path, report):
    result = run(db_path, "import", "--job", "j", "--build", str(MAX_BUILD + 1), str(report),
                 expect=2)
    assert "--build" in result.output and str(MAX_BUILD) in result.output
    run(db_path, "import", "--job", "j", "--build", str(MAX_BUILD), str(report))
    # --last past any number of builds means "all of them", not an OverflowError.
    out = run(db_path, "history", "--job", "j", "--last", "9" * 30).output
    assert f"#{MAX_BUILD}" in out


@pytest.mark.parametrize("name", ["", "   ", "a\nb", "tab\there", " padded"])
@pytest.mark.parametrize("option", ["--job", "--server"])
def test_names_that_cannot_name_a_job_or_server_are_refused(db_path, report, name, option):
    names = {"--job": "j", "--server": "local", option: name}
    args = [item for pair in names.items() for item in pair]
    result = run(db_path, "import", *args, "--build", "1", str(report), expect=2)
    assert option in error_line(result)
    if db_path.exists():
        with Store.open(db_path) as store:
            assert db_info(store)["counts"]["builds"] == 0


def test_history_table_escapes_control_characters_and_caps_the_width(db_path, tmp_path):
    long = "x" * 500
    cases = [("k.C", "with&#10;newline"), ("k.C", "with&#9;tab"), ("k.C", "rtl \u202e evil"),
             ("k.C", "ok"), ("k.C", long)]
    xml = "".join(f'<testcase classname="{c}" name="{n}"/>' for c, n in cases)
    path = tmp_path / "odd.xml"
    path.write_text(f'<testsuite name="s">{xml}</testsuite>', encoding="utf-8")
    run(db_path, "import", "--job", "odd", "--build", "1", str(path))
    lines = run(db_path, "history", "--job", "odd").output.splitlines()
    assert len(lines) == 2 + len(cases)  # a name's newline did not split its row
    assert any(line.startswith("k.C.with\\nnewline ") for line in lines)
    assert any(line.startswith("k.C.with\\ttab ") for line in lines)
    assert any("\\u202e" in line for line in lines) and "\u202e" not in "".join(lines)
    short = next(line for line in lines if line.startswith("k.C.ok "))
    assert len(short) <= 100 + 2 + 1  # not padded to the 500-character name
    assert any(line == f"k.C.{long}  P" for line in lines)  # the long one is whole
    data = json.loads(run(db_path, "history", "--job", "odd", "--format", "json").output)
    assert {t["name"] for t in data["tests"]} >= {"with\nnewline", "rtl \u202e evil"}


# --- report files ---------------------------------------------------------------------------


def test_compressed_reports_named_xml_say_so(db_path, tmp_path):
    gz = tmp_path / "TEST-gz.xml"
    gz.write_bytes(gzip.compress(ONE.encode()))
    line = error_line(run(db_path, "import", "--job", "j", "--build", "1", str(gz), expect=1))
    assert "gzip-compressed" in line and "gunzip" in line
    zipped = tmp_path / "TEST-zip.xml"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("TEST-a.xml", ONE)
    line = error_line(run(db_path, "import", "--job", "j", "--build", "1", str(zipped), expect=1))
    assert "zip archive" in line


def test_fifos_and_symlink_loops_in_a_folder_are_passed_over(db_path, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "TEST-a.xml").write_text(ONE)
    os.mkfifo(folder / "TEST-pipe.xml")  # nobody will ever write to it
    (folder / "TEST-dangling.xml").symlink_to(tmp_path / "gone.xml")
    (folder / "TEST-loop1.xml").symlink_to("TEST-loop2.xml")  # was a RuntimeError traceback
    (folder / "TEST-loop2.xml").symlink_to("TEST-loop1.xml")
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to("..")  # a folder loop: links to folders are not followed
    # A subprocess with a timeout: before the fix this read blocked forever.
    proc = subprocess.run(
        [sys.executable, "-m", "triage", "import", "--job", "j", "--build", "1", str(folder),
         "--db", str(db_path)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Imported j #1: 1 test," in proc.stdout


def test_a_report_without_test_cases_is_stored_with_a_warning(db_path, tmp_path):
    empty = tmp_path / "empty-suite.xml"
    empty.write_text('<testsuite name="nothing" tests="0"/>')
    result = run(db_path, "import", "--job", "j", "--build", "1", str(empty))
    assert "0 tests" in result.output and "warning: the reports hold no test case" in result.output


# --- manifests ------------------------------------------------------------------------------


def test_manifest_odd_but_valid_lines_import(db_path, tmp_path, report):
    folder = tmp_path / "m"
    (folder / "41").mkdir(parents=True)
    (folder / "41" / "TEST-a.xml").write_text(ONE)
    lines = [
        {"build": 41, "files": ["41/TEST-a.xml"]},
        {"build": 42, "files": ["41\\TEST-a.xml"]},  # written on Windows
        {"build": 43, "files": [str(report)]},  # absolute
        {"build": 44, "files": ["../one.xml"]},  # outside the manifest's folder
        {"build": 45, "files": ["41/TEST-a.xml"], "revision": 1234},  # a Subversion revision
    ]
    text = "\r\n\r\n   \r\n".join(json.dumps(line) for line in lines) + "\r\n"
    manifest = folder / "builds.jsonl"
    manifest.write_bytes(b"\xef\xbb\xbf" + text.encode())  # BOM, CRLF, blank lines
    result = run(db_path, "import", "--job", "j", "--manifest", str(manifest))
    assert "Imported 5 builds of j (5 test results); skipped 0." in result.output
    builds = json.loads(run(db_path, "history", "--job", "j", "--format", "json").output)
    assert [b["number"] for b in builds["builds"]] == [41, 42, 43, 44, 45]
    assert builds["builds"][-1]["revision"] == "1234"


@pytest.mark.parametrize("line, says", [
    ({"build": 1, "files": [""]}, '"files" must be a non-empty list of non-empty paths'),
    ({"build": 1, "files": ["a.xml"], "revision": {"sha": "x"}}, '"revision" must be a string'),
    ({"build": 1, "files": ["a.xml"], "branch": ["main"]}, '"branch" must be a string'),
    ({"build": 10**30, "files": ["a.xml"]}, f'"build" must be a whole number from 0 to {MAX_BUILD}'),
])
def test_manifest_lines_that_would_misimport_or_crash_are_skipped(db_path, tmp_path, line, says):
    (tmp_path / "a.xml").write_text(ONE)
    (tmp_path / "other.xml").write_text(ONE.replace('"ok"', '"other"'))
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(json.dumps({"build": 2, "files": ["a.xml"]}) + "\n" + json.dumps(line))
    result = run(db_path, "import", "--job", "j", "--manifest", str(manifest), expect=1)
    assert f"skipped m.jsonl:2: {says}" in result.output
    assert "Imported 1 build of j" in result.output and "Fix the lines named above" in result.output
    history = json.loads(run(db_path, "history", "--job", "j", "--format", "json").output)
    assert [b["number"] for b in history["builds"]] == [2]
    assert [t["name"] for t in history["tests"]] == ["ok"]  # "" did not import the folder


def test_manifest_that_is_not_utf8_is_one_line(db_path, tmp_path):
    manifest = tmp_path / "m.jsonl"
    manifest.write_bytes(b'{"build": 1, "files": ["\xff.xml"]}\n')
    line = error_line(run(db_path, "import", "--job", "j", "--manifest", str(manifest), expect=2))
    assert "not UTF-8" in line


# --- the history file -----------------------------------------------------------------------


def test_db_options_that_cannot_name_a_history_are_one_line(tmp_path, report):
    folder = tmp_path / "folder"
    folder.mkdir()
    line = error_line(run(folder, "db", "info", expect=2))
    assert "is a folder" in line and "history.db" in line
    result = CliRunner().invoke(cli, ["db", "info", "--db", ""])
    assert result.exit_code == 2 and "--db is empty" in result.output
    under_a_file = report / "history.db"
    result = run(under_a_file, "import", "--job", "j", "--build", "1", str(report), expect=1)
    assert "Cannot create the folder of the history" in error_line(result)


@pytest.mark.parametrize("args", [
    ("db", "info"), ("history", "--job", "app"), ("failures", "--job", "app"),
    ("flaky", "--job", "app"),
    ("mark", "--job", "app", "--build", "1", "--test", "t", "--verdict", "real"),
    ("unmark", "--job", "app", "--build", "1", "--test", "t"),
])
def test_reading_commands_do_not_create_a_missing_history(tmp_path, args):
    typo = tmp_path / "typo" / "histroy.db"  # its folder does not exist either
    line = error_line(run(typo, *args, expect=3))
    assert line == (f"error: No history at {typo} yet. Import or sync builds first (triage "
                    "import / triage sync), or check --db / TRIAGE_DB.")
    assert list(tmp_path.iterdir()) == []


def test_db_info_on_an_empty_history(db_path):
    Store.open(db_path).close()
    out = run(db_path, "db", "info").output
    assert "builds:         0" in out and "results:        0" in out
    assert "bytes/result" not in out  # no division by zero, no meaningless figure


def _add_future_step(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                     "VALUES ('flaky-triage', 'm999_from_the_future', '2030-01-01')")
        conn.execute("CREATE TABLE from_the_future (x)")


def test_a_history_from_a_newer_triage_is_refused_untouched(db_path, report):
    run(db_path, "import", "--job", "j", "--build", "1", str(report))
    _add_future_step(db_path)
    for args in (("db", "info"), ("import", "--job", "j", "--build", "2", str(report))):
        line = error_line(run(db_path, *args, expect=1))
        assert "written by a newer flaky-triage" in line and "m999_from_the_future" in line
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM builds").fetchone() == (1,)


def test_a_broken_table_on_read_is_one_line(db_path, report):
    run(db_path, "import", "--job", "j", "--build", "1", str(report))
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TABLE results")  # what a damaged or hand-edited file can look like
    line = error_line(run(db_path, "history", "--job", "j", expect=1))
    assert line.startswith(f"error: Cannot read the history at {db_path}")


# --- locks and concurrent writers -------------------------------------------------------------


@pytest.fixture
def held_write_lock(db_path):
    """Another process's long write: a second connection holding the write lock."""
    Store.open(db_path).close()
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    yield holder
    holder.rollback()
    holder.close()


def test_an_import_waits_a_bounded_time_for_a_locked_history(db_path, report, held_write_lock):
    result = run(db_path, "import", "--job", "j", "--build", "1", str(report), expect=1,
                 env={"TRIAGE_DB_TIMEOUT": "0.2"})
    line = error_line(result)
    assert "is locked" in line and "0.2 s" in line and "run the command again" in line
    held_write_lock.rollback()
    run(db_path, "import", "--job", "j", "--build", "1", str(report))  # then it lands whole
    with Store.open(db_path) as store:
        assert db_info(store)["counts"]["results"] == 1


def test_a_manifest_stopped_by_a_lock_says_what_landed(db_path, tmp_path, held_write_lock):
    (tmp_path / "a.xml").write_text(ONE)
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(json.dumps({"build": 1, "files": ["a.xml"]}) + "\n")
    with Store.open(db_path, timeout=0.1) as store, pytest.raises(StoreError) as caught:
        import_manifest(store, manifest, BuildInfo("j", 0), workers=0)
    assert "is locked" in caught.value.message
    assert "The builds stored before it (0) are whole" in caught.value.message


def _open_at_once(path: str, barrier, results) -> None:
    barrier.wait()
    try:
        Store.open(path).close()
        results.put("ok")
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which asserts
        results.put(f"{type(exc).__name__}: {exc}")


def test_processes_creating_the_same_new_history_at_once_all_succeed(tmp_path):
    context = multiprocessing.get_context("fork")
    for attempt in range(3):  # each round failed before the fix ("table ... already exists")
        path = str(tmp_path / f"new{attempt}.db")
        barrier, results = context.Barrier(4), context.Queue()
        workers = [context.Process(target=_open_at_once, args=(path, barrier, results))
                   for _ in range(4)]
        for worker in workers:
            worker.start()
        outcomes = [results.get(timeout=120) for _ in workers]
        for worker in workers:
            worker.join()
        assert outcomes == ["ok"] * 4
        with Store.open(path) as store:
            assert db_info(store)["migrations"] == list(KNOWN_STEPS)


def test_two_import_processes_on_one_history_both_land(db_path, tmp_path):
    Store.open(db_path).close()
    procs = []
    for job in ("a", "b"):
        folder = tmp_path / job
        folder.mkdir()
        lines = []
        for number in range(12):
            cases = "".join(f'<testcase classname="k.C{job}" name="t{i}"/>' for i in range(200))
            (folder / f"{number}.xml").write_text(f'<testsuite name="s">{cases}</testsuite>')
            lines.append(json.dumps({"build": number, "files": [f"{number}.xml"]}))
        (folder / "m.jsonl").write_text("\n".join(lines))
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "triage", "import", "--job", job, "--manifest",
             str(folder / "m.jsonl"), "--db", str(db_path)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ))
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert "Imported 12 builds" in out
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM results").fetchone() == (2 * 12 * 200,)


def test_an_empty_manifest_is_an_error_not_a_quiet_success(db_path, tmp_path):
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("\n  \n")
    line = error_line(run(db_path, "import", "--job", "j", "--manifest", str(manifest), expect=2))
    assert "lists no build" in line


def test_a_full_disk_rolls_back_the_build_and_says_so(store):
    from triage.domain import Outcome, TestResult
    from triage.store.importer import import_build

    small = [TestResult("k.C", f"t{i}", Outcome.PASSED) for i in range(5)]
    import_build(store, BuildInfo("j", 1), small)
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # a disk with no room left
    big = [TestResult("k.C", f"long name {i} " * 20, Outcome.PASSED) for i in range(5000)]
    with pytest.raises(StoreError, match="is full. This write was undone"):
        import_build(store, BuildInfo("j", 2), big)
    assert not store.conn.in_transaction
    assert db_info(store)["counts"]["builds"] == 1 and db_info(store)["counts"]["tests"] == 5


def test_history_over_more_builds_than_sqlite_has_variables(store):
    from triage.store.history import outcome_history

    # SQLite's limit on ? variables varies by build (999 on old ones, 32,766 by default, more on
    # Debian); pin a small one rather than write 250,000 builds.
    store.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    builds = 2_000
    with store.transaction() as conn:  # plain SQL: 2,000 imports would only cost time
        job_id = store.job_id("many", create=True)
        conn.execute("INSERT INTO tests (classname, name) VALUES ('k.C', 't')")
        conn.executemany("INSERT INTO builds (job_id, number, imported_at) VALUES (?, ?, 0)",
                         ((job_id, n) for n in range(builds)))
        conn.execute("INSERT INTO results SELECT id, 1, 0, NULL, 0 FROM builds")
    history = outcome_history(store, "many", last=5_000)
    assert len(history.builds) == builds
    assert [row.letters for row in history.tests] == ["P" * builds]


def test_a_read_only_history_is_one_clear_error(store):
    from triage.domain import Outcome, TestResult
    from triage.store.importer import import_build

    # Root ignores file modes, so the read-only file is SQLite's own switch (same error code).
    store.conn.execute("PRAGMA query_only = 1")
    with pytest.raises(StoreError, match="is read-only. This write was undone"):
        import_build(store, BuildInfo("j", 1), [TestResult("k.C", "t", Outcome.PASSED)])
    store.conn.execute("PRAGMA query_only = 0")
    assert db_info(store)["counts"]["builds"] == 0


@pytest.mark.parametrize("value", [-3, 1e300, 8 * 86400])
def test_jenkins_report_json_with_implausible_durations_imports_them_as_unknown(store, value):
    from triage.jenkins.schema import ReportJson, convert
    from triage.junit.jenkins_json import results_from_report
    from triage.store.importer import import_build

    case = {"className": "k.C", "name": "t", "status": "PASSED", "duration": value}
    report = convert({"suites": [{"name": "s", "cases": [case]}]}, ReportJson, "report")
    results = results_from_report(report)
    assert results[0].duration is None  # a duration no test can take is unknown
    assert import_build(store, BuildInfo("j", 1), results).tests == 1


@pytest.mark.parametrize("field, value", [
    ("status", ["PASSED"]), ("status", {"x": 1}), ("duration", 10**400), ("duration", "1s"),
], ids=["status-list", "status-object", "duration-huge-int", "duration-text"])
def test_jenkins_report_json_with_wrong_types_is_refused_naming_the_field(field, value):
    from triage.errors import JenkinsBadResponse
    from triage.jenkins.schema import ReportJson, convert

    case = {"className": "k.C", "name": "t", "status": "PASSED", "duration": 0.5, field: value}
    with pytest.raises(JenkinsBadResponse, match=rf"`\$\.suites\[0\]\.cases\[0\]\.{field}`"):
        convert({"suites": [{"name": "s", "cases": [case]}]}, ReportJson, "report")


def test_a_quoted_tilde_in_the_history_path_means_home(tmp_path, monkeypatch, report):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    run(Path("~/hist.db"), "import", "--job", "j", "--build", "1", str(report))
    assert (tmp_path / "home" / "hist.db").is_file() and not (tmp_path / "~").exists()


def test_build_options_beside_a_manifest_are_refused_not_ignored(db_path, tmp_path):
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(json.dumps({"build": 1, "files": ["a.xml"]}) + "\n")
    result = run(db_path, "import", "--job", "j", "--manifest", str(manifest), "--revision",
                 "abc", expect=2)
    assert "in each line of the manifest" in error_line(result)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_a_history_where_no_file_can_be_created_is_one_line(report):
    # /proc refuses new files even to root, like a read-only folder does to everyone else.
    result = run(Path("/proc/triage-history.db"), "import", "--job", "j", "--build", "1",
                 str(report), expect=1)
    assert "Cannot open or create the history at /proc/triage-history.db" in error_line(result)


def test_a_file_name_with_a_newline_stays_one_error_line(db_path, tmp_path):
    bad = tmp_path / "bad\nname.xml"
    bad.write_text("<testsuite><testcase")
    result = run(db_path, "import", "--job", "j", "--build", "1", str(bad), expect=1)
    assert len(result.output.splitlines()) == 1 and "bad\\nname.xml" in result.output
