"""The corpus tests without the corpus: one clear line on CI, a visible skip per case else.

Runs pytest itself in child processes (collection only: quick) on the corpus test modules.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from support import HAVE_CORPUS

ROOT = Path(__file__).resolve().parents[1]
MODULES = ["tests/test_junit_corpus.py", "tests/test_cli_history.py"]


def _pytest(*args: str, **env: str | None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "CI"}
    for key, value in env.items():
        if value is None:
            environ.pop(key, None)
        else:
            environ[key] = value
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          capture_output=True, text=True, cwd=ROOT, env=environ, timeout=120)


def test_on_ci_a_missing_corpus_is_one_line_naming_triage_corpus(tmp_path):
    done = _pytest("--collect-only", "-q", *MODULES, CI="true",
                   TRIAGE_CORPUS=str(tmp_path / "nowhere"))
    assert done.returncode == 4, done.stdout + done.stderr  # pytest's usage error
    output = (done.stdout + done.stderr).strip()
    assert "Traceback" not in output and "FileNotFoundError" not in output
    (line,) = output.splitlines()
    assert line.startswith("ERROR: the shared JUnit corpus is missing") and "TRIAGE_CORPUS" in line


def _collected(result: subprocess.CompletedProcess) -> int:
    match = re.search(r"(\d+) tests? collected", result.stdout)
    assert match, result.stdout + result.stderr
    return int(match.group(1))


def test_without_the_corpus_every_case_is_collected_and_skipped(tmp_path):
    missing = str(tmp_path / "nowhere")
    without = _pytest("--collect-only", "-q", *MODULES, TRIAGE_CORPUS=missing)
    count = _collected(without)
    if HAVE_CORPUS:
        assert count == _collected(_pytest("--collect-only", "-q", *MODULES))
    assert count >= 183 + 18 + 18
    run = _pytest("-q", "tests/test_junit_corpus.py", TRIAGE_CORPUS=missing)
    assert run.returncode == 0, run.stdout
    # Every file (183 + 18) and the seven other cases of the module: nothing uncollected.
    assert re.search(rf"\b{183 + 18 + 7} skipped\b", run.stdout), run.stdout
