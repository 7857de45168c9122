"""Start-up imports only what it needs: `--help` and `--version` no command module and no heavy
library; a command only its own module; the demo window paints before the core loads.

Each check runs a fresh interpreter (what is already imported in this one proves nothing) and
reads its `sys.modules`.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import subprocess
import sys

import click
import pytest

from triage.cli import COMMAND_INDEX, COMMAND_MODULES
from triage.cli.lazy import LazyCommands, LazyGroup

COMMAND_MODULE_NAMES = set(COMMAND_MODULES)
# Loaded only where a command or the window uses them, never at start-up.
HEAVY = {"keyring", "requests", "jenkins", "urllib3", "sqlite_utils", "junitparser",
         "triage.store", "triage.importing", "triage.servers", "triage.jenkins.client"}

_RUN_CLI = """
import json, sys
from triage.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("MODULES " + json.dumps(sorted(sys.modules)))
"""


def _modules_after(*args: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", _RUN_CLI, *args], capture_output=True,
                         text=True, timeout=120, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES ")))


def _first_paragraph(command: click.Command) -> str:
    return inspect.cleandoc(command.help or "").split("\n\n")[0]


def _all_commands() -> list[tuple[str, click.Command]]:
    return [(module, command) for module in COMMAND_MODULES
            for command in importlib.import_module(module).COMMANDS]


def test_the_index_names_every_command_its_module_and_its_help():
    found = {command.name: (module, _first_paragraph(command))
             for module, command in _all_commands()}
    assert COMMAND_INDEX == found, "update COMMAND_INDEX in triage/cli/__init__.py"


@pytest.mark.parametrize("width", [50, 80, 120])
def test_help_lists_each_command_as_the_command_itself_would(width):
    lazy = LazyGroup(commands=LazyCommands(COMMAND_MODULES, COMMAND_INDEX))
    eager = click.Group(commands=[command for _module, command in _all_commands()])

    def listing(group: click.Group) -> str:
        ctx = click.Context(group, info_name="triage")
        formatter = click.HelpFormatter(width=width)
        group.format_commands(ctx, formatter)
        return formatter.getvalue()

    assert listing(lazy) == listing(eager)
    assert "Commands:" in listing(lazy)


def test_a_module_missing_from_the_index_still_has_its_commands():
    commands = LazyCommands(COMMAND_MODULES, {})
    assert sorted(commands) == sorted(COMMAND_INDEX)
    assert commands["demo"].name == "demo"


def test_help_imports_no_command_module_and_no_heavy_library():
    loaded = _modules_after("--help")
    assert not loaded & (HEAVY | COMMAND_MODULE_NAMES)
    assert not any(name.split(".")[0] in ("PySide6", "shiboken6") for name in loaded)


def test_version_imports_no_command_module_and_no_network_or_keyring():
    # --version reports the Qt it would run on (QtCore) and the history schema (sqlite_utils).
    loaded = _modules_after("--version")
    assert not loaded & ({"keyring", "requests", "jenkins", "triage.servers"}
                         | COMMAND_MODULE_NAMES)
    assert "PySide6.QtWidgets" not in loaded


def test_a_command_imports_its_own_module_alone():
    loaded = _modules_after("demo", "--help")
    assert "triage.cli.demo_cmds" in loaded
    assert not loaded & (HEAVY | (COMMAND_MODULE_NAMES - {"triage.cli.demo_cmds"}))


# `triage demo` itself, offscreen, up to the first paint of its window and then to the first
# loaded build: which modules were loaded at each point, and how the window came up.
_RUN_DEMO = """
import json, os, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv[:1])
seen = {}

def modules():
    return sorted(m for m in sys.modules if not m.startswith(("PySide6", "shiboken6")))

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow) and not seen:
            seen["painted"] = modules()
            obj.first_loaded.connect(lambda: loaded(obj))
        return False

def loaded(window):
    seen["loaded"] = modules()
    row = window.inbox.current_row()
    seen["focus"] = window.inbox.view.hasFocus() or QApplication.focusWidget() is window.inbox.view
    seen["first_row"] = window.inbox.view.currentIndex() == window.inbox.model.first_row_index()
    seen["paused"] = row is not None and row.paused
    seen["failures"] = window.failures.view_data is not None
    window.close()

spy = FirstPaint()
app.installEventFilter(spy)
QTimer.singleShot(90_000, lambda: app.exit(3))  # a window that never loads: fail, not hang
from triage.cli import main
try:
    main(["demo", "--port", "0"])
except SystemExit:
    pass
print("SEEN " + json.dumps(seen))
"""


@pytest.mark.gui
def test_the_demo_window_paints_before_the_core_loads_and_then_opens_as_before():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", _RUN_DEMO], capture_output=True, text=True,
                         timeout=180, env=env)
    lines = [x for x in out.stdout.splitlines() if x.startswith("SEEN ")]
    assert lines, out.stderr[-3000:]
    seen = json.loads(lines[-1].removeprefix("SEEN "))
    painted = set(seen["painted"])
    assert not painted & (HEAVY - {"triage.servers"}), "loaded before the first paint"
    assert not painted & {"triage.inbox", "triage.decide", "triage.triage_build",
                          "triage.build_detail", "triage.flakiness.suggest",
                          "triage.ui.widgets.dialogs"}
    assert "loaded" in seen, out.stderr[-3000:]
    assert seen["focus"] and seen["first_row"] and seen["paused"] and seen["failures"]
    later = set(seen["loaded"])
    assert {"triage.inbox", "triage.store", "requests"} <= later  # loaded once needed
    assert "keyring" not in later  # the demo gives its tokens: no keyring is ever asked
