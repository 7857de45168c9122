"""The wheel carries every module and data file of the package (templates, schema, icons,
desktop files) and nothing of the tests; a file the wheel lacks fails here, not for a user."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(out), str(ROOT)], check=True, capture_output=True)
    (built,) = out.glob("flaky_triage-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def source_files() -> set[str]:
    """Every file of the package as the wheel must hold it (resources/ is triage/resources/)."""
    expected = set()
    for top, installed in (("triage", "triage"), ("resources", "triage/resources")):
        for path in (ROOT / top).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                expected.add(f"{installed}/{path.relative_to(ROOT / top).as_posix()}")
    return expected


def test_wheel_holds_every_module_and_data_file(wheel):
    names = set(wheel.namelist())
    missing = sorted(source_files() - names)
    assert missing == [], "add these to [tool.setuptools.package-data] in pyproject.toml"
    assert "triage/resources/icons/hicolor/16x16/apps/flaky-triage.png" in names


def test_wheel_holds_no_tests(wheel):
    tests = [n for n in wheel.namelist()
             if n.startswith("tests/") or "/tests/" in n or Path(n).name.startswith("test_")
             or Path(n).name == "conftest.py"]
    assert tests == []


def test_wheel_declares_both_entry_points(wheel):
    (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    text = wheel.read(entry_points).decode()
    assert "[console_scripts]\ntriage = triage.__main__:run" in text
    assert "[gui_scripts]\nflaky-triage = triage.__main__:gui" in text
