"""Small, exact helpers for the report's figures: percentiles, shares, times and ISO weeks.

Weeks are ISO 8601 weeks in UTC (Monday to Sunday): 2026-12-31 and 2027-01-01 are both in
2026-W53. Percentiles interpolate linearly between the closest ranks (numpy's default, Python's
`statistics.quantiles(method="inclusive")`), so on a small sample p90 lies between its two
largest values rather than jumping to the maximum.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

from triage.report.model import TimeStats

_DAY_MS = 86_400_000


def percentile(values: list[float], fraction: float) -> float | None:
    """Return the `fraction` (0..1) percentile of `values`, or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def time_stats(seconds: list[float]) -> TimeStats:
    """Return count, median, p90 and mean of durations in seconds (None when empty)."""
    if not seconds:
        return TimeStats(0, None, None, None)
    return TimeStats(
        len(seconds),
        _round(percentile(seconds, 0.5)),
        _round(percentile(seconds, 0.9)),
        _round(sum(seconds) / len(seconds)),
    )


def share(part: int, whole: int) -> float | None:
    """Return part / whole rounded to 4 digits, or None when whole is 0."""
    return round(part / whole, 4) if whole else None


def seconds(ms: int | None) -> float | None:
    return None if ms is None else _round(ms / 1000)


def iso_time(ms: int | None) -> str | None:
    """Return epoch milliseconds as "2026-11-26T10:00:00Z" (None stays None)."""
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def monday_of(ms: int) -> date:
    """Return the Monday (UTC) of the ISO week holding epoch milliseconds `ms`."""
    day = datetime.fromtimestamp(ms / 1000, UTC).date()
    return day - timedelta(days=day.weekday())


def week_label(monday: date) -> str:
    """Return the ISO week of a Monday: "2026-W53" (its ISO year, which may differ)."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def weeks_between(first: date, last: date) -> list[date]:
    """Return every Monday from `first` to `last` (both Mondays), with empty weeks kept."""
    count = (last - first).days // 7
    return [first + timedelta(weeks=i) for i in range(count + 1)]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
