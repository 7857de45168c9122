"""Test helpers shared across modules (not fixtures: those live in conftest.py)."""

from __future__ import annotations

import csv
import functools
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from triage.cli import cli

# The shared corpus lies beside the repository (../shared), for developers and CI alike.
CORPUS = Path(os.environ.get("TRIAGE_CORPUS") or
              Path(__file__).resolve().parents[2] / "shared" / "corpus" / "junit")
HAVE_CORPUS = (CORPUS / "MANIFEST.tsv").is_file()
# The corpus's files as its manifest lists them, kept here so that every case is collected
# (and shown skipped) without the corpus; test_junit_corpus checks it against the manifest.
CORPUS_FILES = Path(__file__).parent / "fixtures" / "corpus_files.txt"

# Without the corpus its tests skip, visibly, one per case. On CI (CI set) a missing corpus
# is a broken set-up: the conftest stops the session with one line naming TRIAGE_CORPUS.
needs_corpus = pytest.mark.skipif(
    not HAVE_CORPUS,
    reason=f"shared JUnit corpus not present at {CORPUS} (set TRIAGE_CORPUS)",
)


def corpus_files(prefix: str = "") -> list[str]:
    """Return the corpus files the manifest lists (relative paths), those under `prefix`."""
    names = CORPUS_FILES.read_text(encoding="utf-8").split()
    return sorted(n for n in names if n.startswith(prefix))


def corpus_cases(prefix: str = "", exclude: str | None = None) -> list:
    """Return one pytest param per corpus file, each skipped when the corpus is absent."""
    return [pytest.param(name, id=name, marks=needs_corpus) for name in corpus_files(prefix)
            if exclude is None or not name.startswith(exclude)]


@functools.cache
def corpus_table(name: str) -> dict[str, dict[str, str]]:
    """Return a TSV of the corpus (MANIFEST.tsv, VERIFY.tsv) as {file: row}."""
    with open(CORPUS / name, encoding="utf-8", newline="") as fh:
        return {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}


def cli_on(db_path):
    """Return invoke(*args, expect=0): run `triage ARGS --db DB_PATH`, check its exit code."""

    def invoke(*args: str, expect: int = 0) -> Result:
        result = CliRunner().invoke(cli, [*args, "--db", str(db_path)])
        assert result.exit_code == expect, result.output + repr(result.exception)
        return result

    return invoke


def readline_within(proc, timeout: float = 60.0) -> str:
    """Read one line of a child's stdout, or fail (killing it) if none comes in `timeout` s.

    A bare readline() on a child that hangs would hang the suite; pytest-timeout would then
    kill the whole session instead of failing this test.
    """
    import threading

    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not box:
        proc.kill()
        raise AssertionError(f"no line from the child within {timeout:g} s")
    return box[0]


def read_terminal(master: int, wait: float = 0.5) -> bytes:
    """Read what a child wrote to its pseudo-terminal until it is quiet for `wait` s or gone."""
    import os
    import select

    out = b""
    while select.select([master], [], [], wait)[0]:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        out += chunk
    return out


def read_terminal_until(master: int, proc, wanted: bytes, timeout: float = 60.0) -> bytes:
    """Read a child's terminal until `wanted` shows (the child's own words: no delay)."""
    import os
    import select
    import time

    seen = b""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        assert proc.poll() is None and time.monotonic() < deadline, seen
        if select.select([master], [], [], 1.0)[0]:
            seen += os.read(master, 4096)
    return seen


def env_without_display(**changes) -> dict[str, str]:
    """This process's environment with no display (and no Qt platform), plus `changes`: a
    child `triage` then behaves as on a headless machine unless told otherwise."""
    env = dict(os.environ)
    for key in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(key, None)
    env.update(changes)
    return env
