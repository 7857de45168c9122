"""Import use cases: JUnit files -> the history, one build or a manifest of many.

Parsing finishes before the store is touched, so a bad file stores nothing of its build. A
manifest import reports a bad build through the reporter, skips it, and lands the others.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from multiprocessing import get_context
from pathlib import Path, PureWindowsPath

from triage.domain import BUILD_RESULTS, MAX_BUILD, BuildInfo
from triage.errors import Cancelled, ConfigError, StoreError, TriageError
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


def check_build_number(number: object) -> int:
    """Return `number` if it is a whole number SQLite can store as a build number."""
    if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number <= MAX_BUILD:
        raise ValueError(f'"build" must be a whole number from 0 to {MAX_BUILD}')
    return number


def read_manifest(
    path: str | Path, base: BuildInfo
) -> Iterable[tuple[str, BuildInfo | None, list[Path], str | None]]:
    """Yield (where, build, files, error) for each line of a JSON-lines manifest.

    Paths are relative to the manifest's folder (absolute paths are used as they are); a
    Windows manifest's backslashes work too. A byte-order mark and blank lines are ignored.
    """
    path = Path(path)
    try:
        # utf-8-sig: Windows editors start files with a byte-order mark.
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise ConfigError(f"Cannot read manifest {path}: {exc.strerror}.") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"Manifest {path} is not UTF-8 text (byte {exc.start}); save it as "
                          "UTF-8 JSON lines.") from exc
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path.name}:{lineno}"
        try:
            build, files = _manifest_entry(line, base, path.parent)
        except (ValueError, ConfigError) as exc:
            message = exc.message if isinstance(exc, ConfigError) else str(exc)
            yield where, None, [], message
            continue
        yield where, build, files, None


def _manifest_entry(line: str, base: BuildInfo, folder: Path) -> tuple[BuildInfo, list[Path]]:
    """Return the build and report paths of one manifest line; raise ValueError if bad."""
    try:
        entry = json.loads(line)
    except ValueError as exc:
        raise ValueError(f"not a JSON object ({exc})") from None
    if not isinstance(entry, dict):
        raise ValueError("each line must be a JSON object")
    number = check_build_number(entry.get("build"))
    files = entry.get("files")
    if not isinstance(files, list) or not files or not all(
        isinstance(f, str) and f.strip() for f in files
    ):
        raise ValueError('"files" must be a non-empty list of non-empty paths')
    texts = {key: entry.get(key) for key in ("revision", "branch", "timestamp", "result")}
    if isinstance(texts["revision"], int) and not isinstance(texts["revision"], bool):
        texts["revision"] = str(texts["revision"])  # Subversion revisions are numbers
    for key, value in texts.items():
        if value is not None and not isinstance(value, str):
            raise ValueError(f'"{key}" must be a string')
    build = replace(
        base,
        number=number,
        revision=texts["revision"],
        branch=texts["branch"],
        timestamp_ms=parse_timestamp(texts["timestamp"]),
        result=check_result(texts["result"]),
    )
    return build, [_manifest_path(folder, f) for f in files]


def _manifest_path(folder: Path, name: str) -> Path:
    """Return `name` under the manifest's folder, reading a Windows path's backslashes as /."""
    path = folder / name
    if "\\" in name and not path.exists():
        path = folder / PureWindowsPath(name).as_posix()
    return path


def import_manifest(
    store: Store,
    manifest: str | Path,
    base: BuildInfo,
    reporter: Reporter | None = None,
    cancel: CancelToken | None = None,
    workers: int | None = None,
) -> ManifestSummary:
    """Import every build a manifest lists; a bad build is reported and skipped.

    Builds are parsed in `workers` processes (default: one core less than the machine has,
    at least one) while this process, the only writer, stores them in manifest order.
    Processes, not threads: a parsing thread and SQLite fight over the GIL, which was measured
    slower than no thread at all.
    """
    reporter = reporter or NullReporter()
    entries = list(read_manifest(manifest, base))
    summary = ManifestSummary()
    reporter.start(len(entries), "Importing builds")
    workers = _worker_count(workers, sum(1 for e in entries if e[3] is None))
    pool = _start_pool(workers) if workers else None
    try:
        for (where, build, files, error), parsed in _parse_ahead(pool, entries, workers):
            if cancel is not None:
                cancel.raise_if_cancelled()
            if error is None:
                results, error = _parsed(parsed, files)
            if error is None:
                summary.imported.append(import_build(store, build, results))
            else:
                label = f"{where} (build #{build.number})" if build else where
                summary.skipped.append((label, error))
                reporter.warn(f"skipped {label}: {error}")
            reporter.advance()
    except StoreError as exc:
        raise StoreError(
            f"{exc.message} The builds stored before it ({len(summary.imported)}) are whole; "
            "importing the manifest again replaces them.",
            details=exc.details,
        ) from exc
    except KeyboardInterrupt:
        raise Cancelled(
            "Interrupted: the builds already stored are whole, the one in progress was not "
            "stored. Run the same import again to finish (it replaces what is there)."
        ) from None
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        reporter.finish()
    return summary


def _worker_count(asked: int | None, builds: int) -> int:
    """Return how many parsing processes to start (0: parse here).

    By default one core is left to this process, the writer: with as many parsers as cores,
    the writer got two thirds of a core and became the bottleneck (measured).
    """
    if asked is None:
        asked = max(1, (os.cpu_count() or 1) - 1)
    return 0 if builds < 4 else asked


def _start_pool(workers: int) -> ProcessPoolExecutor:
    """Start `workers` parsing processes that ignore Ctrl+C.

    Ctrl+C reaches the whole process group; the writer handles it and stops the pool. The
    workers must ignore it from their first instruction (an initializer runs too late: a
    worker still starting up would print a traceback), so they are started while SIGINT is
    ignored here, a disposition they keep across exec.
    """
    pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"))
    if threading.current_thread() is not threading.main_thread():
        return pool  # only the main thread receives signals or may change their handlers
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        for _ in range(workers):
            pool.submit(os.getpid)  # each submit starts one more process, until `workers`
    finally:
        signal.signal(signal.SIGINT, previous)
    return pool


def parse_for_import(files: list[Path]) -> tuple[list | None, str | None]:
    """Return (results, None) or (None, the one-line error); runs in a worker process."""
    try:
        return parse_paths(files).results, None
    except TriageError as exc:
        return None, exc.message


def _parsed(job, files: list[Path]) -> tuple[list | None, str | None]:
    """Return a parse's outcome; parse here if the worker process died (killed, out of memory)."""
    if not isinstance(job, Future):
        return job()
    try:
        return job.result()
    except BrokenProcessPool:
        return parse_for_import(files)


def _parse_ahead(pool: ProcessPoolExecutor | None, entries: list, workers: int):
    """Yield (entry, pending parse) in manifest order, keeping the `workers` processes busy."""
    window = 2 * workers if pool else 1
    pending: deque = deque()
    for entry in entries:
        files, error = entry[2], entry[3]
        if error is not None:
            job = None
        elif pool is None:
            job = partial(parse_for_import, files)
        else:
            job = pool.submit(parse_for_import, files)
        pending.append((entry, job))
        if len(pending) >= window:
            yield pending.popleft()
    while pending:
        yield pending.popleft()
