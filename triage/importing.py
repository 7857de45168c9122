"""Import use cases: JUnit files -> the history, one build or a manifest of many.

Parsing finishes before the store is touched, so a bad file stores nothing of its build. A
manifest import reports a bad build through the reporter, skips it, and lands the others.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from triage.domain import BUILD_RESULTS, BuildInfo
from triage.errors import ConfigError, TriageError
from triage.junit import parse_paths
from triage.progress import CancelToken, NullReporter, Reporter
from triage.store.db import Store
from triage.store.importer import ImportSummary, import_build


@dataclass
class ManifestSummary:
    imported: list[ImportSummary] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, why)

    @property
    def tests(self) -> int:
        return sum(s.tests for s in self.imported)


def import_files(store: Store, build: BuildInfo, paths: Iterable[str | Path]) -> ImportSummary:
    """Parse JUnit files/folders for one build and store them atomically."""
    parsed = parse_paths(paths)
    return import_build(store, build, parsed.results)


def parse_timestamp(text: str | None) -> int | None:
    """Return epoch milliseconds for an ISO 8601 timestamp (naive means UTC)."""
    if text is None or text == "":
        return None
    try:
        moment = datetime.fromisoformat(str(text).strip())
    except ValueError as exc:
        raise ConfigError(
            f"Timestamp {text!r} is not ISO 8601; write it like 2026-11-26T18:15:00Z."
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def check_result(result: str | None) -> str | None:
    if result is None:
        return None
    upper = result.upper()
    if upper not in BUILD_RESULTS:
        raise ConfigError(f"Build result {result!r} is not one of {', '.join(BUILD_RESULTS)}.")
    return upper


def read_manifest(path: str | Path, base: BuildInfo) -> Iterable[tuple[str, BuildInfo | None, list[Path], str | None]]:
    """Yield (where, build, files, error) for each line of a JSON-lines manifest."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"Cannot read manifest {path}: {exc.strerror}.") from exc
    folder = path.parent
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path.name}:{lineno}"
        try:
            entry = json.loads(line)
            if not isinstance(entry, dict):
                raise ValueError("each line must be a JSON object")
            number = entry.get("build")
            if not isinstance(number, int) or isinstance(number, bool) or number < 0:
                raise ValueError('"build" must be a non-negative integer')
            files = entry.get("files")
            if not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
                raise ValueError('"files" must be a non-empty list of paths')
            build = replace(
                base,
                number=number,
                revision=entry.get("revision"),
                branch=entry.get("branch"),
                timestamp_ms=parse_timestamp(entry.get("timestamp")),
                result=check_result(entry.get("result")),
            )
        except (ValueError, ConfigError) as exc:
            message = exc.message if isinstance(exc, ConfigError) else str(exc)
            yield where, None, [], message
            continue
        yield where, build, [folder / f for f in files], None


def import_manifest(
    store: Store,
    manifest: str | Path,
    base: BuildInfo,
    reporter: Reporter | None = None,
    cancel: CancelToken | None = None,
) -> ManifestSummary:
    """Import every build a manifest lists; a bad build is reported and skipped.

    The next build is parsed on a worker thread while this one is written: SQLite releases
    the GIL while it inserts, so parsing and writing overlap. Writes stay on this thread.
    """
    reporter = reporter or NullReporter()
    entries = list(read_manifest(manifest, base))
    summary = ManifestSummary()
    reporter.start(len(entries), "Importing builds")
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="triage-parse")
    try:
        for (where, build, _files, error), parsing in _parse_ahead(pool, entries):
            if cancel is not None:
                cancel.raise_if_cancelled()
            if error is None:
                try:
                    summary.imported.append(import_build(store, build, parsing.result().results))
                except TriageError as exc:
                    error = exc.message
            if error is not None:
                label = f"{where} (build #{build.number})" if build else where
                summary.skipped.append((label, error))
                reporter.warn(f"skipped {label}: {error}")
            reporter.advance()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        reporter.finish()
    return summary


def _parse_ahead(pool: ThreadPoolExecutor, entries: list, window: int = 2):
    """Yield (entry, future of its parse), keeping `window` parses in flight."""
    pending: deque = deque()
    for entry in entries:
        error, files = entry[3], entry[2]
        pending.append((entry, None if error else pool.submit(parse_paths, files)))
        if len(pending) >= window:
            yield pending.popleft()
    while pending:
        yield pending.popleft()
