"""Jenkins -> JUnit results -> history: incremental, parallel fetches, one writer, cancellable.

Only builds not yet stored are fetched, plus builds that were still running when stored (their
reports and results change until they finish). Each job's builds and facts come in one request
(`allBuilds` with a `tree=`); each build then costs one test-report request. Reports are fetched
on a small bounded pool; the calling thread is the only one that writes to SQLite (style habit
5), one atomic `import_build` per build. A failing job or build is reported through the reporter
and the rest goes on; a failed build is not stored, so the next sync retries it.
"""

from __future__ import annotations

import fnmatch
import tempfile
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from triage.display import plural
from triage.domain import TestResult
from triage.errors import JenkinsError, JenkinsNotFound, JenkinsUnreachable, ReportError
from triage.jenkins import JenkinsSource, urls
from triage.jenkins.facts import SYNC_TREE
from triage.jenkins.model import BuildState, JobBuilds
from triage.progress import CancelToken, NullReporter, Reporter
from triage.store import builds as stored
from triage.store import servers as stored_servers
from triage.store.db import Store
from triage.store.importer import import_build


@dataclass
class SyncOptions:
    jobs: list[str] | None = None  # full names; None means every job on the server
    max_builds: int = 100  # newest builds looked at per job
    workers: int = 4
    artifacts: dict[str, str] = field(default_factory=dict)  # job prefix -> artifact glob
    # Jobs whose newest builds the caller listed already (the inbox): used instead of asking
    # Jenkins again when the history holds every older build within max_builds.
    listed: dict[str, JobBuilds] = field(default_factory=dict)


@dataclass
class SyncSummary:
    server: str
    jobs: int = 0
    builds_seen: int = 0
    stored: int = 0
    refreshed: int = 0  # builds stored earlier while running, stored again
    tests: int = 0
    job_errors: list[tuple[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # jobs Jenkins does not have (404)
    # job -> older builds on Jenkins that --max-builds left out (and the history lacks)
    left_out: dict[str, int] = field(default_factory=dict)
    build_errors: list[tuple[str, int, str]] = field(default_factory=list)
    cancelled: bool = False
    # Set when Jenkins stopped answering mid-sync: the reason, and how many builds were left.
    unreachable: str | None = None
    left: int = 0


@dataclass(frozen=True)
class _Work:
    job: str
    number: int
    state: BuildState | None  # None: a stored running build no longer listed; read it again
    refresh: bool


def sync(source: JenkinsSource, store: Store, options: SyncOptions | None = None,
         reporter: Reporter | None = None, cancel: CancelToken | None = None) -> SyncSummary:
    """Bring the history up to date with `source`; return what was done."""
    options = options or SyncOptions()
    reporter = reporter or NullReporter()
    cancel = cancel or CancelToken()
    summary = SyncSummary(server=source.name)
    # History stored under another name for this URL is this server's: adopt it before
    # planning, so its builds count as stored. A row is created only once Jenkins answered.
    stored_servers.adopt(store, source.name, source.base, create=False)
    jobs = options.jobs or [listing.job.full_name for listing in source.walk()]
    work = _plan(source, store, jobs, options, reporter, summary, cancel)
    if summary.jobs:
        stored_servers.adopt(store, source.name, source.base)
    if cancel.cancelled:  # while listing: nothing fetched, and said so
        summary.cancelled = True
        return summary
    if summary.unreachable is not None:  # gone while listing: said once, nothing fetched
        summary.left = len(work)
        reporter.warn(f"{summary.unreachable} Stopped; {plural(summary.left, 'build')} and the "
                      "jobs not listed yet are left for the next sync.")
        return summary
    reporter.start(len(work), f"Syncing {source.name}")
    try:
        _fetch_and_store(source, store, work, options, reporter, summary, cancel)
    finally:
        reporter.finish()
    return summary


def _plan(source: JenkinsSource, store: Store, jobs: list[str], options: SyncOptions,
          reporter: Reporter, summary: SyncSummary, cancel: CancelToken) -> list[_Work]:
    """List each job's builds (in parallel) and keep those not stored or stored running.

    A name that turns out to be a folder (or a multibranch project) stands for every job
    below it.
    """
    work: list[_Work] = []
    with ThreadPoolExecutor(options.workers, thread_name_prefix="sync-list") as pool:
        def submit(names):
            return [(job, _listed(store, source.name, options, job)
                     or pool.submit(source.job_builds, job, options.max_builds, SYNC_TREE))
                    for job in names]

        queue = submit(jobs)
        while queue and not cancel.cancelled:
            job, future = queue.pop(0)
            try:
                listing = future.result()
                if listing.job.is_folder:
                    queue += submit(j.job.full_name for j in source.walk(job))
                    continue
            except JenkinsUnreachable as exc:
                summary.job_errors.append((job, exc.message))
                if not source.reachable():  # every other job would fail the same way
                    summary.unreachable = exc.message
                    for _, rest in queue:
                        rest.cancel()
                    break
                reporter.warn(f"{job}: {exc.message}")
                continue
            except JenkinsNotFound as exc:  # the caller says so: a typo is not worth a retry
                summary.missing.append(job)
                summary.job_errors.append((job, exc.message))
                continue
            except JenkinsError as exc:
                summary.job_errors.append((job, exc.message))
                reporter.warn(f"{job}: {exc.message}")
                continue
            summary.jobs += 1
            work.extend(_new_work(store, source.name, job, listing.builds, summary))
            _count_left_out(store, source.name, job, listing, options.max_builds, summary)
    return work


def _listed(store: Store, server: str, options: SyncOptions, job: str) -> Future | None:
    """Return the caller's listing of `job` as a done future, if it is enough to plan from.

    Enough when every build older than those listed, within the newest max_builds, is in the
    history already: then only the listed builds can be new or still running.
    """
    listing = options.listed.get(job)
    if listing is None or listing.job.is_folder:
        return None
    numbers = [b.info.number for b in listing.builds]
    if numbers:
        known = stored.known_builds(store, server, job)
        older = range(max(1, max(numbers) - options.max_builds + 1), min(numbers))
        if any(n not in known for n in older):
            return None
    done: Future = Future()
    done.set_result(listing)
    return done


def _count_left_out(store: Store, server: str, job: str, listing, limit: int,
                    summary: SyncSummary) -> None:
    """Count the builds older than the newest `limit` that Jenkins has and the history lacks.

    Build numbers between the job's first build and the oldest listed one: exact unless some
    were deleted on Jenkins (then an upper bound).
    """
    numbers = [b.info.number for b in listing.builds]
    if len(numbers) < limit or listing.first_build is None or not numbers:
        return
    oldest = min(numbers)
    known = stored.known_builds(store, server, job)
    left = sum(1 for n in range(listing.first_build, oldest) if n not in known)
    if left:
        summary.left_out[job] = left


def _new_work(store: Store, server: str, job: str, builds: list[BuildState],
              summary: SyncSummary) -> list[_Work]:
    """Keep the builds not stored yet, those stored while running, and those replaced.

    A build whose start time changed is another build under the same number: the job was
    deleted and created again, or its next build number was reset. It replaces the old one.
    """
    known = stored.known_builds(store, server, job)
    work, listed = [], set()
    for state in builds:
        number = state.info.number
        listed.add(number)
        summary.builds_seen += 1
        if number not in known:
            work.append(_Work(job, number, state, refresh=False))
            continue
        running, timestamp = known[number]
        replaced = timestamp is not None and state.info.timestamp_ms not in (None, timestamp)
        if running or replaced:
            work.append(_Work(job, number, state, refresh=True))
    # Stored while running but no longer among the newest N: read it on its own.
    work.extend(_Work(job, number, None, refresh=True)
                for number, (running, _) in sorted(known.items())
                if running and number not in listed)
    return work


def _fetch_and_store(source: JenkinsSource, store: Store, work: list[_Work],
                     options: SyncOptions, reporter: Reporter, summary: SyncSummary,
                     cancel: CancelToken) -> None:
    """Fetch reports on the pool, at most 2x workers in flight; store each on this thread.

    When Jenkins stops answering (after the GET retries), the remaining builds are left for the
    next sync: said once, instead of one warning per build after each one's retries.
    """
    queue = iter(work)
    pool = ThreadPoolExecutor(options.workers, thread_name_prefix="sync-fetch")
    inflight: dict[Future, _Work] = {}

    def stopped() -> bool:
        return cancel.cancelled or summary.unreachable is not None

    def refill() -> None:
        while len(inflight) < 2 * options.workers and not stopped():
            item = next(queue, None)
            if item is None:
                return
            inflight[pool.submit(_fetch, source, item, options)] = item

    handled = 0
    try:
        refill()
        while inflight:
            done, _ = wait(inflight, return_when=FIRST_COMPLETED)
            for future in done:
                item = inflight.pop(future)
                if not stopped():
                    _store_one(source, store, item, future, reporter, summary)
                    handled += 1
                reporter.advance()
            if cancel.cancelled:
                summary.cancelled = True
                for future in inflight:
                    future.cancel()
                inflight.clear()
            elif summary.unreachable is not None:
                for future in inflight:
                    future.cancel()  # those already sent finish (or fail) on their own
            refill()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if summary.unreachable is not None:
        summary.left = len(work) - handled
        reporter.warn(f"{summary.unreachable} Stopped; {plural(summary.left, 'build')} left for "
                      "the next sync.")


def _store_one(source: JenkinsSource, store: Store, item: _Work, future: Future,
               reporter: Reporter, summary: SyncSummary) -> None:
    try:
        state, results = future.result()
    except JenkinsUnreachable as exc:
        summary.build_errors.append((item.job, item.number, exc.message))
        if not source.reachable():  # every other build would fail the same way
            summary.unreachable = exc.message
        else:
            reporter.warn(f"{item.job} #{item.number}: {exc.message}")
        return
    except (JenkinsError, ReportError) as exc:
        summary.build_errors.append((item.job, item.number, exc.message))
        reporter.warn(f"{item.job} #{item.number}: {exc.message}")
        return
    if state is None:
        return
    import_build(store, state.info, results)
    summary.stored += 1
    summary.refreshed += int(item.refresh)
    summary.tests += len(results)


def _fetch(source: JenkinsSource, item: _Work,
           options: SyncOptions) -> tuple[BuildState | None, list[TestResult]]:
    """Read one build's results (worker thread: HTTP and parsing only, no SQLite)."""
    from triage.junit.jenkins_json import REPORT_TREE, results_from_report

    state = item.state
    if state is None:
        try:
            state = source.build(item.job, item.number)
        except JenkinsNotFound:
            return None, []  # deleted on the server; keep what the history has
    pattern = urls.for_job(options.artifacts, item.job)
    if pattern:
        paths = [p for p in state.artifacts if fnmatch.fnmatch(p, pattern)]
        if paths:
            return state, _results_from_artifacts(source, item, paths)
    if not state.has_report:
        return state, []  # no TestResultAction: the report would be a 404 (section 3.1)
    report = source.test_report(item.job, item.number, REPORT_TREE)
    where = f"{state.info.url}testReport/api/json" if state.info.url else None
    return state, (results_from_report(report, url=where) if report is not None else [])


def _results_from_artifacts(source: JenkinsSource, item: _Work,
                            paths: Iterable[str]) -> list[TestResult]:
    """Download archived JUnit XML and read it with the JUnit importer.

    The only way to keep Surefire `flakyFailure` retry evidence: Jenkins' JSON drops it
    (reference section 3.7, trap 13).
    """
    from triage.junit import parse_paths

    with tempfile.TemporaryDirectory(prefix="triage-artifacts-") as tmp:
        files = []
        for index, relative in enumerate(sorted(paths)):
            # Flat, numbered names: an artifact path can never escape the temp folder.
            target = Path(tmp) / f"{index:05d}-{Path(relative).name}"
            target.write_bytes(source.artifact(item.job, item.number, relative))
            files.append(target)
        return list(parse_paths(files).results)
