"""Desktop notifications whose click opens the build they are about.

Qt's own `QSystemTrayIcon.showMessage` cannot tell which message was clicked
(`messageClicked` has no argument), so on Linux the app speaks the freedesktop notification
protocol (org.freedesktop.Notifications on the session bus, what GNOME, KDE, XFCE, dunst and
mako serve) with jeepney, the pure-Python D-Bus library keyring already uses there: `Notify`
returns an id, and the "default" action (a click on the body) comes back as
`ActionInvoked(id, "default")`, so a click routes to exactly its build. Calls run on a worker,
signals arrive on a listener thread; both reach the GUI thread through a queued Qt signal.

Elsewhere (Windows, macOS) the tray's message is used: Windows shows one at a time, so its
click is the newest notice's; on macOS a click on an older one opens the newest. The tray's
menu lists every waiting build for an exact choice everywhere. With neither, notices go to the
status bar only. A notification is only ever a way to open a build: it never proceeds or
aborts anything.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from queue import Empty, Queue

from PySide6.QtCore import QObject, Signal

from triage.display import markup, printable, shorten
from triage.ui.watch_rules import Notice, PauseKey

BUS_NAME = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
CALL_TIMEOUT_S = 3.0
TITLE_CHARS = 200  # a notification is a glance: a 100 KB job name or message is cut
BODY_CHARS = 1000


class FreedesktopNotifications:
    """org.freedesktop.Notifications over jeepney (no Qt here: it is made on a worker).

    `on_click(id)` is called on the listener thread when a notification is clicked.
    """

    def __init__(self, bus: str = "SESSION"):
        self._bus = bus
        self.on_click: Callable[[int], None] = lambda _id: None
        self._router = None
        self._queue: Queue = Queue()
        self._listener: threading.Thread | None = None
        self._lock = threading.Lock()

    @staticmethod
    def available(bus: str = "SESSION") -> bool:
        """Return True when a notification server answers on the bus (blocks briefly)."""
        try:
            probe = FreedesktopNotifications(bus)
            try:
                return "actions" in probe._capabilities()
            finally:
                probe.close()
        except Exception:  # no bus, no server, no jeepney: no desktop notifications here
            return False

    def _connect(self):
        with self._lock:
            if self._router is None:
                from jeepney import MatchRule
                from jeepney.io.threading import DBusRouter, open_dbus_connection

                router = DBusRouter(open_dbus_connection(self._bus))
                rule = MatchRule(type="signal", interface=BUS_NAME, path=OBJECT_PATH)
                self._add_match(router, rule)
                router.filter(rule, queue=self._queue, bufsize=64)
                self._router = router
                self._listener = threading.Thread(target=self._listen, daemon=True,
                                                  name="triage-notifications")
                self._listener.start()
            return self._router

    @staticmethod
    def _add_match(router, rule) -> None:
        from jeepney.bus_messages import message_bus

        router.send_and_get_reply(message_bus.AddMatch(rule), timeout=CALL_TIMEOUT_S)

    def _call(self, method: str, signature: str | None = None, body: tuple = ()):
        from jeepney import DBusAddress, new_method_call
        from jeepney.wrappers import unwrap_msg

        address = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=BUS_NAME)
        message = new_method_call(address, method, signature, body)
        return unwrap_msg(self._connect().send_and_get_reply(message, timeout=CALL_TIMEOUT_S))

    def _capabilities(self) -> list[str]:
        return list(self._call("GetCapabilities")[0])

    def notify(self, notice: Notice) -> int:
        """Show `notice` (call from a worker); return its id."""
        hints = {"desktop-entry": ("s", "flaky-triage"), "category": ("s", "x-jenkins.input"),
                 "urgency": ("y", 1)}
        actions = ["default", "Open build"]
        title, body = notification_text(notice)
        (notification_id,) = self._call(
            "Notify", "susssasa{sv}i",
            ("flaky-triage", 0, "flaky-triage", title, body, actions, hints, -1))
        return int(notification_id)

    def _listen(self) -> None:
        """Listener thread: turn ActionInvoked signals into `clicked` (queued to the GUI)."""
        while True:
            try:
                message = self._queue.get(timeout=1.0)
            except Empty:
                if self._router is None:
                    return
                continue
            if message is None:
                return
            member = message.header.fields.get(_member_field())
            if member == "ActionInvoked":
                notification_id, _action = message.body
                self.on_click(int(notification_id))

    def close(self) -> None:
        with self._lock:
            router, self._router = self._router, None
        self._queue.put(None)
        if router is not None:
            router.close()


def _member_field():
    from jeepney.low_level import HeaderFields

    return HeaderFields.member


def notification_text(notice: Notice) -> tuple[str, str]:
    """Return the notice's summary and body for org.freedesktop.Notifications.

    The summary is plain text (controls escaped); the body may be read as markup (servers with
    "body-markup": GNOME, KDE, dunst), so Jenkins' texts in it are escaped (`markup`), and
    both are cut to what a notification can show.
    """
    return (printable(shorten(notice.title, TITLE_CHARS)),
            markup(shorten(notice.body, BODY_CHARS), lines=True))


class Notifications(QObject):
    """The one place notices go: shown on the best backend, clicks routed back by id.

    `open_requested(key)` asks the window to open the paused build of a clicked notice.
    """

    open_requested = Signal(object)  # PauseKey
    delivered = Signal(object)  # Notice, once it is on screen (or in the status bar)
    _bus_clicked = Signal(int)  # from the listener thread, queued to the GUI thread

    def __init__(self, tasks, tray=None, parent: QObject | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.tray = tray
        self.desktop: FreedesktopNotifications | None = None
        self.by_id: dict[int, PauseKey] = {}
        self.last: Notice | None = None
        self.kind = "tray" if tray is not None and tray.can_show_messages() else "status bar"
        if tray is not None:
            tray.message_clicked.connect(self._tray_clicked)
        self._bus_clicked.connect(self.clicked)

    def look_for_desktop(self, bus: str = "SESSION") -> None:
        """Find the desktop's notification server off the GUI thread; use it once found."""
        self.tasks.network("Looking for desktop notifications",
                           lambda _op: desktop_notifications(bus), self.use_desktop)

    def use_desktop(self, desktop: FreedesktopNotifications | None) -> None:
        if desktop is None:
            return
        desktop.on_click = self._bus_clicked.emit
        self.desktop, self.kind = desktop, "desktop"

    def show(self, notice: Notice) -> None:
        """Show one notice (never blocks: the desktop call runs on the network pool)."""
        self.last = notice
        if self.kind == "desktop":
            self.tasks.network(f"Notifying {notice.title}",
                               lambda _op: self.desktop.notify(notice),
                               lambda nid: self._shown(notice, nid),
                               lambda error: self._fall_back(notice, error))
            return
        if self.kind == "tray":
            self.tray.show_message(notice)
        self.delivered.emit(notice)

    def _shown(self, notice: Notice, notification_id: int) -> None:
        self.by_id[notification_id] = notice.key
        self.delivered.emit(notice)

    def _fall_back(self, notice: Notice, error: BaseException) -> None:
        """The notification server went away: use the tray (or the status bar) from now on."""
        self.kind = "tray" if self.tray and self.tray.can_show_messages() else "status bar"
        self.show(notice)

    def clicked(self, notification_id: int) -> None:
        key = self.by_id.get(notification_id)
        if key is not None:
            self.open_requested.emit(key)

    def _tray_clicked(self) -> None:
        if self.last is not None:
            self.open_requested.emit(self.last.key)

    def close(self) -> None:
        if self.desktop is not None:
            self.desktop.close()


def desktop_notifications(bus: str = "SESSION") -> FreedesktopNotifications | None:
    """Return the freedesktop backend where it works (Linux with a notification server)."""
    if not sys.platform.startswith("linux"):
        return None
    return FreedesktopNotifications(bus) if FreedesktopNotifications.available(bus) else None
