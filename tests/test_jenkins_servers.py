"""Server configuration: the config file, keyring and TRIAGE_JENKINS_TOKEN, --server resolution.

The conftest points TRIAGE_CONFIG_DIR at a temp folder and forces keyring's `fail` backend; a
test that needs a keyring installs an in-memory one and restores the previous backend.
"""

from __future__ import annotations

import json

import pytest

from triage import servers
from triage.errors import ConfigError


def _server(name="ci", url="https://ci.example/jenkins", user="alice", **kw):
    return servers.ServerConfig(name=name, url=url, user=user, **kw)


def test_nothing_configured_is_a_clear_error():
    with pytest.raises(ConfigError, match="triage servers add NAME URL --user USER"):
        servers.resolve(None)


def test_add_saves_url_user_and_options_but_never_the_token(memory_keyring):
    where = servers.add(_server(artifacts={"app": "**/TEST-*.xml"},
                                remotes={"app": "https://git.example/app.git"}), "s3cret")
    assert where == "keyring"
    text = servers.config_path().read_text()
    assert "s3cret" not in text
    entry = json.loads(text)["servers"]["ci"]
    assert entry["url"] == "https://ci.example/jenkins/"
    assert entry["artifacts"] == {"app": "**/TEST-*.xml"}
    (loaded,) = servers.resolve(None)
    assert servers.token_for(loaded) == "s3cret"


def test_keyring_wins_then_the_environment(memory_keyring, monkeypatch):
    servers.add(_server(), "from-keyring")
    monkeypatch.setenv("TRIAGE_JENKINS_TOKEN", "from-env")
    assert servers.token_for(servers.resolve_one("ci")) == "from-keyring"
    servers.add(_server(name="other", url="https://other.example/", user="bob"), None)
    assert servers.token_for(servers.resolve_one("other")) == "from-env"


def test_without_a_keyring_a_token_cannot_be_stored():
    with pytest.raises(ConfigError, match="cannot be stored .tokens never go to a plain file.: "
                       "set TRIAGE_JENKINS_TOKEN"):
        servers.add(_server(), "s3cret")
    assert not servers.config_path().exists()


def test_missing_token_names_both_fixes(memory_keyring):
    servers.add(_server(), None)
    with pytest.raises(ConfigError) as info:
        servers.client_for(servers.resolve_one("ci"))
    assert "triage servers add ci" in info.value.message
    assert "TRIAGE_JENKINS_TOKEN" in info.value.message


def test_missing_token_without_a_keyring_gives_advice_that_can_be_followed():
    servers.add(_server(token_env="CI_TOKEN"), None)
    with pytest.raises(ConfigError) as info:
        servers.client_for(servers.resolve_one("ci"))
    assert info.value.message == (
        "No API token for 'alice' on ci: no OS keyring here, so set CI_TOKEN to the token in "
        "the environment of the command.")


def test_server_spec_is_a_name_or_a_url():
    servers.add(_server(), None)
    servers.add(_server(name="second", url="https://second.example/"), None)
    with pytest.raises(ConfigError, match="Several servers are configured"):
        servers.resolve_one(None)
    (adhoc,) = servers.resolve("http://127.0.0.1:8080/jenkins", user="bob")
    assert adhoc.name == "http://127.0.0.1:8080/jenkins/" and adhoc.user == "bob"
    # A configured server's URL is that server (one name for its builds in the history).
    (known,) = servers.resolve("https://ci.example/jenkins")
    assert known.name == "ci" and known.user == "alice"
    with pytest.raises(ConfigError, match=r"known: ci, second"):
        servers.resolve("third")


def test_a_broken_config_file_is_named():
    path = servers.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="servers.json"):
        servers.load()


def test_remove_forgets_the_token(memory_keyring):
    servers.add(_server(), "s3cret")
    servers.remove("ci")
    assert memory_keyring.items == {} and servers.load() == {}
    with pytest.raises(ConfigError, match="No server named 'ci'"):
        servers.remove("ci")


def test_bad_url_is_refused():
    with pytest.raises(ConfigError, match="Not a Jenkins URL"):
        servers.add(_server(url="ci.example"), None)


@pytest.mark.parametrize(("jobs", "said"), [(1, "1 top-level item visible"),
                                            (2, "2 top-level items visible"),
                                            (1200, "1,200 top-level items visible")])
def test_the_check_counts_what_it_sees_in_plain_words(jobs, said):
    check = servers.ServerCheck("https://ci.example/jenkins/", "2.479.3", "alice", "alice", jobs)
    assert f"as alice; {said}. Not checked: permissions" in check.summary()
