"""`triage gate`: just before a pipeline's input step, decide whether a human is needed.

The gate passes (exit 0) only when the build has no failures, or when every failure is noise
by a strong suggestion or by a human's mark, under the policy (`triage.gate_policy`). It asks
(exit 10) whenever a person should look. It never passes when:

- any failure is new, unsure, suggested real or marked real (on this build or, for this
  error, before), or belongs to an outage (one error in many tests: they did not really run)
  or a suspicious cluster (a flaky test failing with a new error, or several builds in a row);
- the history is too short to know: fewer than `min_history` earlier builds with test
  results (never under 10), or fewer than the engine's 5 earlier runs of a failing test;
- the build has no test results yet, or failed for another reason (FAILURE, ABORTED);
- part of the history could not be read from Jenkins.

Noise by a strong suggestion means the engine's `noise` from a pass on the same commit in this
job, from a known-flaky history with this very error (score at least `min_score`), or from a
human's noise mark on this error. A noise mark on the failure itself (`triage mark` on this
build) is the human decision the gate would otherwise ask for; a real mark always asks.
Errors (Jenkins down, build not found) raise: an error never means "go ahead".

Every decision, errors included, is stored (`triage.store.gates`) for the reports and the app.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from triage.display import plural
from triage.errors import (
    Cancelled,
    JenkinsError,
    JenkinsNotFound,
    JenkinsUnreachable,
    NotFoundError,
    StoreError,
    TriageError,
)
from triage.flakiness import suggest as s
from triage.flakiness.clusters import OUTAGE
from triage.flakiness.model import HISTORY_WINDOW, NOISE, REAL, UNSURE, Cluster, TriagedFailure
from triage.gate_policy import Policy
from triage.gate_summary import gate_summary, short_name
from triage.jenkins import JenkinsSource
from triage.progress import CancelToken, NullReporter, Reporter
from triage.store import builds as stored
from triage.store import evidence as q
from triage.store.db import Store
from triage.store.gates import ASK, ERROR, PASS, GateDecision, record_gate
from triage.sync import SyncOptions, sync
from triage.triage_build import triage

EXIT_PASS = 0
EXIT_ASK = 10
NEW = "new failure"  # the category of a new failure ("1 new failure", "2 new failures")
_STOPPED = ("FAILURE", "ABORTED", "NOT_BUILT")


@dataclass(frozen=True)
class Check:
    """One rule as applied to this build: `held` is True when it lets the build through."""

    rule: str  # report, result, branch, failures, history, max_noise, sync
    held: bool
    detail: str


@dataclass(frozen=True)
class GateFailure:
    """One failing test as the gate judged it: noise (and why), or why a human must look."""

    item: TriagedFailure
    cluster: Cluster
    noise_by: str | None = None  # "passed on the same commit", "known flaky", a mark...
    needs_human: str | None = None  # the category: "suggested real", "an outage", ...
    detail: str | None = None  # the test's own words for it ("failing since #82")

    @property
    def human_marked(self) -> bool:
        return self.item.failure.own_verdict is not None


@dataclass
class GateResult:
    """What the gate decided about one build, and everything it based that on."""

    server: str
    job: str
    number: int
    revision: str | None
    branch: str | None
    outcome: str  # PASS or ASK
    reasons: list[str]  # why, most important first
    checks: list[Check]  # every rule applied
    failures: list[GateFailure]
    clusters: list[Cluster]
    policy: Policy
    tests: int = 0  # test results stored for the build
    earlier: int = 0  # earlier builds with test results in the engine's window
    result: str | None = None
    building: bool = False
    warnings: list[str] = field(default_factory=list)
    summary: str = ""  # Markdown for the input step's message (triage.gate_summary)

    @property
    def exit_code(self) -> int:
        return EXIT_PASS if self.outcome == PASS else EXIT_ASK

    @property
    def noise(self) -> list[GateFailure]:
        return [f for f in self.failures if f.noise_by is not None]

    @property
    def blocking(self) -> list[GateFailure]:
        return [f for f in self.failures if f.needs_human is not None]


def evaluate_gate(
    store: Store,
    job: str,
    build: int,
    server: str = "local",
    policy: Policy | None = None,
    source: JenkinsSource | None = None,
    reporter: Reporter | None = None,
    token: CancelToken | None = None,
    *,
    sync_options: SyncOptions | None = None,
    deliver: Callable[[GateResult], None] | None = None,
    clock: Callable[[], float] = time.time,
) -> GateResult:
    """Decide whether build `build` of `job` needs a human; store and return the decision.

    With `source`, the build (running or not) and the job's recent history are synced from
    Jenkins first, and `server` is the source's name. `deliver` hands the result on before
    it is stored (the CLI writes the summary file there): if that fails, the failure is what
    gets stored. A TriageError is stored as an `error` decision (when the history can take
    it) and raised again.
    """
    policy = policy or Policy()
    if source is not None:
        server = source.name
    try:
        warnings = []
        if source is not None:
            warnings = _sync(source, store, job, build, sync_options, reporter, token)
        result = judge(store, job, build, server, policy, unread=warnings)
        if deliver is not None:
            deliver(result)
    except TriageError as exc:
        _record_error(store, server, job, build, policy, exc, clock)
        raise
    record_gate(store, decision_of(result, int(clock() * 1000)))
    return result


def _sync(source: JenkinsSource, store: Store, job: str, number: int,
          options: SyncOptions | None, reporter: Reporter | None,
          token: CancelToken | None) -> list[str]:
    """Sync the build and the history before it; return the history builds that failed."""
    try:
        source.build(job, number)  # a clear "no such build" before listing anything
    except JenkinsNotFound as exc:
        raise NotFoundError(f"Jenkins has no build #{number} of {job!r}: {exc.message}") from exc
    options = replace(options or SyncOptions(), jobs=[job], max_builds=HISTORY_WINDOW + 1)
    summary = sync(source, store, options, reporter or NullReporter(), token)
    if summary.cancelled:
        raise Cancelled(f"Gate cancelled while syncing {job}; nothing was decided.")
    if summary.unreachable is not None:
        raise JenkinsUnreachable(summary.unreachable)
    if summary.job_errors:
        raise JenkinsError(f"Cannot list the builds of {job}: {summary.job_errors[0][1]}")
    own = [message for _, n, message in summary.build_errors if n == number]
    if own:
        raise JenkinsError(f"Cannot read {job} #{number} from Jenkins: {own[0]}")
    return [f"#{n}: {message}" for _, n, message in summary.build_errors]


def judge(store: Store, job: str, number: int, server: str = "local",
          policy: Policy | None = None, unread: list[str] | None = None) -> GateResult:
    """Apply the gate's rules to a stored build (no Jenkins, nothing recorded)."""
    policy = policy or Policy()
    row = q.build_row(store, job, number, server)
    result, building, tests = stored.build_facts(store, row.id)
    earlier = stored.with_results(store, [b[0] for b in q.window(store, row, HISTORY_WINDOW)])
    found = triage(store, job, number, server)
    by_id = {c.id: c for c in found.clusters}
    failures = [classify(item, by_id[item.cluster_id], policy) for item in found.failures]
    checks = [
        _report_check(number, tests, building),
        _result_check(number, result),
        _branch_check(row.branch, policy),
        _failures_check(failures, tests),
        _history_check(failures, earlier, policy),
        _noise_check(failures, policy),
        _sync_check(unread or []),
    ]
    asked = [c for c in checks if not c.held]
    outcome = ASK if asked else PASS
    reasons = [c.detail for c in asked] if asked else [_pass_reason(failures, tests)]
    judged = GateResult(server, job, number, row.revision, row.branch, outcome, reasons, checks,
                        failures, found.clusters, policy, tests, earlier, result, building,
                        warnings=list(unread or []))
    judged.summary = gate_summary(judged)
    return judged


def classify(item: TriagedFailure, cluster: Cluster, policy: Policy) -> GateFailure:
    """Return whether one failure counts as noise for the gate, or why it needs a human."""
    failure, ev = item.failure, item.evidence
    if failure.own_verdict == REAL:
        return GateFailure(item, cluster, needs_human="marked real on this build")
    if failure.own_verdict == NOISE:
        return GateFailure(item, cluster, noise_by="marked noise on this build")
    why = _needs_human(item, cluster)
    if why is not None:
        # An outage's members share one story, said once by the cluster's label.
        detail = None if cluster.kind == OUTAGE else _first(item)
        return GateFailure(item, cluster, needs_human=why, detail=detail)
    if ev.runs < s.MIN_RUNS:
        return GateFailure(item, cluster, needs_human="with too little history",
                           detail=f"only {ev.runs} earlier runs of this test")
    pattern = policy.asks_for_test(failure.test) or policy.asks_for_cluster(cluster.kind,
                                                                            cluster.id)
    if pattern is not None:
        return GateFailure(item, cluster, needs_human="always asked by the policy",
                           detail=f"matches {pattern!r}")
    if item.kind == s.SAME_COMMIT:
        return GateFailure(item, cluster, noise_by="passed on the same commit")
    if ev.verdict is not None and ev.verdict.verdict == NOISE:
        return GateFailure(item, cluster, noise_by="marked noise before for this error")
    if item.kind == s.FLAKY:
        if ev.score < policy.min_score:
            return GateFailure(item, cluster, needs_human="under the policy's min_score",
                               detail=f"score {ev.score:.2f} is under the policy's "
                                      f"min_score {policy.min_score:g}")
        return GateFailure(item, cluster, noise_by="known flaky with this error")
    return GateFailure(item, cluster, needs_human="noise on evidence the gate does not take",
                       detail=_first(item))


def _needs_human(item: TriagedFailure, cluster: Cluster) -> str | None:
    """Return the never-pass category this failure falls in, or None."""
    if item.kind == s.MARKED_REAL:
        return "marked real before"
    if cluster.kind == OUTAGE:
        return "in an outage"  # one error in many tests: they did not really run
    if cluster.kind == s.SUSPICIOUS or item.kind == s.SUSPICIOUS:
        return "suspicious"
    if item.suggestion == REAL:
        return NEW if item.kind == s.NEW else "suggested real"
    if item.suggestion == UNSURE:
        return "unsure"
    if cluster.suggestion != NOISE:
        return f"in a cluster suggested {cluster.suggestion}"
    return None


def _first(item: TriagedFailure) -> str | None:
    return item.reasons[0] if item.reasons else None


# --- the rules, each one Check -----------------------------------------------------------


def _report_check(number: int, tests: int, building: bool) -> Check:
    if tests:
        return Check("report", True, f"{tests} test results")
    when = "the tests have not run yet or were not recorded" if building else \
        "it has no test report"
    return Check("report", False, f"#{number} has no test results: {when} (run the gate "
                 "after the junit step)")


def _result_check(number: int, result: str | None) -> Check:
    if result in _STOPPED:
        return Check("result", False, f"#{number} is {result}: something besides the tests "
                     "failed")
    return Check("result", True, result or "running, no result yet")


def _branch_check(branch: str | None, policy: Policy) -> Check:
    if not policy.ask_branches:
        return Check("branch", True, "no branch always asks")
    if branch is None:
        return Check("branch", False, "the build's branch is unknown, and the policy always "
                     "asks on some branches")
    pattern = policy.asks_on_branch(branch)
    if pattern is not None:
        return Check("branch", False, f"the policy always asks on branch {branch} "
                     f"(ask_branches {pattern!r})")
    return Check("branch", True, f"{branch} is not among {', '.join(policy.ask_branches)}")


def _failures_check(failures: list[GateFailure], tests: int) -> Check:
    blocking = [f for f in failures if f.needs_human]
    if not failures:
        return Check("failures", True, f"no failures in {plural(tests, 'test')}")
    if not blocking:
        which = "the failure is" if len(failures) == 1 else f"all {len(failures)} failures are"
        return Check("failures", True, f"{which} noise")
    groups: dict[str, list[GateFailure]] = {}
    for f in blocking:
        groups.setdefault(f.needs_human, []).append(f)
    parts = [f"{len(members)} {_category(why, len(members))} ({_names(members)})"
             for why, members in groups.items()]
    if len(blocking) == len(failures):
        which = "the failure needs" if len(failures) == 1 else f"all {len(failures)} failures need"
    else:
        verb = "needs" if len(blocking) == 1 else "need"
        which = f"{len(blocking)} of {len(failures)} failures {verb}"
    return Check("failures", False, f"{which} a human: {'; '.join(parts)}")


def _names(members: list[GateFailure]) -> str:
    names = [short_name(f.item.failure) for f in members[:2]]
    more = f" and {len(members) - 2} more" if len(members) > 2 else ""
    return ", ".join(names) + more


def _category(why: str, count: int) -> str:
    return why + "s" if why == NEW and count != 1 else why


def _history_check(failures: list[GateFailure], earlier: int, policy: Policy) -> Check:
    if not failures:
        return Check("history", True, f"{earlier} earlier builds (not needed: no failures)")
    if earlier < policy.min_history:
        return Check("history", False, f"only {plural(earlier, 'earlier build')} with test "
                     f"results: too short to know (the policy needs {policy.min_history})")
    return Check("history", True, f"{earlier} earlier builds with test results (at least "
                 f"{policy.min_history})")


def _noise_check(failures: list[GateFailure], policy: Policy) -> Check:
    # A human's mark on this build decided that failure: it does not count against the limit.
    noise = [f for f in failures if f.noise_by and not f.human_marked]
    if len(noise) > policy.max_noise:
        return Check("max_noise", False, f"{plural(len(noise), 'noise failure')}, more than "
                     f"the policy's max_noise {policy.max_noise}")
    return Check("max_noise", True, f"{plural(len(noise), 'noise failure')} (at most "
                 f"{policy.max_noise})")


def _sync_check(unread: list[str]) -> Check:
    if unread:
        return Check("sync", False, f"{plural(len(unread), 'earlier build')} could not be "
                     "read from Jenkins: the history is incomplete")
    return Check("sync", True, "history complete")


def _pass_reason(failures: list[GateFailure], tests: int) -> str:
    if not failures:
        return f"no failures in {plural(tests, 'test')}"
    counts: dict[str, int] = {}
    for f in failures:
        counts[f.noise_by] = counts.get(f.noise_by, 0) + 1
    if len(failures) == 1:
        return f"the failure is noise ({failures[0].noise_by})"
    split = ", ".join(f"{n} {why}" for why, n in counts.items())
    return f"every failure is noise ({split})"


# --- records ------------------------------------------------------------------------------


def decision_of(result: GateResult, at: int) -> GateDecision:
    """Return the stored form of a gate result."""
    return GateDecision(
        server=result.server, job=result.job, build=result.number, outcome=result.outcome,
        exit_code=result.exit_code, at=at, failures=len(result.failures),
        noise=len(result.noise), reasons=tuple(result.reasons),
        policy=result.policy.as_dict(), summary=result.summary,
    )


def _record_error(store: Store, server: str, job: str, build: int, policy: Policy,
                  exc: TriageError, clock: Callable[[], float]) -> None:
    """Store the error as the gate's decision; the error itself matters more than its record."""
    record = GateDecision(server=server, job=job, build=build, outcome=ERROR,
                          exit_code=exc.exit_code, at=int(clock() * 1000),
                          reasons=(exc.message,), policy=policy.as_dict())
    try:
        record_gate(store, record)
    except StoreError:
        pass
