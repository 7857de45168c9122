"""The answers of a broken proxy or a malicious server, for the hostile-server tests.

Each function writes one whole answer on the handler's connection and closes it afterwards
(`close_connection`): a trickle or a flood leaves the connection in no state to reuse. A client
that gives up makes the next write fail; that ends the answer quietly (the server ignores
connection errors, see `_HTTPServer.handle_error`).
"""

from __future__ import annotations

import html
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from triage.jenkins.server.faults import Fault
    from triage.jenkins.server.handler import Handler

FLOOD_CHUNK = 1 << 20


def respond(handler: Handler, fault: Fault) -> None:
    body = fault.body.encode() if isinstance(fault.body, str) else (fault.body or b"")
    _head(handler, fault.status, fault.content_type, len(body))
    handler.wfile.write(body)


def trickle(handler: Handler, fault: Fault) -> None:
    """Dribble the status line and headers, or a valid body, one byte per `interval`."""
    body = fault.body.encode() if isinstance(fault.body, str) else (fault.body or b'{"jobs":[]}')
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: {fault.content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    handler.close_connection = True
    if fault.part == "headers":
        _dribble(handler, head + body, fault)
        return
    handler.wfile.write(head)
    handler.wfile.flush()
    _dribble(handler, body, fault)


def _dribble(handler: Handler, data: bytes, fault: Fault) -> None:
    ends = time.monotonic() + fault.delay
    for index in range(len(data)):
        if time.monotonic() >= ends:
            return  # bounded: the server thread never outlives its test by much
        handler.wfile.write(data[index:index + 1])
        handler.wfile.flush()
        time.sleep(fault.interval)  # the fault is the slowness itself


def flood(handler: Handler, fault: Fault) -> None:
    """Stream `size` bytes: a JSON array of spaces, so nothing but its size is wrong."""
    handler.close_connection = True
    handler.send_response(200)
    handler.send_header("Content-Type", fault.content_type)
    if fault.length_header:
        handler.send_header("Content-Length", str(fault.size))
    handler.send_header("Connection", "close")
    handler.end_headers()
    filler = b" " * FLOOD_CHUNK
    sent = 0
    handler.wfile.write(b"[")
    sent += 1
    while sent < fault.size - 1:
        piece = filler[: min(FLOOD_CHUNK, fault.size - 1 - sent)]
        handler.wfile.write(piece)
        sent += len(piece)
    handler.wfile.write(b"]")


def echo_headers(handler: Handler, fault: Fault) -> None:
    """An error page quoting every request header, as some proxies' debug pages do."""
    lines = "".join(f"{html.escape(k)}: {html.escape(v)}\n" for k, v in handler.headers.items())
    body = (f"<html><body><h1>{fault.status} Proxy Error</h1><pre>{lines}</pre>"
            "</body></html>").encode()
    _head(handler, fault.status, "text/html;charset=utf-8", len(body))
    handler.wfile.write(body)


def _head(handler: Handler, status: int, content_type: str, length: int) -> None:
    handler.close_connection = True
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(length))
    handler.send_header("Connection", "close")
    handler.end_headers()


WRITERS = {"respond": respond, "trickle": trickle, "flood": flood,
           "echo_headers": echo_headers}
