"""Start the app: QApplication set-up, the context for `triage gui`, the window's event loop.

The CLI imports this module only for the GUI commands, so `triage --help` and every other
command never load Qt. The window paints first: the core modules behind its panes (the store,
the engine, the Jenkins client, keyring) are imported where they are used, in the workers that
list and load builds once the window has painted (`MainWindow.start`).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from triage.resources import APP_ID, app_icon_files
from triage.ui import palette
from triage.ui.context import AppContext, ServerEntry, settings_at
from triage.ui.display import has_display  # noqa: F401 - re-exported for the CLI
from triage.ui.main_window import MainWindow
from triage.ui.tasks import TaskRunner

APP_NAME = "flaky-triage"


def application(theme: str | None = None) -> QApplication:
    """Return the QApplication (made once), named, with the app icon and a palette."""
    app = QApplication.instance()
    if app is None:
        if os.environ.get("QT_QPA_PLATFORM", "").startswith("offscreen"):
            qInstallMessageHandler(_quiet_offscreen)
        app = QApplication(sys.argv[:1])
        app.setApplicationName(APP_NAME)
        app.setOrganizationName(APP_NAME)
        app.setApplicationDisplayName("flaky-triage")
        # Wayland's app id: the compositor finds the menu entry, and so the icon, by it.
        app.setDesktopFileName(APP_ID)
        icon = app_icon()
        if icon is not None:
            app.setWindowIcon(icon)
        _freeze_long_lived()
    theme = theme or os.environ.get("TRIAGE_THEME", "system")
    palette.apply(app, theme)
    return app


def _freeze_long_lived() -> None:
    """Take what is loaded by now (Qt's bindings, the window's modules: tens of thousands of
    objects that live as long as the app) out of the cyclic collector's view.

    Once the window shows, the workers import the core and allocate heavily; every so often
    that triggers a full collection, which walks every tracked object holding the GIL, in
    whichever thread allocated: measured 20-40 ms, during which the window could not paint or
    answer (bench_ui). Frozen objects are never walked again, so those collections only walk
    what came after. They are still freed by reference counting; only a cycle among them would
    stay, and these live until the process ends anyway. Done once, in the app's own process
    (the QApplication made here), never in a test run's shared one.
    """
    gc.freeze()


def _quiet_offscreen(kind, context, message: str) -> None:
    """Drop the offscreen plugin's notice that it cannot resize windows to their hints."""
    if "propagateSizeHints" in message:
        return
    sys.stderr.write(message + "\n")


def app_icon() -> QIcon | None:
    """The app icon: every hand-hinted PNG size and the SVG (Qt picks the size it draws)."""
    icon = QIcon()
    for _size, file in app_icon_files():
        if file.is_file():
            icon.addFile(str(file))
    return None if icon.isNull() else icon


def gui_context(db: str | None, server: str | None, user: str | None,
                settings_file: Path | None = None) -> AppContext:
    """The context of `triage gui`: the user's history and servers, or one server unsaved."""
    from triage import servers as server_config
    from triage.config import resolve_db_path

    configs = server_config.resolve(server, user) if server or server_config.load() else []
    return AppContext(
        store_path=resolve_db_path(db),
        servers=[ServerEntry(c) for c in configs],
        tasks=TaskRunner(resolve_db_path(db), open_now=False),  # opened after the first paint
        settings=settings_at(settings_file),
    )


def open_window(ctx: AppContext) -> MainWindow:
    """Show the main window; it starts listing right after its first paint."""
    window = MainWindow(ctx)
    window.show()
    window.start_after_first_paint()
    return window


def open_first_run(ctx: AppContext):
    """No server configured: the first-run screen (add a server, or try the demo)."""
    from triage.ui.widgets.first_run import FirstRun

    screen = FirstRun(ctx, open_window)
    QApplication.instance().aboutToQuit.connect(lambda: ctx.tasks.shutdown(wait=True))
    screen.show()
    return screen


def run(make_context: Callable[[], AppContext], theme: str | None = None) -> int:
    """Run the app until its window closes; return the exit code."""
    app = application(theme)
    ctx = make_context()
    window = open_window(ctx) if ctx.servers else open_first_run(ctx)
    code = app.exec()
    window.deleteLater()
    return code
