"""The request path to Jenkins: deadlines, size caps, TLS, retries for GETs, crumbs, typed errors.

python-jenkins 1.8.3 stays the transport where it fits: its `requests` session (with
`JENKINS_API_EXTRA_HEADERS` and `PYTHONHTTPSVERIFY`), its Basic auth built from user and API
token, its `_build_url`. Its own error mapping does not fit (reference section 5.2, trap 26):
401/403/500 all become one `JenkinsException` with the code only in the text, 400 escapes as a
bare `HTTPError`, there is no timeout and no `verify` by default. So requests are sent on its
session here and every outcome becomes a `JenkinsError` subclass with one clear message.

Every request, GET or POST, by the CLI or the app's unattended polling, is bounded twice:
- a total deadline (`HttpSettings.deadline`): the read timeout is per socket read, so a server
  that trickles its headers or body a byte a second would never trip it. A timer shuts the
  request's socket when the deadline passes, which ends any read in progress (`_deadline`);
- a size cap (`HttpSettings.max_bytes`): the body is read in chunks and refused past the cap
  (at once when Content-Length already says so), so memory stays near the cap whatever the
  server sends. Error pages are read only as far as their first `ERROR_BODY` bytes.
JSON bodies are then checked against their endpoint's shape (`triage.jenkins.schema`).
"""

from __future__ import annotations

import base64
import http.cookiejar
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jenkins
import requests

from triage.config import http_deadline, http_max_bytes
from triage.display import redact
from triage.errors import (
    JenkinsAuthFailed,
    JenkinsBadResponse,
    JenkinsError,
    JenkinsForbidden,
    JenkinsNotFound,
    JenkinsResponseTooLarge,
    JenkinsServerError,
    JenkinsTooSlow,
    JenkinsUnreachable,
)
from triage.jenkins import schema, urls
from triage.jenkins.deadline import Deadline, DeadlineAdapter

RETRY_STATUSES = frozenset({500, 502, 503, 504})
CHUNK = 1 << 20  # bytes read at a time
ERROR_BODY = 64 * 1024  # what is kept of an error page: enough for a message and a crumb hint


@dataclass(frozen=True)
class HttpSettings:
    """How to talk to one server. `timeout` is (connect, read) in seconds; `deadline` bounds a
    whole request (headers and body) and `max_bytes` its body (defaults: TRIAGE_HTTP_DEADLINE,
    TRIAGE_HTTP_MAX_MB)."""

    timeout: tuple[float, float] = (10.0, 60.0)
    verify: bool = True
    ca_bundle: str | None = None
    retries: int = 2  # extra attempts for idempotent GETs only
    backoff: float = 0.25  # seconds, doubled per attempt
    pool_size: int = 16  # at least the sync workers, or urllib3 drops connections
    deadline: float = field(default_factory=http_deadline)
    max_bytes: int = field(default_factory=http_max_bytes)


class JenkinsHttp:
    """Send GETs and POSTs to one Jenkins; map every failure to a typed error."""

    def __init__(self, base_url: str, user: str | None, token: str | None,
                 settings: HttpSettings | None = None):
        self.base = urls.normalise_base(base_url)
        self.user = user
        self.settings = settings or HttpSettings()
        self._pj = jenkins.Jenkins(self.base, username=user, password=token,
                                   timeout=self.settings.timeout)
        # Basic auth only: python-jenkins would otherwise probe Kerberos with extra requests.
        self._pj._auths = self._pj._auths[:1]
        self._pj._maybe_add_auth()
        session = self._pj._session
        if session.verify is not False:  # PYTHONHTTPSVERIFY=0 is the user's explicit choice
            session.verify = self.settings.ca_bundle or self.settings.verify
        # Our own retry loop decides what is retried; urllib3 must never resend a POST.
        adapter = DeadlineAdapter(max_retries=0, pool_connections=1,
                                  pool_maxsize=self.settings.pool_size)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        # API tokens need no session and no crumb; a stored cookie would turn our requests into
        # session requests that then need a crumb (reference 4.1, trap 24). Keep none.
        session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        self.session = session
        # Never shown: an error page may echo our Authorization header (user:token, base64).
        self._secrets = tuple(filter(None, (token, _basic(user, token))))
        self._count_lock = threading.Lock()
        self.request_count = 0

    # --- public ---------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return urls.join(self.base, path)

    def get_json(self, path: str, params: Mapping[str, Any] | None, shape: Any) -> Any:
        """GET `path` and decode its JSON against `shape` (`triage.jenkins.schema`); retried
        with backoff on connection errors and 5xx."""
        response = self.get(path, params)
        return self.decode_json(response, shape)

    def get(self, path: str, params: Mapping[str, Any] | None = None,
            head: int | None = None) -> requests.Response:
        """GET `path`; raise a typed error for anything but 2xx.

        With `head`, only the first `head` bytes of the body are read (the rest never is), and
        a longer body is no error: a console log can be far larger than anyone reads of it.
        """
        url = self.url(path)
        attempt = 0
        while True:
            try:
                response = self._send("GET", url, head=head, params=params)
                if response.status_code in RETRY_STATUSES and attempt < self.settings.retries:
                    response.close()
                    raise _Retry()
                return self.check(response, url)
            except (JenkinsUnreachable, _Retry) as exc:
                # A server that trickled until the deadline would do it again: not retried.
                if attempt >= self.settings.retries or isinstance(exc, JenkinsTooSlow):
                    raise
                time.sleep(self.settings.backoff * (2 ** attempt))
                attempt += 1

    def post(self, path: str, data: Mapping[str, str] | None = None,
             headers: Mapping[str, str] | None = None) -> requests.Response:
        """POST once, never retried and never redirected (trap 23); return the raw response.

        Decisions are not idempotent, so status handling is left to the caller.
        """
        return self._send("POST", self.url(path), data=data, headers=headers)

    def crumb(self) -> dict[str, str]:
        """Fetch a crumb and return it as the request header Jenkins names (reference 4.1).

        The session cookie the crumb issuer may set is refused like every cookie (see
        `__init__`): a token request with a session cookie would become a session request.
        """
        data = self.get_json("crumbIssuer/api/json", {"tree": "crumb,crumbRequestField"},
                             schema.Crumb)
        return {data["crumbRequestField"]: data["crumb"]}

    # --- internals ------------------------------------------------------------------------

    def _send(self, method: str, url: str, head: int | None = None,
              **kwargs) -> requests.Response:
        """Send one request and read its whole body (or its first `head` bytes) within the
        deadline and the size cap."""
        request = requests.Request(method, url, **{k: v for k, v in kwargs.items()
                                                   if v is not None})
        prepared = self.session.prepare_request(request)
        # As python-jenkins' own `_request`: honour REQUESTS_CA_BUNDLE and proxy settings.
        settings = self.session.merge_environment_settings(
            prepared.url, {}, None, self.session.verify, None)
        settings["stream"] = True  # the body is read here, within the deadline and the cap
        with self._count_lock:
            self.request_count += 1
        deadline = Deadline(self.settings.deadline)
        try:
            with deadline:
                response = self.session.send(prepared, timeout=self.settings.timeout,
                                             allow_redirects=False, **settings)
                try:
                    response._content = self._read_body(response, url, head)
                finally:
                    response.close()
            return response
        except requests.exceptions.RequestException as exc:
            if deadline.expired:
                raise JenkinsTooSlow(
                    f"Jenkins at {self.base} did not send its whole answer to "
                    f"{_short_url(url)} within the {self.settings.deadline:g} s deadline "
                    "(TRIAGE_HTTP_DEADLINE); the server or a proxy is stalling. Try again "
                    "later.", url=url, details=repr(exc)) from None
            raise self._unreachable(exc, url) from exc

    def _read_body(self, response: requests.Response, url: str,
                   head: int | None = None) -> bytes:
        """Return the (decoded) body: whole for a 2xx, its start for an error page.

        Refuse a 2xx body past `max_bytes`, before reading it when Content-Length says so;
        with `head`, keep the first `head` bytes of a 2xx body and stop reading there.
        """
        if head is not None and 200 <= response.status_code < 300:
            return self._read_head(response, min(head, self.settings.max_bytes))
        cap = self.settings.max_bytes
        limit = cap if 200 <= response.status_code < 300 else ERROR_BODY
        declared = (response.headers.get("Content-Length") or "").strip()
        if limit == cap and declared.isdigit() and int(declared) > cap:
            raise self._too_large(url, int(declared))
        chunks, size = [], 0
        for chunk in response.iter_content(min(CHUNK, limit + 1)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                if limit == cap:
                    raise self._too_large(url, None)
                break  # an error page: its start is all anyone reads
        return b"".join(chunks)

    @staticmethod
    def _read_head(response: requests.Response, limit: int) -> bytes:
        chunks, size = [], 0
        for chunk in response.iter_content(min(CHUNK, max(limit, 1))):
            chunks.append(chunk)
            size += len(chunk)
            if size >= limit:
                break
        return b"".join(chunks)[:limit]

    def _too_large(self, url: str, declared: int | None) -> JenkinsResponseTooLarge:
        mib = self.settings.max_bytes / 2**20
        size = f" ({declared / 2**20:,.0f} MiB)" if declared is not None else ""
        return JenkinsResponseTooLarge(
            f"Jenkins at {self.base} sent more than {mib:g} MiB for {_short_url(url)}{size}; "
            "refused without reading the rest. If that is a real test report, raise "
            "TRIAGE_HTTP_MAX_MB.", url=url)

    def _unreachable(self, exc: requests.exceptions.RequestException,
                     url: str) -> JenkinsUnreachable:
        if isinstance(exc, requests.exceptions.SSLError):
            return JenkinsUnreachable(
                f"TLS verification failed for {self.base}: {_short(exc)}; give the server's CA "
                "certificate with `triage servers add ... --ca-bundle FILE`.",
                url=url, details=repr(exc))
        if isinstance(exc, requests.exceptions.Timeout):
            return JenkinsUnreachable(
                f"Jenkins at {self.base} did not answer within {self.settings.timeout[1]:g} s; "
                "check the server or try again later.", url=url, details=repr(exc))
        return JenkinsUnreachable(
            f"Cannot reach Jenkins at {self.base} ({_short(exc)}); check the URL and "
            "that the server is up.", url=url, details=repr(exc))

    def check(self, response: requests.Response, url: str) -> requests.Response:
        """Return a 2xx response; raise the typed error for any other status."""
        status = response.status_code
        if 200 <= status < 300:
            return response
        details = self.excerpt(response)
        if status == 401:
            raise JenkinsAuthFailed(
                f"Jenkins at {self.base} rejected user {self.user!r} and its API token (401); "
                "check both, or store a new token with `triage servers add`.",
                url=url, status=status, details=details)
        if status == 403:
            who = f"user {self.user!r} lacks" if self.user else "anonymous users lack"
            raise JenkinsForbidden(
                f"Jenkins refused access to {url} (403); {who} the permission: "
                + ("ask a Jenkins admin." if self.user else "give --user and an API token."),
                url=url, status=status, details=details)
        if status == 404:
            raise JenkinsNotFound(f"Not found on Jenkins: {url} (404).", url=url,
                                  status=status, details=details)
        if status >= 500:
            raise JenkinsServerError(
                f"Jenkins at {self.base} failed with {status} on {url}; try again later or "
                "check the Jenkins log.", url=url, status=status, details=details)
        if 300 <= status < 400:
            raise JenkinsBadResponse(
                f"Jenkins redirected {url} to {response.headers.get('Location')!r} ({status}); "
                "a proxy or login page is in the way, use the server's direct URL.",
                url=url, status=status, details=details)
        reason = response.headers.get("X-Error") or response.reason
        raise JenkinsError(f"Jenkins answered {status} ({reason}) for {url}.",
                           url=url, status=status, details=details)

    def decode_json(self, response: requests.Response, shape: Any) -> Any:
        """Decode a JSON body against `shape`; an HTML page (login form, proxy) is a clear
        error, not a crash."""
        kind = response.headers.get("Content-Type", "")
        if "html" in kind:
            raise JenkinsBadResponse(
                f"{_short_url(response.url)} returned {kind} instead of JSON (a login page or a "
                "proxy?); check the URL and the credentials.",
                url=response.url, status=response.status_code, details=self.excerpt(response))
        return schema.decode(response.content, shape, response.url)

    def excerpt(self, response: requests.Response) -> str:
        """Return the start of a body for error details, without our credentials."""
        try:
            text = response.content[:2000].decode(response.encoding or "utf-8", "replace")
        except LookupError:  # a charset no codec knows, from a broken or hostile server
            text = response.content[:2000].decode("utf-8", "replace")
        return redact(text, self._secrets)


class _Retry(Exception):
    """Internal: a retryable status on an idempotent GET."""


def _short(exc: Exception) -> str:
    text = str(exc.__context__ or exc) if isinstance(exc, requests.ConnectionError) else str(exc)
    for marker in ("Connection refused", "Name or service not known", "Connection reset",
                   "Remote end closed connection", "certificate verify failed"):
        if marker in text:
            return marker.lower()
    return type(exc).__name__


def _short_url(url: str) -> str:
    """The URL without its query: a `tree=` can be hundreds of characters long."""
    return url.split("?", 1)[0]


def _basic(user: str | None, token: str | None) -> str | None:
    """Return the base64 credentials of `Authorization: Basic` for user and token."""
    if not user or not token:
        return None
    return base64.b64encode(f"{user}:{token}".encode()).decode("ascii")
