"""What a new user tripped on following the README's CLI walk-through at 80 columns (the
review of a fresh clone): options the README promises, lines wider than the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _env(**changes) -> dict[str, str]:
    env = dict(os.environ)
    for key in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(key, None)
    env.update(changes)
    return env


@pytest.mark.gui
@pytest.mark.slow
def test_demo_takes_the_theme_the_readme_names():
    out = subprocess.run([sys.executable, "-m", "triage", "demo", "--self-test", "--theme",
                          "dark"], capture_output=True, text=True, timeout=240, cwd=ROOT,
                         env=_env(QT_QPA_PLATFORM="offscreen"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("self-test passed: proceeded ")
