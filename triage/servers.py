"""Configured Jenkins servers, shared by the CLI and the app.

`servers.json` in the configuration folder (`triage.config.config_dir()`, TRIAGE_CONFIG_DIR)
keeps name, URL, user and connection options. The API token never goes there, nor into the
history, a log or any other plain file: it lives in the OS keyring (service "flaky-triage",
account "NAME:USER"), or, where no keyring backend exists (CI, containers), in an environment
variable: the one the server names (`token_env`, so two servers can have two tokens), else
TRIAGE_JENKINS_TOKEN. A keyring backend that writes plain files (keyrings.alt's
PlaintextKeyring) counts as none.

A server is its normalised URL (`triage.identity`): a configured name and its URL are one
server, in the configuration (one name per URL) and in the history (`history_name`).

keyring is imported only when a token is read, stored or removed, and the Jenkins client (with
requests and python-jenkins) only when a client is made: loading a configuration, as the app's
window does before its first paint, needs neither.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from triage.config import config_dir
from triage.display import plural
from triage.errors import ConfigError
from triage.identity import looks_like_url, normalise_url

if TYPE_CHECKING:
    from triage.jenkins.client import JenkinsClient
    from triage.jenkins.http import HttpSettings

KEYRING_SERVICE = "flaky-triage"
TOKEN_ENV = "TRIAGE_JENKINS_TOKEN"
CONFIG_FILE = "servers.json"


@dataclass
class ServerConfig:
    name: str
    url: str
    user: str | None = None
    ca_bundle: str | None = None
    verify: bool = True
    timeout: float = 60.0
    # job (or folder prefix) -> glob of archived JUnit XML to read instead of testReport JSON
    artifacts: dict[str, str] = field(default_factory=dict)
    # job (or folder prefix) -> git remote URL of the job's own repository (facts.pick_revision)
    remotes: dict[str, str] = field(default_factory=dict)
    # The environment variable holding this server's token when there is no keyring.
    token_env: str | None = None

    @property
    def token_variable(self) -> str:
        return self.token_env or TOKEN_ENV


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


def load() -> dict[str, ServerConfig]:
    """Return the configured servers by name (none when the file does not exist)."""
    path = config_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}; fix or delete the file.") from exc
    try:
        return {name: ServerConfig(name=name, **entry)
                for name, entry in (raw.get("servers") or {}).items()}
    except TypeError as exc:
        raise ConfigError(f"Unexpected entry in {path}: {exc}; fix or delete the file.") from exc


def save(servers: dict[str, ServerConfig]) -> None:
    path = config_path()
    entries = {}
    for name, server in sorted(servers.items()):
        entry = asdict(server)
        entry.pop("name")
        entries[name] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"servers": entries}, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def add(server: ServerConfig, token: str | None) -> str:
    """Save `server` and store its token; return where the token went ("keyring" or "env").

    One name per server: a URL another configured name already has is refused.
    """
    server.url = normalise_url(server.url)
    if server.token_env is not None:
        check_variable_name(server.token_env)
    servers = load()
    for other in servers.values():
        if other.name != server.name and _same_url(other.url, server.url):
            raise ConfigError(
                f"{server.url} is already configured as {other.name!r}; one server has one "
                f"name: use {other.name!r}, or `triage servers remove {other.name}` first.")
    servers[server.name] = server
    where = "env"
    if token:
        if not keyring_usable():
            raise ConfigError(no_keyring_advice(server))
        import keyring

        keyring.set_password(KEYRING_SERVICE, _account(server), token)
        where = "keyring"
    save(servers)
    return where


def no_keyring_advice(server: ServerConfig, naming: str = "with --token-env NAME") -> str:
    """Say where the token must come from when no OS keyring can keep it; `naming` says how
    a server gets a variable of its own in this face (the CLI's flag, the app's field)."""
    return (f"No OS keyring is available here, so the token cannot be stored (tokens never go "
            f"to a plain file): set {server.token_variable} to the API token of "
            f"{server.user or 'the user'} in the environment of each triage command"
            + ("" if server.token_env else
               f"; with several servers, give each its own variable {naming}")
            + ".")


def check_variable_name(name: str) -> str:
    if not name or not (name[0].isalpha() or name[0] == "_") or not all(
            c.isalnum() or c == "_" for c in name) or not name.isascii():
        raise ConfigError(f"The token variable {name!r} is not an environment variable name; "
                          "use letters, digits and _, e.g. CI_EU_TOKEN.")
    return name


def _same_url(a: str, b: str) -> bool:
    try:
        return normalise_url(a) == normalise_url(b)
    except ConfigError:
        return False


def remove(name: str) -> None:
    servers = load()
    server = servers.pop(name, None)
    if server is None:
        raise ConfigError(f"No server named {name!r}; see `triage servers list`.")
    save(servers)
    if keyring_usable():
        import keyring.errors

        try:
            keyring.delete_password(KEYRING_SERVICE, _account(server))
        except keyring.errors.PasswordDeleteError:
            pass


def keyring_usable() -> bool:
    """True when a real keyring backend exists: not the `fail` one (priority 0), and not one
    that keeps passwords in a plain file."""
    try:
        import keyring

        backend = keyring.get_keyring()
        if backend.priority <= 0:
            return False
        chain = getattr(backend, "backends", None) or [backend]
        return not any(_plain_file(b) for b in chain)
    except Exception:  # a broken backend is the same as none for us
        return False


PLAIN_FILE_BACKENDS = frozenset({"keyrings.alt.file.PlaintextKeyring"})


def _plain_file(backend) -> bool:
    kind = type(backend)
    return f"{kind.__module__}.{kind.__qualname__}" in PLAIN_FILE_BACKENDS


def token_for(server: ServerConfig) -> str | None:
    """Return the server's API token: keyring first, then its environment variable."""
    if server.user and keyring_usable():
        import keyring.errors

        try:
            token = keyring.get_password(KEYRING_SERVICE, _account(server))
        except keyring.errors.KeyringError:
            token = None
        if token:
            return token
    return os.environ.get(server.token_variable) or None


def _account(server: ServerConfig) -> str:
    return f"{server.name}:{server.user or ''}"


def resolve(spec: str | None, user: str | None = None) -> list[ServerConfig]:
    """Return the servers `--server` names: a configured name, a URL, or all when None.

    A URL is used ad hoc with `--user` and TRIAGE_JENKINS_TOKEN; its name (in the history too)
    is the normalised URL, unless it is a configured server's URL: then it is that server.
    """
    servers = load()
    if spec is None:
        if not servers:
            raise ConfigError("No Jenkins server configured; add one with "
                              "`triage servers add NAME URL --user USER`, or pass --server URL.")
        return list(servers.values())
    if spec in servers:
        server = servers[spec]
        if user:
            server.user = user
        return [server]
    if looks_like_url(spec):
        base = normalise_url(spec)
        for server in servers.values():
            if _same_url(server.url, base):
                if user:
                    server.user = user
                return [server]
        return [ServerConfig(name=base, url=base, user=user)]
    known = ", ".join(sorted(servers)) or "none configured"
    raise ConfigError(f"Unknown server {spec!r} (known: {known}); give a configured name "
                      "or a URL.")


def history_name(store, spec: str) -> str:
    """Return the name the history keeps for the server `spec` names.

    `spec` is a name as stored, a configured name, or a URL (any spelling of it): the last two
    are found by the server's URL, so syncing by URL and reading by name (or the other way
    round) meet the same history.
    """
    from triage.store import servers as stored

    if spec in stored.names(store):
        return spec
    url = None
    if looks_like_url(spec):
        url = normalise_url(spec)
    elif spec in (configured := load()):
        url = configured[spec].url
    if url is None:
        return spec
    return stored.name_for_url(store, normalise_url(url)) or (
        url if looks_like_url(spec) else spec)


def resolve_one(spec: str | None, user: str | None = None) -> ServerConfig:
    found = resolve(spec, user)
    if len(found) > 1:
        names = ", ".join(s.name for s in found)
        raise ConfigError(f"Several servers are configured ({names}); choose one with --server.")
    return found[0]


@dataclass(frozen=True)
class ServerCheck:
    """What `check` found: Jenkins answered (its version), who it took us for, what we see."""

    url: str
    version: str | None
    user: str | None  # Jenkins' id of the authenticated user (`/me`); None if anonymous
    asked_user: str | None  # the user the token was given for
    jobs: int  # top-level items visible to that user

    def summary(self) -> str:
        """Say exactly what was checked, and what was not."""
        version = f"Jenkins {self.version}" if self.version else "Jenkins (version not sent)"
        if self.asked_user is None:
            who = "as anonymous (no user given)"
        elif self.user is None:
            who = (f"with {self.asked_user}'s token accepted (Jenkins did not say the user's "
                   "name)")
        elif self.user.lower() != self.asked_user.lower():
            who = f"as {self.user} (the token was given for {self.asked_user})"
        else:
            who = f"as {self.user}"
        items = plural(self.jobs, "top-level item")
        return (f"reached {version} at {self.url}; authenticated {who}; {items} visible. "
                "Not checked: permissions to approve or abort inputs (Jenkins tells only "
                "when one is answered).")


def check(server: ServerConfig, client: JenkinsClient | None = None) -> ServerCheck:
    """Check reachability, authentication and the user's name (one or two requests), with
    the server's own client or `client` (the app's Settings test a token not stored yet)."""
    facts = (client or client_for(server)).probe()
    return ServerCheck(server.url, facts["version"], facts["user"], server.user, facts["jobs"])


def client_for(server: ServerConfig, settings: HttpSettings | None = None) -> JenkinsClient:
    """Return a client with the server's token; a clear error when there is none."""
    token = token_for(server)
    if server.user and not token:
        if keyring_usable():
            how = (f"store one with `triage servers add {server.name} {server.url} --user "
                   f"{server.user}`, or set {server.token_variable}")
        else:
            how = (f"no OS keyring here, so set {server.token_variable} to the token in the "
                   "environment of the command")
        raise ConfigError(f"No API token for {server.user!r} on {server.name}: {how}.")
    from triage.jenkins.client import JenkinsClient
    from triage.jenkins.http import HttpSettings

    settings = settings or HttpSettings(timeout=(10.0, server.timeout), verify=server.verify,
                                        ca_bundle=server.ca_bundle)
    return JenkinsClient(server.name, server.url, server.user, token, settings, server.remotes)
