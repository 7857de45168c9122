"""Names as people type them, and one token per server."""

from __future__ import annotations

import json

import keyring
import keyring.backend
import pytest
from click.testing import CliRunner

from tests.jenkins_world import serve, small_world
from triage import servers
from triage.cli import cli
from triage.domain import BuildInfo, Outcome, TestResult
from triage.store import Store
from triage.store.importer import import_build


def _run(*args, env=None, input=None):
    return CliRunner().invoke(cli, list(args), env=env, input=input)


@pytest.fixture
def history(db_path):
    with Store.open(db_path) as store:
        for job in ("checkout", "shop/feature%2Fpayment-api", "inventory"):
            import_build(store, BuildInfo(job, 1, server="ci"),
                         [TestResult("k.T", "t", Outcome.PASSED)])
    return db_path


@pytest.mark.parametrize("command", [
    ("failures", "--job", "{job}"), ("flaky", "--job", "{job}"),
    ("history", "--job", "{job}"),
    ("mark", "--job", "{job}", "--build", "1", "--test", "t", "--verdict", "real"),
])
def test_a_mistyped_job_gets_a_did_you_mean(history, command):
    args = [a.format(job="chekout") for a in command]
    result = _run(*args, "--server", "ci", "--db", str(history))
    assert result.exit_code == 3
    assert result.output.strip() == ("error: No job 'chekout' on server 'ci' in the history; "
                                     "did you mean 'checkout'?")


def test_a_branch_typed_with_its_slash_gets_the_2f_hint(history):
    result = _run("failures", "--job", "shop/feature/payment-api", "--server", "ci",
                  "--db", str(history))
    assert result.exit_code == 3
    assert result.output.strip() == (
        "error: No job 'shop/feature/payment-api' on server 'ci' in the history; did you mean "
        "'shop/feature%2Fpayment-api' (a multibranch branch is named with %2F)?")


def test_a_job_on_another_server_says_which(history):
    result = _run("failures", "--job", "checkout", "--server", "local", "--db", str(history))
    assert result.output.strip() == ("error: No job 'checkout' on server 'local' in the "
                                     "history; it is on ci: pass --server ci.")


def test_pending_for_a_job_jenkins_does_not_have_is_one_error():
    with serve(small_world()) as srv:
        result = _run("pending", "--server", srv.url, "--user", "alice", "--job", "NOSUCH",
                      env={"TRIAGE_JENKINS_TOKEN": srv.users["alice"]})
        url = srv.url
    assert result.exit_code == 3
    assert result.output.splitlines() == [
        f"error: No job 'NOSUCH' on Jenkins at {url}; check its full name (folders joined by "
        "/, a branch as Jenkins names it, e.g. shop/feature%2Fx), or whether it was renamed or "
        "deleted."]


def test_two_servers_two_tokens_from_their_own_variables(db_path):
    with serve(small_world()) as one, serve(small_world()) as two:
        for name, srv, user, var in (("ci", one, "alice", "CI_TOKEN"),
                                     ("eu", two, "bob", "EU_TOKEN")):
            added = _run("servers", "add", name, srv.url, "--user", user, "--token-env", var,
                         "--db", str(db_path))
            assert added.exit_code == 0, added.output
            assert f"set {var} to the API token of {user}" in added.output
        env = {"CI_TOKEN": one.users["alice"], "EU_TOKEN": two.users["bob"],
               "TRIAGE_JENKINS_TOKEN": "never-used"}
        listed = _run("servers", "list", env=env).output
        assert "token: set (CI_TOKEN)" in listed and "token: set (EU_TOKEN)" in listed
        synced = _run("sync", "--job", "app", "--db", str(db_path), env=env)
        assert synced.exit_code == 0, synced.output
        sent = {r.headers.get("Authorization") for srv in (one, two) for r in srv.requests}
        text = servers.config_path().read_text()
    assert one.users["alice"] not in text and two.users["bob"] not in text
    assert json.loads(text)["servers"]["eu"]["token_env"] == "EU_TOKEN"
    assert len(sent) == 2 and None not in sent  # each server got its own user and token
    assert "never-used" not in str(sent)


def test_without_a_keyring_servers_add_explains_instead_of_asking(db_path):
    result = _run("servers", "add", "ci", "https://ci.example/jenkins", "--user", "alice",
                  "--db", str(db_path), input="typed-token\n")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        "note: No OS keyring is available here, so the token cannot be stored (tokens never "
        "go to a plain file): set TRIAGE_JENKINS_TOKEN to the API token of alice in the "
        "environment of each triage command; with several servers, give each its own "
        "variable with --token-env NAME.")
    assert "typed-token" not in servers.config_path().read_text()
    assert "Not checked yet: no token in TRIAGE_JENKINS_TOKEN" in result.stdout


class PlaintextKeyring(keyring.backend.KeyringBackend):
    """Stands for keyrings.alt's PlaintextKeyring: passwords in a plain file."""

    priority = 1

    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        raise AssertionError("a token must never go to a plain file")

    def delete_password(self, service, username):
        pass


PlaintextKeyring.__module__ = "keyrings.alt.file"


def test_a_keyring_that_writes_plain_files_counts_as_none():
    previous = keyring.get_keyring()
    keyring.set_keyring(PlaintextKeyring())
    try:
        assert not servers.keyring_usable()
        with pytest.raises(Exception, match="cannot be stored"):
            servers.add(servers.ServerConfig("ci", "https://ci.example/", "alice"), "s3cret")
    finally:
        keyring.set_keyring(previous)


def test_abort_help_does_not_promise_aborted():
    text = " ".join(_run("abort", "--help").output.split())
    assert "goes on waiting" in text and "the build ends ABORTED" not in text
