"""`triage servers|sync|pending|proceed|abort` end to end: CLI -> client -> built-in server.

Tests never touch the real keyring: an in-memory backend is installed for the test and the
previous one restored after; elsewhere the conftest forces keyring's `fail` backend.
"""

from __future__ import annotations

import json
import socket

import pytest
from click.testing import CliRunner

from tests.jenkins_world import serve, small_world
from triage import servers
from triage.cli import cli


@pytest.fixture
def srv():
    with serve(small_world()) as server:
        yield server


def _history_bytes(db_path) -> bytes:
    """The history's bytes, with its WAL (recent writes may not be checkpointed yet)."""
    files = [db_path, db_path.with_name(db_path.name + "-wal")]
    return b"".join(f.read_bytes() for f in files if f.exists())


def run(*args, input=None, env=None):
    result = CliRunner().invoke(cli, list(args), input=input, env=env)
    assert "Traceback" not in result.output
    return result


def test_servers_add_list_test_remove_with_a_keyring(srv, memory_keyring, db_path):
    token = srv.users["alice"]
    added = run("servers", "add", "ci", srv.url, "--user", "alice", input=token + "\n")
    assert added.exit_code == 0, added.output
    assert "in the OS keyring" in added.output
    assert f"checked: reached Jenkins 2.479.3 at {srv.url}; authenticated as alice" \
        in added.output
    assert memory_keyring.items == {("flaky-triage", "ci:alice"): token}
    assert token not in servers.config_path().read_text()

    listed = run("servers", "list")
    assert "ci\t" + srv.url + "\talice\ttoken: set" in listed.output

    tested = run("servers", "test", "ci")
    assert tested.exit_code == 0, tested.output
    assert tested.output == (
        f"ok: reached Jenkins 2.479.3 at {srv.url}; authenticated as alice; 3 top-level "
        "items visible. Not checked: permissions to approve or abort inputs (Jenkins tells "
        "only when one is answered).\n")

    synced = run("sync", "--server", "ci", "--db", str(db_path))
    assert synced.exit_code == 0, synced.output
    assert token.encode() not in _history_bytes(db_path)  # never in the history

    removed = run("servers", "remove", "ci")
    assert removed.exit_code == 0 and memory_keyring.items == {}
    assert run("servers", "test", "ci").exit_code == 2


def test_without_keyring_the_token_comes_from_the_environment(srv):
    added = run("servers", "add", "ci", srv.url, "--user", "alice")
    assert added.exit_code == 0 and "TRIAGE_JENKINS_TOKEN" in added.output
    missing = run("servers", "test", "ci")
    assert missing.exit_code == 2
    assert missing.output.startswith("error: No API token for 'alice' on ci")
    ok = run("servers", "test", "ci", env={"TRIAGE_JENKINS_TOKEN": srv.users["alice"]})
    assert ok.exit_code == 0, ok.output


def test_bad_token_is_one_line(srv):
    result = run("servers", "test", srv.url, "--user", "alice",
                 env={"TRIAGE_JENKINS_TOKEN": "wrong"})
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: Jenkins at ") and "(401)" in line


def test_server_down_is_one_line():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    result = run("pending", "--server", f"http://127.0.0.1:{port}/", "--user", "alice",
                 env={"TRIAGE_JENKINS_TOKEN": "x"})
    assert result.exit_code == 1
    (line,) = result.output.splitlines()  # one error: no warning, no empty table
    assert line.startswith(f"error: Cannot reach Jenkins at http://127.0.0.1:{port}/")


def test_unknown_server_name(srv):
    result = run("sync", "--server", "nope")
    assert result.exit_code == 2 and "Unknown server 'nope'" in result.output


def test_sync_pending_proceed_abort_by_url(srv, db_path):
    env = {"TRIAGE_JENKINS_TOKEN": srv.users["alice"], "TRIAGE_DB": str(db_path)}
    url = ["--server", srv.url, "--user", "alice"]
    first = run("sync", *url, "--job", "app", "--job", "team/backend", env=env)
    assert first.exit_code == 0, first.output
    assert "2 jobs, 6 builds stored (0 refreshed), 21 test results" in first.output

    pending = run("pending", *url, "--format", "json", env=env)
    assert pending.exit_code == 0, pending.output
    data = json.loads(pending.output)
    # Longest wait first, exact from Stage View's paused stages (section 2.3).
    assert [(p["job"], p["build"], p["waited_ms"], p["wait_source"]) for p in data] == [
        ("team/backend", 2, 3_580_000, "wfapi"), ("shop/feature%2Fx", 2, 3_540_000, "wfapi"),
        ("app", 4, 3_200_000, "wfapi")]
    table = run("pending", *url, env=env).output
    assert "app #4  waiting 53m  failures 1" in table and "+" not in table
    assert "input A61b61d2d652c2824ae4d9acb5cb8e5a: Deploy" in table
    assert "TARGET (Choice) default 'staging-eu' choices: staging-eu, staging-us" in table

    ambiguous = run("proceed", "shop/feature%2Fx", "2", *url, env=env)
    assert ambiguous.exit_code == 2  # the user must say which: a usage error
    assert "choose one with --input: Eu ('Run the EU suite?'); Us" in ambiguous.output

    posts = srv.requests.count_of(method="POST")
    refused = run("proceed", "app", "4", *url, env=env)
    assert refused.exit_code == 2 and srv.requests.count_of(method="POST") == posts
    assert "app #4 has 1 failure the history calls real" in refused.output
    ok = run("proceed", "app", "4", *url, "--param", "TARGET=staging-us",
             "--param", "SECRET=pw-never-stored", "--yes", env=env)
    assert ok.exit_code == 0, ok.output
    assert "Proceeded app #4 at input A61b61d2d652c2824ae4d9acb5cb8e5a with NAME=world" \
        in ok.output and ok.output.rstrip().endswith("; the build ended SUCCESS.")
    assert "SECRET" not in ok.output and "pw-never-stored" not in ok.output
    with srv.world.lock:
        assert srv.world.job("app").build(4).input_action.all[0].decision.values[
            "SECRET"] == "pw-never-stored"  # Jenkins got it
    history = _history_bytes(db_path)
    assert b"pw-never-stored" not in history  # the history did not
    assert b'"TARGET": "staging-us"' in history  # while the decision's other values are there

    aborted = run("abort", "shop/feature%2Fx", "2", *url, "--input", "us", env=env)
    assert aborted.exit_code == 0, aborted.output
    assert aborted.output == ("Aborted shop/feature%2Fx #2 at input Us; the build goes on "
                              "waiting at 1 other input (Eu).\n")

    again = run("abort", "app", "4", *url, env=env)
    assert again.exit_code == 1 and "not waiting for any input" in again.output

    refused = run("proceed", "team/backend", "2", "--server", srv.url, "--user", "carol",
                  env={**env, "TRIAGE_JENKINS_TOKEN": srv.users["carol"]})
    assert refused.exit_code == 1
    assert "error: Jenkins refused to proceed with input Approve of team/backend #2: " \
           "You need to be release-managers to submit this." in refused.output

    resync = run("sync", *url, "--job", "app", env=env)
    assert "1 build stored (1 refreshed)" in resync.output


def test_bad_param_syntax_is_a_config_error(srv):
    env = {"TRIAGE_JENKINS_TOKEN": srv.users["alice"]}
    result = run("proceed", "app", "4", "--server", srv.url, "--user", "alice",
                 "--param", "TARGET", env=env)
    assert result.exit_code == 2 and "NAME=VALUE" in result.output


class _Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_bar_only_on_a_terminal_and_after_a_delay(capsys):
    from triage.cli.common import TerminalReporter

    clock = _Clock()
    quiet = TerminalReporter(tty=False, clock=clock)
    quiet.start(3, "Syncing")
    clock.now += 10  # long work, but no terminal: no bar
    quiet.advance()
    quiet.warn("app #2: boom")
    quiet.finish()
    assert capsys.readouterr().err == "warning: app #2: boom\n"

    shown = TerminalReporter(tty=True, clock=clock)
    shown.start(3, "Syncing")
    clock.now += shown.DELAY * 0.9  # quick so far: nothing drawn, nothing flickers
    shown.advance()
    assert capsys.readouterr().err == ""
    clock.now += shown.DELAY * 0.2  # past the delay: the bar appears, with the work done
    shown.advance()
    shown.finish()
    # click draws only the label into a file that is no terminal (capsys): it is drawn now.
    assert capsys.readouterr().err.startswith("Syncing")


def test_a_login_page_instead_of_json_is_one_clear_line(srv, db_path):
    srv.faults.login_page("*/api/json")
    result = run("sync", "--server", srv.url, "--user", "alice", "--db", str(db_path),
                 env={"TRIAGE_JENKINS_TOKEN": srv.users["alice"]})
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: ") and "instead of JSON (a login page or a proxy?)" in line


def test_sync_max_builds_and_repeated_jobs_from_the_command_line(srv, db_path):
    env = {"TRIAGE_JENKINS_TOKEN": srv.users["alice"]}
    args = ["sync", "--server", srv.url, "--user", "alice", "--db", str(db_path)]
    first = run(*args, "--job", "app", "--job", "shop", "--max-builds", "1", env=env)
    assert first.exit_code == 0, first.output
    # app #4, shop/main #1, shop/feature%2Fx #2: the newest build of each job only.
    assert "3 jobs, 3 builds stored (0 refreshed)" in first.output
    more = run(*args, "--job", "app", "--max-builds", "2", env=env)
    assert "2 builds stored (1 refreshed)" in more.output  # #3 is new, #4 still running
