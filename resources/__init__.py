"""Package data shipped with flaky-triage: icons, screenshots, desktop metadata, demo data.

This folder is installed as the package `triage.resources` (see `package-dir` in
pyproject.toml), so the checkout, the wheel and the PyInstaller bundle all find it through
`importlib.resources`, never through paths guessed from `__file__`.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def resource(*parts: str) -> Traversable:
    """Return the packaged file `parts` (e.g. `resource("icons", "flaky-triage.svg")`)."""
    found = files(__name__)
    for part in parts:
        found = found / part
    return found
