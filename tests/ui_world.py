"""A small Jenkins world for the window's tests: seconds to sync, every case the inbox shows.

- `app`: 30 builds; #30 paused at "Deploy to production?" (no parameters) with an outage
  (6 tests, one error: noise) beside a regression (real);
- `team/backend` (a folder): #15 paused at a release gate with one parameter of each kind;
- multibranch `shop`, branch `feature/checkout` (job `shop/feature%2Fcheckout`): #12 paused
  at two parallel inputs;
- `lib`: finished red (UNSTABLE), nothing paused.
"""

from __future__ import annotations

from triage.jenkins.server import Param, World
from triage.jenkins.server.demo import MINUTE_MS, populate
from triage.jenkins.server.synthetic import History, Plan

SEED = 7


def small_world(clock=None) -> World:
    world = World(clock=clock) if clock else World()
    now = world.now_ms()
    app = world.pipeline("app")
    plan = Plan("java", tests=40, builds=30, flaky=3, regressions=1, outage_build=30,
                outage_size=6)
    builds = populate(app, History(SEED, "app", plan), remote="https://git.example/app.git",
                      branch="origin/main", artifacts=False, newest_ms=now - 60 * MINUTE_MS)
    builds[-1].add_input("Deploy to production?", at_ms=now - 50 * MINUTE_MS, stage="Deploy")
    backend = world.folder("team").pipeline("backend")
    plan = Plan("python", tests=30, builds=15, flaky=2, regressions=1)
    builds = populate(backend, History(SEED, "team/backend", plan), artifacts=False,
                      remote="https://git.example/backend.git", branch="origin/main",
                      newest_ms=now - 200 * MINUTE_MS)
    builds[-1].add_input(
        "Ship backend to which environment?", id="release-gate", ok="Ship",
        submitter="release-managers", parameters=[
            Param("TARGET", "choice", choices=["staging-eu", "staging-us", "production"]),
            Param("SMOKE", "boolean", True, "run smoke tests"),
            Param("VERSION", "string", "1.4.100", "version tag to deploy"),
            Param("NOTES", "text", "", "release notes"),
            Param("TOKEN", "password", "s3cret-default", "deploy token"),
        ], at_ms=now - 180 * MINUTE_MS, stage="Release")
    shop = world.multibranch("shop", "Shop")
    branch = shop.branch("feature/checkout")
    plan = Plan("java", tests=30, builds=12, flaky=2, regressions=1)
    builds = populate(branch, History(SEED, "shop/feature/checkout", plan, "shop"),
                      remote="https://git.example/shop.git", branch="feature/checkout",
                      artifacts=False, multibranch=True, newest_ms=now - 30 * MINUTE_MS)
    builds[-1].add_input("Roll out to EU?", id="eu-rollout", ok="Roll out",
                         at_ms=now - 20 * MINUTE_MS, stage="EU")
    builds[-1].add_input("Roll out to US?", id="us-rollout", ok="Roll out",
                         at_ms=now - 18 * MINUTE_MS, stage="US")
    lib = world.pipeline("lib")
    plan = Plan("java", tests=20, builds=10, flaky=4, flaky_rate=(0.3, 0.5), regressions=0)
    populate(lib, History(SEED, "lib", plan), remote="https://git.example/lib.git",
             branch="origin/main", artifacts=False, newest_ms=now - 300 * MINUTE_MS)
    return world
