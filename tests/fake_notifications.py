"""A desktop's notification server (org.freedesktop.Notifications) for the tests, in pure
Python over jeepney on a private bus.

Why not Qt's own D-Bus: a Python `QDBusAbstractAdaptor` is looked at by Qt's D-Bus thread
(its meta-object is a Python override), and that thread still did so while the test's objects
were being torn down, which crashed the whole test process about one run in three. Here no Qt
thread ever calls into Python: the server is two plain Python threads, jeepney's receiver and
ours that answers.
"""

from __future__ import annotations

import threading
from queue import Queue

from jeepney import DBusAddress, MatchRule, new_error, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.threading import DBusRouter, open_dbus_connection
from jeepney.low_level import HeaderFields
from jeepney.wrappers import unwrap_msg

BUS_NAME = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
PRIMARY_OWNER = 1  # RequestName's reply when the name is now ours
CAPABILITIES = ["actions", "body", "body-markup"]


class FakeNotificationServer:
    """Records every Notify as (app, title, body, actions, hints); `click(id)` sends the
    ActionInvoked signal a desktop sends when the body of notification `id` is clicked."""

    def __init__(self, address: str):
        self.address = address
        self.notified: list[tuple] = []
        self._router = DBusRouter(open_dbus_connection(address))
        self._calls: Queue = Queue()
        self._router.filter(MatchRule(type="method_call", path=OBJECT_PATH),
                            queue=self._calls, bufsize=64)
        reply = self._router.send_and_get_reply(message_bus.RequestName(BUS_NAME), timeout=10)
        assert unwrap_msg(reply) == (PRIMARY_OWNER,), "the notification name is taken"
        self._thread = threading.Thread(target=self._serve, daemon=True,
                                        name="fake-notifications")
        self._thread.start()

    def _serve(self) -> None:
        while (call := self._calls.get()) is not None:
            self._router.send(self._answer(call))

    def _answer(self, call):
        member = call.header.fields.get(HeaderFields.member)
        if member == "GetCapabilities":
            return new_method_return(call, "as", (CAPABILITIES,))
        if member == "Notify":
            app, _replaces, _icon, title, body, actions, hints, _timeout = call.body
            # a{sv}: jeepney gives each variant as (signature, value)
            self.notified.append((app, title, body, list(actions),
                                  {key: value for key, (_sig, value) in hints.items()}))
            return new_method_return(call, "u", (100 + len(self.notified),))
        return new_error(call, "org.freedesktop.DBus.Error.UnknownMethod")

    def click(self, notification_id: int, action: str = "default") -> None:
        emitter = DBusAddress(OBJECT_PATH, interface=BUS_NAME)
        self._router.send(new_signal(emitter, "ActionInvoked", "us",
                                     (notification_id, action)))

    def close(self) -> None:
        self._calls.put(None)
        self._thread.join(10)
        self._router.close()
