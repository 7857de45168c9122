"""Worlds for the client, sync and decision tests, built with the built-in server's builder API.

Not a conftest: test modules import what they need (`from jenkins_world import ...`).
"""

from __future__ import annotations

import contextlib

import keyring.backend
import keyring.errors

from triage.jenkins.client import JenkinsClient
from triage.jenkins.http import HttpSettings
from triage.jenkins.server import (
    BuildData,
    Case,
    Cause,
    JenkinsServer,
    Param,
    Report,
    Suite,
    World,
)

T0 = 1_767_268_800_000  # 2026-01-01T12:00:00Z, epoch ms
SHA = "9fceb02d0ae598e95dc970b74767f19372d61af8"
SHARED_LIB = BuildData("1111111111111111111111111111111111111111", "master",
                       "https://git.example/pipeline-lib.git")
FAST = HttpSettings(timeout=(5.0, 10.0), retries=2, backoff=0.0)


class FixedClock:
    """A clock tests move by hand: no sleeping, no wall-clock dependence."""

    def __init__(self, ms: int = T0 + 3_600_000):
        self.ms = ms

    def __call__(self) -> float:
        return self.ms / 1000


def report(passed: int = 3, failed: int = 0, skipped: int = 0, cls: str = "com.example.CartTest",
           statuses: tuple[str, ...] = ()) -> Report:
    """A one-suite report; `statuses` pins exported statuses (FIXED, REGRESSION...) in order."""
    cases = [Case(cls, f"passes{i}", duration=0.01) for i in range(passed)]
    cases += [Case(cls, f"fails{i}", outcome="failed", duration=0.2,
                   message="expected:<1> but was:<2>",
                   trace="java.lang.AssertionError: expected:<1> but was:<2>\n\tat x.y(Z.java:1)")
              for i in range(failed)]
    cases += [Case(cls, f"skipped{i}", outcome="skipped", skipped_message="later")
              for i in range(skipped)]
    for case, status in zip(cases, statuses, strict=False):
        case.status = status
    return Report([Suite(cls, cases)])


def every_param() -> list[Param]:
    """One parameter of each kind an input step may declare (reference 1.2)."""
    return [
        Param("NAME", "string", default="world", description="who to greet"),
        Param("NOTES", "text", default="line1\nline2"),
        Param("SMOKE", "boolean", default=True),
        Param("TARGET", "choice", choices=["staging-eu", "staging-us"]),
        Param("SECRET", "password", default="hunter2"),
    ]


def small_world(clock: FixedClock | None = None) -> World:
    """app (plain), team/backend (folder), shop/{main,feature%2Fx} (multibranch).

    The clock starts at T0 + 1 h. Paused: app #4 since T0 + 400 s, team/backend #2 since
    T0 + 20 s, shop/feature%2Fx #2 at two inputs since T0 + 60 s and T0 + 90 s.
    """
    world = World(clock=clock or FixedClock())
    app = world.pipeline("app")
    own = BuildData(SHA, "refs/remotes/origin/main", "https://git.example/app.git")
    app.add_build(1, result="SUCCESS", timestamp_ms=T0, duration_ms=60_000,
                  build_data=[SHARED_LIB, own], report=report(3))
    app.add_build(2, result="UNSTABLE", timestamp_ms=T0 + 100_000, duration_ms=61_000,
                  causes=[Cause.user("alice")], build_data=[own, SHARED_LIB],
                  report=report(3, failed=1, skipped=1))
    app.add_build(3, result="FAILURE", timestamp_ms=T0 + 200_000, duration_ms=5_000)  # no report
    paused = app.add_build(4, building=True, timestamp_ms=T0 + 300_000,
                           report=report(2, failed=1))
    paused.add_input("Deploy to production?", parameters=every_param(), at_ms=T0 + 400_000,
                     stage="Deploy")

    backend = world.folder("team").pipeline("backend")
    backend.add_build(1, result="SUCCESS", timestamp_ms=T0, duration_ms=1_000, report=report(5))
    gate = backend.add_build(2, building=True, timestamp_ms=T0 + 10_000, report=report(5))
    gate.add_input("Ship it?", id="approve", ok="Ship", submitter="release-managers",
                   at_ms=T0 + 20_000)

    shop = world.multibranch("shop")
    shop.branch("main").add_build(1, result="SUCCESS", timestamp_ms=T0, duration_ms=2_000,
                                  report=report(2))
    fx = shop.branch("feature/x")
    branch_data = BuildData("2222222222222222222222222222222222222222", "feature/x",
                            "git@git.example:team/shop.git")
    fx.add_build(1, result="UNSTABLE", timestamp_ms=T0, duration_ms=2_000,
                 build_data=[SHARED_LIB, branch_data],
                 report=report(2, failed=2, statuses=("FIXED", "PASSED", "REGRESSION", "FAILED")))
    many = fx.add_build(2, building=True, timestamp_ms=T0 + 5_000)
    many.add_input("Run the EU suite?", id="eu", at_ms=T0 + 60_000, stage="EU")
    many.add_input("Run the US suite?", id="us", at_ms=T0 + 90_000, stage="US")
    return world


@contextlib.contextmanager
def serve(world: World | None = None, **kwargs):
    """Run the built-in server on loopback with a /jenkins context path; fail on server bugs."""
    kwargs.setdefault("context_path", "/jenkins")
    with JenkinsServer(world=world if world is not None else small_world(), **kwargs) as srv:
        yield srv
    assert not srv.errors, srv.errors[0]


def client_for(srv, user: str = "alice", token: str | None = None, name: str = "ci",
               settings: HttpSettings = FAST, **kwargs) -> JenkinsClient:
    token = srv.users[user] if token is None else token
    return JenkinsClient(name, srv.url, user, token, settings, **kwargs)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring for tests; install with keyring.set_keyring and restore the previous one."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.items = {}

    def get_password(self, service, username):
        return self.items.get((service, username))

    def set_password(self, service, username, password):
        self.items[(service, username)] = password

    def delete_password(self, service, username):
        if self.items.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)
