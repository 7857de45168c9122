"""Users, Basic auth, sessions and crumbs (reference §4.1, §4.2, trap 24).

* Basic auth with an API token marks the request as a token request: no crumb needed
  (ApiCrumbExclusion, Jenkins >= 2.96), unless a test sets `crumb_mode = "always"`.
* Basic auth with the password, a session cookie, or nothing (anonymous) needs a crumb on POST.
  Crumbs are bound to the user and the HTTP session (SECURITY-626); the crumb issuer creates the
  session (`JSESSIONID.*` cookie) when the request has none.
* A session cookie together with Basic for the same user is treated as a session request, as
  `BasicHeaderProcessor.authenticationIsRequired` does.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

CRUMB_FIELD = "Jenkins-Crumb"
CRUMB_MODES = ("auto", "always", "never")


@dataclass
class User:
    id: str
    token: str
    password: str
    full_name: str
    admin: bool = False
    groups: tuple[str, ...] = ()
    can_build: bool = True
    can_cancel: bool = True


def default_users() -> list[User]:
    """alice is admin; bob is in release-managers; carol may only read."""
    return [
        User("alice", "11a1ce0000000000000000000000demo", "alice-password", "Alice", admin=True),
        User("bob", "11b0b00000000000000000000000demo", "bob-password", "Bob",
             groups=("release-managers",)),
        User("carol", "11ca7010000000000000000000000demo", "carol-password", "Carol",
             can_build=False, can_cancel=False),
    ]


class AuthFailed(Exception):
    """Bad user or token: 401 "Invalid password/token for user: ..." (§4.2)."""


@dataclass
class Auth:
    """Who a request is, and how it authenticated: anonymous, token, password or session."""

    user: User | None
    via: str
    session_id: str | None = None

    @property
    def user_id(self) -> str:
        return self.user.id if self.user else "anonymous"


@dataclass
class Security:
    users: list[User] = field(default_factory=default_users)
    anonymous_read: bool = True
    csrf: bool = True  # False: no crumb issuer (404) and no crumb checks
    crumb_mode: str = "auto"
    cookie_name: str = field(default_factory=lambda: "JSESSIONID." + secrets.token_hex(4))
    _salt: str = field(default_factory=lambda: secrets.token_hex(16))
    _sessions: dict[str, str] = field(default_factory=dict)
    _issued: set[tuple[str, str]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def user(self, user_id: str) -> User | None:
        return next((u for u in self.users if u.id == user_id), None)

    def authenticate(self, headers) -> Auth:
        """Resolve the caller; raise AuthFailed for a wrong user/token/password."""
        session_id = self._session_from_cookie(headers.get("Cookie"))
        session_user = self.user(self._sessions.get(session_id, "")) if session_id else None
        header = headers.get("Authorization") or ""
        if header.lower().startswith("basic "):
            name, secret = _decode_basic(header[6:])
            if session_user is not None and session_user.id == name:
                return Auth(session_user, "session", session_id)
            user = self.user(name)
            if user is not None and secrets.compare_digest(user.token, secret):
                return Auth(user, "token", None)
            if user is not None and secrets.compare_digest(user.password, secret):
                return Auth(user, "password", session_id if session_user else None)
            raise AuthFailed(f"Invalid password/token for user: {name}")
        if session_user is not None:
            return Auth(session_user, "session", session_id)
        return Auth(None, "anonymous", session_id)

    def issue_crumb(self, auth: Auth) -> tuple[str, str | None]:
        """Return (crumb, new session id or None), creating a session when there is none."""
        new_session = None
        if auth.session_id is None or auth.session_id not in self._sessions:
            new_session = secrets.token_hex(12)
            with self._lock:
                self._sessions[new_session] = auth.user_id
            auth.session_id = new_session
        crumb = self._crumb(auth.user_id, auth.session_id)
        with self._lock:
            self._issued.add((auth.user_id, crumb))
        return crumb, new_session

    def expire_sessions(self) -> None:
        """Forget every session and crumb, as a Jenkins restart or session timeout does."""
        with self._lock:
            self._sessions.clear()
            self._issued.clear()
        self._salt = secrets.token_hex(16)

    def crumb_needed(self, auth: Auth) -> bool:
        if not self.csrf or self.crumb_mode == "never":
            return False
        if self.crumb_mode == "always":
            return True
        return auth.via != "token"  # ApiCrumbExclusion (§4.1)

    def crumb_valid(self, auth: Auth, crumb: str | None) -> bool:
        if not crumb:
            return False
        if auth.session_id:
            return secrets.compare_digest(crumb, self._crumb(auth.user_id, auth.session_id))
        # Token clients in "always" mode keep no cookie: accept a crumb issued to the user.
        return auth.via == "token" and (auth.user_id, crumb) in self._issued

    def _crumb(self, user_id: str, session_id: str) -> str:
        # DefaultCrumbIssuer: hash of user name + ";" + session id, salted.
        return hashlib.sha256(f"{self._salt}{user_id};{session_id}".encode()).hexdigest()

    def _session_from_cookie(self, cookie_header: str | None) -> str | None:
        if not cookie_header:
            return None
        cookies = SimpleCookie()
        try:
            cookies.load(cookie_header)
        except Exception:  # a malformed cookie is ignored, as Jetty does
            return None
        morsel = cookies.get(self.cookie_name)
        if morsel is None or morsel.value not in self._sessions:
            return None
        return morsel.value


def _decode_basic(encoded: str) -> tuple[str, str]:
    try:
        text = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise AuthFailed("Invalid password/token for user: (unreadable header)") from None
    name, _, secret = text.partition(":")
    return name, secret
