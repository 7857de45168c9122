"""The servers the window watches and their clients; no Qt here (the sync child imports it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from triage.servers import ServerConfig, client_for

if TYPE_CHECKING:
    from triage.jenkins import JenkinsSource
    from triage.jenkins.http import HttpSettings


@dataclass
class ServerEntry:
    """A server the window watches; `token` is given directly only by the demo and tests
    (otherwise the keyring or TRIAGE_JENKINS_TOKEN, as for the CLI)."""

    config: ServerConfig
    token: str | None = None


def make_client(entry: ServerEntry, settings: HttpSettings | None = None) -> JenkinsSource:
    """Return the server's client: the given token, else the CLI's keyring/env lookup.
    `settings` replaces the default timeouts (the watcher's polls pass shorter ones)."""
    config = entry.config
    if entry.token is None:
        return client_for(config, settings)
    # Made in a worker (AppContext.source): requests and python-jenkins load there, not
    # before the window's first paint.
    from triage.jenkins.client import JenkinsClient
    from triage.jenkins.http import HttpSettings

    settings = settings or HttpSettings(timeout=(10.0, config.timeout), verify=config.verify,
                                        ca_bundle=config.ca_bundle)
    return JenkinsClient(config.name, config.url, config.user, entry.token, settings,
                         config.remotes)
