"""Shared helpers for the built-in server tests (imported, not a conftest; holds no tests).

Everything goes over real HTTP on loopback with `requests`.
"""

from __future__ import annotations

import contextlib

import pytest
import requests

from triage.jenkins.server import (
    Case,
    JenkinsServer,
    Param,
    Report,
    Suite,
    World,
    demo_world,
)

T0 = 1_767_268_800_000  # 2026-01-01T12:00:00Z
DEPLOY_ID = "A61b61d2d652c2824ae4d9acb5cb8e5a"  # md5 id of "Deploy to production?" (§1.3)


class Clock:
    """A hand-moved clock: no sleeping, no wall-clock dependence."""

    def __init__(self, ms: int = T0 + 3_600_000):
        self.ms = ms

    def __call__(self) -> float:
        return self.ms / 1000


MORNING = 1_796_108_400_000  # 2026-12-01 07:00 UTC: the demo's "now" in tests


def demo(seed: int = 1) -> World:
    """The demo world as `triage demo` makes it, anchored to a fixed clock (deterministic)."""
    return demo_world(seed=seed, clock=Clock(MORNING))


@contextlib.contextmanager
def running(world: World | None = None, **kwargs):
    """Serve `world` (default: the seed-1 demo) on loopback; fail on any server-side bug."""
    kwargs.setdefault("context_path", "/jenkins")
    with JenkinsServer(world=world if world is not None else demo(), **kwargs) as srv:
        yield srv
    assert not srv.errors, srv.errors[0]


def session(srv: JenkinsServer, user: str | None = "alice", token: str | None = None):
    """A requests session authenticated with the user's API token (no crumb needed, §4.1)."""
    s = requests.Session()
    if user is not None:
        s.auth = (user, token if token is not None else srv.users[user])
    return s


def get(srv: JenkinsServer, path: str, user: str | None = "alice", **params) -> requests.Response:
    with session(srv, user) as s:
        return s.get(srv.url + path, params=params or None, timeout=10)


def get_json(srv: JenkinsServer, path: str, **params):
    resp = get(srv, path, **params)
    assert resp.status_code == 200, (path, resp.status_code, resp.text[:200])
    assert resp.headers["Content-Type"].startswith("application/json")
    return resp.json()


def post(srv: JenkinsServer, path: str, user: str = "alice", **kw) -> requests.Response:
    with session(srv, user) as s:
        return s.post(srv.url + path, timeout=10, allow_redirects=False, **kw)


def one_suite(*cases: Case, name: str = "com.example.CartTest") -> Report:
    return Report([Suite(name, list(cases))])


def every_param() -> list[Param]:
    return [
        Param("NAME", "string", "world", "who to greet"),
        Param("NOTES", "text", "line1\nline2"),
        Param("SMOKE", "boolean", True),
        Param("TARGET", "choice", choices=["staging-eu", "staging-us"]),
        Param("SECRET", "password", "hunter2"),
    ]


def paused_world(**input_kwargs) -> World:
    """app #2 paused at "Deploy to production?" (kwargs go to add_input)."""
    world = World(clock=Clock())
    job = world.pipeline("app")
    job.add_build(result="SUCCESS", timestamp_ms=T0, duration_ms=1000)
    run = job.add_build(building=True, timestamp_ms=T0 + 10_000)
    run.add_input(input_kwargs.pop("message", "Deploy to production?"), **input_kwargs)
    return world


@pytest.fixture(scope="module", name="demo_srv")
def demo_srv_fixture():
    """A read-only demo server shared by a module's tests (do not decide inputs on it)."""
    with running() as srv:
        yield srv
