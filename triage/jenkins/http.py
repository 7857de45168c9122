"""The request path to Jenkins: timeouts, TLS, retries for GETs, crumbs, typed errors.

python-jenkins 1.8.3 stays the transport where it fits: its `requests` session (with
`JENKINS_API_EXTRA_HEADERS` and `PYTHONHTTPSVERIFY`), its Basic auth built from user and API
token, its `_build_url`. Its own error mapping does not fit (reference section 5.2, trap 26):
401/403/500 all become one `JenkinsException` with the code only in the text, 400 escapes as a
bare `HTTPError`, there is no timeout and no `verify` by default. So requests are sent on its
session here and every outcome becomes a `JenkinsError` subclass with one clear message.
"""

from __future__ import annotations

import http.cookiejar
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jenkins
import requests
from requests.adapters import HTTPAdapter

from triage.errors import (
    JenkinsAuthFailed,
    JenkinsBadResponse,
    JenkinsError,
    JenkinsForbidden,
    JenkinsNotFound,
    JenkinsServerError,
    JenkinsUnreachable,
)
from triage.jenkins import urls

RETRY_STATUSES = frozenset({500, 502, 503, 504})


@dataclass(frozen=True)
class HttpSettings:
    """How to talk to one server. `timeout` is (connect, read) in seconds."""

    timeout: tuple[float, float] = (10.0, 60.0)
    verify: bool = True
    ca_bundle: str | None = None
    retries: int = 2  # extra attempts for idempotent GETs only
    backoff: float = 0.25  # seconds, doubled per attempt
    pool_size: int = 16  # at least the sync workers, or urllib3 drops connections


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
        adapter = HTTPAdapter(max_retries=0, pool_connections=1,
                              pool_maxsize=self.settings.pool_size)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        # API tokens need no session and no crumb; a stored cookie would turn our requests into
        # session requests that then need a crumb (reference 4.1, trap 24). Keep none.
        session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        self.session = session
        self._count_lock = threading.Lock()
        self.request_count = 0

    # --- public ---------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return urls.join(self.base, path)

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET `path` and decode JSON; retried with backoff on connection errors and 5xx."""
        response = self.get(path, params)
        return self.decode_json(response)

    def get(self, path: str, params: Mapping[str, Any] | None = None,
            stream: bool = False) -> requests.Response:
        """GET `path`; raise a typed error for anything but 2xx.

        With `stream`, the body is left unread for the caller to read as far as it wants
        (and close): a console log can be far larger than what anyone reads of it.
        """
        url = self.url(path)
        attempt = 0
        while True:
            try:
                response = self._send("GET", url, params=params, stream=stream)
                if response.status_code in RETRY_STATUSES and attempt < self.settings.retries:
                    response.close()
                    raise _Retry()
                return self.check(response, url)
            except (JenkinsUnreachable, _Retry):
                if attempt >= self.settings.retries:
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
        data = self.get_json("crumbIssuer/api/json", {"tree": "crumb,crumbRequestField"})
        return {data["crumbRequestField"]: data["crumb"]}

    # --- internals ------------------------------------------------------------------------

    def _send(self, method: str, url: str, stream: bool = False,
              **kwargs) -> requests.Response:
        request = requests.Request(method, url, **{k: v for k, v in kwargs.items()
                                                   if v is not None})
        prepared = self.session.prepare_request(request)
        # As python-jenkins' own `_request`: honour REQUESTS_CA_BUNDLE and proxy settings.
        settings = self.session.merge_environment_settings(
            prepared.url, {}, stream, self.session.verify, None)
        with self._count_lock:
            self.request_count += 1
        try:
            return self.session.send(prepared, timeout=self.settings.timeout,
                                     allow_redirects=False, **settings)
        except requests.exceptions.SSLError as exc:
            raise JenkinsUnreachable(
                f"TLS verification failed for {self.base}: {_short(exc)}; give the server's CA "
                "certificate with `triage servers add ... --ca-bundle FILE`.",
                url=url, details=repr(exc)) from exc
        except requests.exceptions.Timeout as exc:
            raise JenkinsUnreachable(
                f"Jenkins at {self.base} did not answer within {self.settings.timeout[1]:g} s; "
                "check the server or try again later.", url=url, details=repr(exc)) from exc
        except requests.exceptions.RequestException as exc:
            raise JenkinsUnreachable(
                f"Cannot reach Jenkins at {self.base} ({_short(exc)}); check the URL and "
                "that the server is up.", url=url, details=repr(exc)) from exc

    def check(self, response: requests.Response, url: str) -> requests.Response:
        """Return a 2xx response; raise the typed error for any other status."""
        status = response.status_code
        if 200 <= status < 300:
            return response
        details = _body_excerpt(response)
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

    def decode_json(self, response: requests.Response) -> Any:
        """Decode a JSON body; an HTML page (login form, proxy) is a clear error, not a crash."""
        kind = response.headers.get("Content-Type", "")
        try:
            if "html" in kind:
                raise ValueError(kind)
            return response.json()
        except ValueError as exc:
            # The URL without its query: a `tree=` can be hundreds of characters long.
            where = response.url.split("?", 1)[0]
            raise JenkinsBadResponse(
                f"{where} returned {kind or 'an unknown type'} instead of JSON "
                "(a login page or a proxy?); check the URL and the credentials.",
                url=response.url, status=response.status_code,
                details=_body_excerpt(response)) from exc


class _Retry(Exception):
    """Internal: a retryable status on an idempotent GET."""


def _short(exc: Exception) -> str:
    text = str(exc.__context__ or exc) if isinstance(exc, requests.ConnectionError) else str(exc)
    for marker in ("Connection refused", "Name or service not known", "Connection reset",
                   "Remote end closed connection", "certificate verify failed"):
        if marker in text:
            return marker.lower()
    return type(exc).__name__


def _body_excerpt(response: requests.Response) -> str:
    try:
        return response.text[:2000]
    except Exception:  # a dropped stream: the status line is all we have
        return ""
