"""`triage pending`, `triage proceed`, `triage abort`: paused input steps.

Parse, call the core (`triage.attention`, `triage.decide`), format. A proceed first brings the
build's job up to date in the history and runs `decide.blocking_failures`: failures the tool
calls real are listed and must be confirmed on a terminal (or `--yes`); without a terminal
nothing is sent.
"""

from __future__ import annotations

import json
import sys
import textwrap

import click

from triage.cli.common import (
    BUILD_NUMBER,
    CliState,
    TerminalReporter,
    cancel_on_ctrl_c,
    common_options,
    format_option,
    jenkins_jobs_option,
    job_callback,
    pairs,
    raise_for_problems,
    server_options,
)
from triage.cli.output import (
    cut,
    duration,
    echo,
    echo_json,
    echo_lines,
    echo_painted,
    paint,
    plural,
    terminal_width,
)
from triage.display import printable, safe
from triage.errors import Cancelled, ConfigError, NotFoundError, OutputError
from triage.progress import CancelToken, NullReporter


@click.command("pending")
@server_options
@jenkins_jobs_option("Only these jobs; repeat.")
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
    from triage.attention import paused_as_dict, paused_builds

    clients = [server_config.client_for(c) for c in server_config.resolve(server, user)]
    reporter, problems = NullReporter(), []
    found = paused_builds(clients, list(jobs) or None, reporter=reporter, problems=problems)
    if not found and len(problems) == 1:
        raise problems[0]  # one thing went wrong and nothing else to show: one error
    for warning in reporter.warnings:
        echo(f"warning: {warning}", err=True)
    if fmt == "json":
        echo_json([paused_as_dict(p) for p in found])
    else:
        echo_lines(_paused_table(found))
    raise_for_problems(problems, bool(found))


def _paused_table(found) -> list[str]:
    """Ids, messages, parameters and choices are shown whole: they are what a person types.
    Lines fit the terminal: the build's link and the buttons have lines of their own, and
    long messages wrap at spaces (never inside an id); the server is named only when there
    are several."""
    if not found:
        return ["No build is waiting for input."]
    width = terminal_width()
    several = len({p.server for p in found}) > 1
    lines = []
    for p in found:
        waited = duration(p.waited_ms) + ("+" if p.wait_source == "build-start" else "")
        failures = "?" if p.failures is None else str(p.failures)
        lines += _wrapped(f"{p.server}: " * several + f"{p.job} #{p.number}  waiting {waited}  "
                          f"failures {failures}", "", width)
        if p.url:
            lines.append(f"  {p.url}")
        for item in p.inputs:
            lines += _wrapped(f"input {item.id}: {item.message or ''}", "  ", width)
            lines += _wrapped(f"[{item.ok} / {item.cancel}]"
                              + (f"  submitter: {item.submitter}" if item.submitter else ""),
                              "    ", width)
            for param in item.parameters:
                default = "(hidden)" if param.is_password else repr(param.default)
                choices = f" choices: {', '.join(param.choices)}" if param.choices else ""
                kind = param.type.removesuffix("ParameterDefinition")
                lines += _wrapped(f"{param.name} ({kind}) default {default}{choices}", "    ",
                                  width)
    if any(p.wait_source == "build-start" for p in found):
        lines += _wrapped("(+: Jenkins did not say when the input was reached (no paused "
                          "Stage View stage); time since the build started)", "", width)
    return lines


def _wrapped(text: str, indent: str, width: int) -> list[str]:
    """`text` (escaped first, so wrapping never turns a control character into a space) in
    lines of `width`, continued four columns further in; a word longer than that stays
    whole."""
    return textwrap.wrap(printable(text), width, initial_indent=indent,
                         subsequent_indent=indent + "    ", break_long_words=False,
                         break_on_hyphens=False) or [indent]


def _shown(values: dict) -> str:
    # A plain string as typed; anything else (booleans, text with line breaks) as JSON, so
    # the confirmation stays one line.
    return ", ".join(f"{k}={v if isinstance(v, str) and v.isprintable() else json.dumps(v)}"
                     for k, v in values.items())


def _what(prepared) -> str:
    shown = _shown(prepared.public)
    return (f"{prepared.job} #{prepared.number} at input {prepared.input.id}"
            + (f" with {shown}" if shown else ""))


def _sync_first(store, client, job: str) -> None:
    """Bring the job up to date in the history, so the check sees this build's failures."""
    from triage.flakiness.model import HISTORY_WINDOW
    from triage.sync import SyncOptions, sync

    token = CancelToken()
    with cancel_on_ctrl_c(token):
        summary = sync(client, store, SyncOptions(jobs=[job], max_builds=HISTORY_WINDOW + 10),
                       TerminalReporter(), token)
    if summary.cancelled:
        raise Cancelled("Cancelled while reading the build's history; nothing was sent.")


def _check_failures(store, client, job: str, number: int, yes: bool, dry_run: bool,
                    prepared) -> None:
    """List what blocks a proceed; ask on a terminal, refuse without one unless --yes."""
    from triage.decide import blocking_failures

    try:
        blocking = blocking_failures(store, client.name, job, number)
    except NotFoundError:
        echo(f"note: {job} #{number} is not in the history, so its failures "
                   "were not checked.", err=True)
        return
    if not blocking:
        return
    width = terminal_width()
    echo(f"{job} #{number} has {plural(len(blocking), 'failure')} the history "
               "calls real:", err=True)
    for item in blocking:
        label = paint(f"{item.verdict or item.suggestion:<6}", "real")
        echo_painted(f"  {label} {cut(item.test, width - 9)}", err=True)
        echo(f"         {cut(item.reason, width - 9)}", err=True)
    if yes or dry_run:
        return
    if not sys.stdin.isatty():
        raise ConfigError(f"Not proceeding: {plural(len(blocking), 'failure')} the history "
                          "calls real (listed above) and no terminal to confirm; nothing was "
                          "sent. Pass --yes to proceed anyway.")
    if not click.confirm(safe(f"Proceed anyway with {_what(prepared)}?"), default=False,
                         err=True):
        raise Cancelled("Not proceeding; nothing was sent.")


def _decide(state: CliState, server, user, job, build, action, input_ref, params, *,
            yes: bool = False, dry_run: bool = False) -> None:
    from triage import servers as server_config
    from triage.decide import build_after, prepare, send

    config = server_config.resolve_one(server, user)
    client = server_config.client_for(config)
    store = state.store()
    prepared = prepare(client, job, build, action, input_ref, pairs(params, "--param"))
    if action == "proceed":
        _sync_first(store, client, job)
        _check_failures(store, client, job, build, yes, dry_run, prepared)
    if dry_run:
        echo(f"Would {action} {_what(prepared)}; nothing was sent "
                   "(--dry-run).")
        return
    send(client, store, prepared, who=config.user)
    verb = "Proceeded" if action == "proceed" else "Aborted"
    after = build_after(client, job, build)
    then = f"; {after.describe()}" if after is not None else ""
    try:
        echo(f"{verb} {_what(prepared)}{then}.")
    except OutputError as exc:
        # The decision is applied and stored: never let a failed print invite a second one.
        exc.message = (f"The {action} of {job} #{build} went through and is stored in the "
                       f"history, but its confirmation could not be printed: {exc.message}")
        raise


_input = click.option("--input", "input_ref", metavar="ID",
                      help="Which input, when several wait: its id or a unique start of it "
                           "(case does not matter), its Jenkinsfile id, or its message.")
_dry_run = click.option("--dry-run", is_flag=True,
                        help="Show what would be sent, and send nothing.")


@click.command("proceed")
@click.argument("job", callback=job_callback)
@click.argument("build", type=BUILD_NUMBER)
@server_options
@_input
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter value; the others keep their defaults. Repeat.")
@click.option("--yes", is_flag=True,
              help="Proceed even when failures the history calls real are listed.")
@_dry_run
@common_options
def proceed_cmd(state: CliState, job, build, server, user, input_ref, params, yes, dry_run):
    """Approve a paused input step (every parameter is sent, defaults filled in).

    First the job's history is brought up to date; failures marked real, or suggested real
    and not marked noise, are listed and must be confirmed (on a terminal), or --yes given.

    \b
    Example:
      triage proceed team/app 57 --param TARGET=staging-us --param SMOKE=false
      triage proceed shop/main 90 --input a61b61 --dry-run
    """
    _decide(state, server, user, job, build, "proceed", input_ref, params, yes=yes,
            dry_run=dry_run)


@click.command("abort")
@click.argument("job", callback=job_callback)
@click.argument("build", type=BUILD_NUMBER)
@server_options
@_input
@_dry_run
@common_options
def abort_cmd(state: CliState, job, build, server, user, input_ref, dry_run):
    """Reject a paused input step.

    Jenkins stops that step; what happens next is the pipeline's: a build waiting at other
    inputs (parallel branches) goes on waiting for them; one with nothing else to do usually
    ends ABORTED. The answer says what Jenkins reports right after.

    \b
    Example:
      triage abort team/app 57 --input Release-gate
    """
    _decide(state, server, user, job, build, "abort", input_ref, (), dry_run=dry_run)


COMMANDS = [pending_cmd, proceed_cmd, abort_cmd]
