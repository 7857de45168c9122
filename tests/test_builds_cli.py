"""`triage builds` end to end: CLI -> inbox use case -> built-in server, real SQLite."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.jenkins_world import serve, small_world
from triage.cli import cli


@pytest.fixture
def srv():
    with serve(small_world()) as server:
        yield server


def _builds(srv, db_path, *extra, env=None):
    args = ["builds", "--server", srv.url, "--user", "alice", "--db", str(db_path), *extra]
    return CliRunner().invoke(cli, args, env={"TRIAGE_JENKINS_TOKEN": srv.users["alice"],
                                              **(env or {})})


def test_the_table_lists_paused_first_with_the_summary(srv, db_path):
    result = _builds(srv, db_path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("3 builds paused, 2 red (") and lines[0].endswith(" s):")
    assert lines[1].split() == ["STATE", "WAITED", "BUILD", "FAILED", "REAL", "UNSURE", "NOISE"]
    rows = [line.split() for line in lines[2:]]
    assert rows[0] == ["paused", "59m", "team/backend", "#2", "0", "0", "0", "0"]
    assert rows[1] == ["paused", "59m", "shop/feature%2Fx", "#2", "(feature/x)", "0", "0", "0",
                       "0"]
    assert rows[2] == ["waits", "at", "2", "inputs:", "Eu,", "Us"]
    assert rows[3] == ["paused", "53m", "app", "#4", "1", "1", "0", "0"]
    # Red builds: the age on our clock (the small world's builds are from 2026-01-01).
    assert rows[4][0] == "failed" and rows[4][2] == "ago"
    assert rows[4][3:] == ["app", "#3", "0", "0", "0", "0"]
    assert rows[5][3:] == ["shop/feature%2Fx", "#1", "(feature/x)", "2", "0", "2", "0"]


def test_without_sync_what_is_not_in_the_history_shows_a_dash(srv, db_path):
    result = _builds(srv, db_path, "--no-sync", "--job", "app")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2].split()[-4:] == ["1", "-", "-", "-"]


def test_json_has_the_keys_the_help_documents(srv, db_path):
    result = _builds(srv, db_path, "--format", "json", "--job", "shop")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    keys = {"server", "job", "display", "full_display", "build", "state", "failures", "real",
            "noise", "unsure", "waiting_s", "wait_source", "url", "started_ms", "revision",
            "inputs"}
    assert all(set(item) == keys for item in data)
    assert [(d["job"], d["build"], d["state"], d["display"]) for d in data] == [
        ("shop/feature%2Fx", 2, "paused", "feature/x"),
        ("shop/feature%2Fx", 1, "unstable", "feature/x")]
    assert data[0]["waiting_s"] == 3540 and data[1]["waiting_s"] is None
    help_text = " ".join(CliRunner().invoke(cli, ["builds", "--help"]).output.split())
    for key in keys:
        assert key in help_text, key


def test_since_takes_a_date_or_an_age_and_refuses_anything_else(srv, db_path):
    # T0 + 150 s: app #4 started at T0 + 300 s, app #3 at T0 + 200 s, the rest before.
    result = _builds(srv, db_path, "--since", "2026-01-01T12:02:30Z", "--format", "json")
    assert [(d["job"], d["build"]) for d in json.loads(result.stdout)] == [("app", 4),
                                                                           ("app", 3)]
    assert _builds(srv, db_path, "--since", "1d", "--format", "json").exit_code == 0
    bad = _builds(srv, db_path, "--since", "yesterday")
    assert bad.exit_code == 2
    assert bad.output.strip() == ("error: --since 'yesterday' is neither a date (2026-11-20, "
                                  "2026-11-20T09:00Z) nor an age (12h, 3d, 2w).")


def test_a_job_jenkins_does_not_have_is_one_error(srv, db_path):
    result = _builds(srv, db_path, "--job", "ap")
    assert result.exit_code == 3
    assert result.output.splitlines() == [
        f"error: No job 'ap' on Jenkins at {srv.url}; did you mean 'app'?"]


def test_lines_fit_the_terminal(srv, db_path):
    with srv.world.lock:
        long = srv.world.folder("a-folder-with-a-rather-long-name").pipeline(
            "and-a-job-whose-name-goes-on-and-on")
        long.add_build(1, result="FAILURE", timestamp_ms=1, duration_ms=1)
    result = _builds(srv, db_path, env={"COLUMNS": "72"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 72, lines
    assert any("…" in line for line in lines)
