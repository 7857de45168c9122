"""Jenkins commands: servers and sync. Parse, call one core function, format.

The core modules (keyring, python-jenkins, requests) are imported inside the commands so that
`triage --help` and unrelated commands do not pay for them.
"""

from __future__ import annotations

import time

import click

from triage.cli.common import (
    CliState,
    TerminalReporter,
    cancel_on_ctrl_c,
    common_options,
    jenkins_jobs_option,
    pairs,
    server_options,
)
from triage.cli.output import echo, echo_row, plural
from triage.display import safe
from triage.domain import MAX_BUILD
from triage.errors import Cancelled, TriageError
from triage.errors import JenkinsNotFound as NotFoundOnJenkins
from triage.progress import CancelToken

# --- servers ----------------------------------------------------------------------------------


@click.group("servers")
def servers_group() -> None:
    """Configure Jenkins servers (tokens go to the OS keyring).

    \b
    Example:
      triage servers add ci https://ci.example.com/jenkins/ --user alice
      triage servers test ci
    """


@servers_group.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--user", required=True, help="Jenkins user whose API token you give.")
@click.option("--token-env", metavar="VARIABLE",
              help="Without a keyring: the environment variable holding this server's token "
                   "(default TRIAGE_JENKINS_TOKEN); one per server for two tokens.")
@click.option("--ca-bundle", type=click.Path(exists=True, dir_okay=False),
              help="CA certificate bundle for a private TLS certificate.")
@click.option("--no-verify-tls", "no_verify", is_flag=True,
              help="Do not check the server's TLS certificate (prefer --ca-bundle).")
@click.option("--timeout", type=float, default=60.0, show_default=True,
              help="Read timeout in seconds.")
@click.option("--artifacts", "artifact_globs", multiple=True, metavar="JOB=GLOB",
              help="Read archived JUnit XML matching GLOB for JOB (and jobs under it) instead "
                   "of Jenkins' test report; keeps Surefire retry evidence.")
@click.option("--remote", "remotes", multiple=True, metavar="JOB=GIT_URL",
              help="The git remote of JOB's own repository (to pick the right revision).")
@common_options
def servers_add(state: CliState, name, url, user, token_env, ca_bundle, no_verify, timeout,
                artifact_globs, remotes):
    """Add or replace a server, ask for its API token, and check that it answers.

    The token goes to the OS keyring; without one, it is read from an environment variable
    (--token-env, else TRIAGE_JENKINS_TOKEN) and never written to a file. History synced
    earlier by this URL is kept under NAME.

    \b
    Example:
      triage servers add ci https://ci.example.com/jenkins/ --user alice
      triage servers add eu https://eu.example.com/ --user alice --token-env EU_TOKEN
    """
    from triage import servers as server_config
    server = server_config.ServerConfig(
        name=name, url=url, user=user, ca_bundle=ca_bundle, verify=not no_verify, timeout=timeout,
        artifacts=pairs(artifact_globs, "--artifacts"), remotes=pairs(remotes, "--remote"),
        token_env=token_env)
    token = None
    if server_config.keyring_usable():
        token = click.prompt(safe(f"API token for {user} on {server_config.normalise_url(url)}"),
                             hide_input=True)
    else:
        echo(f"note: {server_config.no_keyring_advice(server)}", err=True)
    where = server_config.add(server, token)
    _adopt_history(state, server)
    stored = "in the OS keyring" if where == "keyring" else f"from {server.token_variable}"
    echo(f"Added {name} ({server.url}), user {user}; token {stored}.")
    _check_added(server)


def _adopt_history(state: CliState, server) -> None:
    """History synced by this URL (under the URL or an old name) is NAME's from now on."""
    from triage.errors import NotFoundError
    from triage.store.servers import adopt

    try:
        store = state.store(create=False)
    except NotFoundError:
        return  # no history yet: nothing to adopt
    adopt(store, server.name, server.url, create=False)


def _check_added(server) -> None:
    from triage import servers as server_config

    if server.user and not server_config.token_for(server):
        echo(f"Not checked yet: no token in {server.token_variable}; "
                   f"`triage servers test {server.name}` checks once it is set.")
        return
    try:
        echo("checked: " + server_config.check(server).summary())
    except TriageError as exc:
        echo(f"warning: {exc.message} The server is saved; "
                   f"`triage servers test {server.name}` checks again.", err=True)


@servers_group.command("list")
@common_options
def servers_list(state: CliState):
    """List configured servers and where each token comes from.

    \b
    Example:
      triage servers list
    """
    from triage import servers as server_config
    found = server_config.load()
    if not found:
        echo("No servers configured; add one with `triage servers add`.")
        return
    for server in found.values():
        token = "token: set" if server_config.token_for(server) else "token: MISSING"
        source = f" ({server.token_env})" if server.token_env else ""
        echo_row(server.name, server.url, server.user or "(anonymous)", token + source)


@servers_group.command("test")
@click.argument("name")
@click.option("--user", help="Jenkins user, when NAME is a URL.")
@common_options
def servers_test(state: CliState, name, user):
    """Check that a server answers, that it accepts the token, and as whom.

    Says what it checked: reachability, authentication and the user's name. Permissions
    (who may approve an input) are not checked: Jenkins tells only when one is answered.

    \b
    Example:
      triage servers test ci
    """
    from triage import servers as server_config
    server = server_config.resolve_one(name, user)
    echo("ok: " + server_config.check(server).summary())


@servers_group.command("remove")
@click.argument("name")
@common_options
def servers_remove(state: CliState, name):
    """Forget a server and its stored token.

    \b
    Example:
      triage servers remove ci
    """
    from triage import servers as server_config
    server_config.remove(name)
    echo(f"Removed {name}.")


# --- sync ---------------------------------------------------------------------------------------


@click.command("sync")
@server_options
@jenkins_jobs_option("Full job name (folders joined by /); repeat. Default: every job.")
@click.option("--max-builds", type=click.IntRange(1, MAX_BUILD), default=100, show_default=True,
              help="Newest builds to look at per job.")
@click.option("--workers", type=click.IntRange(1, 16), default=4, show_default=True,
              help="Parallel report downloads.")
@common_options
def sync_cmd(state: CliState, server, user, jobs, max_builds, workers):
    """Import new Jenkins builds and their test results into the history.

    Only builds not stored yet are fetched, plus builds that were still running. Ctrl+C stops
    after the builds in flight; everything stored so far is kept.

    \b
    Example:
      triage sync --server ci --job team/app --max-builds 50
    """
    from triage import servers as server_config

    token = CancelToken()
    with cancel_on_ctrl_c(token):
        configs = server_config.resolve(server, user)  # a bad --server creates no history
        store = state.store()
        summaries = []
        for config in configs:
            if token.cancelled:
                break
            summaries.append(_sync_one(store, config, list(jobs), max_builds, workers, token))
    _sync_outcome(summaries, token)


def _sync_one(store, config, jobs: list[str], max_builds: int, workers: int, token):
    from triage import servers as server_config
    from triage.sync import SyncOptions, sync

    client = server_config.client_for(config)
    options = SyncOptions(jobs=jobs or None, max_builds=max_builds, workers=workers,
                          artifacts=config.artifacts)
    started = time.monotonic()
    summary = sync(client, store, options, TerminalReporter(), token)
    if summary.cancelled:
        return summary
    seconds = time.monotonic() - started
    echo(f"{config.name}: {plural(summary.jobs, 'job')}, "
               f"{plural(summary.stored, 'build')} stored ({summary.refreshed} refreshed), "
               f"{plural(summary.tests, 'test result')}, "
               f"{plural(client.request_count, 'request')}, {seconds:.1f} s.")
    for job, left in summary.left_out.items():
        echo(f"note: {job}: {plural(left, 'older build')} not fetched; use "
                   f"--max-builds {max_builds + left} to include them.")
    return summary


def _sync_outcome(summaries, token) -> None:
    """Turn what the syncs met into the exit code table's one error, if any."""
    stored = sum(s.stored for s in summaries)
    if token.cancelled or any(s.cancelled for s in summaries):
        raise Cancelled(f"Sync cancelled; builds stored so far are kept ({plural(stored, 'build')}"
                        "). Run it again to continue.")
    missing = [(s, job) for s in summaries for job in s.missing]
    failed = sum(len(s.job_errors) - len(s.missing) + len(s.build_errors) + s.left
                 for s in summaries)
    retry = (f"; {plural(failed, 'other job or build', 'other jobs or builds')} could not be "
             "synced (see the warnings above), run `triage sync` again for those"
             if failed else "")
    if missing:
        summary, job = missing[0]
        message = dict(summary.job_errors)[job]
        if len(missing) > 1:
            names = ", ".join(repr(j) for _, j in missing)
            message = f"{len(missing)} jobs are not on Jenkins: {names}. First: {message}"
        if retry:
            message = message.rstrip(".") + retry + "."
        raise NotFoundOnJenkins(message)
    if failed:
        raise TriageError(f"{plural(failed, 'job or build', 'jobs or builds')} could not be "
                          "synced (see the warnings above); run `triage sync` again to retry "
                          "them.")


COMMANDS = [servers_group, sync_cmd]
