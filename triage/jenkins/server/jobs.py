"""The item tree: folders, multibranch projects and Pipeline jobs (reference §4.3-§4.5).

URLs are built as `AbstractItem.getShortUrl` does (`job/<rawEncode(name)>/` per level) and made
absolute with the server's root URL; multibranch branch jobs are named with `NameEncoder`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from triage.jenkins.server.actions import Marker
from triage.jenkins.server.builds import RUN_CLASS, Build
from triage.jenkins.server.export import UNEXPORTABLE, Prop
from triage.jenkins.server.reports import Report

if TYPE_CHECKING:
    from triage.jenkins.server.world import World

JOB_CLASS = "org.jenkinsci.plugins.workflow.job.WorkflowJob"
FOLDER_CLASS = "com.cloudbees.hudson.plugins.folder.Folder"
MULTIBRANCH_CLASS = "org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject"
BACKTRACK = 25  # junit History PREVIOUS_TEST_RESULT_BACKTRACK_BUILDS_MAX (§3.4)
_NAME_CODES = {"#": "%23", "%": "%25", "/": "%2F", "?": "%3F", "[": "%5B", "]": "%5D", "\\": "%5C"}
COLORS = {"SUCCESS": "blue", "UNSTABLE": "yellow", "FAILURE": "red", "ABORTED": "aborted",
          "NOT_BUILT": "notbuilt"}


def name_encode(branch: str) -> str:
    """Return the job name branch-api's `NameEncoder.encode` gives a branch (§4.3).

    Kept apart from the client's `triage.jenkins.urls.branch_job_name` on purpose: this server
    is the client's test oracle, so each side follows the reference on its own.
    """
    special = {"": "%00", ".": "%2E", "..": "%2E."}
    if branch in special:
        return special[branch]
    return "".join(_NAME_CODES.get(ch, ch) for ch in branch)


def raw_encode(segment: str) -> str:
    """Encode one path segment as `Util.rawEncode` (spaces are %20, `/` is %2F)."""
    return quote(segment, safe="!@$&*()-_=+',.").replace("~", "%7E")


class ReportCache:
    """A small thread-safe LRU of generated reports so repeat reads do not regenerate."""

    def __init__(self, size: int = 16):
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[Any, Report] = OrderedDict()

    def get(self, key: Any, factory: Callable[[], Report]) -> Report:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        report = factory()  # generated outside the lock: factories are pure
        with self._lock:
            self._items[key] = report
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return report


class Item:
    """Common to every item: names, URL, display names (`AbstractItem`, §4.5)."""

    export_class = ""

    def __init__(self, world: World, parent: Container, name: str, display_name: str | None):
        self.world, self.parent, self.name = world, parent, name
        self.display_name_or_null = display_name
        self.description: str | None = None

    @property
    def display_name(self) -> str:
        return self.display_name_or_null or self.name

    @property
    def full_name(self) -> str:
        prefix = self.parent.full_name if isinstance(self.parent, Item) else ""
        return f"{prefix}/{self.name}" if prefix else self.name

    @property
    def full_display_name(self) -> str:
        if isinstance(self.parent, Item):
            return f"{self.parent.full_display_name} » {self.display_name}"
        return self.display_name

    @property
    def path(self) -> str:
        """Root-relative path, e.g. `job/team/job/backend/`."""
        return f"{self.parent.path}job/{raw_encode(self.name)}/"

    @property
    def url(self) -> str:
        return self.world.root_url + self.path

    def item_props(self) -> list[Prop]:
        return [
            Prop("actions", lambda: [UNEXPORTABLE], 1),
            Prop("description", lambda: self.description, 1),
            Prop("displayName", lambda: self.display_name, 1),
            Prop("displayNameOrNull", lambda: self.display_name_or_null, 1),
            Prop("fullDisplayName", lambda: self.full_display_name, 1),
            Prop("fullName", lambda: self.full_name, 1),
            Prop("name", lambda: self.name, 999),
            Prop("url", lambda: self.url, 999),
        ]


class Container:
    """Anything holding items: the Jenkins root and folders."""

    world: World
    path: str

    def _init_children(self) -> None:
        self.children: dict[str, Item] = {}

    def _add(self, item: Item) -> Any:
        with self.world.lock:
            if item.name in self.children:
                raise ValueError(f"{item.name!r} already exists in {self.path or '/'}")
            self.children[item.name] = item
        return item

    def folder(self, name: str, display_name: str | None = None) -> Folder:
        return self._add(Folder(self.world, self, name, display_name))

    def pipeline(self, name: str, display_name: str | None = None) -> PipelineJob:
        return self._add(PipelineJob(self.world, self, name, display_name))

    def multibranch(self, name: str, display_name: str | None = None) -> MultiBranch:
        return self._add(MultiBranch(self.world, self, name, display_name))

    def child(self, token: str) -> Item | None:
        return self.children.get(token)

    def views(self) -> list:
        return [AllView(self)]


class AllView:
    export_class = "hudson.model.AllView"

    def __init__(self, owner: Container):
        self.owner = owner

    def export_props(self):
        url = self.owner.world.root_url + self.owner.path
        return (Prop("name", lambda: "All", 999), Prop("url", lambda: url, 999))


class Folder(Item, Container):
    export_class = FOLDER_CLASS

    def __init__(self, *args: Any):
        super().__init__(*args)
        self._init_children()

    def export_props(self):
        return self.item_props() + [
            Prop("healthReport", list, 1),
            Prop("jobs", lambda: list(self.children.values()), 1),
            Prop("primaryView", lambda: AllView(self), 1),
            Prop("views", self.views, 1),
        ]


class MultiBranch(Folder):
    export_class = MULTIBRANCH_CLASS

    def branch(self, branch_name: str) -> PipelineJob:
        """Add a branch job: name `NameEncoder.encode(branch)`, display name the branch (§4.3)."""
        return self._add(PipelineJob(self.world, self, name_encode(branch_name), branch_name))

    def child(self, token: str) -> Item | None:
        # MultiBranchProject.getItem also accepts the decoded branch name (§4.3).
        return self.children.get(token) or self.children.get(name_encode(token))


class PipelineJob(Item):
    export_class = JOB_CLASS

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.builds: dict[int, Build] = {}
        self.next_build_number = 1
        self.disabled = False
        self.legacy_status = False  # junit < 1363: FIXED/REGRESSION statuses (§3.3)

    def add_build(self, number: int | None = None, **kw: Any) -> Build:
        """Add a run (see `Build` for keywords: result, building, timestamp_ms, report, ...)."""
        with self.world.lock:
            number = number or self.next_build_number
            if number in self.builds or (self.builds and number < max(self.builds)):
                raise ValueError(f"build numbers must grow: {number} after {max(self.builds)}")
            report = kw.pop("report", None)
            build = Build(self, number, **kw)
            self.builds[number] = build
            self.next_build_number = number + 1
            build.set_report(report)
            return build

    def build(self, number: int) -> Build | None:
        return self.builds.get(number)

    def newest_first(self) -> list[Build]:
        return [self.builds[n] for n in sorted(self.builds, reverse=True)]

    def neighbour(self, number: int, step: int) -> Build | None:
        numbers = sorted(self.builds)
        i = numbers.index(number) + step
        return self.builds[numbers[i]] if 0 <= i < len(numbers) else None

    def permalink(self, name: str) -> Build | None:
        """Resolve lastBuild, lastSuccessfulBuild, ... as PeepholePermalink does (§4.5)."""
        tests: dict[str, Callable[[Build], bool]] = {
            "lastBuild": lambda b: True,
            "lastCompletedBuild": lambda b: not b.building,
            "lastStableBuild": lambda b: not b.building and b.result == "SUCCESS",
            "lastSuccessfulBuild": lambda b: not b.building and b.result in ("SUCCESS", "UNSTABLE"),
            "lastFailedBuild": lambda b: not b.building and b.result == "FAILURE",
            "lastUnstableBuild": lambda b: not b.building and b.result == "UNSTABLE",
            "lastUnsuccessfulBuild": lambda b: not b.building and b.result != "SUCCESS",
        }
        if name == "firstBuild":
            return self.builds[min(self.builds)] if self.builds else None
        test = tests.get(name)
        if test is None:
            return None
        return next((b for b in self.newest_first() if test(b)), None)

    def estimated_duration(self) -> int:
        done = [b for b in self.newest_first() if not b.building
                and b.result in ("SUCCESS", "UNSTABLE")][:3]
        return sum(b.duration_ms for b in done) // len(done) if done else -1

    def color(self) -> str:
        if self.disabled:
            return "disabled"
        last = self.permalink("lastBuild")
        if last is None:
            return "notbuilt"
        if not last.building:
            return COLORS[last.result or "SUCCESS"]
        done = self.permalink("lastCompletedBuild")
        return COLORS[done.result or "SUCCESS"] + "_anime" if done else "notbuilt_anime"

    def fill_failed_since(self, number: int, report: Report) -> None:
        """Compute failedSince and the previous outcome from earlier reports (§3.3, §3.4)."""
        previous = None
        for n in sorted((n for n in self.builds if n < number), reverse=True)[:BACKTRACK]:
            previous = self.builds[n].report()
            if previous is not None:
                break
        earlier = {}
        if previous is not None:
            earlier = {(c.suite.name, c.class_name, c.name): c for c in previous.cases()}
        for case in report.cases():
            prev = earlier.get((case.suite.name, case.class_name, case.name))
            if case.previous_failed is None and prev is not None:
                case.previous_failed = prev.failed
            if case.failed and not case.failed_since:
                keep = prev is not None and prev.failed and prev.failed_since
                case.failed_since = prev.failed_since if keep else number

    def health(self) -> list:
        last = [b for b in self.newest_first() if not b.building][:5]
        if not last:
            return []
        score = 100 * sum(b.result == "SUCCESS" for b in last) // len(last)
        return [_Health(score, len(last))]

    def export_props(self):
        link = self.permalink
        props = self.item_props() + [
            Prop("buildable", lambda: not self.disabled, 1),
            Prop("builds", lambda: self.newest_first()[:100], 1),  # newest 100 only (§4.5)
            Prop("color", self.color, 2),
            Prop("healthReport", self.health, 1),
            Prop("inQueue", lambda: False, 1),
            Prop("keepDependencies", lambda: False, 1),
            Prop("nextBuildNumber", lambda: self.next_build_number, 1),
            Prop("property", self._properties, 1, inline=True),
            Prop("queueItem", lambda: None, 1),
            Prop("concurrentBuild", lambda: False, 1),
            Prop("disabled", lambda: self.disabled, 1),
            Prop("resumeBlocked", lambda: False, 1),
            Prop("allBuilds", self.newest_first, -2),  # reachable through tree= only
        ]
        for name in ("firstBuild", "lastBuild", "lastCompletedBuild", "lastFailedBuild",
                     "lastStableBuild", "lastSuccessfulBuild", "lastUnstableBuild",
                     "lastUnsuccessfulBuild"):
            props.append(Prop(name, lambda n=name: link(n), 1))
        return props

    def _properties(self) -> list:
        if isinstance(self.parent, MultiBranch):
            return [Marker("org.jenkinsci.plugins.workflow.multibranch.BranchJobProperty")]
        return []


class _Health:
    """HealthReport (`defaultVisibility=2`): the build-stability weather."""

    export_class = "hudson.model.HealthReport"

    def __init__(self, score: int, count: int):
        self.score, self.count = score, count

    def export_props(self):
        icon = ("health-00to19", "health-20to39", "health-40to59", "health-60to79",
                "health-80plus")[min(self.score // 20, 4)]
        failed = round(self.count * (100 - self.score) / 100)
        return (
            Prop("description", lambda: f"Build stability: {failed} out of the last "
                 f"{self.count} builds failed.", 2),
            Prop("iconClassName", lambda: "icon-" + icon, 2),
            Prop("iconUrl", lambda: icon + ".png", 2),
            Prop("score", lambda: self.score, 2),
        )


__all__ = ["RUN_CLASS", "Folder", "MultiBranch", "PipelineJob", "name_encode", "raw_encode"]
