"""Test helpers shared across modules (not fixtures: those live in conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from triage.cli import cli

# The shared corpus lies beside the repository (../shared), for developers and CI alike.
CORPUS = Path(os.environ.get("TRIAGE_CORPUS") or
              Path(__file__).resolve().parents[2] / "shared" / "corpus" / "junit")

# On CI a missing corpus is a broken set-up, not a reason to skip quietly.
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "MANIFEST.tsv").is_file() and not os.environ.get("CI"),
    reason="shared JUnit corpus not present (../shared/corpus/junit)",
)


def cli_on(db_path):
    """Return invoke(*args, expect=0): run `triage ARGS --db DB_PATH`, check its exit code."""

    def invoke(*args: str, expect: int = 0) -> Result:
        result = CliRunner().invoke(cli, [*args, "--db", str(db_path)])
        assert result.exit_code == expect, result.output + repr(result.exception)
        return result

    return invoke
