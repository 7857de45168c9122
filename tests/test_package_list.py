"""pyproject.toml lists packages by hand (resources/ is installed as triage.resources): every
package under triage/ must be in that list, or the wheel silently lacks it."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "triage").rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages"
    assert config["package-dir"]["triage.resources"] == "resources"
    assert listed - found == {"triage.resources"}


def test_resources_are_found_through_importlib():
    from triage.resources import resource

    assert resource("__init__.py").is_file()
