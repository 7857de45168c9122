"""One Jenkins, one identity: its normalised URL, in the configuration and in the history."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from tests.jenkins_world import serve, small_world
from triage import servers
from triage.cli import cli
from triage.domain import BuildInfo, Outcome, TestResult
from triage.errors import ConfigError
from triage.identity import normalise_url
from triage.store import Store
from triage.store.importer import import_build

SECRET = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize("given, identity", [
    ("http://ci.example/jenkins", "http://ci.example/jenkins/"),
    ("HTTP://CI.Example:80/jenkins/", "http://ci.example/jenkins/"),
    ("https://ci.example:443//jenkins//", "https://ci.example/jenkins/"),
    ("https://ci.example:8443/Jenkins", "https://ci.example:8443/Jenkins/"),  # paths keep case
    ("http://ci.example", "http://ci.example/"),
    ("  http://[::1]:8080/ci ", "http://[::1]:8080/ci/"),
])
def test_every_spelling_of_a_url_is_one_identity(given, identity):
    assert normalise_url(given) == identity


@pytest.mark.parametrize("url", [
    f"http://127.0.0.1:9/jenkins/?token={SECRET}",
    f"http://127.0.0.1:9/jenkins/#{SECRET}",
    f"http://alice:{SECRET}@127.0.0.1:9/jenkins/",
])
def test_a_url_carrying_a_secret_is_refused_without_echoing_it(url):
    with pytest.raises(ConfigError) as info:
        normalise_url(url)
    assert SECRET not in info.value.message and "\n" not in info.value.message


@pytest.mark.parametrize("command", ["sync", "pending", "builds", "servers-add", "servers-test"])
def test_a_secret_in_the_query_is_refused_by_every_command(db_path, command):
    url = f"http://127.0.0.1:9/jenkins/?token={SECRET}"
    args = {"sync": ["sync", "--server", url], "pending": ["pending", "--server", url],
            "builds": ["builds", "--server", url],
            "servers-add": ["servers", "add", "ci", url, "--user", "alice"],
            "servers-test": ["servers", "test", url]}[command]
    result = CliRunner().invoke(cli, [*args, "--db", str(db_path), "--verbose"])
    assert result.exit_code == 2, result.output
    assert SECRET not in result.output
    (error,) = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert "carries a query or fragment" in error
    assert not servers.config_path().exists()
    assert not db_path.exists()


def _sync(url_or_name, db_path, token, *extra):
    args = ["sync", "--server", url_or_name, "--job", "app", "--db", str(db_path), *extra]
    result = CliRunner().invoke(cli, args, env={"TRIAGE_JENKINS_TOKEN": token})
    assert result.exit_code == 0, result.output
    return result


def _servers(db_path) -> list[tuple[str, str | None, int]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(
            "SELECT s.name, s.url, count(b.id) FROM servers s LEFT JOIN jobs j ON "
            "j.server_id = s.id LEFT JOIN builds b ON b.job_id = j.id GROUP BY s.id "
            "ORDER BY s.name").fetchall()


def test_a_url_synced_with_a_slash_is_found_without_it(db_path):
    with serve(small_world()) as srv:
        _sync(srv.url, db_path, srv.users["alice"], "--user", "alice")
        url = srv.url
    other_spelling = url.replace("http://", "HTTP://").replace("/jenkins/", "//jenkins")
    result = CliRunner().invoke(cli, ["failures", "--job", "app", "--build", "2", "--server",
                                      other_spelling, "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("app #2")


def test_sync_by_url_then_servers_add_keeps_one_history(db_path, memory_keyring):
    with serve(small_world()) as srv:
        token = srv.users["alice"]
        _sync(srv.url, db_path, token, "--user", "alice")
        assert _servers(db_path) == [(srv.url, srv.url, 4)]
        added = CliRunner().invoke(cli, ["servers", "add", "ci", srv.url.rstrip("/"), "--user",
                                         "alice", "--db", str(db_path)], input=token + "\n")
        assert added.exit_code == 0, added.output
        assert _servers(db_path) == [("ci", srv.url, 4)]  # renamed, not copied
        before = len(srv.requests)
        again = _sync("ci", db_path, token)
        # Nothing fetched twice: the listing, and the one build still running.
        assert "1 build stored (1 refreshed)" in again.output
        assert len(srv.requests) - before == 2
        by_url = CliRunner().invoke(cli, ["failures", "--job", "app", "--build", "2",
                                          "--server", srv.url, "--db", str(db_path)])
        assert by_url.exit_code == 0 and by_url.output.startswith("app #2"), by_url.output
        assert _servers(db_path) == [("ci", srv.url, 4)]


def test_a_second_name_for_a_configured_url_is_refused():
    servers.add(servers.ServerConfig("ci", "https://ci.example/jenkins", "alice"), None)
    with pytest.raises(ConfigError, match="already configured as 'ci'"):
        servers.add(servers.ServerConfig("ci2", "HTTPS://ci.example:443/jenkins/", "bob"), None)
    servers.add(servers.ServerConfig("ci", "https://ci.example/jenkins/", "bob"), None)  # replace
    assert servers.load()["ci"].user == "bob"


def test_a_url_that_never_answered_is_not_kept_as_a_server(db_path):
    result = CliRunner().invoke(cli, ["sync", "--server", "http://127.0.0.1:9/jenkins/",
                                      "--db", str(db_path)])
    assert result.exit_code == 1 and "Cannot reach Jenkins" in result.output
    assert _servers(db_path) == []


def _result(name: str, failed: bool) -> TestResult:
    return TestResult("com.acme.T", name, Outcome.FAILED if failed else Outcome.PASSED)


def test_migration_m003_merges_one_jenkins_stored_under_two_names(db_path):
    """Histories written before m003 could hold one Jenkins under its URL and under a name."""
    url = "http://ci.example/jenkins/"
    with Store.open(db_path) as store:
        for server in ("ci", "http://CI.example:80/jenkins"):
            for number in (1, 2):
                info = BuildInfo("app", number, server=server, revision=f"{number:07x}")
                import_build(store, info, [_result("a", number == 2)])
        import_build(store, BuildInfo("app", 3, server="ci"), [_result("a", True)])
        conn = store.conn
        conn.execute("UPDATE servers SET url = ? WHERE name = 'ci'", ("http://ci.example/jenkins",))
        conn.execute("UPDATE servers SET url = name WHERE name != 'ci'")
        build_2 = conn.execute("SELECT b.id FROM builds b JOIN jobs j ON j.id = b.job_id JOIN "
                               "servers s ON s.id = j.server_id WHERE s.name != 'ci' AND "
                               "b.number = 2").fetchone()[0]
        conn.execute("INSERT INTO verdicts (build_id, test_id, verdict, who, at) "
                     "SELECT ?, id, 'real', 'bob', 5 FROM tests", (build_2,))
        conn.execute("INSERT INTO decisions (server, job, build, input_id, action, at) VALUES "
                     "('http://CI.example:80/jenkins', 'app', 2, 'Go', 'proceed', 6)")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm003_one_server_identity'")
    with Store.open(db_path) as store:  # m003 runs again, as on a history from before it
        conn = store.conn
        assert conn.execute("SELECT name, url FROM servers").fetchall() == [("ci", url)]
        numbers = conn.execute("SELECT number FROM builds ORDER BY number").fetchall()
        assert numbers == [(1,), (2,), (3,)]
        assert conn.execute("SELECT who FROM verdicts WHERE undone_at IS NULL").fetchall() == [
            ("bob",)]
        assert conn.execute("SELECT server FROM decisions").fetchall() == [("ci",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
