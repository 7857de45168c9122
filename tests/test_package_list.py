"""pyproject.toml lists packages by hand (resources/ is installed as triage.resources): every
package under triage/ must be in that list, or the wheel silently lacks it."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _data_folders() -> set[str]:
    """Folders of data that Python could import as namespace packages (their names are
    identifiers): setuptools warns about each one the list lacks."""
    found = set()
    for top, package in ((ROOT / "triage", "triage"), (ROOT / "resources", "triage.resources")):
        for folder in top.rglob("*"):
            parts = folder.relative_to(top).parts
            if (folder.is_dir() and "__pycache__" not in parts
                    and all(p.isidentifier() for p in parts)
                    and not (folder / "__init__.py").exists()
                    and any(f.is_file() for f in folder.rglob("*"))):
                found.add(".".join((package, *parts)))
    return found


def test_every_package_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "triage").rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages"
    assert config["package-dir"]["triage.resources"] == "resources"
    data = _data_folders()
    assert data - listed == set(), "add these folders of data to [tool.setuptools] packages"
    assert listed - found - data == {"triage.resources"}


def test_resources_are_found_through_importlib():
    from triage.resources import resource

    assert resource("__init__.py").is_file()
