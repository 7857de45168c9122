"""`triage failures`, `mark`, `unmark` and `flaky` on a real SQLite history.

The history (job app, branch main) is imported with the real importer:
- builds 1-10 on their own commits, build 11 retries build 10's commit;
- CartTest.testTotal regresses from #8 on;
- CartTest.testFlaky times out in #2 and #5, passes on rerun in #4, fails in #10 and passes in
  the retry #11 (same commit);
- SearchTest.testQuery fails for the first time in #10, and again in the retry #11;
- #10 has an outage: six billing tests fail with "Connection refused: db:5432".
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner
from support import cli_on

from triage.cli import cli
from triage.domain import Attempt, BuildInfo, Outcome, TestResult
from triage.store import Store
from triage.store.importer import import_build
from triage.triage_build import mark as triage_mark
from triage.triage_build import unmark as unmark_failures

BILLING = [f"com.acme.billing.Case{i}Test" for i in range(6)]
TOTAL = "com.acme.cart.CartTest.testTotal"
FLAKY = "com.acme.cart.CartTest.testFlaky"
QUERY = "com.acme.search.SearchTest.testQuery"


def _attempt(kind: str, type_: str, message: str, frame: str) -> Attempt:
    return Attempt(kind, type_, message, f"{type_}: {message}\n\tat {frame}(X.java:10)")


def _timeout(number: int) -> Attempt:
    return _attempt(
        "failure",
        "java.util.concurrent.TimeoutException",
        f"Timed out after {1000 + number} ms",
        "com.acme.cart.Poller.await",
    )


def results(number: int, *, retry: bool = False) -> list[TestResult]:
    out = []
    for classname in BILLING:
        if number == 10:
            attempt = _attempt(
                "error",
                "java.net.ConnectException",
                "Connection refused: db:5432",
                "org.postgresql.Driver.connect",
            )
            out.append(TestResult(classname, "test", Outcome.ERROR, attempts=(attempt,)))
        else:
            out.append(TestResult(classname, "test", Outcome.PASSED))
    if number >= 8:
        attempt = _attempt(
            "failure",
            "java.lang.AssertionError",
            f"expected:<100> but was:<{number}>",
            "com.acme.cart.Cart.total",
        )
        out.append(
            TestResult("com.acme.cart.CartTest", "testTotal", Outcome.FAILED, attempts=(attempt,))
        )
    else:
        out.append(TestResult("com.acme.cart.CartTest", "testTotal", Outcome.PASSED))
    if number in (2, 5) or (number == 10 and not retry):
        out.append(
            TestResult(
                "com.acme.cart.CartTest", "testFlaky", Outcome.FAILED, attempts=(_timeout(number),)
            )
        )
    elif number == 4:
        out.append(
            TestResult(
                "com.acme.cart.CartTest",
                "testFlaky",
                Outcome.FLAKY,
                reruns=1,
                attempts=(_timeout(number),),
            )
        )
    else:
        out.append(TestResult("com.acme.cart.CartTest", "testFlaky", Outcome.PASSED))
    if number in (10, 11, 13):
        attempt = _attempt(
            "failure",
            "java.lang.IllegalStateException",
            "index closed",
            "com.acme.search.Index.query",
        )
        out.append(
            TestResult(
                "com.acme.search.SearchTest", "testQuery", Outcome.FAILED, attempts=(attempt,)
            )
        )
    else:
        out.append(TestResult("com.acme.search.SearchTest", "testQuery", Outcome.PASSED))
    return out


def import_one(store: Store, number: int, revision: str, *, retry: bool = False) -> None:
    info = BuildInfo("app", number, revision=revision, branch="main", timestamp_ms=number * 1000)
    import_build(store, info, results(number, retry=retry))


@pytest.fixture
def history(db_path):
    with Store.open(db_path) as store:
        for number in range(1, 11):
            import_one(store, number, f"{number:07x}" + "0" * 33)
        import_one(store, 11, f"{10:07x}" + "0" * 33, retry=True)
    return db_path


@pytest.fixture
def run(history):
    return cli_on(history)


def failures(run, build: int = 10) -> dict[str, dict]:
    data = json.loads(
        run("failures", "--job", "app", "--build", str(build), "--format", "json").output
    )
    return {item["test"]: item for item in data}


def test_failures_json_follows_the_contract(run):
    data = json.loads(run("failures", "--job", "app", "--build", "10", "--format", "json").output)
    assert isinstance(data, list) and len(data) == 9
    for item in data:
        assert {
            "classname",
            "name",
            "test",
            "status",
            "suggestion",
            "score",
            "cluster",
            "signature",
            "reasons",
            "verdict",
            "history",
        } <= set(item)
        assert item["test"] == f"{item['classname']}.{item['name']}"
        assert item["status"] in ("failed", "error")
        assert item["suggestion"] in ("real", "noise", "unsure")
        assert 0.0 <= item["score"] <= 1.0
        assert set(item["cluster"]) >= {"id", "label", "suggestion"}
        assert item["cluster"]["suggestion"] in ("real", "noise", "unsure")
        assert re.fullmatch(r"[0-9a-f]{16}", item["signature"])
        assert item["reasons"] and all(isinstance(r, str) and r for r in item["reasons"])
        assert item["verdict"] is None
        assert re.fullmatch(r"[PFESR]+", item["history"])
        for key in ("classname", "name", "test", "status", "suggestion", "signature", "history"):
            assert isinstance(item[key], str), key
        assert isinstance(item["score"], (int, float)) and not isinstance(item["score"], bool)
        assert all(
            isinstance(item["cluster"][k], str) and item["cluster"][k]
            for k in ("id", "label", "suggestion")
        )
    # Grouped cluster by cluster, and every member carries its cluster's suggestion object.
    ids = [item["cluster"]["id"] for item in data]
    assert ids == sorted(ids, key=ids.index)
    assert len({item["cluster"]["id"] for item in data}) == 4


def test_failures_explain_each_kind(run):
    by_test = failures(run)
    total = by_test[TOTAL]
    assert total["history"] == "PPPPPPPFFF"  # oldest first, this build last
    assert (total["suggestion"], total["cluster"]["id"]) == ("real", "since-8")
    assert total["reasons"][0] == "failing since #8 with the same error (3 builds in a row)"
    flaky = by_test[FLAKY]
    assert flaky["history"] == "PFPRFPPPPF"
    assert flaky["suggestion"] == "noise"
    assert flaky["reasons"][0] == "passed on the same commit 000000a in #11"
    query = by_test[QUERY]
    assert (query["suggestion"], query["cluster"]["id"]) == ("real", "new")
    outage = [item for test, item in by_test.items() if ".billing." in test]
    assert len(outage) == 6
    assert {o["cluster"]["id"] for o in outage} == {"sig-" + outage[0]["signature"][:8]}
    assert all(o["suggestion"] == "noise" and o["status"] == "error" for o in outage)
    assert outage[0]["cluster"]["label"].startswith("Same error in 6 tests of com.acme.billing")


def test_failures_table_groups_by_cluster(run):
    out = run("failures", "--job", "app", "--build", "10").output
    assert out.startswith("app #10 (000000a): 9 failures in 4 clusters")
    assert "[since-8] Failing since #8 (1 test)  -> real" in out
    assert "[new] New failures (1 test)  -> real" in out
    # Fixed columns (suggestion, score, letters), then the name, then the error's first line.
    assert re.search(r"\n  noise  0\.9\d  PFPRFPPPPF  com\.acme\.cart\.CartTest\.testFlaky\n"
                     r"         Timed out after 1010 ms\n", out)
    assert "         - passed on the same commit 000000a in #11\n" in out


def test_failures_of_a_green_build_and_the_newest_build(run):
    assert (
        run("failures", "--job", "app", "--build", "1").output == "app #1 (0000001): no failures.\n"
    )
    newest = json.loads(run("failures", "--job", "app", "--format", "json").output)
    assert {item["test"] for item in newest} == {TOTAL, QUERY}  # #11, the retry


def test_mark_and_unmark_a_test(run, history):
    out = run(
        "mark",
        "--job",
        "app",
        "--build",
        "10",
        "--test",
        TOTAL,
        "--verdict",
        "real",
        "--note",
        "broke the rounding",
        "--who",
        "alice",
    ).output
    assert out == "Marked 1 failure of app #10 real (by alice).\n"
    assert failures(run)[TOTAL]["verdict"] == "real"
    run(
        "mark",
        "--job",
        "app",
        "--build",
        "10",
        "--test",
        TOTAL,
        "--verdict",
        "noise",
        "--who",
        "bob",
    )
    assert failures(run)[TOTAL]["verdict"] == "noise"
    assert (
        "Undid 1 verdict on app #10."
        in run("unmark", "--job", "app", "--build", "10", "--test", TOTAL).output
    )
    assert failures(run)[TOTAL]["verdict"] is None
    rows = (
        sqlite3.connect(history)
        .execute("SELECT verdict, who, note, undone_at IS NOT NULL FROM verdicts ORDER BY id")
        .fetchall()
    )
    assert rows == [("real", "alice", "broke the rounding", 1), ("noise", "bob", None, 1)]
    again = run("unmark", "--job", "app", "--build", "10", "--test", TOTAL).output
    assert "nothing to undo" in again


def test_mark_a_whole_cluster(run, history):
    cluster = next(i["cluster"]["id"] for i in failures(run).values() if ".billing." in i["test"])
    out = run(
        "mark",
        "--job",
        "app",
        "--build",
        "10",
        "--cluster",
        cluster,
        "--verdict",
        "noise",
        "--who",
        "carol",
    ).output
    assert "Marked 6 failures of app #10 noise" in out
    marked = [i for i in failures(run).values() if i["verdict"] == "noise"]
    assert len(marked) == 6
    run("unmark", "--job", "app", "--build", "10", "--cluster", cluster)
    assert all(i["verdict"] is None for i in failures(run).values())
    count = sqlite3.connect(history).execute("SELECT count(*) FROM verdicts").fetchone()[0]
    assert count == 6  # undo keeps the rows


def test_a_noise_mark_is_evidence_next_time_and_undo_takes_it_back(run, history):
    with Store.open(history) as store:
        import_one(store, 12, "c" * 40)  # SearchTest passes
        import_one(store, 13, "d" * 40)  # and fails again with the error of #10
    before = failures(run, 13)[QUERY]
    assert before["suggestion"] == "unsure"  # one earlier episode: not enough to call noise
    run(
        "mark",
        "--job",
        "app",
        "--build",
        "10",
        "--test",
        QUERY,
        "--verdict",
        "noise",
        "--who",
        "alice",
    )
    later = failures(run, 13)[QUERY]
    assert later["suggestion"] == "noise"
    assert later["reasons"][0] == "marked noise by alice in #10 for this error"
    run("unmark", "--job", "app", "--build", "10", "--test", QUERY)
    assert failures(run, 13)[QUERY]["suggestion"] == "unsure"
    run(
        "mark",
        "--job",
        "app",
        "--build",
        "10",
        "--test",
        QUERY,
        "--verdict",
        "real",
        "--who",
        "bob",
    )
    pinned = failures(run, 13)[QUERY]
    assert (pinned["suggestion"], pinned["cluster"]["id"]) == ("real", "marked-real")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["failures", "--job", "nope", "--build", "1"],
            3,
            "error: No job 'nope' on server 'local'",
        ),
        (
            ["failures", "--job", "app", "--build", "99"],
            3,
            "error: Build #99 of 'app' is not in the history",
        ),
        (
            ["mark", "--job", "app", "--build", "10", "--cluster", "since-3", "--verdict", "real"],
            3,
            "error: Build #10 of 'app' has no cluster 'since-3' (clusters: since-8, new, sig-",
        ),
        (
            ["mark", "--job", "app", "--build", "10", "--verdict", "real"],
            2,
            "error: Name exactly one of --test TEST or --cluster ID.",
        ),
        (
            [
                "mark",
                "--job",
                "app",
                "--build",
                "10",
                "--test",
                TOTAL,
                "--cluster",
                "new",
                "--verdict",
                "real",
            ],
            2,
            "error: Name exactly one",
        ),
        (
            ["mark", "--job", "app", "--build", "1", "--test", TOTAL, "--verdict", "real"],
            3,
            f"error: Test '{TOTAL}' did not fail in build #1 of 'app'",
        ),
        (
            ["unmark", "--job", "app", "--build", "10", "--test", "com.acme.Nope.t"],
            3,
            "error: Test 'com.acme.Nope.t' is not in build #10",
        ),
    ],
)
def test_bad_input_gives_one_clear_line(history, args, code, message):
    result = CliRunner().invoke(cli, [*args, "--db", str(history)])
    assert result.exit_code == code, result.output
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


FLAKY_KEYS = {
    "test": str,
    "classname": str,
    "name": str,
    "score": float,
    "runs": int,
    "failures": int,
    "failure_rate": float,
    "failure_rate_interval": list,
    "flip_rate": float,
    "same_commit": list,
    "rerun_passes": list,
    "recovered": list,
    "failing_since": (int, type(None)),
    "last_failure": (int, type(None)),
    "history": str,
    "reasons": list,
    "verdicts": list,
}


def test_flaky_ranks_tests_with_their_evidence(run):
    data = json.loads(run("flaky", "--job", "app", "--format", "json").output)
    by_test = {item["test"]: item for item in data}
    for item in data:
        assert set(item) == set(FLAKY_KEYS)
        for key, kind in FLAKY_KEYS.items():
            value = item[key]
            assert isinstance(value, kind) or (kind is float and type(value) is int), key
        assert [d["score"] for d in data] == sorted((d["score"] for d in data), reverse=True)
    assert data[0]["test"] == FLAKY
    flaky = by_test[FLAKY]
    assert flaky["rerun_passes"] == [4]
    assert flaky["same_commit"] == [
        {"revision": f"{10:07x}" + "0" * 33, "failed": 10, "passed": 11}
    ]
    assert (flaky["runs"], flaky["failures"]) == (11, 3)
    assert flaky["history"] == "PFPRFPPPPFP"
    low, high = flaky["failure_rate_interval"]
    assert low < 3 / 11 < high
    assert by_test[TOTAL]["failing_since"] == 8
    assert by_test[TOTAL]["score"] < flaky["score"]
    table = run("flaky", "--job", "app", "--last", "5").output
    header, first = table.splitlines()[:2]
    assert header == "score  failed/runs  history  test (history oldest first)"
    assert re.match(r"\d\.\d\d +1/5    PPPFP  com\.acme\.cart\.CartTest\.testFlaky$", first)
    # Columns line up: the rate ends under its header, the name starts under "test".
    assert first.index("1/5") + 3 == header.index("failed/runs") + len("failed/runs")
    assert first.index("com.") == header.index("test (")


def test_the_cli_runs_as_a_process(history):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "triage",
            "failures",
            "--job",
            "app",
            "--build",
            "10",
            "--format",
            "json",
            "--db",
            str(history),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert len(json.loads(out)) == 9


# --- added in the audit ------------------------------------------------------------------------


def test_the_table_says_a_clusters_shared_reasons_once(run):
    out = run("failures", "--job", "app", "--build", "10").output
    lines = out.splitlines()
    assert lines[0] == "app #10 (000000a): 9 failures in 4 clusters: 2 real, 7 noise"
    head = lines.index(
        "[sig-b19532b3] Same error in 6 tests of com.acme.billing: Connection refused: db:5432"
        "  -> noise"
    )
    assert lines[head + 1 : head + 3] == [
        "  - reads like an infrastructure error (network, disk or a service), not the code",
        "  - passed on the same commit 000000a in #11",
    ]
    members = lines[head + 4 : head + 10]
    assert [m.split()[3] for m in members] == [f"{c}.test" for c in BILLING]
    assert out.count("reads like an infrastructure error") == 1
    assert "same error in 6 tests of this build" not in out  # the label already says it
    assert "         (1 more with -v)" in out  # testFlaky has four reasons, three shown
    verbose = run("failures", "--job", "app", "--build", "10", "-v").output
    assert "(1 more with -v)" not in verbose and "flip rate" in verbose
    assert " ".join(lines[-4:-2]) == (
        "Each test: suggestion, flakiness score (0-1), history oldest first ending with this "
        "build (P passed, F failed, E error, S skipped, R passed on rerun), name.")
    assert lines[-2:] == [
        "Decide a whole cluster:",
        "  triage mark --job app --build 10 --cluster since-8 --verdict real|noise",
    ]


def test_a_marked_cluster_shows_its_mark(run):
    run("mark", "--job", "app", "--build", "10", "--cluster", "since-8", "--verdict", "real")
    out = run("failures", "--job", "app", "--build", "10").output
    assert "[since-8] Failing since #8 (1 test)  -> real (marked real)\n" in out
    assert re.search(r"\n  real   0\.00  PPPPPPPFFF  com\.acme\.cart\.CartTest\.testTotal\n"
                     r"         expected:<100> but was:<10>\n(         - .*\n)*"
                     r"         marked real by \S+\n", out), out


def test_a_mark_stores_who_when_and_the_note(history):
    with Store.open(history) as store:
        marked = triage_mark(
            store,
            "app",
            10,
            "noise",
            test=QUERY,
            who="dora",
            note="index flake",
            clock=lambda: 1_795_000_000.5,
        )
        assert [t.failure.test for t in marked] == [QUERY]
        unmark_failures(store, "app", 10, test=QUERY, clock=lambda: 1_795_000_100.0)
    row = (
        sqlite3.connect(history)
        .execute(
            "SELECT b.number, t.classname || '.' || t.name, v.signature, v.verdict, v.who, v.note, "
            "v.at, v.undone_at FROM verdicts v JOIN builds b ON b.id = v.build_id "
            "JOIN tests t ON t.id = v.test_id"
        )
        .fetchone()
    )
    signature = failures_of(history)[QUERY]["signature"]
    assert row == (
        10,
        QUERY,
        signature,
        "noise",
        "dora",
        "index flake",
        1_795_000_000_500,
        1_795_000_100_000,
    )


def failures_of(path) -> dict[str, dict]:
    out = (
        CliRunner()
        .invoke(
            cli,
            ["failures", "--job", "app", "--build", "10", "--format", "json", "--db", str(path)],
        )
        .output
    )
    return {item["test"]: item for item in json.loads(out)}


def test_a_job_synced_from_one_server_needs_no_server_option(db_path):
    with Store.open(db_path) as store:
        for number in (1, 2):
            info = BuildInfo("web", number, server="ci", revision=f"{number:040x}", branch="main")
            import_build(store, info, results(10 if number == 2 else 1))
    ok = CliRunner().invoke(cli, ["failures", "--job", "web", "--build", "2", "--db", str(db_path)])
    assert ok.exit_code == 0 and ok.output.startswith("web #2 (0000000): 9 failures"), ok.output
    ranked = CliRunner().invoke(cli, ["flaky", "--job", "web", "--db", str(db_path)])
    assert ranked.exit_code == 0 and ranked.output.startswith("score  failed/runs  history")
    with Store.open(db_path) as store:
        info = BuildInfo("web", 1, server="ci2", revision="e" * 40, branch="main")
        import_build(store, info, results(1))
    both = CliRunner().invoke(
        cli, ["failures", "--job", "web", "--build", "2", "--db", str(db_path)]
    )
    assert both.exit_code == 2  # ambiguous: a usage error (README, exit codes)
    assert both.stderr == (
        "error: Job 'web' is on several servers (ci, ci2); pass --server NAME.\n"
    )
    chosen = ["failures", "--job", "web", "--build", "2", "--server", "ci", "--db", str(db_path)]
    assert CliRunner().invoke(cli, chosen).exit_code == 0
