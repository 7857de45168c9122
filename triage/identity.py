"""One identity per Jenkins server: its normalised base URL.

`http://CI.example:80//jenkins` and `http://ci.example/jenkins/` are one server: the scheme and
host are lower-cased, a default port (80, 443) dropped, repeated slashes in the context path
collapsed and one trailing slash kept, so every relative API path joins to it (reference trap
22). The configuration (`triage.servers`), the HTTP layer and the history all compare servers
by this string. A URL that carries credentials (a user or password before "@", a query or a
fragment such as `?token=...`) is refused without ever being echoed: it would end up in the
configuration, the history and the terminal.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from triage.errors import ConfigError

DEFAULT_PORTS = {"http": 80, "https": 443}
_SLASHES = re.compile(r"/{2,}")
_SECRET_HINT = ("give the address without it, the user with --user; the token comes from the "
                "keyring or an environment variable (see `triage servers add --help`).")


def normalise_url(url: str) -> str:
    """Return the server's identity: `scheme://host[:port]/context/` (see the module doc)."""
    url = url.strip()
    if "?" in url or "#" in url:
        raise ConfigError("The Jenkins URL carries a query or fragment ('?...' or '#...'), "
                          "which may hold a secret; " + _SECRET_HINT)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.netloc:
        raise ConfigError(
            f"Not a Jenkins URL: {_shown(url)!r}; give the address you open in a browser, "
            "for example https://ci.example.com/jenkins/."
        )
    if "@" in parts.netloc:
        # Never echo it: the part before "@" is often a user and an API token.
        raise ConfigError("The Jenkins URL carries a user name or password before '@'; "
                          + _SECRET_HINT)
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"The port of {_shown(url)!r} is not a number from 0 to 65535.") \
            from None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # IPv6
    if port is not None and port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    path = _SLASHES.sub("/", parts.path or "/")
    if not path.endswith("/"):
        path += "/"
    return f"{scheme}://{host}{path}"


def looks_like_url(name: str) -> bool:
    return "://" in name


def _shown(url: str) -> str:
    """What may be echoed of a bad URL: never what precedes an "@"."""
    return url.rsplit("@", 1)[-1]
