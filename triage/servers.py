"""Configured Jenkins servers, shared by the CLI and the app.

`servers.json` in the configuration folder (`triage.config.config_dir()`, TRIAGE_CONFIG_DIR)
keeps name, URL, user and connection options. The API token never goes there, nor into the
history or a log: it lives in the OS keyring (service "flaky-triage", account "NAME:USER"), or,
where no keyring backend exists (CI, containers), in the TRIAGE_JENKINS_TOKEN environment
variable.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keyring
import keyring.errors

from triage.config import config_dir
from triage.errors import ConfigError
from triage.jenkins import urls
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
    """Save `server` and store its token; return where the token went ("keyring" or "env")."""
    server.url = urls.normalise_base(server.url)
    servers = load()
    servers[server.name] = server
    where = "env"
    if token:
        if not keyring_usable():
            raise ConfigError(
                f"No OS keyring is available to store the token; set {TOKEN_ENV} instead "
                "and add the server without a token.")
        keyring.set_password(KEYRING_SERVICE, _account(server), token)
        where = "keyring"
    save(servers)
    return where


def remove(name: str) -> None:
    servers = load()
    server = servers.pop(name, None)
    if server is None:
        raise ConfigError(f"No server named {name!r}; see `triage servers list`.")
    save(servers)
    if keyring_usable():
        try:
            keyring.delete_password(KEYRING_SERVICE, _account(server))
        except keyring.errors.PasswordDeleteError:
            pass


def keyring_usable() -> bool:
    """True when a real keyring backend exists (the `fail` backend has priority 0)."""
    try:
        return keyring.get_keyring().priority > 0
    except Exception:  # a broken backend is the same as none for us
        return False


def token_for(server: ServerConfig) -> str | None:
    """Return the server's API token: keyring first, then TRIAGE_JENKINS_TOKEN."""
    if server.user and keyring_usable():
        try:
            token = keyring.get_password(KEYRING_SERVICE, _account(server))
        except keyring.errors.KeyringError:
            token = None
        if token:
            return token
    return os.environ.get(TOKEN_ENV) or None


def _account(server: ServerConfig) -> str:
    return f"{server.name}:{server.user or ''}"


def resolve(spec: str | None, user: str | None = None) -> list[ServerConfig]:
    """Return the servers `--server` names: a configured name, a URL, or all when None.

    A URL is used ad hoc with `--user` and TRIAGE_JENKINS_TOKEN; its name (in the history too)
    is the URL with a trailing slash, unless it is a configured server's URL.
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
    if "://" in spec:
        base = urls.normalise_base(spec)
        # The URL of a configured server is that server: its builds keep one name in the history.
        for server in servers.values():
            if urls.normalise_base(server.url) == base:
                if user:
                    server.user = user
                return [server]
        return [ServerConfig(name=base, url=base, user=user)]
    known = ", ".join(sorted(servers)) or "none configured"
    raise ConfigError(f"Unknown server {spec!r} (known: {known}); give a configured name "
                      "or a URL.")


def resolve_one(spec: str | None, user: str | None = None) -> ServerConfig:
    found = resolve(spec, user)
    if len(found) > 1:
        names = ", ".join(s.name for s in found)
        raise ConfigError(f"Several servers are configured ({names}); choose one with --server.")
    return found[0]


def client_for(server: ServerConfig, settings: HttpSettings | None = None) -> JenkinsClient:
    """Return a client with the server's token; a clear error when there is none."""
    token = token_for(server)
    if server.user and not token:
        raise ConfigError(
            f"No API token for {server.user!r} on {server.name}: store one with "
            f"`triage servers add {server.name} {server.url} --user {server.user}` or set "
            f"{TOKEN_ENV}.")
    settings = settings or HttpSettings(timeout=(10.0, server.timeout), verify=server.verify,
                                        ca_bundle=server.ca_bundle)
    return JenkinsClient(server.name, server.url, server.user, token, settings, server.remotes)
