"""Linux desktop integration: the .desktop file and AppStream metainfo are valid, agree with
each other and with the package (id, icon, version), and show screenshots that exist."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import PurePosixPath
from urllib.parse import urlparse

import pytest

from triage import __version__
from triage.resources import APP_ID, ICON_NAME, resource

DESKTOP = resource("desktop", f"{APP_ID}.desktop")
METAINFO = resource("desktop", f"{APP_ID}.metainfo.xml")


def tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        # .ci/run installs both validators; elsewhere a missing one is only a skip.
        if os.environ.get("CI"):
            pytest.fail(f"{name} missing on CI (apt-get install {package})")
        pytest.skip(f"{name} not installed (apt-get install {package})")
    return found


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(DESKTOP.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def test_desktop_file_is_valid():
    result = subprocess.run([tool("desktop-file-validate", "desktop-file-utils"), str(DESKTOP)],
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout


def test_metainfo_is_valid_without_warnings():
    result = subprocess.run([tool("appstreamcli", "appstream"), "validate", "--no-net",
                             "--explain", str(METAINFO)], capture_output=True, text=True)
    problems = [line for line in result.stdout.splitlines() if line[:2] in ("E:", "W:")]
    assert result.returncode == 0 and problems == [], result.stdout


def test_desktop_file_and_metainfo_agree_with_the_package():
    entry = desktop_entry()
    assert entry["Icon"] == ICON_NAME
    assert entry["Exec"].split()[:2] == ["triage", "gui"]
    root = ET.fromstring(METAINFO.read_bytes())
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.findtext("icon") == ICON_NAME
    assert root.findtext("provides/binary") == "triage"
    newest = root.find("releases/release")
    assert newest is not None and newest.get("version") == __version__, \
        "add this version to <releases> in the metainfo"


def test_every_screenshot_in_the_metainfo_is_shipped():
    root = ET.fromstring(METAINFO.read_bytes())
    names = [PurePosixPath(urlparse(image.text).path) for image in root.iter("image")]
    assert names and all(name.parent.name == "screenshots" for name in names)
    shipped = resource("screenshots")
    if not shipped.is_dir():
        pytest.skip("resources/screenshots/ is made by `make screenshots` (the app, issue 9)")
    for name in names:
        assert (shipped / name.name).is_file(), f"resources/screenshots/{name.name} missing"
