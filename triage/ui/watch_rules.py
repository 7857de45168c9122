"""The rules of watching, as plain data and functions (no Qt, so they are tested alone).

- `retry_delay`: a server that fails is polled again on growing intervals (BuildNotify's
  back-off), so a server that is down costs little and recovers by itself.
- `tell_about_failure`: the connectivity notice backs off too: the first failure is said at
  once, then only the 2nd, 4th, 8th... in a row, so a server down all night is not a banner
  every minute (the inbox marks it down the whole time).
- `Mutes`: per-server and per-job mutes, and a pause of every notification until a moment.
- `PauseTracker`: which paused inputs were already seen, so one pause is notified once.
- `Notice`: what a desktop notification says about one pause, and the build it opens.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from triage.inbox import InboxItem

MIN_INTERVAL_S = 15
DEFAULT_INTERVAL_S = 60
MAX_BACKOFF_S = 15 * 60
PAUSE_S = 60 * 60  # "pause notifications for an hour"
SEEN_LIMIT = 5000  # pauses remembered per session: far more than anyone has waiting


def retry_delay(interval_s: float, failures: int) -> float:
    """Return the seconds until the next poll after `failures` failures in a row.

    0 failures: the interval. Then the interval again, twice, four times..., capped at
    15 minutes (or the interval itself when that is longer).
    """
    if failures <= 1:
        return interval_s
    return min(interval_s * 2 ** (failures - 1), max(MAX_BACKOFF_S, interval_s))


def tell_about_failure(failures: int) -> bool:
    """Return True when the `failures`-th failure in a row is worth a notice: 1, 2, 4, 8..."""
    return failures >= 1 and failures & (failures - 1) == 0


PauseKey = tuple[str, str, int, str]  # server, job, build, input id


@dataclass
class Mutes:
    """What the user silenced: whole servers, single jobs, everything until `paused_until`."""

    servers: set[str] = field(default_factory=set)
    jobs: set[tuple[str, str]] = field(default_factory=set)  # (server, job)
    paused_until: float = 0.0  # epoch seconds; 0: not paused

    def allows(self, server: str, job: str, now: float) -> bool:
        """Return True when a new pause of `job` on `server` may be notified at `now`."""
        if now < self.paused_until:
            return False
        if server in self.servers:
            return False
        # A muted folder silences every job below it, as watching a folder watches them.
        return not any(s == server and (job == j or job.startswith(j + "/"))
                       for s, j in self.jobs)

    def paused(self, now: float) -> bool:
        return now < self.paused_until

    def pause_for_an_hour(self, now: float) -> None:
        self.paused_until = now + PAUSE_S

    def resume(self) -> None:
        self.paused_until = 0.0

    def toggle_server(self, server: str) -> bool:
        """Mute or unmute a server; return True when it is now muted."""
        if server in self.servers:
            self.servers.discard(server)
            return False
        self.servers.add(server)
        return True

    def toggle_job(self, server: str, job: str) -> bool:
        key = (server, job)
        if key in self.jobs:
            self.jobs.discard(key)
            return False
        self.jobs.add(key)
        return True

    def to_json(self) -> str:
        """Plain JSON for QSettings (never pickled)."""
        return json.dumps({"servers": sorted(self.servers),
                           "jobs": sorted([s, j] for s, j in self.jobs),
                           "paused_until": self.paused_until})

    @classmethod
    def from_json(cls, text: str | None) -> Mutes:
        """Read `to_json`'s text; anything unreadable is no mutes (nothing to lose but quiet)."""
        try:
            data = json.loads(text or "{}")
            return cls(servers={str(s) for s in data.get("servers", [])},
                       jobs={(str(s), str(j)) for s, j in data.get("jobs", [])},
                       paused_until=float(data.get("paused_until", 0.0)))
        except (ValueError, TypeError, AttributeError):
            return cls()


def pause_keys(item: InboxItem) -> list[PauseKey]:
    """One key per input the build waits at (parallel inputs are separate pauses)."""
    if item.state != "paused":
        return []
    ids = [pending.id for pending in item.inputs] or [""]
    return [(item.server, item.job, item.build, input_id) for input_id in ids]


class PauseTracker:
    """Remember the pauses seen, so each one is notified at most once.

    A server's first successful poll is the baseline: what already waits then is in the
    inbox, in front of the user, and is not announced. After it, a pause not seen before is
    new, whether or not it may be notified (a pause seen while muted stays quiet afterwards).
    """

    def __init__(self) -> None:
        self._seen: dict[PauseKey, None] = {}  # insertion-ordered, for the size limit
        self._baselined: set[str] = set()

    def new_pauses(self, server: str, items: list[InboxItem]) -> list[tuple[InboxItem, str]]:
        """Record a server's listing; return the (item, input id) pauses seen for the first
        time (none on the server's first listing)."""
        first = server not in self._baselined
        self._baselined.add(server)
        found = []
        for item in items:
            for key in pause_keys(item):
                if key in self._seen:
                    continue
                self._seen[key] = None
                if not first:
                    found.append((item, key[3]))
        while len(self._seen) > SEEN_LIMIT:
            del self._seen[next(iter(self._seen))]
        return found

    def baseline(self, server: str, keys: list[PauseKey]) -> None:
        """Take what a server already shows (the window's first listing) as seen."""
        self._baselined.add(server)
        for key in keys:
            self._seen[key] = None


@dataclass(frozen=True)
class Notice:
    """One desktop notification: `title` and `body` as shown, `key` the pause it opens."""

    key: PauseKey
    title: str
    body: str

    @property
    def text(self) -> str:
        """Title and body on one line (the tray's message, the status bar)."""
        return f"{self.title}: {self.body}"


@dataclass(frozen=True)
class BuildCounts:
    """The triage of a paused build as a notification says it (None: not in the history)."""

    failures: int | None
    clusters: int | None = None
    real: int | None = None


def notice_for(item: InboxItem, input_id: str, counts: BuildCounts) -> Notice:
    """Return "app #142 waits for approval: 7 failures in 2 clusters, 1 likely real"."""
    pending = next((p for p in item.inputs if p.id == input_id), None)
    title = f"{item.display} #{item.build} waits for approval"
    parts = [_failures_text(counts)]
    if pending is not None and pending.message:
        parts.append(f"“{pending.message}”")
    return Notice((item.server, item.job, item.build, input_id), title, " — ".join(parts))


def _failures_text(counts: BuildCounts) -> str:
    n = counts.failures
    if n is None:
        return "test results not read yet"
    if n == 0:
        return "no test failures"
    text = f"{n} failure{'s' * (n != 1)}"
    if counts.clusters:
        text += f" in {counts.clusters} cluster{'s' * (counts.clusters != 1)}"
    if counts.real is not None:
        text += f", {counts.real} likely real"
    return text
