"""What the inbox shows, through the core use case `triage.inbox.builds_needing_attention`
(the same one `triage builds` calls), as light rows.

The window calls it in steps so each runs where it belongs and the list appears at once:
first without syncing (a reader: Jenkins' listing plus what the history already knows), then
once per job with `sync=True` for the writer, in the sync child process (`sync_process`), the
selected build's job first, so a decision waits for one job's sync at most and each job's
summaries appear as it lands.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from triage.display import printable, shorten
from triage.progress import NullReporter
from triage.ui.text import NAME_CHARS

if TYPE_CHECKING:
    from triage.inbox import InboxItem
    from triage.jenkins.model import PendingInput
    from triage.store.db import Store
    from triage.ui.context import AppContext


@dataclass(frozen=True, slots=True)
class InboxRow:
    """One line of the inbox: a build, or one input of a build paused at parallel inputs."""

    server: str
    job: str  # Jenkins' full name ("shop/feature%2Fcheckout")
    display: str  # how people read it ("Shop » feature/checkout #12")
    number: int
    state: str  # "paused" | "running" | "aborted" | "unstable" | "failed"
    url: str | None = None
    input: PendingInput | None = None  # this row's input (paused rows)
    inputs: tuple[PendingInput, ...] = ()  # every input the build waits for
    waited_ms: int | None = None  # at `seen_at`
    wait_exact: bool = False  # from Stage View (else an upper bound: since the build started)
    seen_at: float = 0.0  # time.monotonic() when listed
    failures: int | None = None
    summary: str | None = None  # "8 failures: 1 real, 7 noise"; None until in the history
    started_ms: int | None = None

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.server, self.job, self.number)

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
    down: dict[str, str]  # server -> why it could not be read


def list_attention(ctx: AppContext, store: Store, op=None,
                   job: tuple[str, str] | None = None) -> Listing:
    """List the builds needing attention on every server, or only of one (server, job), from
    Jenkins and what the history knows (no sync: a reader's work)."""
    from triage.inbox import builds_needing_attention  # in the reader, after the first paint

    rows: list[InboxRow] = []
    down: dict[str, str] = {}
    for entry in ctx.servers:
        name = entry.config.name
        if job is not None and job[0] != name:
            continue
        reporter = NullReporter()
        source = ctx.source(name)
        items = builds_needing_attention(
            [source], store, jobs=[job[1]] if job else ctx.jobs, reporter=reporter,
            token=op.token if op is not None else None, sync=False)
        problems = reporter.warnings
        if problems and not items and not source.reachable():
            down[name] = problems[0]
        rows += rows_of(items)
    return Listing(rows, down)


def sync_listing(ctx: AppContext, op, server: str, job: str) -> Listing:
    """Sync one job in the sync child process (see `sync_process`) and list it again."""
    entry = ctx.server(server)
    items, warnings = ctx.tasks.sync_process().sync_job(
        entry.config, entry.token, ctx.store_path, job, op.token)
    for warning in warnings:
        op.progress.warn(warning)
    down = {}
    if warnings and not items and not ctx.source(server).reachable():
        down[server] = warnings[0]
    return Listing(rows_of(items), down)


def rows_of(items: list[InboxItem]) -> list[InboxRow]:
    """One row per paused input. The core keeps each job's newest red build; the window also
    leaves it out when the job has a paused build (that is the decision to make)."""
    seen = time.monotonic()
    rows = []
    paused_jobs = {i.job for i in items if i.state == "paused"}
    for item in items:
        if item.state != "paused" and item.job in paused_jobs:
            continue
        base = InboxRow(
            server=item.server, job=item.job,
            display=printable(f"{shorten(item.full_display, NAME_CHARS)} #{item.build}"),
            number=item.build, state=item.state, url=item.url, inputs=item.inputs,
            waited_ms=None if item.waiting_s is None else item.waiting_s * 1000,
            wait_exact=item.wait_source == "wfapi", seen_at=seen, failures=item.failures,
            summary=summary_text(item), started_ms=item.started_ms)
        rows += [replace(base, input=pending) for pending in item.inputs] or [base]
    return rows


def summary_text(item: InboxItem) -> str | None:
    """Return "7 failures: 1 real, 5 noise, 1 unsure", or None when not in the history."""
    if not item.triaged:
        return None
    if not item.failures:
        return "no test failures"
    counts = {"real": item.real, "noise": item.noise, "unsure": item.unsure}
    split = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    return f"{item.failures} failure{'s' * (item.failures != 1)}: {split}"
