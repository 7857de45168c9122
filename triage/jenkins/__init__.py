"""Jenkins access: the client (python-jenkins plus the endpoints it lacks) and input steps.

Sync, decisions and the UI depend on the small `JenkinsSource` protocol, so tests and the app
can use the built-in server (`triage.jenkins.server`) or anything else that speaks it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from triage.jenkins.model import BuildState, JobBuilds, Pause, PendingInput


class JenkinsSource(Protocol):
    """What the use cases need from one Jenkins server."""

    name: str
    base: str

    def reachable(self) -> bool: ...
    def walk(self, folder: str | None = None, builds: int = 0) -> Iterator[JobBuilds]: ...
    def job_builds(self, job: str, limit: int, fields: str = ...) -> JobBuilds: ...
    def build(self, job: str, number: int) -> BuildState: ...
    def test_report(self, job: str, number: int, tree: str) -> dict | None: ...
    def artifact(self, job: str, number: int, relative_path: str) -> bytes: ...
    def pending_inputs(self, job: str, number: int) -> tuple[PendingInput, ...]: ...
    def pause(self, job: str, number: int) -> Pause: ...
    def proceed(self, job: str, number: int, pending: PendingInput,
                values: Mapping[str, Any]) -> None: ...
    def abort(self, job: str, number: int, pending: PendingInput) -> None: ...


__all__ = ["JenkinsSource"]
