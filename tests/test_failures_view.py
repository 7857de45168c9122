"""What a person reads to decide: each failure's error, its marks, its Jenkins page."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

import pytest
import requests
from click.testing import CliRunner
from support import read_terminal

from tests.jenkins_world import T0, client_for, serve, small_world
from triage.cli import cli
from triage.domain import Attempt, BuildInfo, Outcome, TestResult
from triage.jenkins.server import Case, Report, Suite
from triage.store import Store
from triage.store.importer import import_build
from triage.sync import SyncOptions, sync

LONG = ("expected the cart total to be 100.00 EUR after the discount was applied, but it was "
        "99.99 EUR because the rounding mode of the new price service truncates\n"
        "second line of the message")
TRACE = "java.lang.AssertionError: expected...\n" + "".join(
    f"\tat com.acme.Frame{i}.call(Frame{i}.java:{i})\n" for i in range(12))


def _run(db_path, *args, env=None):
    return CliRunner().invoke(cli, [*args, "--db", str(db_path)], env=env)


def _failing(name: str, message: str = LONG, trace: str = TRACE) -> TestResult:
    classname, test = name.rsplit(".", 1)
    return TestResult(classname, test, Outcome.FAILED,
                      attempts=(Attempt("failure", "java.lang.AssertionError", message, trace),))


@pytest.fixture
def imported(db_path):
    with Store.open(db_path) as store:
        for number in range(1, 8):
            results = [TestResult("com.acme.CartTest", "total", Outcome.PASSED)]
            if number == 7:
                results = [_failing("com.acme.CartTest.total")]
            import_build(store, BuildInfo("app", number, revision=f"{number:07x}"), results)
    return db_path


def test_the_table_shows_the_first_line_cut_to_the_width_and_v_the_whole(imported):
    table = _run(imported, "failures", "--job", "app", "--build", "7", env={"COLUMNS": "70"})
    lines = table.stdout.splitlines()
    (message,) = [line for line in lines if "expected the cart total" in line]
    assert len(message) == 70 and message.endswith("…")
    assert "second line" not in table.stdout and "Frame" not in table.stdout
    assert all(len(line) <= 70 for line in lines)
    verbose = _run(imported, "failures", "--job", "app", "--build", "7", "-v",
                   env={"COLUMNS": "70"}).stdout
    assert "         second line of the message" in verbose
    assert "         | java.lang.AssertionError: expected..." in verbose
    assert "         |     at com.acme.Frame6.call(Frame6.java:6)" in verbose  # tabs expanded
    assert "Frame7" not in verbose and "         | (5 more lines in the JSON)" in verbose


def test_json_keeps_message_and_trace_whole_and_imported_builds_have_no_link(imported):
    (item,) = json.loads(_run(imported, "failures", "--job", "app", "--build", "7",
                              "--format", "json").stdout)
    assert item["message"] == LONG and item["trace"] == TRACE.rstrip("\n")  # as stored
    assert item["first_line"].startswith("expected the cart total") and "\n" not in \
        item["first_line"]
    assert item["url"] is None
    assert (item["verdict_by"], item["verdict_note"], item["verdict_at"]) == (None, None, None)


def test_marks_show_who_and_the_note_in_the_table_v_json_and_flaky(imported):
    marked = _run(imported, "mark", "--job", "app", "--build", "7", "--test",
                  "com.acme.CartTest.total", "--verdict", "noise", "--who", "bob",
                  "--note", "the price service was redeployed")
    assert marked.exit_code == 0, marked.output
    table = _run(imported, "failures", "--job", "app", "--build", "7").stdout
    assert "         marked noise by bob: the price service was redeployed\n" in table
    verbose = _run(imported, "failures", "--job", "app", "--build", "7", "-v").stdout
    assert "         marked noise by bob on 20" in verbose and " UTC: the price" in verbose
    (item,) = json.loads(_run(imported, "failures", "--job", "app", "--build", "7",
                              "--format", "json").stdout)
    assert (item["verdict"], item["verdict_by"], item["verdict_note"]) == (
        "noise", "bob", "the price service was redeployed")
    assert isinstance(item["verdict_at"], int)
    flaky = _run(imported, "flaky", "--job", "app").stdout
    assert "       marked noise by bob on #7: the price service was redeployed" in flaky
    (ranked,) = json.loads(_run(imported, "flaky", "--job", "app", "--format", "json").stdout)
    assert [(v["build"], v["verdict"], v["verdict_by"]) for v in ranked["verdicts"]] == [
        (7, "noise", "bob")]


def test_a_real_mark_takes_the_failure_out_of_the_flakiness_evidence(db_path):
    """A regression fixed after two builds looks flaky (it went away); a person says real."""
    with Store.open(db_path) as store:
        for number in range(1, 41):
            failed = number in (10, 11, 25, 26)
            result = _failing("com.acme.PayTest.refund", "refund broke") if failed else \
                TestResult("com.acme.PayTest", "refund", Outcome.PASSED)
            import_build(store, BuildInfo("app", number, revision=f"{number:07x}"), [result])

    (ranked,) = json.loads(_run(db_path, "flaky", "--job", "app", "--format", "json").stdout)
    assert ranked["score"] > 0.5 and ranked["recovered"] == [10, 25]
    for number in (10, 11, 25, 26):
        _run(db_path, "mark", "--job", "app", "--build", str(number), "--test",
             "com.acme.PayTest.refund", "--verdict", "real", "--who", "alice")
    # Nothing is left of its flakiness: it is not ranked at all.
    assert json.loads(_run(db_path, "flaky", "--job", "app", "--format", "json").stdout) == []
    assert "looks flaky" in _run(db_path, "flaky", "--job", "app").stdout


def test_a_reason_names_the_server_when_builds_come_from_two(db_path):
    sha = "bfbdf57" + "0" * 33
    with Store.open(db_path) as store:
        for number in range(1, 8):
            info = BuildInfo("app", number, server="ci", revision=f"{number:040x}")
            import_build(store, info, [TestResult("com.acme.T", "t", Outcome.PASSED)])
        import_build(store, BuildInfo("app", 40, server="ci-eu", revision=sha),
                     [TestResult("com.acme.T", "t", Outcome.PASSED)])
        import_build(store, BuildInfo("app", 40, server="ci", revision=sha),
                     [_failing("com.acme.T.t", "boom")])
    (item,) = json.loads(_run(db_path, "failures", "--job", "app", "--build", "40",
                              "--server", "ci", "--format", "json").stdout)
    assert "passed on the same commit bfbdf57 in app (ci-eu) #40" in item["reasons"][0]


def test_a_build_older_than_the_synced_ones_says_why_it_is_missing(imported):
    with Store.open(imported) as store:
        store.conn.execute("DELETE FROM results WHERE build_id IN "
                           "(SELECT id FROM builds WHERE number < 3)")
        store.conn.execute("DELETE FROM builds WHERE number < 3")
    result = _run(imported, "failures", "--job", "app", "--build", "1")
    assert result.exit_code == 3
    assert result.output.strip() == (
        "error: Build #1 of 'app' is not in the history: it has 5 builds, #3 to #7; sync "
        "keeps the newest --max-builds of a job (100 by default), so take it in with "
        "`triage sync --job app --max-builds 7`.")


def test_each_failure_links_to_its_jenkins_test_page(store, db_path):
    world = small_world()
    odd = Case("com.acme.cart.Cart Test", "adds [2] ítems #1", outcome="failed",
               message="boom", trace="java.lang.AssertionError: boom")
    world.pipeline("odd").add_build(1, result="UNSTABLE", timestamp_ms=T0, duration_ms=1,
                                    report=Report([Suite("s", [odd])]))
    with serve(world) as srv:
        sync(client_for(srv), store, SyncOptions(jobs=["app", "odd"]))
        data = {job: json.loads(_run(db_path, "failures", "--job", job, "--build", number,
                                     "--format", "json").stdout)
                for job, number in (("app", "2"), ("odd", "1"))}
        (app,) = data["app"]
        assert app["url"] == srv.url + "job/app/2/testReport/com.example/CartTest/fails0/"
        (weird,) = data["odd"]
        assert weird["url"] == (srv.url + "job/odd/1/testReport/com.acme.cart/Cart_Test/"
                                "adds__2__%C3%ADtems__1/")
        for url in (app["url"], weird["url"]):
            page = requests.get(url, auth=("alice", srv.users["alice"]), timeout=10)
            assert page.status_code == 200, url
        table = _run(db_path, "failures", "--job", "app", "--build", "2").stdout
        assert "         " + app["url"] + "\n" in table  # unsure: its page is shown


def _on_a_terminal(args: list[str], env: dict) -> bytes:
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "triage", *args], stdout=slave,
                            stderr=slave, env={**os.environ, **env})
    os.close(slave)
    try:
        out = read_terminal(master, 30)
    finally:
        os.close(master)
        proc.wait(timeout=30)
    return out


def test_colours_only_on_a_terminal_and_never_with_no_color(imported):
    args = ["failures", "--job", "app", "--build", "7", "--db", str(imported)]
    coloured = _on_a_terminal(args, {})
    assert b"\x1b[31m" in coloured  # real, in red
    plain = _on_a_terminal(args, {"NO_COLOR": "1"})
    assert b"\x1b[" not in plain and b"real" in plain
    piped = subprocess.run([sys.executable, "-m", "triage", *args], capture_output=True,
                           env=os.environ, timeout=60)
    assert b"\x1b[" not in piped.stdout and b"real" in piped.stdout
