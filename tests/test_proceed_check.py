"""`triage proceed` does not ship what the tool itself calls real without a word.

app #4 of the small world waits at an input with `fails0` failing since #2: suggested real.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from click.testing import CliRunner
from support import read_terminal, read_terminal_until

from tests.jenkins_world import serve, small_world
from triage.cli import cli

TIMEOUT = 60


def _posts(srv) -> int:
    return srv.requests.count_of(method="POST")


def _proceed(srv, db_path, *extra):
    args = ["proceed", "app", "4", "--server", srv.url, "--user", "alice", "--db", str(db_path)]
    return CliRunner().invoke(cli, [*args, *extra],
                              env={"TRIAGE_JENKINS_TOKEN": srv.users["alice"]})


def test_without_a_terminal_it_refuses_names_yes_and_sends_nothing(db_path):
    with serve(small_world()) as srv:
        result = _proceed(srv, db_path)
        assert result.exit_code == 2 and _posts(srv) == 0
    assert result.stderr.splitlines() == [
        "app #4 has 1 failure the history calls real:",
        "  real   com.example.CartTest.fails0",
        "         failing since #2 with the same error (2 builds in a row)",
        "error: Not proceeding: 1 failure the history calls real (listed above) and no "
        "terminal to confirm; nothing was sent. Pass --yes to proceed anyway.",
    ]


def test_dry_run_shows_what_would_be_sent_and_sends_nothing(db_path):
    with serve(small_world()) as srv:
        result = _proceed(srv, db_path, "--dry-run", "--param", "TARGET=staging-us")
        assert result.exit_code == 0, result.output
        assert _posts(srv) == 0
    assert result.stdout == (
        "Would proceed app #4 at input A61b61d2d652c2824ae4d9acb5cb8e5a with NAME=world, "
        'NOTES="line1\\nline2", SMOKE=true, TARGET=staging-us; nothing was sent (--dry-run).\n')
    assert "fails0" in result.stderr  # the check ran too


def test_a_failure_marked_noise_does_not_block(db_path):
    with serve(small_world()) as srv:
        _proceed(srv, db_path, "--dry-run")  # syncs app
        marked = CliRunner().invoke(cli, ["mark", "--job", "app", "--build", "4", "--test",
                                          "com.example.CartTest.fails0", "--verdict", "noise",
                                          "--db", str(db_path)])
        assert marked.exit_code == 0, marked.output
        result = _proceed(srv, db_path)
        assert result.exit_code == 0, result.output
        assert _posts(srv) == 1 and "has 1 failure" not in result.output


def _proceed_on_a_terminal(srv, db_path, answer: bytes):
    master, slave = pty.openpty()
    env = dict(os.environ, TRIAGE_JENKINS_TOKEN=srv.users["alice"], NO_COLOR="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "triage", "proceed", "app", "4", "--server", srv.url, "--user",
         "alice", "--db", str(db_path)], stdin=slave, stdout=subprocess.PIPE, stderr=slave,
        env=env)
    os.close(slave)
    try:
        shown = read_terminal_until(master, proc, b"[y/N]")
        os.write(master, answer)
        out, _ = proc.communicate(timeout=TIMEOUT)
        rest = read_terminal(master, 0.2)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, out.decode(), (shown + rest).decode(errors="replace")


def test_on_a_terminal_it_asks_and_no_sends_nothing(db_path):
    with serve(small_world()) as srv:
        code, out, terminal = _proceed_on_a_terminal(srv, db_path, b"n\n")
        assert _posts(srv) == 0
    assert code == 130, terminal
    assert "Proceed anyway with app #4 at input A61b61d2d652c2824ae4d9acb5cb8e5a" in terminal
    assert "error: Not proceeding; nothing was sent." in terminal and out == ""


def test_on_a_terminal_yes_proceeds(db_path):
    with serve(small_world()) as srv:
        code, out, terminal = _proceed_on_a_terminal(srv, db_path, b"y\n")
        assert _posts(srv) == 1
        with srv.world.lock:
            assert not srv.world.job("app").build(4).building
    assert code == 0, terminal
    assert out.startswith("Proceeded app #4 at input A61b61d2d652c2824ae4d9acb5cb8e5a")
