"""Seeded sample worlds: `demo_world` for `triage demo` and tests, `bench_world` and
`inbox_world` for benchmarks. Everything is deterministic for a seed and cheap to create:
builds are small records and reports are generated only when requested.

The demo is anchored to its clock's now when it is made (the server's start): its newest
builds ran within the last hours and its paused builds have waited minutes to hours, like a
real morning. Everything else (results, commits, offsets from the anchor) depends on the seed
only; tests pass a fixed clock.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from triage.jenkins.server.actions import BuildData, Cause
from triage.jenkins.server.builds import Build
from triage.jenkins.server.demo_gate import demo_checkout
from triage.jenkins.server.inputs import Decision, Param
from triage.jenkins.server.jobs import PipelineJob
from triage.jenkins.server.reports import suite_xml
from triage.jenkins.server.synthetic import History, Plan, unit
from triage.jenkins.server.world import World

NEWEST_MS = 1795165200000  # 2026-11-20 09:00 UTC: the newest build of the benchmark worlds
SPACING_MS = 3 * 3600 * 1000
MINUTE_MS = 60_000
LIBRARY = ("https://git.example.com/ci/pipeline-library.git", "master")


def sha(*key: object) -> str:
    return hashlib.sha1(repr(key).encode()).hexdigest()


def populate(
    job: PipelineJob,
    history: History,
    *,
    remote: str,
    branch: str,
    library: bool = False,
    aborted: frozenset[int] = frozenset(),
    artifacts: bool = True,
    multibranch: bool = False,
    newest_ms: int = NEWEST_MS,
) -> list[Build]:
    """Add `history.plan.builds` finished builds: results, commits, causes, lazy reports.

    Builds are `SPACING_MS` apart, the newest scheduled up to 20 minutes after `newest_ms`.
    """
    seed, key, plan = history.seed, history.key, history.plan
    commit, prev_red = 0, False
    builds = []
    for n in range(1, plan.builds + 1):
        retry = prev_red and unit(seed, key, n, "retry") < 0.6
        commit += 0 if retry else 1
        causes = [_cause(multibranch, retry, n, branch)]
        data = [BuildData(sha(seed, key, "lib", n // 30), LIBRARY[1], LIBRARY[0])] if library else []
        data.append(BuildData(sha(seed, remote, commit), branch, remote))
        stamp = newest_ms - (plan.builds - n) * SPACING_MS + int(unit(seed, key, n) * 1_200_000)
        duration = 240_000 + int(unit(seed, key, n, "d") * 300_000)
        kw = dict(timestamp_ms=stamp, duration_ms=duration, causes=causes, build_data=data)
        if n in plan.no_report or n in aborted:
            result, report = ("ABORTED" if n in aborted else "FAILURE"), None
        else:
            red = history.red(n)
            result, report = ("UNSTABLE" if red else "SUCCESS"), (lambda n=n: history.report(n))
            kw["report_counts"] = lambda n=n: history.counts(n)
        build = job.add_build(n, result=result, report=report, **kw)
        if report is not None:
            build.log[-2:-2] = _test_stage(history.plan.style, result == "UNSTABLE")
        if n in plan.no_report:
            build.log.insert(-2, "[ERROR] COMPILATION ERROR : cannot find symbol PriceRounding")
        if report is not None and artifacts:
            _archive(build, history, n)
        prev_red = result == "UNSTABLE"
        builds.append(build)
    return builds


def _test_stage(style: str, red: bool) -> list[str]:
    """The console lines of the test stage, so the app's log excerpt has something to show."""
    run = "+ mvn -B verify" if style == "java" else "+ python -m pytest --junitxml=reports/junit.xml"
    lines = ["[Pipeline] stage", "[Pipeline] { (Test)", run]
    if red:
        lines += ["[ERROR] There are test failures.",
                  "[ERROR] Please refer to the test reports for the individual test results."]
    else:
        lines.append("[INFO] BUILD SUCCESS")
    return lines + ["[Pipeline] junit", "Recording test results", "[Pipeline] }"]


def _cause(multibranch: bool, retry: bool, n: int, branch: str) -> Cause:
    if retry:
        return Cause.user("alice") if n % 2 else Cause.replay(n - 1)
    if multibranch:
        if n == 1:
            return Cause.branch_indexing()
        return Cause("jenkins.branch.BranchEventCause", f"Push event to branch {branch}")
    return Cause.scm() if n % 7 else Cause.timer()


def _archive(build: Build, history: History, n: int) -> None:
    """Archive the JUnit XML the report came from (served at `{run}/artifact/...`)."""
    suites = dict.fromkeys(t.suite for t in history.tests)
    for name in suites:
        if history.plan.style == "java":
            path = f"target/surefire-reports/TEST-{name}.xml"
        else:
            path = "reports/junit.xml"

        def render(name=name) -> bytes:
            report = build.report()
            return suite_xml(next(s for s in report.suites if s.name == name))

        build.add_artifact(path, render)


def _reached(build: Build, extra_ms: int = 0) -> int:
    """When a build reaches its input: after its tests ran (its planned duration)."""
    return build.timestamp_ms + build.planned_duration_ms + extra_ms


def _approve(build: Build, execution, user: str, proceeded: bool = True) -> None:
    build.decide(execution, Decision(proceeded, user), execution.started_ms + 25 * MINUTE_MS)


def demo_world(seed: int = 1, clock: Callable[[], float] | None = None) -> World:
    """Four jobs (`app`, `team/backend`, multibranch `shop` with `main` and `feature/x`, and
    `checkout`, the pipeline with `triage gate`: see `demo_gate`).

    Timestamps count back from `clock()` at creation (default: the wall clock), so the
    paused builds have waited about 12 minutes (checkout), 20 minutes (shop/main), one hour
    (app) and three hours (team/backend) when the demo starts.
    """
    world = World(clock=clock or time.time)
    now = world.now_ms()
    _demo_app(world, seed, now - 75 * MINUTE_MS)
    _demo_backend(world, seed, now - 200 * MINUTE_MS)
    _demo_shop(world, seed, now - 50 * MINUTE_MS)
    demo_checkout(world, now - 12 * MINUTE_MS, seed)
    return world


def _demo_app(world: World, seed: int, newest_ms: int) -> None:
    app = world.pipeline("app")
    app.description = "Storefront monolith (Maven, surefire reruns flaky tests once)"
    plan = Plan("java", tests=300, builds=120, flaky=6, regressions=3, outage_build=77,
                outage_module="orders", no_report={23, 58, 101}, reruns=True)
    history = History(seed, "app", plan)
    builds = populate(app, history, remote="https://git.example.com/shop/app.git",
                      branch="refs/remotes/origin/main", library=True, aborted=frozenset({64}),
                      newest_ms=newest_ms)
    # #112 was rejected at the deploy gate, #118 approved; #120 waits for a decision.
    for build, user, proceeded in ((builds[111], "bob", False), (builds[117], "alice", True)):
        gate = build.add_input("Deploy to production?", at_ms=_reached(build), stage="Deploy")
        _approve(build, gate, user, proceeded)
    builds[119].add_input("Deploy to production?", at_ms=_reached(builds[119]), stage="Deploy")


def _demo_backend(world: World, seed: int, newest_ms: int) -> None:
    backend = world.folder("team", "Team").pipeline("backend")
    plan = Plan("python", tests=240, builds=100, flaky=5, regressions=2, no_report={40})
    history = History(seed, "team/backend", plan)
    builds = populate(backend, history, remote="https://git.example.com/team/backend.git",
                      branch="refs/remotes/origin/main", newest_ms=newest_ms)
    builds[-1].add_input(
        "Ship backend 1.4.100 to which environment?",
        id="release-gate",
        ok="Ship",
        submitter="release-managers",
        submitter_parameter="APPROVER",
        parameters=[
            Param("TARGET", "choice", choices=["staging-eu", "staging-us", "production"]),
            Param("SMOKE", "boolean", True, "run smoke tests"),
            Param("VERSION", "string", "1.4.100", "version tag to deploy"),
            Param("NOTES", "text", "", "release notes"),
            Param("TOKEN", "password", "s3cret-default", "deploy token"),
        ],
        at_ms=_reached(builds[-1]),
        stage="Release",
    )


def _demo_shop(world: World, seed: int, newest_ms: int) -> None:
    shop = world.multibranch("shop", "Shop")
    remote = "https://git.example.com/shop/shop.git"
    main = shop.branch("main")
    main.legacy_status = True  # an older junit plugin: FIXED / REGRESSION statuses (§3.3)
    plan = Plan("java", tests=200, builds=90, flaky=4, regressions=2, no_report={12})
    main_builds = populate(main, History(seed, "shop/main", plan, "shop"), remote=remote,
                           branch="main", multibranch=True, newest_ms=newest_ms)
    paused = main_builds[-1]
    # Parallel rollout branches reach their gates a little apart.
    paused.add_input("Roll out to EU?", id="eu-rollout", ok="Roll out",
                     at_ms=_reached(paused), stage="Rollout EU")
    paused.add_input("Roll out to US?", id="us-rollout", ok="Roll out",
                     at_ms=_reached(paused, 2 * MINUTE_MS), stage="Rollout US")
    paused.add_input("Run the load test first?", parameters=[
        Param("LOAD_TEST", "boolean", False),
        Param("DURATION", "choice", choices=["5m", "15m", "60m"]),
    ], at_ms=_reached(paused, 5 * MINUTE_MS), stage="Load test")
    feature = shop.branch("feature/x")
    plan_x = Plan("java", tests=200, builds=25, flaky=4, regressions=2)
    populate(feature, History(seed, "shop/feature/x", plan_x, "shop"), remote=remote,
             branch="feature/x", multibranch=True, newest_ms=newest_ms - 90 * MINUTE_MS)


def bench_world(builds: int = 200, tests: int = 2000, jobs: int = 1, seed: int = 0) -> World:
    """N builds x M tests per job; one job is called `bench`, several `bench-000`, ..."""
    world = World(report_cache_size=4)
    for i in range(jobs):
        name = "bench" if jobs == 1 else f"bench-{i:03d}"
        plan = Plan("java", tests=tests, builds=builds, flaky=max(3, tests // 200),
                    regressions=max(2, tests // 500), outage_build=builds // 2,
                    outage_size=20)
        populate(world.pipeline(name), History(seed, name, plan), artifacts=False,
                 remote=f"https://git.example.com/bench/{name}.git", branch="origin/main")
    return world


def inbox_world(jobs: int = 50, builds: int = 30, tests: int = 300, seed: int = 0) -> World:
    """Many jobs in a few folders; every fifth job's newest build waits at an input."""
    world = World(report_cache_size=8)
    folders = [world.folder(f"team-{k}") for k in range(max(1, jobs // 10))]
    for i in range(jobs):
        name = f"service-{i:03d}"
        job = folders[i % len(folders)].pipeline(name)
        style = "java" if i % 2 else "python"
        plan = Plan(style, tests=tests, builds=builds, flaky=3, regressions=1)
        made = populate(job, History(seed, job.full_name, plan), artifacts=False,
                        remote=f"https://git.example.com/svc/{name}.git", branch="origin/main")
        if i % 5 == 0:
            params = [Param("TARGET", "choice", choices=["staging", "production"])] if i % 10 else []
            made[-1].add_input(f"Deploy {name}?", parameters=params)
    return world
