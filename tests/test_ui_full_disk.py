"""A full disk under the window's history: said once per failed write, nothing half-stored,
and no pane left saying "syncing…" for a sync that failed. The disk is a real 400 KiB tmpfs
(root can mount one; elsewhere the test is skipped)."""

from __future__ import annotations

import os
import subprocess

import pytest

from triage.store import Store

pytestmark = pytest.mark.gui


@pytest.fixture
def small_disk(tmp_path):
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(folder)],
                             capture_output=True)
    if mounted.returncode != 0 or not os.path.ismount(folder):
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_sync_that_fills_the_disk_is_said_and_leaves_no_pane_syncing_forever(
        qtbot, qapp, jenkins, tmp_path, small_disk):
    from triage.servers import ServerConfig
    from triage.ui.app import open_window
    from triage.ui.context import AppContext, ServerEntry, settings_at
    from triage.ui.tasks import TaskRunner

    store_path = small_disk / "history.db"
    ctx = AppContext(store_path=store_path, tasks=TaskRunner(store_path),
                     servers=[ServerEntry(ServerConfig("ci", jenkins.url, user="alice"),
                                          token=jenkins.users["alice"])],
                     settings=settings_at(tmp_path / "settings.ini"), user="tester")
    window = open_window(ctx)
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: window.inbox.model.rowCount() > 0
                        and not window.inbox.sync_pending()
                        and "could not be synced" in window.failures.title.text(),
                        timeout=60_000)
        assert "The disk holding the history at" in window.failures.title.text()
        assert window.banner.isVisible() and "is full" in window.banner.text
        window.close()
        assert not window.isVisible()
    finally:
        ctx.tasks.shutdown(wait=True)
    with Store.open(store_path, read_only=True) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
