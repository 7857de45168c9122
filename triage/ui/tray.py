"""The tray icon: a badge with the number of paused builds, and a menu to open each one.

Only where the desktop has a tray (`QSystemTrayIcon.isSystemTrayAvailable()`); elsewhere the
app works the same in its window and says once why there is no icon (BuildNotify's
no_tray_message). The menu opens builds and pauses notifications; nothing here decides.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QRect, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from triage.display import printable, shorten
from triage.ui.notify import BODY_CHARS, TITLE_CHARS
from triage.ui.text import action_text, tooltip
from triage.ui.watch_rules import Notice, PauseKey

NO_TRAY_MESSAGE = ("This desktop has no system tray, so flaky-triage shows no tray icon: "
                   "it keeps watching while its window is open, new paused builds appear in "
                   "the inbox and in the status bar (and as desktop notifications where the "
                   "desktop shows them). Closing the window stops watching.")
# The same for the status bar (the demo's throwaway settings would raise the banner each time).
NO_TRAY_SHORT = "No system tray on this desktop: the app watches while this window is open."
ICON_SIZE = 64


def badge_icon(base: QIcon, count: int, size: int = ICON_SIZE) -> QIcon:
    """Return `base` with a round red badge showing `count` (none at 0; "99+" above 99)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    base.paint(painter, QRect(0, 0, size, size))
    if count > 0:
        text = str(count) if count < 100 else "99+"
        diameter = size * (0.55 if len(text) < 3 else 0.7)
        rect = QRect(int(size - diameter), 0, int(diameter), int(diameter))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#d64541"))
        painter.drawEllipse(rect)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(int(diameter * (0.6 if len(text) < 2 else 0.45)))
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return QIcon(pixmap)


class Tray(QObject):
    """The tray icon and its menu; `available` is False where the desktop has no tray."""

    open_requested = Signal(object)  # PauseKey
    show_window = Signal()
    pause_toggled = Signal()
    quit_requested = Signal()
    message_clicked = Signal()

    def __init__(self, base: QIcon, available: bool | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.base = base
        self.available = (QSystemTrayIcon.isSystemTrayAvailable() if available is None
                          else available)
        self.count = 0
        self.menu = QMenu()
        self.pause_action = QAction("Pause notifications for an hour", self)
        self.pause_action.triggered.connect(self.pause_toggled)
        self.icon: QSystemTrayIcon | None = None
        self.build_menu([])
        if self.available:
            self.icon = QSystemTrayIcon(badge_icon(base, 0), self)
            self.icon.setContextMenu(self.menu)
            self.icon.setToolTip("flaky-triage")
            self.icon.activated.connect(self._activated)
            self.icon.messageClicked.connect(self.message_clicked)
            self.icon.show()

    def can_show_messages(self) -> bool:
        return self.icon is not None and QSystemTrayIcon.supportsMessages()

    def show_message(self, notice: Notice) -> None:
        if self.icon is not None:
            title, body = tray_text(notice)
            self.icon.showMessage(title, body, self.icon.icon(), 15_000)

    def set_paused(self, paused: list[tuple[PauseKey, str]], notifications_paused: str | None):
        """Show how many builds wait, one menu entry each; `notifications_paused` says until
        when notifications are paused (None: they are on)."""
        self.count = len(paused)
        self.pause_action.setText(f"Resume notifications (paused until {notifications_paused})"
                                  if notifications_paused else "Pause notifications for an hour")
        self.build_menu(paused)
        if self.icon is not None:
            self.icon.setIcon(badge_icon(self.base, self.count))
            waiting = f"{self.count} build{'s' * (self.count != 1)} waiting for approval"
            self.icon.setToolTip(f"flaky-triage: {waiting}" if self.count else "flaky-triage")

    def build_menu(self, paused: list[tuple[PauseKey, str]]) -> None:
        self.menu.clear()
        for key, text in paused[:20]:
            action = self.menu.addAction(action_text(text))
            action.triggered.connect(lambda _checked=False, key=key: self.open_requested.emit(key))
        if not paused:
            self.menu.addAction("No build waits for approval").setEnabled(False)
        self.menu.addSeparator()
        self.menu.addAction("Show flaky-triage").triggered.connect(self.show_window)
        self.menu.addAction(self.pause_action)
        self.menu.addSeparator()
        self.menu.addAction("Quit").triggered.connect(self.quit_requested)

    def _activated(self, reason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.show_window.emit()

    def hide(self) -> None:
        if self.icon is not None:
            self.icon.hide()


def tray_text(notice: Notice, platform: str = sys.platform) -> tuple[str, str]:
    """Return the tray message's title and body, Jenkins' texts shown as typed.

    On Linux Qt shows the body in a label that guesses rich text (or sends it to the
    notification server, which may read markup): there it is escaped HTML. Windows and macOS
    show plain text.
    """
    title = printable(shorten(notice.title, TITLE_CHARS))
    if platform.startswith("linux"):
        return title, tooltip(shorten(notice.body, BODY_CHARS))
    return title, printable(shorten(notice.body, BODY_CHARS), lines=True)
