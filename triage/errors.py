"""The TriageError tree: every failure a user can meet, with one clear message.

Callers branch on the class, never on the message text. The CLI turns these into one line on
stderr and an exit code; the UI into a banner with "Copy details".
"""

from __future__ import annotations


class TriageError(Exception):
    """Base: `message` is one line for the user (what happened, what to do); `details` is extra."""

    exit_code = 1

    def __init__(self, message: str, details: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message


class OutputError(TriageError):
    """Standard output could not be written (a full disk, a closed pipe, a broken terminal)."""


class Cancelled(TriageError):
    """The user cancelled long work; nothing half-done was kept."""

    exit_code = 130

    def __init__(self, message: str = "Cancelled.", details: str | None = None):
        super().__init__(message, details)


class ConfigError(TriageError):
    """Bad configuration or arguments (unknown server, missing token, bad manifest)."""

    exit_code = 2


# --- JUnit / report parsing -------------------------------------------------------------------


class ReportError(TriageError):
    """A test report could not be read. `path` names the file, `line`/`column` the position."""

    def __init__(
        self,
        message: str,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        details: str | None = None,
    ):
        super().__init__(message, details)
        self.path = path
        self.line = line
        self.column = column


class MalformedReportError(ReportError):
    """Not well-formed XML (truncated, bad encoding, broken markup)."""


class HostileXmlError(ReportError):
    """External entities, DTDs or entity expansion: refused before anything is read."""


class NotJUnitError(ReportError):
    """Well-formed XML that is not a JUnit/xUnit report."""


# --- History store ----------------------------------------------------------------------------


class StoreError(TriageError):
    """The history database cannot be opened or written."""


class NotFoundError(TriageError):
    """A job, build, test or cluster the user named is not in the history."""

    exit_code = 3


# --- Jenkins ----------------------------------------------------------------------------------


class JenkinsError(TriageError):
    """Base for every Jenkins failure; `url` is the request that failed, `status` its code."""

    def __init__(
        self,
        message: str,
        url: str | None = None,
        status: int | None = None,
        details: str | None = None,
    ):
        super().__init__(message, details)
        self.url = url
        self.status = status


class JenkinsUnreachable(JenkinsError):
    """Connection refused, DNS failure, timeout, dropped connection, TLS failure."""


class JenkinsTooSlow(JenkinsUnreachable):
    """The whole answer (headers and body) did not arrive within the request's deadline."""


class JenkinsAuthFailed(JenkinsError):
    """401: the user or API token is wrong."""


class JenkinsForbidden(JenkinsError):
    """403: authenticated, but not allowed (or no valid crumb)."""


class JenkinsNotFound(JenkinsError):
    """404: no such job, build, report or input."""

    exit_code = 3


class JenkinsServerError(JenkinsError):
    """5xx from Jenkins."""


class JenkinsBadResponse(JenkinsError):
    """A 200 whose body is not what the API promises (an HTML login page instead of JSON)."""


class JenkinsResponseTooLarge(JenkinsBadResponse):
    """The answer is larger than one response may be; it was refused, not read to its end."""


class InputAlreadyDecided(JenkinsError):
    """The input step was answered by someone else (or the build ended) before our decision."""


class InputRefused(JenkinsError):
    """Jenkins refused the decision (400 with X-Error, e.g. not an allowed submitter)."""


class InputsUnreadable(JenkinsError):
    """Neither the input step's export nor Stage View says which inputs a build waits for."""


class AmbiguousInput(JenkinsError):
    """Several inputs are pending and the caller did not say which one (a usage error)."""

    exit_code = 2
