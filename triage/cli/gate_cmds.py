"""`triage gate`: should the pipeline ask a human at its input step? Exit 0 no, 10 yes."""

from __future__ import annotations

import click

from triage.cli.common import (
    BUILD_NUMBER,
    CliState,
    TerminalReporter,
    common_options,
    job_option,
    printable,
    server_options,
)
from triage.cli.output import echo_json, echo_lines
from triage.errors import TriageError
from triage.files import write_file


@click.command("gate")
@job_option
@click.option("--build", "number", type=BUILD_NUMBER, required=True,
              help="Build number (the running build, once its tests ran).")
@server_options
@click.option("--policy", "policy_file", metavar="FILE",
              help="TOML policy: max_noise, min_history, min_score, ask_branches, "
                   "ask_clusters, ask_tests (see the README).")
@click.option("--summary", "summary_file", metavar="FILE.md",
              help="Write the Markdown summary here, for the input step's message "
                   "(written on errors too).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@common_options
def gate_cmd(state: CliState, job, number, server, user, policy_file, summary_file, fmt):
    """Decide whether the pipeline needs a human before its input step.

    With --server, syncs the build (running or not) and its history from Jenkins first;
    without it, judges what the history has. Exit codes: 0 no human needed (no failures,
    or every failure known noise under the policy), 10 a human must decide, 1-3 errors
    (an error never means go ahead). Every decision is stored in the history.

    \b
    Example (in a Jenkinsfile, after the junit step):
      triage gate --server ci --job "$JOB_NAME" --build "$BUILD_NUMBER" \\
          --policy ci/gate.toml --summary gate.md
    """
    from triage.gate_policy import load_policy

    def deliver(result) -> None:
        if summary_file:
            _write(summary_file, result.summary)

    try:
        result = _evaluate(state, job, number, server, user, load_policy(policy_file), deliver)
    except TriageError as exc:
        if summary_file:
            _write(summary_file, f"triage gate could not decide on {job} #{number}: "
                   f"{exc.message}\n\nA human must decide; see the build log.\n")
        raise
    if fmt == "json":
        echo_json(gate_json(result))
    else:
        echo_lines(gate_text(result))
    click.get_current_context().exit(result.exit_code)


def _evaluate(state: CliState, job: str, number: int, server: str | None, user: str | None,
              policy, deliver):
    from triage.cli.common import job_server
    from triage.gate import evaluate_gate

    store = state.store()
    if server is None:
        return evaluate_gate(store, job, number, job_server(store, job, "local"), policy,
                             deliver=deliver)
    from triage import servers as server_config
    from triage.sync import SyncOptions

    config = server_config.resolve_one(server, user)
    source = server_config.client_for(config)
    return evaluate_gate(store, job, number, policy=policy, source=source,
                         reporter=TerminalReporter(),
                         sync_options=SyncOptions(artifacts=config.artifacts), deliver=deliver)


def _write(path: str, text: str) -> None:
    """Write the summary whole or not at all: a pipeline must never read half of one."""
    try:
        write_file(path, text)
    except OSError as exc:
        raise TriageError(f"Cannot write the summary to {path}: {exc.strerror or exc}. The "
                          "gate decided nothing usable; a human must decide.") from None


def gate_text(result) -> list[str]:
    """Return the text output: the summary, then every rule as applied."""
    lines = [printable(line) for line in result.summary.rstrip("\n").split("\n")]
    lines += ["", "Rules applied:"]
    width = max(len(c.rule) for c in result.checks)
    for check in result.checks:
        mark = "ok " if check.held else "ASK"
        lines.append(printable(f"  {mark}  {check.rule:<{width}}  {check.detail}"))
    lines.append(f"Exit {result.exit_code}: "
                 + ("no human needed." if result.exit_code == 0 else "a human must decide."))
    return lines


def gate_json(result) -> dict:
    """Return the documented JSON of `triage gate --format json` (one document)."""
    data = {
        "server": result.server, "job": result.job, "build": result.number,
        "revision": result.revision, "branch": result.branch,
        "outcome": result.outcome, "exit_code": result.exit_code,
        "reasons": result.reasons,
        "rules": [{"rule": c.rule, "held": c.held, "detail": c.detail} for c in result.checks],
        "policy": result.policy.as_dict(),
        "tests": result.tests, "earlier_builds": result.earlier,
        "failures": [_failure_json(f) for f in result.failures],
        "clusters": [{"id": c.id, "label": c.label, "suggestion": c.suggestion,
                      "tests": len(c.members)} for c in result.clusters],
        "summary": result.summary,
    }
    return data


def _failure_json(f) -> dict:
    failure = f.item.failure
    return {
        "test": failure.test, "cluster": f.cluster.id, "suggestion": f.item.suggestion,
        "score": f.item.evidence.score, "verdict": failure.own_verdict,
        "noise_by": f.noise_by, "needs_human": f.needs_human, "detail": f.detail,
        "reasons": f.item.reasons,
    }


COMMANDS = [gate_cmd]
