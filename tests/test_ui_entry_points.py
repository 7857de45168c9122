"""Entry points: `triage` alone, `triage gui`, `triage demo` (with and without a display) and
`triage demo --self-test`, run as real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import env_without_display as _env

ROOT = Path(__file__).resolve().parent.parent



def _triage(*args: str, env=None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "triage", *args], capture_output=True,
                          text=True, env=env or _env(), timeout=timeout, cwd=ROOT)


def test_triage_alone_without_a_display_prints_help_and_loads_no_qt():
    out = _triage()
    assert out.returncode == 0
    assert "Usage: triage" in out.stdout and "gui" in out.stdout


def test_triage_gui_without_a_display_says_so_in_one_line():
    out = _triage("gui")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "No display here" in out.stderr


def test_triage_demo_without_a_display_serves_the_demo_alone():
    proc = subprocess.Popen([sys.executable, "-m", "triage", "demo", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(), cwd=ROOT)
    try:
        first = proc.stdout.readline()
        second = proc.stdout.readline()
        assert "No display here" in first and "serving the demo Jenkins alone" in first
        assert second.startswith("Sample Jenkins running at http://127.0.0.1:")
        import requests

        url = second.split(" at ", 1)[1].strip()
        assert requests.get(url + "api/json", timeout=10).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_gui_help_has_an_example():
    out = _triage("gui", "--help")
    assert out.returncode == 0 and "Example:" in out.stdout and "--server" in out.stdout


@pytest.mark.gui
@pytest.mark.slow
def test_demo_self_test_passes_and_says_so_in_one_line():
    out = _triage("demo", "--self-test", env=_env(QT_QPA_PLATFORM="offscreen"), timeout=240)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("self-test passed: proceeded ")
    assert out.stderr == ""


@pytest.mark.gui
def test_gui_on_one_server_url_saves_nothing(qapp, tmp_path, monkeypatch):
    from triage import servers
    from triage.ui.app import gui_context

    monkeypatch.setenv("TRIAGE_JENKINS_TOKEN", "t0ken")
    ctx = gui_context(str(tmp_path / "h.db"), "https://ci.example.com/jenkins", "alice")
    try:
        [entry] = ctx.servers
        assert entry.config.url == "https://ci.example.com/jenkins/"
        assert entry.config.user == "alice" and entry.token is None  # the CLI's env fallback
        assert servers.load() == {} and not servers.config_path().exists()
    finally:
        ctx.tasks.shutdown(wait=True)


@pytest.mark.gui
def test_without_servers_the_inbox_says_how_to_add_one(qtbot, qapp, tmp_path):
    from tests.ui_helpers import WAIT_MS
    from triage.ui.app import gui_context, open_window

    ctx = gui_context(str(tmp_path / "h.db"), None, None, tmp_path / "s.ini")
    window = open_window(ctx)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: "triage servers add" in window.inbox.empty.text(), timeout=WAIT_MS)
    window.close()


def test_the_app_takes_what_it_loaded_before_the_window_out_of_the_collectors_view():
    """The app's QApplication freezes the objects loaded by then (the Qt bindings, the window's
    modules), so full collections while the workers load the core walk only what came after
    (bench_ui measured 20-40 ms each, holding the GIL the window paints with)."""
    code = ("import gc; from triage.ui.app import application; "
            "before = gc.get_freeze_count(); application(); "
            "print(before, gc.get_freeze_count())")
    env = {**_env(), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=60, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    before, after = map(int, out.stdout.split())
    assert before == 0 and after > 10_000, out.stdout


_DEMO_CONFIG = """
from PySide6.QtCore import QTimer
from triage import config
from triage.jenkins.server import JenkinsServer
from triage.ui.app import application
from triage.ui.demo import run_demo
from tests.ui_world import small_world
app = application()
seen = []
QTimer.singleShot(0, lambda: (seen.append(str(config.config_dir())), app.quit()))
with JenkinsServer(world=small_world(), context_path="/jenkins") as srv:
    code = run_demo(srv)
print(code, seen[0], config.config_dir(), sep="\\n")
"""


def test_the_demo_keeps_its_configuration_to_itself(tmp_path):
    """Settings opened in `triage demo` read and write the demo's folder, never the user's
    servers (the README: a throwaway history and configuration). In a process of its own: the
    demo runs the application's event loop to its end."""
    users = tmp_path / "the-users-config"
    env = {**os.environ, "TRIAGE_CONFIG_DIR": str(users), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", _DEMO_CONFIG], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    code, during, after = done.stdout.split("\n")[:3]
    assert code == "0"
    assert Path(during).name == "config" and Path(during).parent.name.startswith("triage-demo-")
    assert after == str(users)  # the user's own again once the demo is over
