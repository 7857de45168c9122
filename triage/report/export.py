"""What both faces of an export share: the filters from what a person typed, the format from a
file name, and the file written whole or not at all.

`triage report` and the app's File > Export read dates, check filters, name formats and write
files through these functions, so the two cannot drift apart:

- `parse_moment(text, end=False)`: a date (2026-11-30) or a time (2026-11-30T18:00, UTC unless
  it says otherwise) as epoch ms; a bare date given as an end means the end of that day.
- `report_filters(jobs, server, since_ms, until_ms, branch)`: the checked `ReportFilters`.
- `format_of(path)`: the format a file name's suffix names.
- `save_report(data, fmt, path, token)`: render and write whole or not at all; `written(...)`
  is the line that says what was written.
"""

from __future__ import annotations

from pathlib import Path

from triage.display import plural
from triage.errors import ConfigError, TriageError
from triage.importing import parse_timestamp
from triage.jobnames import check_job, check_name
from triage.progress import CancelToken
from triage.report.model import ReportData, ReportFilters

SUFFIXES = {".html": "html", ".htm": "html", ".csv": "csv", ".json": "json", ".md": "md",
            ".markdown": "md"}
DAY_MS = 86_400_000
LAST_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z, the last moment Python can date
EMPTY = "No stored build matches these filters: the report is empty."


def parse_moment(text: str, *, end: bool = False) -> int:
    """Return a date or a time as epoch ms (UTC unless it says otherwise); raise ConfigError.

    With `end`, a bare date means the end of that day, so an end date is inclusive.
    """
    text = text.strip()
    try:
        moment = parse_timestamp(text)  # the one ISO 8601 reader: naive means UTC
    except ConfigError:
        moment = None
    if moment is None:
        raise ConfigError(f"{text!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC).")
    if end and len(text) == 10:  # a whole day: up to its end
        moment += DAY_MS
    if moment > LAST_MS:  # the report turns moments back into dates: 10000-01-01 has none
        raise ConfigError(f"{text!r} is out of the range of dates; give one before 9999-12-31.")
    return moment


def report_filters(
    jobs: tuple[str, ...] = (), server: str | None = None, since_ms: int | None = None,
    until_ms: int | None = None, branch: str | None = None,
) -> ReportFilters:
    """Return the filters a person chose, checked; raise ConfigError naming the mistake."""
    jobs = tuple(check_job(job) for job in jobs)
    if server is not None:
        check_name(server, "--server", "ci")
    if since_ms is not None and until_ms is not None and since_ms >= until_ms:
        raise ConfigError("The start (since) is after the end (until): nothing could match; "
                          "swap them.")
    return ReportFilters(jobs=jobs, server=server, since_ms=since_ms, until_ms=until_ms,
                         branch=branch)


def format_of(path: str) -> str:
    """Return the format a file name's suffix names; raise ConfigError when it names none."""
    fmt = SUFFIXES.get(Path(path).suffix.lower()) if path != "-" else None
    if fmt is None:
        raise ConfigError(
            f"Cannot tell the format from {path!r}: give --format html, csv, json or md."
        )
    return fmt


def save_report(data: ReportData, fmt: str, path: Path,
                token: CancelToken | None = None) -> tuple[Path, str]:
    """Render `data` and write it to `path` whole or not at all; return the path and text.

    A cancel that arrives while rendering still writes nothing.
    """
    from triage.report import render

    text = render(data, fmt)
    if token is not None:
        token.raise_if_cancelled()
    return write_report(path, text), text


def write_report(path: Path, text: str) -> Path:
    """Write `text` to `path` whole or not at all (`triage.files.write_file`: a full disk or a
    Ctrl+C never leaves half a report, nor spoils the previous one; a pipe is written to)."""
    from triage.files import write_file

    try:
        return write_file(path, text)
    except OSError as exc:
        raise TriageError(
            f"Cannot write the report to {path}: {exc.strerror or exc}. Check that the "
            "folder exists and is writable and that the disk has room.", details=repr(exc),
        ) from exc


def written(path: Path, fmt: str, text: str, data: ReportData) -> str:
    """Return the line that says what was written."""
    size = len(text.encode("utf-8"))
    return (f"Wrote {path} ({fmt}, {size / 1024:,.0f} KiB): "
            f"{plural(len(data.jobs), 'job')}, {plural(data.summary.builds, 'build')}, "
            f"{plural(len(data.tests), 'test')}.")
