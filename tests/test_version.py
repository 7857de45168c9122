"""`triage --version`: release, Qt and history schema, without loading Qt's GUI modules."""

from __future__ import annotations

import subprocess
import sys

from triage import __version__
from triage.store.schema import KNOWN_STEPS

PROBE = """
import sys
from triage.cli import main
try:
    main(["--version"])
except SystemExit as exc:
    assert exc.code in (0, None), exc.code
qt = sorted(m for m in sys.modules if m.startswith("PySide6.Qt"))
print("loaded:", ",".join(qt))
"""


def test_version_names_release_qt_and_schema_without_qt_gui():
    from PySide6.QtCore import qVersion

    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[0] == f"flaky-triage {__version__}"
    assert out[1].startswith(f"Qt {qVersion()} (PySide6 ")
    assert out[2] == f"history schema {len(KNOWN_STEPS)} ({KNOWN_STEPS[-1]})"
    assert out[3].startswith("Python 3.")
    assert out[-1] == "loaded: PySide6.QtCore"


def test_version_without_qt_still_answers(tmp_path):
    # A CLI-only environment (PySide6 missing or broken) still gets an answer, not a traceback.
    blocker = tmp_path / "PySide6"
    blocker.mkdir()
    (blocker / "__init__.py").write_text("raise ImportError('Qt libraries missing')\n")
    code = f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n" + PROBE
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[1] == "Qt not available (Qt libraries missing)"


def test_the_wheel_takes_its_version_from_the_package():
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml")
                           .read_text())
    assert "version" in config["project"]["dynamic"]
    assert config["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "triage.__version__"}


def test_the_changelog_starts_with_this_release():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "CHANGELOG.md").read_text()
    newest = next(line for line in text.splitlines() if line.startswith("## "))
    assert newest.startswith(f"## {__version__} - "), "add this release to CHANGELOG.md"
