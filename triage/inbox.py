"""The inbox: builds that need a person, each with its triage summary.

One use case for `triage builds` and the desktop app's list, UI-agnostic::

    builds_needing_attention(sources, store, jobs=None, since_ms=None, reporter=None,
                             token=None, sync=True) -> list[InboxItem]

* `sources`: the Jenkins servers to ask (`JenkinsSource`s, e.g. `servers.client_for(...)`).
* `jobs`: full job names (a folder stands for every job below it); None means every job.
* `since_ms`: only builds started at or after this epoch-ms moment.
* `reporter`: progress of the sync and one warning per server, job or build that could not be
  read (the rest goes on); `token`: a `CancelToken` checked between steps, and passed to the
  sync: a cancelled call raises `Cancelled`, keeping what the sync stored.
* `sync`: bring the history of each job that has such a build up to date first (incremental:
  only builds not stored yet, and those stored while running), so the summary is current.
* `errors`: where given, each server that could not be listed at all is put there (name ->
  its `JenkinsError`) besides the warning, so a caller can show it as down (the app's
  poller) without parsing warnings.

Found: builds paused at an input step, and each job's newest finished build when it is
UNSTABLE/FAILURE (`attention.attention` lists every red build since the last green: the older
ones are behind the newest). Returned: paused builds first, longest wait first, then red
builds newest first. Each item's `real`/`noise`/`unsure` count its failures by their
human mark, else by the engine's suggestion (`triage_build.triage`); they are None when the
build is not in the history (not synced, or its sync failed).

`inbox_as_dict` is the JSON of `triage builds --format json`.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from triage.attention import attention, paused_details, pending_inputs_as_dicts
from triage.errors import ConfigError, JenkinsError, NotFoundError
from triage.flakiness.model import HISTORY_WINDOW, NOISE, REAL, UNSURE
from triage.importing import parse_timestamp
from triage.jenkins import JenkinsSource
from triage.jenkins.model import AttentionBuild, PendingInput
from triage.progress import CancelToken, NullReporter, Reporter
from triage.store.db import Store
from triage.triage_build import triage

RECENT = 10  # newest builds per job looked at for red and paused ones
STATES = {"paused": "paused", "UNSTABLE": "unstable", "FAILURE": "failed"}


@dataclass(frozen=True)
class InboxItem:
    """One build that needs a person: paused at an input, or red."""

    server: str
    job: str  # Jenkins' full name, e.g. "shop/feature%2Fcheckout"
    display: str  # the job's display name, e.g. "feature/checkout"
    full_display: str  # Jenkins' fullDisplayName, e.g. "Shop » feature/checkout"
    build: int
    state: str  # "paused" | "failed" | "unstable"
    failures: int | None  # failed tests; None when unknown
    real: int | None  # None when the build is not in the history
    noise: int | None
    unsure: int | None
    waiting_s: int | None  # None unless paused (or the wait is unknown)
    wait_source: str | None  # "wfapi" (exact), "build-start" (an upper bound), "unknown"
    url: str | None
    inputs: tuple[PendingInput, ...]  # every pending input: parallel ones show here
    started_ms: int | None
    revision: str | None = None

    @property
    def triaged(self) -> bool:
        return self.real is not None


def builds_needing_attention(
    sources: list[JenkinsSource],
    store: Store,
    jobs: list[str] | None = None,
    since_ms: int | None = None,
    reporter: Reporter | None = None,
    token: CancelToken | None = None,
    sync: bool = True,
    problems: list | None = None,
    errors: dict[str, JenkinsError] | None = None,
) -> list[InboxItem]:
    """Return the builds that need a person on `sources` (see the module docstring).

    `problems`, if given, collects the JenkinsErrors warned about (to choose an exit code).
    """
    reporter = reporter or NullReporter()
    token = token or CancelToken()
    items: list[InboxItem] = []
    for source in sources:
        token.raise_if_cancelled()
        try:
            found = [a for a in _newest_red(attention(source, jobs, RECENT, reporter, problems))
                     if since_ms is None or (a.state.info.timestamp_ms or 0) >= since_ms]
        except JenkinsError as exc:
            if problems is not None:
                problems.append(exc)
            reporter.warn(f"{source.name}: {exc.message}")
            if errors is not None:
                errors[source.name] = exc
            continue
        token.raise_if_cancelled()
        if sync and found:
            _sync_jobs(source, store, found, reporter, token)
        items.extend(_items(source, store, found, reporter))
    token.raise_if_cancelled()
    paused = sorted((i for i in items if i.state == "paused"),
                    key=lambda i: (-(i.waiting_s or 0), i.server, i.job, i.build))
    red = sorted((i for i in items if i.state != "paused"),
                 key=lambda i: (-(i.started_ms or 0), i.server, i.job, -i.build))
    return paused + red


def _newest_red(found: list[AttentionBuild]) -> list[AttentionBuild]:
    """Keep every paused build, and per job only the newest red one (they come newest first)."""
    seen: set[str] = set()
    kept = []
    for item in found:
        if item.reason != "paused":
            if item.state.info.job in seen:
                continue
            seen.add(item.state.info.job)
        kept.append(item)
    return kept


def _sync_jobs(source: JenkinsSource, store: Store, found: list[AttentionBuild],
               reporter: Reporter, token: CancelToken) -> None:
    """Sync each job with a build in `found`: the engine reads HISTORY_WINDOW builds back.

    The attention listing (the newest RECENT builds) is handed over: once the history has
    the older builds, the sync asks Jenkins for nothing but those listed builds' reports.
    """
    from triage.sync import SyncOptions
    from triage.sync import sync as run_sync

    jobs = sorted({a.state.info.job for a in found})
    listed = {a.state.info.job: a.listing for a in found if a.listing is not None}
    options = SyncOptions(jobs=jobs, max_builds=HISTORY_WINDOW + RECENT, listed=listed)
    run_sync(source, store, options, reporter, token)
    token.raise_if_cancelled()


def _items(source: JenkinsSource, store: Store, found: list[AttentionBuild],
           reporter: Reporter) -> list[InboxItem]:
    paused = [a.state for a in found if a.reason == "paused"]
    waits = {(p.job, p.number): p for p in paused_details(source, paused)} if paused else {}
    items = []
    for attention_build in found:
        info = attention_build.state.info
        wait = waits.get((info.job, info.number))
        items.append(_item(source.name, store, attention_build, wait))
    return items


def _item(server: str, store: Store, found: AttentionBuild, wait) -> InboxItem:
    state, info = found.state, found.state.info
    counts = _summary(store, server, info.job, info.number)
    display, full_display = _display_names(found)
    waited = wait.waited_ms if wait is not None else None
    return InboxItem(
        server=server, job=info.job, display=display, full_display=full_display,
        build=info.number, state=STATES[found.reason],
        failures=counts["failures"] if counts else state.fail_count,
        real=counts[REAL] if counts else None,
        noise=counts[NOISE] if counts else None,
        unsure=counts[UNSURE] if counts else None,
        waiting_s=None if waited is None else waited // 1000,
        wait_source=wait.wait_source if wait is not None else None,
        url=info.url, inputs=tuple(state.inputs or ()), started_ms=info.timestamp_ms,
        revision=info.revision,
    )


def _summary(store: Store, server: str, job: str, number: int) -> Counter | None:
    """Count the build's failures by mark, else suggestion; None when it is not stored."""
    try:
        result = triage(store, job, number, server)
    except NotFoundError:
        return None
    counts = Counter(t.failure.own_verdict or t.suggestion for t in result.failures)
    counts["failures"] = len(result.failures)
    return counts


def _display_names(found: AttentionBuild) -> tuple[str, str]:
    """Return (display, full display) from Jenkins' facts, else from the full name."""
    job = found.state.info.job
    ref = found.job
    # A branch job's name is encoded (feature%2Fx); Jenkins' display name is the branch.
    display = (ref.display_name if ref else None) or unquote(job.rsplit("/", 1)[-1])
    full = (ref.full_display_name if ref else None) or " » ".join(
        unquote(part) for part in job.split("/"))
    return display, full


_RELATIVE = re.compile(r"(\d+)\s*(m|min|h|d|w)", re.I)
_UNIT_MS = {"m": 60_000, "min": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}


def since_ms_from(text: str, clock: Callable[[], float] = time.time) -> int:
    """Read `--since`: an ISO 8601 date or time (naive means UTC), or an age like 12h, 3d, 2w."""
    match = _RELATIVE.fullmatch(text.strip())
    if match:
        amount, unit = int(match.group(1)), match.group(2).lower()
        return int(clock() * 1000) - amount * _UNIT_MS[unit]
    try:
        moment = parse_timestamp(text)
    except ConfigError:
        raise ConfigError(f"--since {text!r} is neither a date (2026-11-20, "
                          "2026-11-20T09:00Z) nor an age (12h, 3d, 2w).") from None
    if moment is None:
        raise ConfigError("--since is empty; give a date (2026-11-20) or an age (3d).")
    return moment


def inbox_as_dict(item: InboxItem) -> dict:
    """Return an inbox item as plain JSON data (`triage builds --format json`)."""
    return {
        "server": item.server, "job": item.job, "display": item.display,
        "full_display": item.full_display, "build": item.build, "state": item.state,
        "failures": item.failures, "real": item.real, "noise": item.noise,
        "unsure": item.unsure, "waiting_s": item.waiting_s, "wait_source": item.wait_source,
        "url": item.url, "started_ms": item.started_ms, "revision": item.revision,
        "inputs": pending_inputs_as_dicts(item.inputs),
    }


__all__ = ["InboxItem", "builds_needing_attention", "inbox_as_dict", "since_ms_from"]
