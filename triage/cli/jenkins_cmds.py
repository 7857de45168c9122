"""Jenkins commands: servers, sync, pending, proceed, abort. Parse, call one core function, format.

The core modules (keyring, python-jenkins, requests) are imported inside the commands so that
`triage --help` and unrelated commands do not pay for them.
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading
import time

import click

from triage.cli.common import (
    BUILD_NUMBER,
    CliState,
    TerminalReporter,
    common_options,
    format_option,
    typed_job,
)
from triage.cli.output import echo, echo_json, echo_lines, echo_row
from triage.display import safe
from triage.errors import Cancelled, ConfigError, OutputError, TriageError
from triage.importing import MAX_BUILD
from triage.progress import CancelToken

# --- shared options ---------------------------------------------------------------------------


def server_options(func):
    """Add --server (a configured name or a URL) and --user (for a URL)."""
    func = click.option("--user", help="Jenkins user, with --server URL (token from "
                        "TRIAGE_JENKINS_TOKEN).")(func)
    return click.option("--server", "server", metavar="NAME|URL",
                        help="A configured server name, or a Jenkins URL.")(func)


def jenkins_job(value: str) -> str:
    """Return the job a user named for Jenkins: as shown in tables, and a name Jenkins allows
    (never `..`, which a URL would read as the parent folder)."""
    from triage.jenkins import urls

    name = typed_job(value)
    urls.job_path(name)  # refuses '.', '..' and empty names
    return name


def _jobs_callback(_ctx, _param, values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(jenkins_job(v) for v in values)


def _job_callback(_ctx, _param, value: str) -> str:
    return jenkins_job(value)


def _pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name:
            raise ConfigError(f"{what} must look like NAME=VALUE, not {value!r}.")
        pairs[name.strip()] = rest
    return pairs


@contextlib.contextmanager
def _cancel_on_ctrl_c(token: CancelToken):
    """First Ctrl+C cancels cooperatively (the current builds finish); a second one kills."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        token.cancel()
        signal.signal(signal.SIGINT, previous)
        echo(err=True)
        echo("Cancelling after the builds in flight (Ctrl+C again to stop now)...", err=True)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


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
@click.option("--ca-bundle", type=click.Path(exists=True, dir_okay=False),
              help="CA certificate bundle for a private TLS certificate.")
@click.option("--no-verify-tls", "no_verify", is_flag=True,
              help="Do not check the server's TLS certificate (prefer --ca-bundle).")
@click.option("--timeout", type=click.FloatRange(0.1, 3600), default=60.0, show_default=True,
              help="Read timeout in seconds.")
@click.option("--artifacts", "artifact_globs", multiple=True, metavar="JOB=GLOB",
              help="Read archived JUnit XML matching GLOB for JOB (and jobs under it) instead "
                   "of Jenkins' test report; keeps Surefire retry evidence.")
@click.option("--remote", "remotes", multiple=True, metavar="JOB=GIT_URL",
              help="The git remote of JOB's own repository (to pick the right revision).")
@common_options
def servers_add(state: CliState, name, url, user, ca_bundle, no_verify, timeout, artifact_globs,
                remotes):
    """Add or replace a server and ask for its API token.

    \b
    Example:
      triage servers add ci https://ci.example.com/jenkins/ --user alice
    """
    from triage import servers as server_config
    server = server_config.ServerConfig(
        name=name, url=url, user=user, ca_bundle=ca_bundle, verify=not no_verify, timeout=timeout,
        artifacts=_pairs(artifact_globs, "--artifacts"), remotes=_pairs(remotes, "--remote"))
    token = None
    if server_config.keyring_usable():
        token = click.prompt(safe(f"API token for {user} on {url}"), hide_input=True)
    else:
        echo(f"No OS keyring here: the token will be read from "
                   f"{server_config.TOKEN_ENV}.", err=True)
    where = server_config.add(server, token)
    stored = "in the OS keyring" if where == "keyring" else f"from {server_config.TOKEN_ENV}"
    echo(f"Added {name} ({server.url}), user {user}; token {stored}.")


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
        echo_row(server.name, server.url, server.user or "(anonymous)", token)


@servers_group.command("test")
@click.argument("name")
@click.option("--user", help="Jenkins user, when NAME is a URL.")
@common_options
def servers_test(state: CliState, name, user):
    """Connect to a server and check the credentials.

    \b
    Example:
      triage servers test ci
    """
    from triage import servers as server_config
    server = server_config.resolve_one(name, user)
    facts = server_config.client_for(server).probe()
    version = facts["version"] or "unknown version"
    who = facts["user"] or server.user or "anonymous"
    echo(f"ok: {server.name} answers as Jenkins {version}, user {who}, "
               f"{facts['jobs']} top-level jobs.")


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
@click.option("--job", "jobs", multiple=True, metavar="JOB", callback=_jobs_callback,
              help="Full job name (folders joined by /); repeat. Default: every job.")
@click.option("--max-builds", type=click.IntRange(1, MAX_BUILD), default=100,
              show_default=True,
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
    from triage.sync import SyncOptions, sync

    store = state.store()
    token = CancelToken()
    failures = 0
    for config in server_config.resolve(server, user):
        client = server_config.client_for(config)
        options = SyncOptions(jobs=list(jobs) or None, max_builds=max_builds, workers=workers,
                              artifacts=config.artifacts)
        started = time.monotonic()
        with _cancel_on_ctrl_c(token):
            summary = sync(client, store, options, TerminalReporter(), token)
        seconds = time.monotonic() - started
        echo(f"{config.name}: {summary.jobs} jobs, {summary.stored} builds stored "
                   f"({summary.refreshed} refreshed), {summary.tests} test results, "
                   f"{client.request_count} requests, {seconds:.1f} s.")
        failures += len(summary.job_errors) + len(summary.build_errors) + summary.left
        if summary.cancelled:
            raise Cancelled("Sync cancelled; builds stored so far are kept. Run it again to "
                            "continue.")
    if failures:
        raise TriageError(f"{failures} job(s) or build(s) could not be synced (see the "
                          "warnings above); run `triage sync` again to retry them.")


# --- pending / proceed / abort -----------------------------------------------------------------


@click.command("pending")
@server_options
@click.option("--job", "jobs", multiple=True, metavar="JOB", callback=_jobs_callback,
              help="Only these jobs; repeat.")
@format_option
@common_options
def pending_cmd(state: CliState, server, user, jobs, fmt):
    """List builds paused at an input step, longest wait first.

    With --format json: a list, one object per paused build, with exactly the keys
    server, job (full name), build, url, started_ms, paused_ms, waited_ms, wait_source
    ("wfapi": exact; "build-start": time since the build started, an upper bound;
    "unknown"), failures (null when unknown) and inputs; each input has id, message, ok,
    cancel, submitter and parameters; each parameter has name, type, description, default
    (null for passwords) and choices (null unless a choice). Times are epoch ms or null.

    \b
    Example:
      triage pending --server ci --format json
    """
    from triage import servers as server_config
    from triage.decide import paused_as_dict, paused_builds

    clients = [server_config.client_for(c) for c in server_config.resolve(server, user)]
    reporter = TerminalReporter()
    found = paused_builds(clients, list(jobs) or None, reporter=reporter)
    if fmt == "json":
        echo_json([paused_as_dict(p) for p in found])
    else:
        echo_lines(_paused_table(found))
    if reporter.warnings and not found:
        raise TriageError("No server could be read, or no job named could be found; see the "
                          "warnings above.")
    if reporter.warnings:
        raise TriageError("Some of what you asked for could not be read (see the warnings "
                          "above); the list shows the rest.")


def _duration(ms: int | None) -> str:
    if ms is None:
        return "?"
    minutes = ms // 60000
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours < 48 else f"{hours // 24}d{hours % 24:02d}h"


def _paused_table(found) -> list[str]:
    if not found:
        return ["No build is waiting for input."]
    lines = []
    for p in found:
        waited = _duration(p.waited_ms) + ("+" if p.wait_source == "build-start" else "")
        failures = "?" if p.failures is None else str(p.failures)
        lines.append(f"{p.server}  {p.job} #{p.number}  waiting {waited}  "
                     f"failures {failures}  {p.url or ''}")
        for item in p.inputs:
            lines.append(f"    input {item.id}: {item.message or ''}  [{item.ok} / {item.cancel}]"
                         + (f"  submitter: {item.submitter}" if item.submitter else ""))
            for param in item.parameters:
                default = "(hidden)" if param.is_password else repr(param.default)
                choices = f" choices: {', '.join(param.choices)}" if param.choices else ""
                kind = param.type.removesuffix("ParameterDefinition")
                lines.append(f"        {param.name} ({kind}) default {default}{choices}")
    if any(p.wait_source == "build-start" for p in found):
        lines.append("(+: Jenkins did not say when the input was reached (no paused Stage View "
                     "stage); time since the build started)")
    return lines


def _decide(state: CliState, server, user, job, build, action, input_ref, params) -> None:
    from triage import servers as server_config
    from triage.decide import decide

    config = server_config.resolve_one(server, user)
    client = server_config.client_for(config)
    record = decide(client, state.store(), job, build, action, input_ref,
                    _pairs(params, "--param"), who=config.user)
    verb = "Proceeded" if action == "proceed" else "Aborted"
    # A plain string as typed; anything else (booleans, text with line breaks) as JSON, so
    # the confirmation stays one line.
    shown = ", ".join(f"{k}={v if isinstance(v, str) and v.isprintable() else json.dumps(v)}"
                      for k, v in record.parameters.items())
    try:
        echo(f"{verb} {job} #{build} at input {record.input_id}"
             + (f" with {shown}." if shown else "."))
    except OutputError as exc:
        # The decision is applied and stored: never let a failed print invite a second one.
        exc.message = (f"The {action} of {job} #{build} went through and is stored in the "
                       f"history, but its confirmation could not be printed: {exc.message}")
        raise


@click.command("proceed")
@click.argument("job", callback=_job_callback)
@click.argument("build", type=BUILD_NUMBER)
@server_options
@click.option("--input", "input_ref", metavar="ID", help="Which input, when several wait.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter value; the others keep their defaults. Repeat.")
@common_options
def proceed_cmd(state: CliState, job, build, server, user, input_ref, params):
    """Approve a paused input step (every parameter is sent, defaults filled in).

    \b
    Example:
      triage proceed team/app 57 --param TARGET=staging-us --param SMOKE=false
    """
    _decide(state, server, user, job, build, "proceed", input_ref, params)


@click.command("abort")
@click.argument("job", callback=_job_callback)
@click.argument("build", type=BUILD_NUMBER)
@server_options
@click.option("--input", "input_ref", metavar="ID", help="Which input, when several wait.")
@common_options
def abort_cmd(state: CliState, job, build, server, user, input_ref):
    """Reject a paused input step; the build ends ABORTED.

    \b
    Example:
      triage abort team/app 57 --input Release-gate
    """
    _decide(state, server, user, job, build, "abort", input_ref, ())


COMMANDS = [servers_group, sync_cmd, pending_cmd, proceed_cmd, abort_cmd]
