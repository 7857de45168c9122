"""The core runs headless: importing it must not load any Qt module."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import triage


def core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(triage.__path__, "triage."):
        if info.name.startswith("triage.ui") or info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return names


def test_core_imports_without_qt():
    modules = core_modules()
    assert "triage.store.db" in modules and "triage.cli" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(','.join(loaded))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core loaded Qt modules: {out.stdout}"
