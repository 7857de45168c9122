"""Shared fixtures: a fresh history file per test, the shared corpus location."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from triage.store import Store


def pytest_configure(config):
    """On CI a missing JUnit corpus stops the session at once, in one line."""
    from support import CORPUS, HAVE_CORPUS

    if os.environ.get("CI") and not HAVE_CORPUS:
        raise pytest.UsageError(
            f"the shared JUnit corpus is missing (no MANIFEST.tsv in {CORPUS}); on CI its "
            "tests must run: check it out beside the clone (../shared/corpus/junit) or set "
            "TRIAGE_CORPUS=/path/to/corpus/junit")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "history.db"


@pytest.fixture
def store(db_path: Path):
    with Store.open(db_path) as s:
        yield s


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Never touch the real user's history, config or keyring from a test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("TRIAGE_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("TRIAGE_DB", str(home / "default-history.db"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("TRIAGE_JENKINS_TOKEN", raising=False)
    yield


@pytest.fixture
def memory_keyring():
    """An in-memory OS keyring for the test, the previous backend restored after."""
    import keyring

    from tests.jenkins_world import MemoryKeyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


# --- the window's tests (Qt is imported only by the fixtures that need it) -------------------


@pytest.fixture
def jenkins():
    """The built-in Jenkins serving `tests.ui_world.small_world`, over real HTTP."""
    from tests.ui_world import small_world
    from triage.jenkins.server import JenkinsServer

    with JenkinsServer(world=small_world(), context_path="/jenkins") as srv:
        yield srv


@pytest.fixture
def app_context(qapp, jenkins, tmp_path):
    """An AppContext on `jenkins` (user alice) with a fresh history and settings file."""
    from triage.servers import ServerConfig
    from triage.ui.context import AppContext, ServerEntry, settings_at
    from triage.ui.tasks import TaskRunner

    store_path = tmp_path / "app-history.db"
    ctx = AppContext(
        store_path=store_path,
        servers=[ServerEntry(ServerConfig("ci", jenkins.url, user="alice"),
                             token=jenkins.users["alice"])],
        tasks=TaskRunner(store_path),
        settings=settings_at(tmp_path / "settings.ini"),
        user="tester",
    )
    yield ctx
    ctx.tasks.shutdown(wait=True)


@pytest.fixture
def window(qtbot, app_context):
    """The main window, shown and started; closed (and its workers stopped) afterwards."""
    from tests.ui_helpers import stop_answering
    from triage.ui.app import open_window

    win = open_window(app_context)
    qtbot.addWidget(win)
    yield win
    stop_answering()
    win.close()
