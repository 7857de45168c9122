"""`triage import`, `triage history`, `triage db info` through the real command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import CORPUS, cli_on, corpus_cases

from triage.cli import cli
from triage.store.schema import KNOWN_STEPS

FIXTURES = Path(__file__).parent / "fixtures" / "cli"


@pytest.fixture
def run(db_path):
    return cli_on(db_path)


def test_import_one_build_then_history(run):
    out = run("import", "--job", "app", "--build", "1", "--revision", "a1b2c3d",
              str(FIXTURES / "b1")).output
    assert "Imported app #1: 3 tests, 1 failed, 0 errors, 0 skipped" in out
    run("import", "--job", "app", "--build", "2", str(FIXTURES / "b2"))
    again = run("import", "--job", "app", "--build", "2", str(FIXTURES / "b2")).output
    assert again.startswith("Replaced app #2")
    table = run("history", "--job", "app").output
    assert "com.acme.CartTest.appliesDiscount  FP" in table
    assert "com.acme.CartTest.removesItem      PS" in table
    data = json.loads(run("history", "--job", "app", "--test", "*Discount", "--format", "json").output)
    assert [b["number"] for b in data["builds"]] == [1, 2]
    assert data["builds"][0]["revision"] == "a1b2c3d"
    assert data["tests"] == [{
        "test": "com.acme.CartTest.appliesDiscount",
        "classname": "com.acme.CartTest",
        "name": "appliesDiscount",
        "history": "FP",
        "outcomes": ["failed", "passed"],
    }]


def test_manifest_imports_good_builds_and_reports_bad_ones(run, db_path):
    result = run("import", "--job", "app", "--manifest", str(FIXTURES / "manifest.jsonl"), expect=1)
    assert "Imported 2 builds of app (6 test results); skipped 2." in result.output
    assert "manifest.jsonl:3 (build #3)" in result.output and "truncated.xml" in result.output
    assert "manifest.jsonl:4" in result.output and '"build" must be' in result.output
    info = json.loads(run("db", "info", "--format", "json").output)
    assert info["counts"]["builds"] == 2 and info["counts"]["results"] == 6
    builds = json.loads(run("history", "--job", "app", "--format", "json").output)["builds"]
    assert builds[1] == {"number": 2, "revision": "b2c3d4e5f6", "branch": "main",
                         "result": "SUCCESS", "timestamp": 1795251600000}


def test_malformed_file_stores_nothing_and_exits_non_zero(run):
    result = run("import", "--job", "app", "--build", "5", str(FIXTURES / "b1"),
                 str(FIXTURES / "truncated.xml"), expect=1)
    assert result.output.startswith("error: ")
    assert "truncated.xml" in result.output and "line" in result.output
    assert len(result.output.strip().splitlines()) == 1
    info = json.loads(run("db", "info", "--format", "json").output)
    assert info["counts"]["builds"] == 0 and info["counts"]["results"] == 0


def test_usage_errors_are_one_line(run):
    result = run("import", "--job", "app", str(FIXTURES / "b1"), expect=2)
    assert result.output.strip() == "error: Give --build N and at least one PATH (or --manifest FILE)."
    result = run("history", "--job", "ghost", expect=3)
    assert "No history at" in result.output  # nothing imported yet: no file either
    run("import", "--job", "app", "--build", "1", str(FIXTURES / "b1"))
    result = run("history", "--job", "ghost", expect=3)
    assert "No job 'ghost'" in result.output
    result = run("import", "--job", "app", "--build", "1", "--timestamp", "yesterday",
                 str(FIXTURES / "b1"), expect=2)
    assert "not ISO 8601" in result.output


def test_db_info_table(run, db_path):
    run("import", "--job", "app", "--build", "1", str(FIXTURES / "b1"))
    out = run("db", "info").output
    assert f"path:           {db_path}" in out
    steps = f"schema version: {len(KNOWN_STEPS)} ({KNOWN_STEPS[-1]})"
    assert "results:        3" in out and steps in out


def test_env_var_and_module_entry_point(tmp_path):
    env_db = tmp_path / "env.db"
    proc = subprocess.run(
        [sys.executable, "-m", "triage", "import", "--job", "app", "--build", "1",
         str(FIXTURES / "b1")],
        capture_output=True, text=True, env={**_env(), "TRIAGE_DB": str(env_db)},
    )
    assert proc.returncode == 0, proc.stderr
    assert env_db.exists()
    bad = subprocess.run(
        [sys.executable, "-m", "triage", "history", "--job", "nope"],
        capture_output=True, text=True, env={**_env(), "TRIAGE_DB": str(env_db)},
    )
    assert bad.returncode == 3
    assert bad.stderr.strip() == (
        "error: No job 'nope' on server 'local' in the history; "
        "import or sync it first (triage import / triage sync)."
    )
    assert "Traceback" not in bad.stderr


def _env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if k != "TRIAGE_DB"}


def test_every_command_has_help_with_an_example_and_is_in_the_readme():
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    for path, _command in _walk(cli):
        help_text = CliRunner().invoke(cli, [*path, "--help"]).output
        assert "Example" in help_text, f"`triage {' '.join(path)}` has no example"
        assert f"triage {' '.join(path)}" in readme, f"README does not mention triage {' '.join(path)}"


def _walk(group, prefix=()):
    import click

    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _walk(command, (*prefix, name))
        else:
            yield (*prefix, name), command


@pytest.mark.parametrize("name", corpus_cases("malformed/"))
def test_every_malformed_corpus_file_is_one_clean_line(run, name):
    path = CORPUS / name
    result = run("import", "--job", "bad", "--build", "1", str(path), expect=1)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert path.name in lines[0]
    assert "Traceback" not in result.output
    info = json.loads(run("db", "info", "--format", "json").output)
    assert info["counts"]["builds"] == 0


def test_history_finds_a_job_on_its_only_server(run):
    run("import", "--job", "app", "--build", "1", "--server", "ci", str(FIXTURES / "b1"))
    assert "com.acme.CartTest.appliesDiscount  F" in run("history", "--job", "app").output
    run("import", "--job", "app", "--build", "1", "--server", "ci2", str(FIXTURES / "b1"))
    result = run("history", "--job", "app", expect=2)
    assert result.output.strip() == (
        "error: Job 'app' is on several servers (ci, ci2); pass --server NAME."
    )
    assert "appliesDiscount" in run("history", "--job", "app", "--server", "ci2").output


def test_the_history_header_lines_up_with_its_letters(run):
    for number in range(1, 13):
        run("import", "--job", "app", "--build", str(number), str(FIXTURES / "b1"))
    lines = run("history", "--job", "app", "--last", "12").output.splitlines()
    assert lines[0] == "app: 12 builds, #1 to #12, oldest first"
    ruler, row = lines[1], lines[2]
    assert ruler.startswith("test ")
    letters = row.rsplit(" ", 1)[1]
    assert len(letters) == 12 and row.endswith(letters)
    assert ruler.index("#1") == row.index(letters)  # the first build over its letter
    assert len(ruler) == len(row)  # "#12" ends over the newest letter
    one = run("history", "--job", "app", "--last", "1").output.splitlines()
    assert one[0] == "app: 1 build, #12, oldest first"  # one build: singular
