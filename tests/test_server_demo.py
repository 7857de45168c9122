"""The seeded demo world, the benchmark generators and `triage demo` (a real subprocess)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import requests
from support import readline_within

from tests.test_server_support import MORNING, Clock, demo, get_json, running
from triage.jenkins.server import bench_world, demo_world, inbox_world
from triage.jenkins.server.export import ByDepth, to_json

ROOT = Path(__file__).resolve().parents[1]


def report_json(world, job: str, number: int) -> dict:
    build = world.job(job).build(number)
    return to_json(build.report().view(number, world.job(job).legacy_status), ByDepth(1))


def failing(world, job: str, number: int) -> list[dict]:
    data = report_json(world, job, number)
    return [c for s in data["suites"] for c in s["cases"] if c["status"] in
            ("FAILED", "REGRESSION")]


def test_demo_world_is_fast_and_deterministic():
    started = time.perf_counter()
    world = demo_world(seed=1, clock=Clock(MORNING))
    assert time.perf_counter() - started < 1.0
    again, other = demo_world(seed=1, clock=Clock(MORNING)), demo(seed=2)
    for job, n in (("app", 77), ("team/backend", 60), ("shop/main", 45)):
        assert report_json(world, job, n) == report_json(again, job, n)
        build, twin = world.job(job).build(n), again.job(job).build(n)
        assert to_json(build, ByDepth(1)) == to_json(twin, ByDepth(1))
    assert report_json(world, "app", 50) != report_json(other, "app", 50)
    sizes = {j.full_name: len(j.builds) for j in world.all_jobs()}
    assert sizes == {"app": 120, "team/backend": 100, "shop/main": 90, "shop/feature%2Fx": 25,
                     "checkout": 42}


def test_demo_is_anchored_to_its_start_like_a_real_morning():
    # Timestamps count back from the clock's now when the world is made (the server's start);
    # every offset from that anchor depends on the seed only.
    early, late = demo_world(seed=1, clock=Clock(MORNING)), demo_world(
        seed=1, clock=Clock(MORNING + 86_400_000))
    for job in ("app", "team/backend", "shop/main", "shop/feature%2Fx", "checkout"):
        for n in (1, 10, 25):
            assert (late.job(job).build(n).timestamp_ms
                    == early.job(job).build(n).timestamp_ms + 86_400_000)
        newest = early.job(job).permalink("lastBuild")
        assert MORNING - 4 * 3_600_000 < newest.timestamp_ms < MORNING


def test_demo_paused_builds_waited_minutes_to_hours_over_http():
    from tests.jenkins_world import client_for
    from triage.decide import paused_builds

    world = demo_world(seed=1, clock=Clock(MORNING))
    with running(world) as srv:
        found = paused_builds([client_for(srv)])
    waits = {(p.job, p.number): (p.wait_source, p.waited_ms // 60_000) for p in found}
    assert set(waits) == {("app", 120), ("team/backend", 100), ("shop/main", 90),
                          ("checkout", 42)}
    assert all(source == "wfapi" for source, _ in waits.values())
    assert all(10 <= minutes <= 4 * 60 for _, minutes in waits.values()), waits
    # Longest wait first: the release gate has waited hours, the rollout minutes.
    assert [p.job for p in found] == ["team/backend", "app", "shop/main", "checkout"]


def test_demo_has_an_infrastructure_outage_build():
    world = demo()
    fails = failing(world, "app", 77)
    outage = [c for c in fails if c["errorDetails"] == "Connection refused: db:5432"]
    assert 18 <= len(outage) <= 22
    assert {c["className"].split(".")[3] for c in outage} == {"orders"}  # one module
    assert all("at org.postgresql" in c["errorStackTrace"] for c in outage)
    assert not any(c["errorDetails"] == "Connection refused: db:5432"
                   for c in failing(world, "app", 78))


def test_demo_flaky_tests_fail_rarely_and_regressions_persist():
    world = demo()
    history: dict[tuple[str, str], list[int]] = {}
    job = world.job("team/backend")
    numbers = [n for n, b in job.builds.items() if b.has_report]
    for n in numbers:
        for case in failing(world, "team/backend", n):
            history.setdefault((case["className"], case["name"]), []).append(n)
    rates = {k: len(v) / len(numbers) for k, v in history.items()}
    flaky = [k for k, v in history.items() if _runs(v) > 2 and rates[k] < 0.2]
    assert len(flaky) >= 3  # scattered, low-rate failures
    persistent = [k for k, v in history.items() if _runs(v) == 1 and len(v) >= 3]
    assert persistent  # a regression: consecutive failures until fixed (or still open)
    last = failing(world, "team/backend", numbers[-1])
    assert any(c["age"] > 1 and c["failedSince"] > 1 for c in last)
    assert any("Traceback" in c["errorStackTrace"] or "E   " in c["errorStackTrace"]
               for n in numbers[-20:] for c in failing(world, "team/backend", n))


def _runs(numbers: list[int]) -> int:
    """Count maximal runs of consecutive build numbers."""
    return sum(1 for i, n in enumerate(numbers) if i == 0 or numbers[i - 1] != n - 1)


def test_demo_retries_red_builds_on_the_same_commit():
    world = demo()
    job = world.job("app")
    retried = 0
    for n in range(2, 121):
        prev, cur = job.build(n - 1), job.build(n)
        if prev.result == "UNSTABLE" and prev.build_data[-1].sha1 == cur.build_data[-1].sha1:
            retried += 1
            assert cur.causes[0].export_class.endswith(("UserIdCause", "ReplayCause"))
    assert retried >= 3


def test_demo_inputs_and_history_of_decisions():
    world = demo()
    app = world.job("app")
    assert app.build(120).building and app.build(120).input_action.pending
    assert app.build(118).input_action.all[0].decision.user == "alice"
    assert app.build(112).result == "ABORTED"
    assert [e.id for e in world.job("shop/main").build(90).input_action.pending][:2] == [
        "Eu-rollout", "Us-rollout"]
    gate = world.job("team/backend").build(100).input_action.pending[0]
    assert gate.step.submitter == "release-managers"
    assert {p.kind for p in gate.step.parameters} == {"string", "text", "boolean", "choice",
                                                      "password"}
    no_report = [n for n, b in app.builds.items() if not b.has_report]
    assert 23 in no_report and 64 in no_report


def test_bench_world_200_by_2000_is_fast_and_light():
    tracemalloc.start()
    started = time.perf_counter()
    world = bench_world(builds=200, tests=2000)
    build_time = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert build_time < 1.0 and peak < 30_000_000, (build_time, peak)
    with running(world) as srv:
        started = time.perf_counter()
        data = get_json(srv, "job/bench/150/testReport/api/json",
                        tree="failCount,passCount,skipCount,suites[cases[name,status]]")
        elapsed = time.perf_counter() - started
    assert data["failCount"] + data["passCount"] + data["skipCount"] == 2000
    assert elapsed < 3.0, elapsed


def test_inbox_world_has_fifty_jobs_and_paused_builds():
    world = inbox_world(jobs=50)
    jobs = world.all_jobs()
    assert len(jobs) == 50
    paused = [j for j in jobs if j.permalink("lastBuild").building]
    assert len(paused) == 10
    kinds = Counter(bool(j.permalink("lastBuild").input_action.pending[0].step.parameters)
                    for j in paused)
    assert kinds[True] and kinds[False]


def test_triage_demo_serves_until_ctrl_c():
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "triage", "demo", "--serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    try:
        first = readline_within(proc)
        assert first.startswith("Sample Jenkins running at http://127.0.0.1:"), first
        url = first.rsplit(" ", 1)[-1].strip()
        lines = [readline_within(proc) for _ in range(4)]
        assert "alice (admin)" in lines[0] and "Ctrl+C" in lines[3]
        token = lines[0].split()[-1]
        data = requests.get(url + "api/json", auth=("alice", token), timeout=10).json()
        assert {j["name"] for j in data["jobs"]} == {"app", "team", "shop", "checkout"}
        # Anchored to the server's start: the paused build has waited about an hour, not days.
        run = requests.get(url + "job/app/120/wfapi/describe", auth=("alice", token),
                           timeout=10).json()
        (gate,) = [s for s in run["stages"] if s["status"] == "PAUSED_PENDING_INPUT"]
        assert 30 * 60_000 < gate["pauseDurationMillis"] < 120 * 60_000, gate
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Stopped." in out and "Traceback" not in err


def test_triage_demo_port_in_use_is_one_clear_line():
    with running() as srv:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        proc = subprocess.run(
            [sys.executable, "-m", "triage", "demo", "--port", str(srv.port)],
            capture_output=True, text=True, env=env, cwd=ROOT, timeout=30,
        )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: Cannot listen on 127.0.0.1:")
    assert "--port" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_demo_json_is_plain_json():
    # Every exported value must be JSON-serialisable (no stray Python objects).
    with running() as srv:
        data = get_json(srv, "job/shop/job/main/90/api/json", depth="2")
    assert json.loads(json.dumps(data)) == data


def test_cheap_counts_match_the_generated_reports():
    for world in (demo(seed=3), bench_world(builds=40, tests=300, seed=5)):
        for job in world.all_jobs():
            for build in list(job.builds.values())[::7]:
                if build.has_report:
                    assert build.report_counts() == build.report().counts(), build.url


def test_demo_help_has_an_example_and_says_what_opens_where():
    from click.testing import CliRunner

    from triage.cli import cli

    result = CliRunner().invoke(cli, ["demo", "--help"])
    assert result.exit_code == 0
    assert "triage demo --serve --port 8080" in result.output
    assert "Open the app" in result.output and "Without a display" in result.output
