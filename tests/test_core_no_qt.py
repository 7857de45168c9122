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


def test_start_up_does_not_load_numpy():
    # matplotlib (report charts) installs numpy; sqlite_utils would import it on every command.
    code = ("import sys, triage.cli, triage.store, triage.report; "
            "print(sorted(m for m in ('numpy', 'pandas', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_numpy_still_imports_after_the_store():
    code = "import triage.store, numpy; print(numpy.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "numpy"
