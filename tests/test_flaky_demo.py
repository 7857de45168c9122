"""The engine on the demo Jenkins, end to end: served over HTTP, synced, then triaged.

The demo's `app` job has flaky tests (timeouts, read timeouts, off-by-one counts, some passing
on a Surefire rerun), regressions that fail with the same EUR rounding assertion until fixed, and
one build where 20 tests of one module meet "Connection refused". The ground truth used here is
read from the failures themselves: a rounding assertion is a real failure, nothing else is.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter

import pytest
from click.testing import CliRunner

from triage.cli import cli
from triage.jenkins.server import JenkinsServer, demo_world

MORNING = 1795165200.0  # a fixed clock: the demo's timestamps count back from it


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "history.db"
    # Module-scoped, so it runs before conftest's per-test isolation: isolate the same way.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TRIAGE_CONFIG_DIR", str(folder / "config"))
        env.setenv("TRIAGE_DB", str(folder / "default-history.db"))
        env.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
        env.setenv("TRIAGE_JENKINS_TOKEN", "")
        with JenkinsServer(world=demo_world(seed=1, clock=lambda: MORNING)) as srv:
            env.setenv("TRIAGE_JENKINS_TOKEN", srv.users["alice"])
            args = ["sync", "--server", srv.url, "--user", "alice", "--job", "app"]
            result = CliRunner().invoke(cli, [*args, "--db", str(path)])
            assert result.exit_code == 0, result.output
    return path


def run(db, *args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--db", str(db)])
    assert result.exit_code == 0, result.output + str(result.exception)
    return result.output


def red_builds(db) -> dict[int, list[dict]]:
    """Return every red build of app, as `triage failures --format json` gives them.

    No --server: the synced job lives under its server's URL, and being the only job called
    `app` it is found there.
    """
    with sqlite3.connect(db) as conn:
        numbers = [
            n
            for (n,) in conn.execute(
                "SELECT number FROM builds WHERE result = 'UNSTABLE' ORDER BY number"
            )
        ]
    out = {}
    for number in numbers:
        data = json.loads(
            run(db, "failures", "--job", "app", "--build", str(number), "--format", "json")
        )
        if data:
            out[number] = data
    return out


def is_real(item: dict) -> bool:
    return (item.get("message") or "").startswith("expected: <EUR")


@pytest.fixture(scope="module")
def triaged(demo_db):
    found = red_builds(demo_db)
    assert len(found) > 20
    return found


def test_no_real_failure_is_suggested_noise_and_most_noise_is_recognised(triaged):
    tally = Counter()
    for items in triaged.values():
        for item in items:
            tally[("real" if is_real(item) else "noise", item["suggestion"])] += 1
    assert tally[("real", "noise")] == 0
    real = sum(v for (truth, _), v in tally.items() if truth == "real")
    noise = sum(v for (truth, _), v in tally.items() if truth == "noise")
    assert real >= 10 and noise >= 30
    # The demo ends some regressions with a pass on a retry of the same commit: by the data
    # that is a flake as much as a fix, so those builds say unsure (never noise).
    assert tally[("real", "real")] >= 0.75 * real
    assert tally[("noise", "noise")] >= 0.85 * noise


def test_the_outage_is_one_noise_cluster_and_its_table_says_why_once(triaged, demo_db):
    outage = next(n for n, items in triaged.items() if len(items) >= 20)
    items = triaged[outage]
    assert {i["cluster"]["id"] for i in items} == {items[0]["cluster"]["id"]}
    assert items[0]["cluster"]["suggestion"] == "noise"
    assert "Connection refused" in items[0]["cluster"]["label"]
    table = run(demo_db, "failures", "--job", "app", "--build", str(outage))
    assert table.startswith(f"app #{outage} (")
    assert f"{len(items)} failures in 1 cluster: {len(items)} noise\n" in table
    assert table.count("reads like an infrastructure error") == 1
    assert table.count("same error in") == 0  # the label says it
    lines = table.splitlines()
    listed = [line for line in lines if line.startswith("  noise ")]
    assert len(listed) == 8  # the rest have nothing of their own to add: counted, not listed
    assert (
        f"  ... and {len(items) - 8} more tests with nothing else to add (-v lists them)" in lines
    )
    assert not any(line.startswith("         - ") for line in lines)  # nothing per test to add
    verbose = run(demo_db, "failures", "--job", "app", "--build", str(outage), "-v")
    assert sum(line.startswith("  noise ") for line in verbose.splitlines()) == len(items)


def test_a_regression_is_one_real_cluster_named_after_its_first_build(triaged):
    regressions = [(n, i) for n, items in triaged.items() for i in items if is_real(i)]
    streaks = [(n, i) for n, i in regressions if i["cluster"]["id"].startswith("since-")]
    assert streaks
    for number, item in streaks:
        since = int(item["cluster"]["id"].removeprefix("since-"))
        assert since < number and item["suggestion"] == "real"
        assert item["reasons"][0].startswith(f"failing since #{since} with the same error")
        assert item["reasons"][1].startswith(f"before #{since}: ")
        assert item["history"].endswith("F" * min(number - since + 1, 20))


def test_flaky_ranks_tests_with_flaky_evidence_above_regressions(demo_db, triaged):
    data = json.loads(run(demo_db, "flaky", "--job", "app", "--format", "json"))
    regression_tests = {i["test"] for items in triaged.values() for i in items if is_real(i)}
    rerun = [d for d in data if d["rerun_passes"] or d["same_commit"]]
    assert len(rerun) >= 4
    worst_flaky = min(data.index(d) for d in rerun if d["test"] not in regression_tests)
    assert worst_flaky == 0
    table = run(demo_db, "flaky", "--job", "app", "--limit", "3").splitlines()
    assert table[0].startswith("score  failed/runs  history")
    assert table[0].endswith("test (history oldest first)")
    assert table[1].split()[3] == data[0]["test"]
