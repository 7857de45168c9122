"""One exit-code table (README, "Exit codes"), the same for every command.

0 ok, 1 failure, 2 usage or configuration, 3 not found in the history or on Jenkins,
10 `triage gate`: a human must decide, 130 cancelled (tests/test_ctrl_c.py).
"""

from __future__ import annotations

import socket

import click
import pytest
from click.testing import CliRunner

from tests.jenkins_world import serve, small_world
from triage.cli import cli
from triage.domain import BuildInfo, Outcome, TestResult
from triage.store import Store
from triage.store.importer import import_build


def _commands(group: click.Group = cli, prefix=()):
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


@pytest.mark.parametrize("path", list(_commands()), ids=" ".join)
def test_a_usage_error_is_2_for_every_command(path):
    result = CliRunner().invoke(cli, [*path, "--no-such-option"])
    assert result.exit_code == 2, result.output


@pytest.fixture
def history(db_path):
    with Store.open(db_path) as store:
        import_build(store, BuildInfo("app", 1), [TestResult("k.T", "t", Outcome.FAILED)])
    return db_path


@pytest.mark.parametrize("args", [
    ("failures", "--job", "nope"), ("failures", "--job", "app", "--build", "9"),
    ("flaky", "--job", "nope"), ("history", "--job", "nope"),
    ("mark", "--job", "app", "--build", "1", "--test", "k.T.x", "--verdict", "real"),
    ("mark", "--job", "app", "--build", "1", "--cluster", "since-9", "--verdict", "real"),
    ("unmark", "--job", "app", "--build", "9", "--test", "k.T.t"),
])
def test_not_in_the_history_is_3(history, args):
    result = CliRunner().invoke(cli, [*args, "--db", str(history)])
    assert result.exit_code == 3, result.output
    assert result.output.startswith("error: ") and len(result.output.splitlines()) == 1


@pytest.fixture(scope="module")
def srv():
    with serve(small_world()) as server:
        yield server


def _jenkins(srv, db_path, *args, server=None, token=None):
    env = {"TRIAGE_JENKINS_TOKEN": token or srv.users["alice"], "TRIAGE_DB": str(db_path)}
    return CliRunner().invoke(cli, [*args, "--server", server or srv.url, "--user", "alice"],
                              env=env)


JENKINS_NOT_FOUND = [
    ("sync", "--job", "nope"), ("pending", "--job", "nope"), ("builds", "--job", "nope"),
    ("proceed", "nope", "1", "--yes"), ("abort", "app", "99"),
    ("proceed", "app", "4", "--input", "nope", "--yes"),
]


@pytest.mark.parametrize("args", JENKINS_NOT_FOUND, ids=" ".join)
def test_not_on_jenkins_is_3(srv, db_path, args):
    result = _jenkins(srv, db_path, *args)
    assert result.exit_code == 3, result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("error:")]


@pytest.mark.parametrize("args", [
    ("sync",), ("pending",), ("builds",), ("proceed", "app", "4"), ("abort", "app", "4"),
    ("servers", "test", "nope"),
], ids=" ".join)
def test_an_unknown_server_is_2(srv, db_path, args):
    if args[0] == "servers":
        result = CliRunner().invoke(cli, list(args))
    else:
        result = _jenkins(srv, db_path, *args, server="nope")
    assert result.exit_code == 2, result.output
    assert "Unknown server 'nope'" in result.output


@pytest.mark.parametrize("args", [
    ("proceed", "shop/feature%2Fx", "2"),  # two inputs wait: say which
    ("abort", "shop/feature%2Fx", "2"),
    ("proceed", "app", "4", "--param", "NOSUCH=1", "--yes"),
    ("builds", "--since", "sometime"),
    ("proceed", "app", "4"),  # failures the tool calls real, no terminal, no --yes
], ids=" ".join)
def test_usage_that_jenkins_cannot_settle_is_2(srv, db_path, args):
    assert _jenkins(srv, db_path, *args).exit_code == 2


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.mark.parametrize("args", [
    ("sync",), ("pending",), ("builds",), ("proceed", "app", "4"), ("abort", "app", "4"),
], ids=" ".join)
def test_jenkins_down_is_1(srv, db_path, args):
    down = f"http://127.0.0.1:{_closed_port()}/"
    result = _jenkins(srv, db_path, *args, server=down)
    assert result.exit_code == 1, result.output
    assert "Cannot reach Jenkins" in result.output and "Traceback" not in result.output


def test_a_wrong_token_is_1(srv, db_path):
    assert _jenkins(srv, db_path, "pending", token="wrong").exit_code == 1
