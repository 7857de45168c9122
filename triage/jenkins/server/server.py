"""`JenkinsServer`: a Jenkins-compatible HTTP server on loopback for tests and `triage demo`."""

from __future__ import annotations

import secrets
import socket
import sys
import threading
import traceback
from http.server import ThreadingHTTPServer

from triage.jenkins.server.faults import Faults
from triage.jenkins.server.handler import Handler
from triage.jenkins.server.requestlog import RequestLog
from triage.jenkins.server.security import Security, User
from triage.jenkins.server.world import World


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    app: JenkinsServer

    def handle_error(self, request, client_address) -> None:
        """Record a server bug in `app.errors`; a peer that went away is no error.

        socketserver prints a traceback to stderr for any exception escaping a handler. A
        client that gave up (read timeout) or a connection a `drop` fault cut makes the next
        write fail with a broken pipe or a reset: expected, so silent. Anything else is a bug
        that tests must see, so it is kept, not printed.
        """
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        self.app.errors.append(traceback.format_exc())

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.app._closed(request)  # after handle_error: tests may now read app.errors


class JenkinsServer:
    """Serve a `World` over HTTP: `with JenkinsServer(world) as srv: srv.url ...`.

    `context_path` mimics a Jenkins behind `/jenkins/`; `root_url` overrides the URL written in
    JSON `url` fields (trap 21: a configured root URL that differs from the address you use).
    """

    def __init__(
        self,
        world: World | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        context_path: str = "",
        users: list[User] | None = None,
        anonymous_read: bool = True,
        crumb_mode: str = "auto",
        root_url: str | None = None,
    ):
        self.world = world if world is not None else World()
        self.host, self.port = host, port
        self.context_path = "/" + context_path.strip("/") if context_path.strip("/") else ""
        kwargs = {"users": users} if users is not None else {}
        self.security = Security(anonymous_read=anonymous_read, crumb_mode=crumb_mode, **kwargs)
        self.faults = Faults()
        self.requests = RequestLog()
        self.errors: list[str] = []  # tracebacks of unexpected server exceptions (bugs)
        self.session = secrets.token_hex(4)  # X-Jenkins-Session: new per "restart"
        self.connections: set[socket.socket] = set()
        self._idle = threading.Condition()
        self.inflight = 0  # requests being handled now
        self.peak_inflight = 0  # the most handled at once since the start
        self._root_url = root_url
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def users(self) -> dict[str, str]:
        """User id -> API token. alice is an administrator."""
        return {u.id: u.token for u in self.security.users}

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the server is not running; call start() first")
        return f"http://{self.host}:{self.port}{self.context_path}/"

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every connection is closed and its errors recorded; False on timeout."""
        return self.wait_for(lambda: not self.connections, timeout)

    def wait_for(self, predicate, timeout: float = 10.0) -> bool:
        """Wait until `predicate()` holds, re-checked whenever a request starts or ends or a
        connection closes (e.g. `lambda: srv.inflight == 2`); False on timeout."""
        with self._idle:
            return self._idle.wait_for(predicate, timeout)

    def _entered(self) -> None:
        with self._idle:
            self.inflight += 1
            self.peak_inflight = max(self.peak_inflight, self.inflight)
            self._idle.notify_all()

    def _left(self) -> None:
        with self._idle:
            self.inflight -= 1
            self._idle.notify_all()

    def _opened(self, conn: socket.socket) -> None:
        with self._idle:
            self.connections.add(conn)

    def _closed(self, conn: socket.socket) -> None:
        with self._idle:
            self.connections.discard(conn)
            self._idle.notify_all()

    def restart(self) -> None:
        """Simulate a controller restart: sessions and crumbs expire, a new X-Jenkins-Session."""
        self.security.expire_sessions()
        self.session = secrets.token_hex(4)

    def start(self) -> JenkinsServer:
        """Bind (port 0 picks a free port) and serve on a daemon thread."""
        handler = type("BoundHandler", (Handler,), {"app": self})
        self._httpd = _HTTPServer((self.host, self.port), handler)
        self._httpd.app = self
        self.port = self._httpd.server_address[1]
        with self.world.lock:
            self.world.root_url = self._root_url or self.url
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"jenkins-server:{self.port}", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close open keep-alive connections."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        for conn in list(self.connections):
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._httpd = None

    def serve_forever(self) -> None:
        """Block until stopped from another thread or interrupted (Ctrl+C)."""
        if self._thread is None:
            self.start()
        assert self._thread is not None
        while self._thread.is_alive():
            self._thread.join(timeout=0.5)

    def __enter__(self) -> JenkinsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
