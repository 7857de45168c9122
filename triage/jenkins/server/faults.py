"""Fault injection for tests: latency, 5xx, dropped connections, an HTML login page, and the
hostile answers of a broken proxy or a malicious server (`triage.jenkins.server.hostile`): any
body as it is, headers or body trickled a byte at a time, a flood of bytes, an error page that
echoes the request's headers.

Each fault matches a glob on the request path (query excluded), optionally one method, and fires
for the next `count` matching requests (None: until removed). The first active match wins.
"""

from __future__ import annotations

import fnmatch
import threading
from dataclasses import dataclass, field

KINDS = ("latency", "status", "drop", "login_page", "respond", "trickle", "flood",
         "echo_headers")

LOGIN_PAGE = (
    "<!DOCTYPE html><html><head><title>Sign in [Jenkins]</title></head><body>"
    '<form method="post" action="j_spring_security_check" name="login">'
    '<input name="j_username"/><input name="j_password" type="password"/>'
    '<button type="submit">Sign in</button></form></body></html>'
)


@dataclass
class Fault:
    """One injected fault. `release`, if set, makes a latency fault wait for the event instead
    (at most `delay` seconds, or 30 when `delay` is 0). `fired` is set on the first hit."""

    kind: str
    glob: str = "*"
    count: int | None = None
    method: str | None = None
    status: int = 503
    delay: float = 0.0
    body: str | bytes | None = None
    content_type: str = "application/json;charset=utf-8"
    part: str = "body"  # trickle: "headers" or "body"
    interval: float = 1.0  # trickle: seconds between bytes
    size: int = 0  # flood: bytes sent
    length_header: bool = True  # flood: announce the size in Content-Length
    release: threading.Event | None = None
    hits: int = 0
    fired: threading.Event = field(default_factory=threading.Event, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"fault kind must be one of {KINDS}, not {self.kind!r}")

    def _claim(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        if not fnmatch.fnmatchcase(path, self.glob):
            return False
        with self._lock:
            if self.count is not None and self.hits >= self.count:
                return False
            self.hits += 1
        self.fired.set()  # lets a test wait until a request is being held or failed
        return True

    @property
    def spent(self) -> bool:
        return self.count is not None and self.hits >= self.count


class Faults:
    """The server's fault table; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, kind: str, glob: str = "*", count: int | None = None, **kw) -> Fault:
        fault = Fault(kind, glob, count, **kw)
        with self._lock:
            self._faults.append(fault)
        return fault

    def latency(self, seconds: float = 0.0, glob: str = "*", count: int | None = None,
                release: threading.Event | None = None, **kw) -> Fault:
        """Delay matching requests by `seconds`, or hold them until `release` is set."""
        return self.add("latency", glob, count, delay=seconds, release=release, **kw)

    def error(self, status: int = 503, glob: str = "*", count: int | None = None, **kw) -> Fault:
        return self.add("status", glob, count, status=status, **kw)

    def drop(self, glob: str = "*", count: int | None = None, **kw) -> Fault:
        """Close the connection without answering."""
        return self.add("drop", glob, count, **kw)

    def login_page(self, glob: str = "*", count: int | None = None, **kw) -> Fault:
        """Answer 200 with an HTML login page, as an SSO proxy in front of Jenkins does."""
        return self.add("login_page", glob, count, **kw)

    def respond(self, body: str | bytes, glob: str = "*", count: int | None = None,
                status: int = 200, **kw) -> Fault:
        """Answer with exactly `body` (JSON by default): a shape Jenkins never sends."""
        return self.add("respond", glob, count, body=body, status=status, **kw)

    def trickle(self, glob: str = "*", count: int | None = None, part: str = "body",
                interval: float = 1.0, seconds: float = 30.0, **kw) -> Fault:
        """Send the headers (`part="headers"`) or the body a byte every `interval` seconds, for
        at most `seconds` (then the connection is closed)."""
        return self.add("trickle", glob, count, part=part, interval=interval, delay=seconds,
                        **kw)

    def flood(self, size: int, glob: str = "*", count: int | None = None,
              length_header: bool = True, **kw) -> Fault:
        """Answer 200 with `size` bytes of JSON-looking filler, streamed, never held whole."""
        return self.add("flood", glob, count, size=size, length_header=length_header, **kw)

    def echo_headers(self, glob: str = "*", count: int | None = None, status: int = 500,
                     **kw) -> Fault:
        """Answer an error page that quotes the request's headers, Authorization included."""
        return self.add("echo_headers", glob, count, status=status, **kw)

    def remove(self, fault: Fault) -> None:
        with self._lock:
            self._faults = [f for f in self._faults if f is not fault]

    def clear(self) -> None:
        with self._lock:
            self._faults = []

    def take(self, method: str, path: str) -> Fault | None:
        """Return the fault that fires for this request, counting it as one hit."""
        with self._lock:
            faults = list(self._faults)
        for fault in faults:
            if fault._claim(method, path):
                return fault
        return None
