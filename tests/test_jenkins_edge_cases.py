"""A demanding user against the built-in Jenkins: real subprocesses, real HTTP, real SQLite.

Each test here reproduces a problem found while trying to break the Jenkins side (or pins a
behaviour a user relies on), end to end through the `triage` CLI.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from tests.jenkins_world import T0, report, serve, small_world

TIMEOUT = 60


def _triage(*args, env_token: str | None = None, **kwargs) -> subprocess.Popen:
    env = dict(os.environ)
    if env_token is not None:
        env["TRIAGE_JENKINS_TOKEN"] = env_token
    return subprocess.Popen([sys.executable, "-m", "triage", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def _count(db, sql: str) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:  # not created or migrated yet
        return 0


def _wait_until(condition, proc: subprocess.Popen) -> None:
    """Poll a condition on another process's output (the history file) until it holds."""
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)  # polling a file another process writes; not synchronisation by delay


def _many_builds_world(jobs: int = 1, builds: int = 60, cases: int = 20):
    world = small_world()
    for j in range(jobs):
        job = world.pipeline(f"many{j}")
        for number in range(1, builds + 1):
            job.add_build(number, result="SUCCESS", timestamp_ms=T0 + number, duration_ms=1,
                          report=report(cases))
    return world


def test_ctrl_c_in_a_real_sync_keeps_whole_builds_and_says_so_in_one_line(db_path):
    """SIGINT to the process group once some builds are stored: exit 130, one line."""
    with serve(_many_builds_world()) as srv:
        gate = threading.Event()
        # Every report after the first few waits for the gate: the sync is mid-way when the
        # signal arrives, deterministically.
        srv.faults.latency(0.0, glob="*/many0/*/testReport/*", count=3)
        srv.faults.latency(glob="*/many0/*/testReport/*", release=gate)
        proc = _triage("sync", "--server", srv.url, "--user", "alice", "--job", "many0",
                       "--workers", "2", "--db", str(db_path),
                       env_token=srv.users["alice"], start_new_session=True)
        try:
            _wait_until(lambda: _count(db_path, "SELECT count(*) FROM builds") >= 1, proc)
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            gate.set()
        out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "builds stored so far are kept" in errors[0], err
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        per_build = conn.execute("SELECT count(*) FROM results GROUP BY build_id").fetchall()
    assert 1 <= len(per_build) < 60
    assert set(per_build) == {(20,)}


# --- helpers for in-process CLI runs ------------------------------------------------------------


def _cli(*args, token: str | None = None, db=None):
    """Run the CLI in-process; only --verbose may print a traceback (it is asked for)."""
    from click.testing import CliRunner

    from triage.cli import cli

    env = {}
    if token is not None:
        env["TRIAGE_JENKINS_TOKEN"] = token
    if db is not None:
        env["TRIAGE_DB"] = str(db)
    result = CliRunner().invoke(cli, list(args), env=env)
    if "--verbose" not in args:
        assert "Traceback" not in result.output, result.output
    return result


def _history_bytes(db) -> bytes:
    files = [db, db.with_name(db.name + "-wal")]
    return b"".join(f.read_bytes() for f in files if f.exists())


def _hostile_names_world():
    """Names a real Jenkins allows: spaces, unicode, #, %, +, ?, &, folders 4 deep, an
    organisation folder of multibranch projects with slashes and specials in branch names."""
    from tests.jenkins_world import every_param

    world = small_world()
    for name in ("my job", "ünïcödé", "c#sharp", "100%", "a+b", "what?", "x&y=z"):
        job = world.pipeline(name)
        job.add_build(1, result="UNSTABLE", timestamp_ms=T0, duration_ms=5,
                      report=report(2, failed=1))
    deep = world.folder("l1 a").folder("l2#").folder("l3%").folder("l4 ü").pipeline("deep?")
    deep.add_build(1, result="SUCCESS", timestamp_ms=T0, duration_ms=5, report=report(1))
    gate = deep.add_build(2, building=True, timestamp_ms=T0 + 5, report=report(1))
    gate.add_input("Go deep?", id="deep", parameters=every_param(), at_ms=T0 + 10)
    org = world.folder("org")
    branch = org.multibranch("repo one").branch("feature/a/b")
    branch.add_build(1, result="SUCCESS", timestamp_ms=T0, duration_ms=5, report=report(2))
    org.multibranch("repo2").branch("fix/#12 50%").add_build(
        1, result="UNSTABLE", timestamp_ms=T0, duration_ms=5, report=report(1, failed=1))
    return world


EXPECTED_JOBS = {
    "app", "team/backend", "shop/main", "shop/feature%2Fx", "my job", "ünïcödé", "c#sharp",
    "100%", "a+b", "what?", "x&y=z", "l1 a/l2#/l3%/l4 ü/deep?", "org/repo one/feature%2Fa%2Fb",
    "org/repo2/fix%2F%2312 50%25",
}


def _job_names(db) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {name for (name,) in conn.execute("SELECT name FROM jobs")}


@pytest.mark.parametrize("context_path,root_url", [
    ("/jenkins", None),
    ("", None),  # Jenkins at the root path
    ("/jenkins", "https://ci.example.org/elsewhere/"),  # trap 21: another configured root URL
])
def test_hostile_names_sync_list_and_decide_at_any_root(db_path, context_path, root_url):
    with serve(_hostile_names_world(), context_path=context_path, root_url=root_url) as srv:
        server = ["--server", srv.url, "--user", "alice"]
        token = srv.users["alice"]
        synced = _cli("sync", *server, token=token, db=db_path)
        assert synced.exit_code == 0, synced.output
        assert _job_names(db_path) == EXPECTED_JOBS
        with sqlite3.connect(db_path) as conn:
            urls = [u for (u,) in conn.execute("SELECT url FROM builds")]
        assert urls and all(u.startswith(srv.url) for u in urls)  # our address, not root_url

        pending = _cli("pending", *server, "--format", "json", token=token)
        jobs = {p["job"] for p in json.loads(pending.output)}
        assert "l1 a/l2#/l3%/l4 ü/deep?" in jobs

        deep = "l1 a/l2#/l3%/l4 ü/deep?"
        ok = _cli("proceed", deep, "2", *server, "--yes", "--param", "SMOKE=no",
                  "--param", "TARGET=staging-us", token=token, db=db_path)
        assert ok.exit_code == 0, ok.output
        with srv.world.lock:
            values = srv.world.job(deep).build(2).input_action.all[0].decision.values
        assert values["SMOKE"] is False and values["TARGET"] == "staging-us"


def test_more_than_100_builds_with_max_builds_250(db_path):
    world = small_world()
    job = world.pipeline("long")
    for number in range(1, 301):
        job.add_build(number, result="SUCCESS", timestamp_ms=T0 + number, duration_ms=1,
                      report=report(1))
    with serve(world) as srv:
        args = ["sync", "--server", srv.url, "--user", "alice", "--job", "long"]
        first = _cli(*args, "--max-builds", "250", token=srv.users["alice"], db=db_path)
        assert first.exit_code == 0, first.output
        assert "250 builds stored" in first.output
        again = _cli(*args, "--max-builds", "250", token=srv.users["alice"], db=db_path)
        assert "0 builds stored" in again.output and "1 request," in again.output
        assert "note: long: 50 older builds not fetched; use --max-builds 300 to include " \
            "them." in again.output
    assert _count(db_path, "SELECT min(number) FROM builds JOIN jobs ON jobs.id = job_id "
                           "WHERE jobs.name = 'long'") == 51


def test_finished_builds_are_refreshed_and_deleted_ones_kept(db_path):
    world = small_world()
    job = world.pipeline("life")
    for number in range(1, 6):
        job.add_build(number, result="SUCCESS", timestamp_ms=T0 + number, duration_ms=1,
                      report=report(2))
    # Trap 15: still running, yet its result is already set.
    running = job.add_build(6, building=True, result="UNSTABLE", timestamp_ms=T0 + 6,
                            report=report(2, failed=1))
    with serve(world) as srv:
        args = ["sync", "--server", srv.url, "--user", "alice", "--job", "life"]
        assert _cli(*args, token=srv.users["alice"], db=db_path).exit_code == 0
        sql = ("SELECT building FROM builds JOIN jobs ON jobs.id = job_id "
               "WHERE jobs.name = 'life' AND number = 6")
        assert _count(db_path, sql) == 1
        with world.lock:
            running.building, running.duration_ms = False, 9
            del job.builds[1], job.builds[2]  # deleted on the server
        again = _cli(*args, token=srv.users["alice"], db=db_path)
        assert "1 build stored (1 refreshed)" in again.output, again.output
    assert _count(db_path, sql) == 0
    assert _count(db_path, "SELECT count(*) FROM builds JOIN jobs ON jobs.id = job_id "
                           "WHERE jobs.name = 'life'") == 6


def test_two_syncs_at_once_on_one_history(db_path):
    with serve(_many_builds_world(jobs=2, builds=40)) as srv:
        procs = [_triage("sync", "--server", srv.url, "--user", "alice", "--db", str(db_path),
                         env_token=srv.users["alice"]) for _ in range(2)]
        outputs = [p.communicate(timeout=TIMEOUT) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert all("Traceback" not in err for _, err in outputs)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        counts = conn.execute("SELECT count(*) FROM results GROUP BY build_id").fetchall()
    assert _count(db_path, "SELECT count(*) FROM builds") == 80 + 9  # small_world has 9
    assert (20,) in counts


# --- problems found, each fixed -----------------------------------------------------------------


def _hold_write_lock(db_path):
    """Another writer: an open write transaction on the history."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def test_a_locked_history_is_one_clear_error_not_a_traceback(db_path):
    from tests.jenkins_world import client_for
    from triage.errors import StoreError
    from triage.store import Store
    from triage.sync import SyncOptions, sync

    with serve() as srv, Store.open(db_path) as store:
        store.conn.execute("PRAGMA busy_timeout = 50")  # the CLI waits 30 s; a test need not
        other = _hold_write_lock(db_path)
        try:
            with pytest.raises(StoreError) as caught:
                sync(client_for(srv), store, SyncOptions(jobs=["app"]))
        finally:
            other.rollback()
            other.close()
    message = caught.value.message
    assert message.startswith(f"The history at {db_path} is locked") and "\n" not in message


def test_a_decision_jenkins_took_but_a_locked_history_refused_says_so(db_path):
    from tests.jenkins_world import client_for
    from triage.decide import decide
    from triage.errors import StoreError
    from triage.store import Store

    with serve() as srv, Store.open(db_path) as store:
        store.conn.execute("PRAGMA busy_timeout = 50")
        other = _hold_write_lock(db_path)
        try:
            with pytest.raises(StoreError) as caught:
                decide(client_for(srv), store, "team/backend", 2, "proceed")
        finally:
            other.rollback()
            other.close()
        with srv.world.lock:
            assert not srv.world.job("team/backend").build(2).building  # Jenkins has it
    assert caught.value.message.startswith(
        "The proceed of team/backend #2 was sent to Jenkins (ok) but is not in the history: "
        f"The history at {db_path} is locked")


def test_jenkins_going_down_mid_sync_stops_with_one_warning(store):
    from tests.jenkins_world import client_for
    from triage.jenkins.http import HttpSettings
    from triage.jenkins.server import JenkinsServer
    from triage.sync import SyncOptions, sync

    class Warnings:
        def __init__(self):
            self.items = []

        def start(self, total, label): ...
        def advance(self, n=1): ...
        def finish(self): ...

        def warn(self, message):
            self.items.append(message)

    srv = JenkinsServer(world=_many_builds_world(builds=80), context_path="/jenkins").start()
    gate = threading.Event()
    srv.faults.latency(0.0, glob="*/testReport/*", count=10)
    held = srv.faults.latency(glob="*/testReport/*", release=gate)

    def crash():  # Jenkins dies while the 11th report is being asked for
        held.fired.wait(TIMEOUT)
        srv.stop()
        gate.set()

    killer = threading.Thread(target=crash)
    killer.start()
    warnings = Warnings()
    try:
        summary = sync(client_for(srv, settings=HttpSettings(timeout=(2.0, 5.0), backoff=0.0)),
                       store, SyncOptions(jobs=["many0"]), warnings)
    finally:
        gate.set()
        killer.join(TIMEOUT)
        srv.stop()
    assert summary.unreachable is not None
    assert summary.stored + summary.left + len(summary.build_errors) == 80
    assert summary.left > 0
    (warning,) = warnings.items  # not one per remaining build
    assert warning.startswith("Cannot reach Jenkins") and "left for the next sync" in warning
    left = f"{summary.left} build" + ("" if summary.left == 1 else "s")
    assert f" Stopped; {left} left for the next sync." in warning, warning
    per_build = store.conn.execute("SELECT count(*) FROM results GROUP BY build_id").fetchall()
    assert set(per_build) <= {(20,)}


def test_missing_jobs_and_builds_say_what_to_type(db_path):
    with serve(_hostile_names_world()) as srv:
        server = ["--server", srv.url, "--user", "alice"]
        token = srv.users["alice"]
        # The branch as the user knows it, not as Jenkins names the job.
        typed = _cli("proceed", "org/repo one/feature/a/b", "2", *server, token=token,
                     db=db_path)
        assert typed.exit_code == 3  # not found on Jenkins (README, exit codes)
        assert typed.output.strip() == (
            f"error: No job 'org/repo one/feature/a/b' on Jenkins at {srv.url}; did you mean "
            "'org/repo one/feature%2Fa%2Fb' (a multibranch branch is named with %2F)?")
        gone = _cli("sync", *server, "--job", "team/frontend", token=token, db=db_path)
        assert gone.exit_code == 3
        (error,) = [line for line in gone.output.splitlines() if line.startswith("error:")]
        assert error == (f"error: No job 'team/frontend' on Jenkins at {srv.url}; did you "
                         "mean 'team/backend'?")  # a typo: no "run sync again"
        assert "warning" not in gone.output
        nothing_close = _cli("sync", *server, "--job", "zzz", token=token, db=db_path)
        assert "renamed or deleted" in nothing_close.output
        build = _cli("abort", "app", "99", *server, token=token, db=db_path)
        assert build.output.strip() == (
            f"error: app #99 is not on Jenkins at {srv.url}: it was deleted, or has not "
            "started yet; check the build number.")


def test_a_login_page_error_does_not_print_the_whole_tree_query(db_path):
    with serve() as srv:
        srv.faults.login_page()
        result = _cli("proceed", "app", "4", "--server", srv.url, "--user", "alice",
                      token=srv.users["alice"], db=db_path)
    (line,) = result.output.strip().splitlines()
    assert "tree=" not in line and len(line) < 300, line
    assert "input/api/json returned text/html" in line


def test_a_text_parameter_with_line_breaks_is_confirmed_on_one_line(db_path):
    with serve() as srv:
        result = _cli("proceed", "app", "4", "--server", srv.url, "--user", "alice", "--yes",
                      token=srv.users["alice"], db=db_path)
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.strip().splitlines()  # stderr lists the failures --yes overrode
    assert 'NOTES="line1\\nline2"' in line and "NAME=world" in line and "SMOKE=true" in line


@pytest.mark.parametrize("command", ["sync", "pending", "servers-test", "servers-add"])
def test_credentials_in_the_url_are_refused_and_never_echoed(db_path, command):
    secret = "0123456789abcdef0123456789abcdef"
    url = f"http://alice:{secret}@127.0.0.1:9/jenkins/"
    args = {"sync": ["sync", "--server", url], "pending": ["pending", "--server", url],
            "servers-test": ["servers", "test", url],
            "servers-add": ["servers", "add", "ci", url, "--user", "alice"]}[command]
    result = _cli(*args, "--verbose", db=db_path)
    assert result.exit_code == 2
    assert secret not in result.output
    (error,) = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert "carries a user name or password" in error
    assert not db_path.exists() or secret.encode() not in _history_bytes(db_path)


def test_the_token_never_shows_in_any_output_even_verbose(db_path, tmp_path):
    """Every failure path with --verbose (details and traceback printed), then the history."""
    world = small_world()
    with serve(world) as srv:
        token = srv.users["alice"]
        server = ["--server", srv.url, "--user", "alice", "--verbose"]
        outputs = [_cli("sync", *server, token=token, db=db_path).output]
        for fault in ("login_page", "error", "drop"):
            getattr(srv.faults, fault)()
            outputs.append(_cli("pending", *server, token=token, db=db_path).output)
            outputs.append(_cli("proceed", "app", "4", *server, "--yes", token=token,
                                db=db_path).output)
            srv.faults.clear()
        outputs.append(_cli("proceed", "team/backend", "2", *server[:2], "--user", "carol",
                            "--verbose", token=srv.users["carol"], db=db_path).output)
        outputs.append(_cli("sync", *server, token=token + "x", db=db_path).output)
        outputs.append(_cli("proceed", "app", "4", *server, "--yes", token=token,
                            db=db_path).output)
        sent = {r.headers.get("Authorization") for r in srv.requests}
    # The token did travel (Basic auth), so its absence below means something.
    assert "Basic " + base64.b64encode(f"alice:{token}".encode()).decode() in sent
    for output in outputs:
        assert token not in output, output
    assert token.encode() not in _history_bytes(db_path)


def test_ctrl_c_while_a_proceed_is_out_says_it_may_have_landed_and_records_it(db_path):
    with serve() as srv:
        gate = threading.Event()
        held = srv.faults.latency(glob="*/proceed", release=gate)
        proc = _triage("proceed", "app", "4", "--yes", "--server", srv.url, "--user", "alice",
                       "--db", str(db_path), env_token=srv.users["alice"],
                       start_new_session=True)
        try:
            assert held.fired.wait(TIMEOUT)  # the POST reached Jenkins, no answer yet
            os.killpg(proc.pid, signal.SIGINT)
            out, err = proc.communicate(timeout=TIMEOUT)
        finally:
            gate.set()
        assert srv.wait_idle()
        with srv.world.lock:
            assert not srv.world.job("app").build(4).building  # Jenkins applied it after all
    assert proc.returncode == 130, (out, err)
    assert [line for line in err.splitlines() if line.startswith("error:")] == [
        "error: Interrupted while sending the proceed of app #4: Jenkins may or may not have "
        "it. Check `triage pending` before trying again."]
    assert _count(db_path, "SELECT count(*) FROM decisions WHERE outcome = 'unknown'") == 1


def test_pending_json_shape_is_exactly_what_the_help_documents():
    build_keys = {"server", "job", "build", "url", "started_ms", "paused_ms", "waited_ms",
                  "wait_source", "failures", "inputs"}
    input_keys = {"id", "message", "ok", "cancel", "submitter", "parameters"}
    param_keys = {"name", "type", "description", "default", "choices"}
    with serve() as srv:
        result = _cli("pending", "--server", srv.url, "--user", "alice",
                      "--format", "json", token=srv.users["alice"])
    data = json.loads(result.output)
    assert len(data) == 3
    for paused in data:
        assert set(paused) == build_keys
        for item in paused["inputs"]:
            assert set(item) == input_keys
            for param in item["parameters"]:
                assert set(param) == param_keys
    secret = [p for b in data for i in b["inputs"] for p in i["parameters"]
              if p["type"] == "PasswordParameterDefinition"]
    assert secret and all(p["default"] is None for p in secret)
    help_text = " ".join(_cli("pending", "--help").output.split())
    for key in build_keys | input_keys | param_keys:
        assert key in help_text, key


def test_pending_for_a_missing_job_still_lists_the_others():
    with serve() as srv:
        url = srv.url
        result = _cli("pending", "--server", url, "--user", "alice", "--job", "nope",
                      "--job", "app", "--format", "json", token=srv.users["alice"])
    assert result.exit_code == 3  # what was not found is the only problem
    lines = result.output.splitlines()
    assert lines[0].startswith(f"warning: {url}: No job 'nope' on Jenkins")
    assert lines[-1] == ("error: 1 job named could not be found on Jenkins (see the warnings "
                         "above); the list shows the rest.")
    listed = json.loads("\n".join(lines[1:-1]))
    assert [(p["job"], p["build"]) for p in listed] == [("app", 4)]


def test_a_job_deleted_and_created_again_replaces_the_reused_build_numbers(db_path):
    world = small_world()
    old = world.pipeline("reborn")
    for number in (1, 2):
        old.add_build(number, result="SUCCESS", timestamp_ms=T0 + number, duration_ms=1,
                      report=report(2))
    with serve(world) as srv:
        args = ["sync", "--server", srv.url, "--user", "alice", "--job", "reborn"]
        assert _cli(*args, token=srv.users["alice"], db=db_path).exit_code == 0
        with world.lock:
            del world.children["reborn"]
        new = world.pipeline("reborn")  # same name, numbers start at 1 again
        for number in (1, 2, 3):
            new.add_build(number, result="UNSTABLE", timestamp_ms=T0 + 1000 + number,
                          duration_ms=1, report=report(1, failed=1))
        again = _cli(*args, token=srv.users["alice"], db=db_path)
        assert "3 builds stored (2 refreshed)" in again.output, again.output
    sql = ("SELECT count(*) FROM builds JOIN jobs ON jobs.id = job_id WHERE jobs.name = "
           "'reborn' AND result = 'UNSTABLE'")
    assert _count(db_path, sql) == 3


def test_jenkins_down_while_listing_jobs_is_said_once(db_path):
    with serve(_many_builds_world(jobs=12, builds=2, cases=1)) as srv:
        token, url = srv.users["alice"], srv.url
        jobs = [arg for j in range(12) for arg in ("--job", f"many{j}")]
        srv.faults.latency(0.0, glob="*/job/many*", count=3)  # three jobs are listed,
        srv.faults.drop()  # then Jenkins is gone
        result = _cli("sync", "--server", url, "--user", "alice", *jobs, token=token,
                      db=db_path)
    assert result.exit_code == 1
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, result.output
    assert "Cannot reach Jenkins" in warnings[0] and "left for the next sync" in warnings[0]


def test_one_build_that_drops_its_connection_does_not_stop_the_sync(store):
    from tests.jenkins_world import client_for
    from triage.sync import SyncOptions, sync

    with serve(_many_builds_world(builds=20, cases=2)) as srv:
        srv.faults.drop(glob="*/job/many0/7/testReport/*")  # every attempt, retries included
        summary = sync(client_for(srv), store, SyncOptions(jobs=["many0"]))
    assert summary.unreachable is None and summary.left == 0
    assert [(job, number) for job, number, _ in summary.build_errors] == [("many0", 7)]
    assert summary.stored == 19


def test_an_abort_after_the_build_was_stopped_meanwhile_is_not_applied(store):
    """Jenkins settles pending inputs when a run stops (reference 1.6): a late POST is a 404."""
    from tests.jenkins_world import client_for
    from triage.errors import InputAlreadyDecided

    world = small_world()
    with serve(world) as srv:
        client = client_for(srv)
        (stale,) = client.pending_inputs("team/backend", 2)
        with world.lock:
            world.job("team/backend").build(2).finish("ABORTED")  # someone pressed stop
        assert client.pending_inputs("team/backend", 2) == ()
        with pytest.raises(InputAlreadyDecided) as caught:
            client.abort("team/backend", 2, stale)
    assert caught.value.message == (
        "Input Approve of team/backend #2 is no longer pending (aborted, stopped or timed out "
        "meanwhile); the build finished ABORTED. Your decision was not applied.")
