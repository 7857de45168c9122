"""How the HTML and Markdown reports write numbers, times and names (the data stays exact)."""

from __future__ import annotations

from triage.flakiness.suggest import short_sha
from triage.report.model import BuildRef, ReportData


def duration(seconds: float | None) -> str:
    """Return "45 s", "12 min", "3 h 05 min" or "2 d 4 h"; "–" when unknown."""
    if seconds is None:
        return "–"
    whole = round(seconds)
    if whole < 60:
        return f"{seconds:.0f} s" if seconds >= 1 or seconds == 0 else f"{seconds:.1f} s"
    if whole < 3600:
        return f"{whole // 60} min"
    if whole < 86400:
        return f"{whole // 3600} h {whole % 3600 // 60:02d} min"
    return f"{whole // 86400} d {whole % 86400 // 3600} h"


def percent(fraction: float | None) -> str:
    return "–" if fraction is None else f"{fraction * 100:.1f}%"


def number(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def day(iso: str | None) -> str:
    return iso[:10] if iso else "–"


def moment(iso: str | None) -> str:
    """Return "2026-11-26 10:00 UTC" for an ISO time."""
    return f"{iso[:10]} {iso[11:16]} UTC" if iso else "–"


def sha(revision: str | None) -> str:
    return short_sha(revision) if revision else ""


def build(ref: BuildRef | None) -> str:
    """Return "#41 · 2026-11-26 · a1b2c3d" (parts that are unknown left out)."""
    if ref is None:
        return "–"
    parts = [f"#{ref.build}"]
    if ref.at:
        parts.append(day(ref.at))
    if ref.revision:
        parts.append(sha(ref.revision))
    return " · ".join(parts)


def one_line(text: str | None) -> str:
    """Return `text` on one line: line breaks and other invisible characters as escapes."""
    if text is None:
        return ""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )


def job_namer(data: ReportData):
    """Return a function naming a job: "app", or "app (ci)" when the report spans servers."""
    servers = {j.server for j in data.jobs}
    if len(servers) > 1:
        return lambda server, job: f"{job} ({server})"
    return lambda server, job: job


def scope(data: ReportData) -> str:
    """Return what the report covers in words: jobs, dates, branch."""
    name = job_namer(data)
    jobs = [name(j.server, j.job) for j in data.jobs]
    shown = ", ".join(jobs[:4]) + (f" and {len(jobs) - 4} more" if len(jobs) > 4 else "")
    parts = [shown or "no jobs"]
    summary = data.summary
    if summary.first_build_at:
        parts.append(f"builds from {day(summary.first_build_at)} to {day(summary.last_build_at)}")
    if data.filters.get("branch"):
        parts.append(f"branch {data.filters['branch']}")
    return " · ".join(parts)
