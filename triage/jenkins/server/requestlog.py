"""The server's request log: what tests assert on (paths, methods, headers)."""

from __future__ import annotations


class Logged(tuple):
    """One logged request: compares and unpacks as `(method, path+query)`; `.headers` holds
    its request headers (to check, say, that a client never sends a cookie)."""

    headers: dict[str, str]

    def __new__(cls, method: str, path: str, headers: dict[str, str] | None = None) -> Logged:
        entry = super().__new__(cls, (method, path))
        entry.headers = dict(headers or {})
        return entry


class RequestLog(list):
    """(method, path+query) of every request, in arrival order (`Logged` entries)."""

    def count_of(self, fragment: str = "", method: str | None = None) -> int:
        """Count requests whose path contains `fragment` (and with `method`, if given)."""
        return sum(1 for m, p in list(self) if fragment in p and (method is None or m == method))
