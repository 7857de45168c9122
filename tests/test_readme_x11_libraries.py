"""The README's apt-get line for the X11 libraries is complete: every system library Qt's X11
platform plugin links (ldd, transitively) comes from a package on that line, from one of
their dependencies, or from the base system every Debian and Ubuntu has (apt's own
dependencies). Found missing by hand once: libfontconfig1, libglib2.0-0 and libdbus-1-3,
which a minimal container or server image lacks."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("ldd", "dpkg", "apt-cache")),
    reason="needs a Debian-like system (ldd, dpkg, apt-cache)")


def readme_packages() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("**The X11 libraries.**"):]
    line = re.search(r"sudo apt-get install (.*?)\n```", section, re.S).group(1)
    return line.replace("\\", " ").split()


def linked_packages() -> set[str]:
    """The packages of the system libraries the xcb plugin and the Qt it loads link."""
    import PySide6

    qt = Path(PySide6.__file__).parent
    plugin = qt / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.is_file():
        pytest.skip("this PySide6 has no xcb platform plugin")
    libraries: set[str] = set()
    for binary in (plugin, *sorted((qt / "Qt" / "lib").glob("libQt6Widgets.so*"))[:1]):
        out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True,
                             check=True).stdout
        for path in re.findall(r"=> (/\S+)", out):
            if not Path(path).resolve().is_relative_to(qt.resolve()):
                libraries.add(str(Path(path).resolve()))
    # One dpkg call; each library under each of its names (merged /usr or not): the
    # names dpkg does not know are left out of its answer.
    names = {form for library in libraries
             for form in (library, library.removeprefix("/usr"), "/usr" + library)}
    found = subprocess.run(["dpkg", "-S", *sorted(names)], capture_output=True, text=True)
    return {line.split(":", 1)[0] for line in found.stdout.splitlines() if ": /" in line}


def closure(packages: list[str]) -> set[str]:
    out = subprocess.run(
        ["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
         "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", *packages],
        capture_output=True, text=True, check=True).stdout
    return {line.split(":", 1)[0] for line in out.splitlines() if not line.startswith(" ")}


def test_the_readme_lists_every_library_the_x11_plugin_needs():
    listed = readme_packages()
    assert "libxcb-cursor0" in listed  # the line was found
    covered = closure([*listed, "apt"])
    missing = sorted(linked_packages() - covered)
    assert missing == [], f"add {' '.join(missing)} to the README's apt-get line"
