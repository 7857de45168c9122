"""The HTTP layer: logging, faults, context path, auth, CSRF, then `routes.route`.

Order follows Jenkins' filter chain: authentication (401) before the crumb filter (403, POST
only) before Stapler's dispatch (404/405/400/500). Every response carries `X-Jenkins` and
`X-Jenkins-Session` (§0).
"""

from __future__ import annotations

import email.parser
import email.policy
import socket
import time
import traceback
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, urlsplit

from triage.jenkins.server import hostile
from triage.jenkins.server.faults import LOGIN_PAGE
from triage.jenkins.server.requestlog import Logged
from triage.jenkins.server.routes import Request, Response, html, not_found, route
from triage.jenkins.server.security import CRUMB_FIELD, AuthFailed

if TYPE_CHECKING:
    from triage.jenkins.server.server import JenkinsServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Jetty(12.0.16)"
    timeout = 60  # an idle keep-alive connection is closed after this many seconds
    app: JenkinsServer  # set on the subclass the server creates

    def setup(self) -> None:
        super().setup()
        self.app._opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # the peer (or a drop fault) already closed the socket

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - BaseHTTPRequestHandler API
        pass  # tests read srv.requests instead of stderr noise

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def _handle(self, method: str) -> None:
        app = self.app
        app.requests.append(Logged(method, self.path, dict(self.headers.items())))
        app._entered()
        try:
            self._handle_logged(method)
        finally:
            app._left()

    def _handle_logged(self, method: str) -> None:
        app = self.app
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.close_connection = True
            self._write(html(400, "Bad Request", "Bad Content-Length"))
            return
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        fault = app.faults.take(method, split.path)
        if fault is not None and self._apply_fault(fault):
            return
        try:
            resp = self._respond(method, split.path, split.query, body)
        except Exception:
            # A bug in the server: answer like Jenkins' "Oops!" page and keep the traceback
            # where tests can assert on it (srv.errors), instead of a silent dropped socket.
            app.errors.append(traceback.format_exc())
            resp = html(500, "Oops!", "A problem occurred while processing the request.")
        self._write(resp, head_only=method == "HEAD")

    def _apply_fault(self, fault) -> bool:
        """Run a fault; return True when it already answered (or dropped) the request."""
        if fault.kind == "latency":
            if fault.release is not None:
                fault.release.wait(timeout=fault.delay or 30)
            else:
                time.sleep(fault.delay)
            return False
        if fault.kind == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return True
        if fault.kind in hostile.WRITERS:
            hostile.WRITERS[fault.kind](self, fault)
            return True
        if fault.kind == "login_page":
            self._write(Response(200, (fault.body or LOGIN_PAGE).encode(),
                                 "text/html;charset=utf-8"))
            return True
        title = {502: "502 Bad Gateway", 503: "503 Service Unavailable"}.get(
            fault.status, f"{fault.status} Error")
        resp = html(fault.status, title, fault.body or "Injected fault")
        self._write(resp)
        return True

    def _respond(self, method: str, path: str, query: str, body: bytes) -> Response:
        app = self.app
        ctx = app.context_path
        if ctx and path != ctx and not path.startswith(ctx + "/"):
            return not_found()
        raw = path[len(ctx):]
        try:
            auth = app.security.authenticate(self.headers)
        except AuthFailed as exc:
            return html(401, "Error 401 Unauthorized", str(exc),
                        headers=[("WWW-Authenticate", 'Basic realm="Jenkins"')])
        if auth.user is None and not app.security.anonymous_read:
            return html(403, "Authentication required", "anonymous is missing the Overall/Read "
                        "permission", headers=[("X-You-Are-Authenticated-As", "anonymous"),
                                               ("X-Required-Permission",
                                                "hudson.model.Hudson.Read")])
        params = dict(parse_qsl(query, keep_blank_values=True))
        content_type = self.headers.get("Content-Type") or ""
        form = dict(params)
        form.update(_parse_form(content_type, body))
        if method == "POST" and app.security.crumb_needed(auth):
            crumb = self.headers.get(CRUMB_FIELD) or form.get(CRUMB_FIELD)
            if not app.security.crumb_valid(auth, crumb):
                return html(403, "Error 403 No valid crumb was included in the request",
                            "No valid crumb was included in the request")
        # Stapler splits on / and \, drops empty segments, then decodes each segment (§4.3).
        tokens = [unquote(t) for t in raw.replace("\\", "/").split("/") if t]
        req = Request(method, tokens, params, form, content_type, auth, app)
        return route(req)

    def _write(self, resp: Response, head_only: bool = False) -> None:
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        self.send_header("X-Jenkins", self.app.world.version)
        self.send_header("X-Jenkins-Session", self.app.session)
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in resp.headers:
            # Header values travel as ISO-8859-1; never let a user's text crash the response.
            self.send_header(name, value.encode("latin-1", "replace").decode("latin-1"))
        self.end_headers()
        if not head_only and resp.body:
            self.wfile.write(resp.body)


def _parse_form(content_type: str, body: bytes) -> dict[str, str]:
    """Read urlencoded or multipart form fields (Stapler accepts both for `json`, §1.4)."""
    if not body:
        return {}
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        fields = {}
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name:
                payload = part.get_payload(decode=True) or b""
                fields[name] = payload.decode("utf-8", "replace")
        return fields
    return {}
