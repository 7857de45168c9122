"""Test helpers shared across modules (not fixtures: those live in conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The shared corpus lies beside the repository (../shared), for developers and CI alike.
CORPUS = Path(os.environ.get("TRIAGE_CORPUS") or
              Path(__file__).resolve().parents[2] / "shared" / "corpus" / "junit")

# On CI a missing corpus is a broken set-up, not a reason to skip quietly.
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "MANIFEST.tsv").is_file() and not os.environ.get("CI"),
    reason="shared JUnit corpus not present (../shared/corpus/junit)",
)
