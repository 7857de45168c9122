"""What the inbox shows, read through the core: light rows, and the work behind them.

The three steps are separate ops so each runs where it belongs: listing the builds that need
attention (network pool), syncing the history behind them one job at a time (the writer, so a
decision waits for one job at most), and summarising each build's triage (a reader).

Seam: issue 7 adds `triage.inbox.builds_needing_attention`, the one core use case for this
list; until it lands, `list_attention` composes the existing core functions it will replace.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from triage import decide
from triage.build_detail import build_view, decided_counts
from triage.errors import JenkinsError, NotFoundError
from triage.jenkins import urls
from triage.jenkins.model import PendingInput
from triage.store.db import Store
from triage.sync import SyncOptions, sync
from triage.ui.context import AppContext

SYNC_BUILDS = 100  # the newest builds synced per job behind the inbox


@dataclass(frozen=True, slots=True)
class InboxRow:
    """One line of the inbox: a build, or one input of a build paused at parallel inputs."""

    server: str
    job: str
    number: int
    state: str  # "paused" | "running" | "UNSTABLE" | "FAILURE"
    url: str | None = None
    input: PendingInput | None = None  # this row's input (paused rows)
    inputs: tuple[PendingInput, ...] = ()  # every input the build waits for
    waited_ms: int | None = None  # at `seen_at`
    wait_exact: bool = False  # from Stage View (else an upper bound: since the build started)
    seen_at: float = 0.0  # time.monotonic() when listed
    failures: int | None = None  # from Jenkins' listing
    summary: str | None = None  # from the history, once synced and triaged
    started_ms: int | None = None

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.server, self.job, self.number)

    @property
    def display(self) -> str:
        return f"{urls.readable(self.job)} #{self.number}"

    @property
    def paused(self) -> bool:
        return self.state == "paused"

    def waited_now_ms(self, now: float | None = None) -> int | None:
        """How long it has waited by now: the listed wait plus the time since it was listed."""
        if self.waited_ms is None:
            return None
        now = time.monotonic() if now is None else now
        return self.waited_ms + int((now - self.seen_at) * 1000)


@dataclass
class Listing:
    rows: list[InboxRow]
    down: dict[str, str]  # server -> why it could not be listed


def list_attention(ctx: AppContext, servers: list[str] | None = None) -> Listing:
    """Return the builds needing attention on each server; a server that fails is `down`."""
    rows: list[InboxRow] = []
    down: dict[str, str] = {}
    for entry in ctx.servers:
        name = entry.config.name
        if servers is not None and name not in servers:
            continue
        try:
            source = ctx.source(name)
            found = decide.attention(source, ctx.jobs)
            rows += _rows(source, found)
        except JenkinsError as exc:
            down[name] = exc.message
    return Listing(sorted(rows, key=_order), down)


def _rows(source, found) -> list[InboxRow]:
    """One row per paused input; of a job's red builds only the newest (the one to fix), and
    none when a newer build of the job is paused (that is the decision to make)."""
    seen = time.monotonic()
    rows = []
    red_jobs = {item.state.info.job for item in found if item.reason == "paused"}
    for item in found:
        info = item.state.info
        if item.reason != "paused":
            if info.job in red_jobs:
                continue
            red_jobs.add(info.job)
        base = InboxRow(server=source.name, job=info.job, number=info.number, state=item.reason,
                        url=info.url, failures=item.state.fail_count, seen_at=seen,
                        started_ms=info.timestamp_ms)
        if item.reason != "paused":
            rows.append(base)
            continue
        # pylint: disable=protected-access -- the seam until issue 7's inbox use case lands
        paused = decide._paused(source, item.state, True)
        inputs = paused.inputs
        base = replace(base, inputs=inputs, waited_ms=paused.waited_ms,
                       wait_exact=paused.wait_source == "wfapi")
        rows += [replace(base, input=pending) for pending in inputs] or [base]
    return rows


def _order(row: InboxRow):
    """Paused first, longest wait first; then red builds, newest first."""
    if row.paused:
        return (0, -(row.waited_ms or 0), row.server, row.job, row.number)
    return (1, -(row.started_ms or 0), row.server, row.job, -row.number)


def sync_job(ctx: AppContext, store: Store, server: str, job: str, op) -> int:
    """Sync one job's newest builds into the history (the writer); return builds stored."""
    entry = ctx.server(server)
    options = SyncOptions(jobs=[job], max_builds=SYNC_BUILDS, artifacts=entry.config.artifacts)
    summary = sync(ctx.source(server), store, options, op.progress, op.token)
    if summary.unreachable:
        raise JenkinsError(summary.unreachable)
    return summary.stored


def summary_text(store: Store, row: InboxRow) -> str | None:
    """Return "7 failures: 1 real, 5 noise, 1 unsure" from the history, or None if not synced."""
    try:
        view = build_view(store, row.job, row.number, row.server)
    except NotFoundError:
        return None
    total = len(view.triage.failures)
    if not total:
        return "no test failures"
    counts = decided_counts(view)
    split = ", ".join(f"{counts[k]} {k}" for k in ("real", "noise", "unsure") if counts[k])
    marked = f" ({counts['marked']} marked)" if counts["marked"] else ""
    return f"{total} failure{'s' if total != 1 else ''}: {split}{marked}"
