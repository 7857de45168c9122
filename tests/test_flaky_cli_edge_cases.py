"""Review of `triage failures`, `mark`, `unmark` as a developer and as a hostile user would.

Every history is imported with the real importer into a real SQLite file.
"""

from __future__ import annotations

import json

import pytest
from support import cli_on

from triage.domain import Attempt, BuildInfo, Outcome, TestResult
from triage.store import Store
from triage.store.importer import import_build

CART = "com.acme.cart.CartTest"
SHOP = "com.acme.shop.CartTest"


def _failed(classname: str, name: str, message: str, frame: str) -> TestResult:
    trace = f"java.lang.AssertionError: {message}\n\tat {frame}(X.java:10)"
    attempt = Attempt("failure", "java.lang.AssertionError", message, trace)
    return TestResult(classname, name, Outcome.FAILED, attempts=(attempt,))


def results(number: int, *, broken_from: int = 9) -> list[TestResult]:
    """Two testTotal tests (same name, two classes) that break from `broken_from` on."""
    out = [TestResult(CART, f"t{i}", Outcome.PASSED) for i in range(3)]
    if number >= broken_from:
        out.append(_failed(CART, "testTotal", f"expected:<1> but was:<{number}>", "a.Cart.total"))
        out.append(_failed(SHOP, "testTotal", f"expected:<2> but was:<{number}>", "a.Shop.total"))
    else:
        out += [TestResult(CART, "testTotal", Outcome.PASSED)]
        out += [TestResult(SHOP, "testTotal", Outcome.PASSED)]
    return out


def add(db_path, number: int, tests: list[TestResult], *, job="app", sha=None) -> None:
    info = BuildInfo(job, number, revision=sha or f"{number:040x}", branch="main")
    with Store.open(db_path) as store:
        import_build(store, info, tests)


@pytest.fixture
def run(db_path):
    invoke = cli_on(db_path)
    return lambda *args, expect=0: invoke(*args, expect=expect).output


@pytest.fixture
def history(db_path):
    # Imported out of order: #10 arrives before #9.
    for number in [*range(1, 9), 10, 9]:
        add(db_path, number, results(number))
    return db_path


def as_json(run, *args) -> dict[str, dict]:
    return {
        f["test"]: f for f in json.loads(run("failures", "--job", "app", *args, "--format", "json"))
    }


def test_builds_imported_out_of_order_are_read_in_build_order(history, run):
    data = as_json(run)  # the newest build by default: #10, not #9 imported last
    assert {f["cluster"]["id"] for f in data.values()} == {"since-9"}
    assert data[f"{CART}.testTotal"]["history"] == "PPPPPPPPFF"


def test_a_verdict_survives_a_reimport_of_its_build(history, run, db_path):
    run("mark", "--job", "app", "--build", "10", "--test", f"{CART}.testTotal", "--verdict", "real")
    add(db_path, 10, results(10))  # re-imported: replaces the results, keeps the build row
    assert as_json(run, "--build", "10")[f"{CART}.testTotal"]["verdict"] == "real"


def test_an_ambiguous_test_name_is_one_line_with_exit_code_2(history, run):
    out = run(
        "mark",
        "--job",
        "app",
        "--build",
        "10",
        "--test",
        "testTotal",
        "--verdict",
        "noise",
        expect=2,
    )
    assert out == "error: 'testTotal' names 2 failures; give classname.name.\n"


def test_marking_a_test_that_did_not_fail_says_so(history, run):
    out = run(
        "mark",
        "--job",
        "app",
        "--build",
        "10",
        "--test",
        f"{CART}.t0",
        "--verdict",
        "noise",
        expect=3,
    )
    assert out == (
        f"error: Test '{CART}.t0' did not fail in build #10 of 'app'; see triage failures.\n"
    )


def test_a_cluster_mark_then_one_member_marked_differently(history, run):
    run("mark", "--job", "app", "--build", "10", "--cluster", "since-9", "--verdict", "noise")
    run("mark", "--job", "app", "--build", "10", "--test", f"{SHOP}.testTotal", "--verdict", "real")
    data = as_json(run, "--build", "10")
    assert data[f"{CART}.testTotal"]["verdict"] == "noise"
    assert data[f"{SHOP}.testTotal"]["verdict"] == "real"
    table = run("failures", "--job", "app", "--build", "10")
    assert "[since-9] Failing since #9 (2 tests)  -> real\n" in table  # no single mark to show
    assert f"         marked noise by {_who()}" in _member(table, f"{CART}.testTotal")
    assert f"         marked real by {_who()}" in _member(table, f"{SHOP}.testTotal")


def _member(table: str, test: str) -> list[str]:
    """Return the lines of one member of `triage failures`: its own line and what follows."""
    lines = table.splitlines()
    start = next(i for i, line in enumerate(lines) if line.endswith(f"  {test}"))
    block = [lines[start]]
    for line in lines[start + 1:]:
        if not line.startswith(" " * 9):
            break
        block.append(line)
    return block


def _who() -> str:
    import getpass
    import os

    return os.environ.get("TRIAGE_USER") or getpass.getuser()


def test_unmark_twice_and_unmark_with_nothing_marked(history, run):
    args = ("unmark", "--job", "app", "--build", "10", "--cluster", "since-9")
    assert run(*args) == "No verdict in force there on app #10; nothing to undo.\n"
    run("mark", "--job", "app", "--build", "10", "--cluster", "since-9", "--verdict", "noise")
    assert run(*args) == "Undid 2 verdicts on app #10.\n"
    assert run(*args) == "No verdict in force there on app #10; nothing to undo.\n"


def test_a_note_with_newlines_and_unicode_is_kept_and_quoted_later(db_path, run):
    for number in range(1, 12):
        flaky = number in (5, 11)
        tests = [
            _failed(CART, "testFlaky", "Timed out after 30 s", "a.Poller.await")
            if flaky
            else TestResult(CART, "testFlaky", Outcome.PASSED)
        ]
        add(db_path, number, tests)
    note = "réseau coupé ✓\nsee INC-42"
    out = run(
        "mark",
        "--job",
        "app",
        "--build",
        "5",
        "--test",
        "testFlaky",
        "--verdict",
        "noise",
        "--note",
        note,
        "--who",
        "dora",
    )
    assert out == "Marked 1 failure of app #5 noise (by dora).\n"
    item = as_json(run, "--build", "11")[f"{CART}.testFlaky"]
    assert item["suggestion"] == "noise"
    assert item["reasons"][0] == 'marked noise by dora in #5 for this error: "réseau coupé ✓"'
    with Store.open(db_path) as store:
        (stored,) = store.conn.execute("SELECT note FROM verdicts").fetchone()
    assert stored == note


def test_a_pass_in_another_job_on_the_same_commit_is_unsure_in_the_table(db_path, run):
    sha = "c0ffee1" + "0" * 33
    for number in range(1, 20):
        add(db_path, number, [TestResult(CART, "testPath", Outcome.PASSED)], job="app-windows")
    add(
        db_path,
        20,
        [_failed(CART, "testPath", "expected:<a\\b> but was:<a/b>", "a.Paths.join")],
        job="app-windows",
        sha=sha,
    )
    add(db_path, 7, [TestResult(CART, "testPath", Outcome.PASSED)], job="app-linux", sha=sha)
    table = run("failures", "--job", "app-windows")
    assert "[other-job] Passed on the same commit, but only in another job (1 test)  -> unsure" in (
        table
    )
    assert "passed on the same commit c0ffee1 in app-linux #7" in table


def test_the_real_cluster_is_listed_before_a_noise_outage(db_path, run):
    billing = [f"com.acme.billing.Case{i}Test" for i in range(8)]

    def build(number: int) -> list[TestResult]:
        out = [TestResult(c, "test", Outcome.PASSED) for c in billing]
        out.append(TestResult(CART, "testTotal", Outcome.PASSED))
        if number == 12:
            out = [
                TestResult(
                    c,
                    "test",
                    Outcome.ERROR,
                    attempts=(
                        Attempt(
                            "error",
                            "java.net.ConnectException",
                            "Connection refused: db:5432",
                            "java.net.ConnectException: Connection refused: db:5432\n"
                            "\tat org.postgresql.Driver.connect(Driver.java:1)",
                        ),
                    ),
                )
                for c in billing
            ]
            out.append(_failed(CART, "testTotal", "expected:<1> but was:<2>", "a.Cart.total"))
        return out

    for number in range(1, 13):
        add(db_path, number, build(number))
    lines = run("failures", "--job", "app").splitlines()
    assert lines[0] == "app #12 (0000000): 9 failures in 2 clusters: 1 real, 8 noise"
    assert lines[2] == "[new] New failures (1 test)  -> real"
    (outage,) = [line for line in lines if line.startswith("[sig-")]
    assert lines.index(outage) > 2 and outage.endswith("-> noise")


def test_a_branch_name_given_as_revision_is_no_commit(db_path, run):
    # `triage import --revision HEAD` (or main) on every build: they did not all run one commit.
    for number in range(1, 10):
        add(db_path, number, [TestResult(CART, "testTotal", Outcome.PASSED)], sha="HEAD")
    add(
        db_path,
        10,
        [_failed(CART, "testTotal", "expected:<1> but was:<2>", "a.Cart.total")],
        sha="HEAD",
    )
    item = as_json(run)[f"{CART}.testTotal"]
    assert item["suggestion"] == "real"
    assert not any("same commit" in r for r in item["reasons"])


def test_a_subversion_revision_number_is_a_commit(db_path, run):
    for number in range(1, 10):
        add(db_path, number, [TestResult(CART, "testTotal", Outcome.PASSED)], sha=str(100 + number))
    add(
        db_path,
        10,
        [_failed(CART, "testTotal", "expected:<1> but was:<2>", "a.Cart.total")],
        sha="109",
    )
    item = as_json(run)[f"{CART}.testTotal"]
    assert item["reasons"][0] == "passed on the same commit 109 in #9"


def test_a_mark_can_be_undone_after_a_reimport_where_the_test_passed(history, run, db_path):
    test = f"{CART}.testTotal"
    run("mark", "--job", "app", "--build", "10", "--test", test, "--verdict", "noise")
    add(db_path, 10, results(10, broken_from=99))  # re-imported: nothing fails any more
    assert run("unmark", "--job", "app", "--build", "10", "--test", test) == (
        "Undid 1 verdict on app #10.\n"
    )
    with Store.open(db_path) as store:
        assert store.conn.execute(
            "SELECT count(*) FROM verdicts WHERE undone_at IS NULL"
        ).fetchone() == (0,)
    out = run("unmark", "--job", "app", "--build", "10", "--test", test, expect=3)
    assert out == f"error: Test '{test}' did not fail in build #10 of 'app'; see triage failures.\n"


def test_control_characters_in_test_names_stay_on_one_line(tmp_path):
    from click.testing import CliRunner

    from triage.cli import cli
    from triage.domain import Attempt, BuildInfo, Outcome, TestResult
    from triage.store import Store
    from triage.store.importer import import_build

    db = tmp_path / "h.db"
    odd = TestResult("k.C", "breaks\nthe\tline", Outcome.FAILED,
                     attempts=(Attempt("failure", "AssertionError", "boom"),))
    with Store.open(db) as store:
        import_build(store, BuildInfo("app", 1), [TestResult("k.C", "breaks\nthe\tline",
                                                             Outcome.PASSED)])
        import_build(store, BuildInfo("app", 2), [odd])
    for args in (["failures", "--job", "app", "--build", "2"], ["flaky", "--job", "app"]):
        out = CliRunner().invoke(cli, [*args, "--db", str(db)]).output
        assert "breaks\\nthe\\tline" in out, out
        assert "breaks\nthe" not in out


def test_mark_without_a_login_name_is_recorded_as_unknown(history, run, monkeypatch):
    import getpass

    def no_passwd_entry():
        raise OSError("No username set in the environment")  # a container's user, uid only

    monkeypatch.delenv("TRIAGE_USER", raising=False)
    monkeypatch.setattr(getpass, "getuser", no_passwd_entry)
    out = run("mark", "--job", "app", "--build", "10", "--test", f"{CART}.testTotal",
              "--verdict", "real")
    assert out == "Marked 1 failure of app #10 real (by unknown).\n"
    monkeypatch.setenv("TRIAGE_USER", "carol")
    out = run("mark", "--job", "app", "--build", "10", "--test", f"{CART}.testTotal",
              "--verdict", "noise")
    assert out == "Marked 1 failure of app #10 noise (by carol).\n"
