"""Read the report files of one build: find them, parse each, merge by test identity.

- Folders are searched recursively for `*.xml` (any case), without following symlinked
  folders, in sorted path order so the merge order (and therefore every result) is the same on
  every machine. Files named explicitly are read whatever their extension (`.junit-xml`); in
  folders only regular files (or links to them) count, so a FIFO or a dangling link named
  `*.xml` there is passed over instead of blocking the import. A file reached twice is read once.
- A path that does not exist is a ReportError, and so is finding no report at all: importing
  nothing is almost always a wrong path, and saying so beats recording an empty build.
- Report folders hold other XML too (Failsafe's `failsafe-summary.xml`, TestNG's
  `testng-results.xml`): a well-formed non-JUnit file *found in a folder* is skipped with a
  warning. Named explicitly, it is an error like any other bad file.
- One bad file fails the whole build by default (the import is all or nothing). With
  `skip_bad=True` each bad file becomes a warning on the reporter and an entry in
  `ParsedBuild.skipped_files`, and the rest is imported.
- Paths in messages are shown as the caller gave them. `TestResult.file` is the testcase's own
  `file` attribute (the test's source file, as pytest or Jest write it), never the report's path.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from triage.domain import Outcome, TestResult
from triage.errors import NotJUnitError, ReportError
from triage.gcpause import gc_paused
from triage.junit.merge import merge_results
from triage.junit.reader import ElementCounts, FileReport, SuiteInfo, read_report
from triage.junit.safexml import parse_root, read_bytes
from triage.progress import CancelToken, NullReporter, Reporter


@dataclass(frozen=True, slots=True)
class OutcomeCounts:
    """Counts of merged results by outcome; `reruns` sums the extra attempts."""

    tests: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    flaky: int = 0
    reruns: int = 0

    @classmethod
    def of(cls, results: Iterable[TestResult]) -> OutcomeCounts:
        by = [0] * len(Outcome)
        reruns = 0
        for result in results:
            by[result.outcome] += 1
            reruns += result.reruns
        return cls(sum(by), by[Outcome.PASSED], by[Outcome.FAILED], by[Outcome.ERROR],
                   by[Outcome.SKIPPED], by[Outcome.FLAKY], reruns)


@dataclass(slots=True)
class ParsedBuild:
    """The merged results of one build's reports (unique identities) and what was read."""

    results: list[TestResult]
    files: list[Path]
    suites: list[SuiteInfo] = field(default_factory=list)
    elements: ElementCounts = field(default_factory=ElementCounts)
    counts: OutcomeCounts = field(default_factory=OutcomeCounts)
    skipped_files: list[tuple[Path, str]] = field(default_factory=list)


def read_file(path: str | Path, keep_passing_output: bool = False) -> FileReport:
    """Return one file's results before merging (errors: see `triage.junit.safexml`)."""
    path = Path(path)
    display = str(path)
    root = parse_root(read_bytes(path, display), display)
    return read_report(root, display, path.stem, keep_passing_output)


def parse_file(path: str | Path, keep_passing_output: bool = False) -> list[TestResult]:
    """Return the merged results of one report file."""
    return merge_results(read_file(path, keep_passing_output).results)


def find_reports(paths: Iterable[str | Path]) -> list[Path]:
    """Return the report files named by `paths` (files as given, folders searched for *.xml)."""
    return [path for path, _explicit in _discover(paths)]


def _discover(paths: Iterable[str | Path]) -> list[tuple[Path, bool]]:
    """Return (file, named explicitly) pairs, each file once, in the documented order."""
    found: list[tuple[Path, bool]] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            candidates = [(p, False) for p in _xml_files_under(path)]
        elif path.exists():
            candidates = [(path, True)]
        else:
            raise ReportError(f"{path}: no such file or folder; check the path", path=str(path))
        for candidate, explicit in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append((candidate, explicit))
    return found


def _xml_files_under(folder: Path) -> list[Path]:
    files = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        # is_file(): a FIFO or device named *.xml in a folder would block or never end.
        files.extend(p for n in filenames
                     if n.lower().endswith(".xml") and (p := Path(dirpath, n)).is_file())
    return sorted(files, key=lambda p: p.parts)


def parse_paths(
    paths: Iterable[str | Path],
    *,
    reporter: Reporter | None = None,
    cancel: CancelToken | None = None,
    skip_bad: bool = False,
    keep_passing_output: bool = False,
) -> ParsedBuild:
    """Read every report under `paths` as one build and merge results by identity."""
    paths = list(paths)
    files = _discover(paths)
    if not files:
        where = ", ".join(str(p) for p in paths) or "(no path given)"
        raise ReportError(f"no JUnit XML files (*.xml) found in {where}; point at the test "
                          "report files or their folder")
    reporter = reporter or NullReporter()
    reporter.start(len(files), "Reading test reports")
    build = ParsedBuild([], [])
    unmerged: list[TestResult] = []
    try:
        for path, explicit in files:
            if cancel is not None:
                cancel.raise_if_cancelled()
            try:
                with gc_paused():
                    report = read_file(path, keep_passing_output)
            except ReportError as exc:
                found_other_xml = isinstance(exc, NotJUnitError) and not explicit
                if not (skip_bad or found_other_xml):
                    raise
                build.skipped_files.append((path, exc.message))
                reporter.warn(exc.message)
            else:
                build.files.append(path)
                unmerged.extend(report.results)
                build.suites.extend(report.suites)
                build.elements.add(report.counts)
            reporter.advance()
    finally:
        reporter.finish()
    with gc_paused():
        build.results = merge_results(unmerged)
    build.counts = OutcomeCounts.of(build.results)
    return build
