"""What a new user tripped on following the README's CLI walk-through at 80 columns (the
review of a fresh clone): options the README promises, lines wider than the terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import env_without_display as _env

ROOT = Path(__file__).resolve().parent.parent



@pytest.mark.gui
@pytest.mark.slow
def test_demo_takes_the_theme_the_readme_names():
    out = subprocess.run([sys.executable, "-m", "triage", "demo", "--self-test", "--theme",
                          "dark"], capture_output=True, text=True, timeout=240, cwd=ROOT,
                         env=_env(QT_QPA_PLATFORM="offscreen"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("self-test passed: proceeded ")


def _wider_than(text: str, columns: int, allowed=()) -> list[str]:
    """The lines of `text` wider than `columns`, but for those holding a word of `allowed`
    (test names: never cut, by design)."""
    return [line for line in text.splitlines()
            if len(line) > columns and not any(word in line for word in allowed)]


def test_pending_fits_80_columns(monkeypatch):
    from click.testing import CliRunner

    from tests.jenkins_world import serve
    from triage.cli import cli

    monkeypatch.setenv("COLUMNS", "80")
    with serve() as srv:
        monkeypatch.setenv("TRIAGE_JENKINS_TOKEN", srv.users["alice"])
        result = CliRunner().invoke(cli, ["pending", "--server", srv.url, "--user", "alice"])
        url = srv.url
    assert result.exit_code == 0, result.output
    assert _wider_than(result.output, 80) == []
    lines = result.output.splitlines()
    assert lines[0] == "team/backend #2  waiting 59m  failures 0"  # one server: not named
    assert lines[1] == f"  {url}job/team/job/backend/2/"
    assert "input A61b61d2d652c2824ae4d9acb5cb8e5a: Deploy to production?" in result.output
    assert "    TARGET (Choice) default 'staging-eu' choices: staging-eu, staging-us" in lines


LONG = "com.example.shop.inventory.InventoryRepositoryTest"


def _flaky_history(db_path) -> None:
    """30 builds of two tests with long names: one flips, one breaks at #30 in an outage."""
    from triage.domain import Attempt, BuildInfo, Outcome, TestResult
    from triage.store import Store
    from triage.store.importer import import_build

    def failed(name: str, message: str) -> TestResult:
        trace = f"java.net.ConnectException: {message}\n\tat {LONG}.{name}(X.java:10)"
        return TestResult(LONG, name, Outcome.FAILED, attempts=(
            Attempt("error", "java.net.ConnectException", message, trace),))

    with Store.open(db_path) as store:
        for number in range(1, 31):
            tests = [failed("validatesCurrency_0", "Read timed out") if number % 4 == 0
                     else TestResult(LONG, "validatesCurrency_0", Outcome.PASSED)]
            for i in range(6):
                name = f"listsEveryWarehouseAddress_{i}"
                tests.append(failed(name, "Connection refused: warehouse-db.internal:5432 "
                                          "(is the database up?)") if number == 30
                             else TestResult(LONG, name, Outcome.PASSED))
            import_build(store, BuildInfo("app", number, revision=f"{number:040x}",
                                          branch="main"), tests)


def test_flaky_and_failures_fit_80_columns_but_for_test_names(db_path, monkeypatch):
    from tests.support import cli_on

    _flaky_history(db_path)
    monkeypatch.setenv("COLUMNS", "80")
    run = cli_on(db_path)
    flaky = run("flaky", "--job", "app").output
    assert _wider_than(flaky, 80, allowed=[LONG]) == []
    # The letters shrank to the newest 7 (of 20) so that the names start by column 29.
    assert flaky.splitlines()[0] == "score  failed/runs  history  test (history oldest first)"
    assert all(line.index(LONG) == 29 for line in flaky.splitlines() if LONG in line)
    failures = run("failures", "--job", "app", "--build", "30").output
    assert _wider_than(failures, 80, allowed=[LONG]) == []
    lines = failures.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("[sig-"))
    head = " ".join(line.strip() for line in lines[first:first + 3] if not line.startswith("  -"))
    # The outage's error is wrapped, never cut, and the suggestion ends it.
    assert "Connection refused: warehouse-db.internal:5432 (is the database up?)  -> " in head
