"""A total deadline for one HTTP request, headers and body, on top of `requests`.

`requests` and urllib3 only know a timeout per socket operation: a server that sends one byte a
second never trips it, while the request never ends. Here each request runs inside a
`Deadline` (a context manager on the sending thread). The adapter's connections register
themselves with the thread's current deadline when they send; when it passes, a timer shuts
their sockets down, which makes the blocked read return at once, and the caller sees
`Deadline.expired`. Shutting down (not closing) leaves the file descriptor to urllib3, which
then discards the connection as it does any dropped one.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

from requests.adapters import HTTPAdapter

_current = threading.local()


class Deadline:
    """`with Deadline(seconds):` ends every request this thread sends meanwhile at `seconds`."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[tuple[Any, socket.socket]] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        _current.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _current.deadline = None
        with self._lock:
            for connection, _ in self._sockets:
                if getattr(connection, "_triage_deadline", None) is self:
                    connection._triage_deadline = None
            self._sockets.clear()

    def watch(self, connection: Any) -> None:
        """Shut `connection`'s socket when the deadline passes (at once if it has).

        The socket is kept here, not read from the connection later: http.client hands it to
        the response and forgets it when the server says `Connection: close`.
        """
        sock = getattr(connection, "sock", None)
        if sock is None:
            return  # not connected yet: `connect` calls again
        with self._lock:
            # A connection serves one request at a time; back in the pool, the next request
            # takes it over, and a late timer of ours must leave it alone.
            connection._triage_deadline = self
            self._sockets.append((connection, sock))
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for connection, sock in self._sockets:
                if getattr(connection, "_triage_deadline", None) is self:
                    _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        # The plain socket's shutdown, also for TLS: SSLSocket.shutdown would drop its TLS
        # state under the reading thread's feet.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


class _Watched:
    """Mixin for urllib3 connection classes: register with the sending thread's deadline."""

    def connect(self) -> None:
        super().connect()
        deadline = getattr(_current, "deadline", None)
        if deadline is not None:
            deadline.watch(self)  # also covers a connection made after the deadline passed

    def request(self, *args, **kwargs) -> None:
        deadline = getattr(_current, "deadline", None)
        if deadline is not None:
            deadline.watch(self)  # a kept-alive connection is not connected again
        super().request(*args, **kwargs)


_classes: dict[type, type] = {}
_classes_lock = threading.Lock()


def _watched_pool(pool_cls: type) -> type:
    """Return a subclass of a urllib3 pool class whose connections obey deadlines."""
    with _classes_lock:
        found = _classes.get(pool_cls)
        if found is None:
            conn_cls = type(f"Watched{pool_cls.ConnectionCls.__name__}",
                            (_Watched, pool_cls.ConnectionCls), {})
            found = _classes[pool_cls] = type(f"Watched{pool_cls.__name__}", (pool_cls,),
                                              {"ConnectionCls": conn_cls})
        return found


def _watch_manager(manager: Any) -> Any:
    manager.pool_classes_by_scheme = {
        scheme: cls if issubclass(cls.ConnectionCls, _Watched) else _watched_pool(cls)
        for scheme, cls in manager.pool_classes_by_scheme.items()}
    return manager


class DeadlineAdapter(HTTPAdapter):
    """An HTTPAdapter whose every connection, direct or through a proxy, obeys `Deadline`."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        _watch_manager(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        return _watch_manager(super().proxy_manager_for(proxy, **proxy_kwargs))
