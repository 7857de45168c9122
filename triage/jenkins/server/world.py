"""The mutable model a server serves: the item tree plus the root object (`hudson.model.Hudson`).

Every read and write from the HTTP threads happens under `world.lock`; tests that mutate a world
while its server runs take the same lock (`with srv.world.lock: ...`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from triage.jenkins.server.export import Prop
from triage.jenkins.server.jobs import AllView, Container, Item, PipelineJob, ReportCache

JENKINS_VERSION = "2.479.3"


class World(Container):
    """The Jenkins root: top-level items, the clock and the root URL used in exported `url`s."""

    export_class = "hudson.model.Hudson"
    path = ""

    def __init__(self, clock: Callable[[], float] = time.time, report_cache_size: int = 16):
        self.world = self
        self.lock = threading.RLock()
        self.clock = clock
        self.root_url = "http://localhost:8080/"  # set by the server it is served from
        self.version = JENKINS_VERSION
        # pipeline-input-step 466 or later exports InputAction (reference 1.2). False serves an
        # older plugin: InputAction is no exported bean, so a build lists it as `{}` (Stapler's
        # Property.writeValue for a non-exportable value) and `{run}/input/api/json` is a 404
        # (no getApi); its pages, proceed and abort still work, and Stage View still lists the
        # pending inputs (wfapi/pendingInputActions).
        self.input_exports = True
        self.report_cache = ReportCache(report_cache_size)
        self._init_children()

    @property
    def full_name(self) -> str:
        return ""

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    def find(self, full_name: str) -> Item | None:
        """Return the item with Jenkins' `fullName` (e.g. `shop/feature%2Fx`), or None."""
        node: Container | Item | None = self
        for part in full_name.split("/"):
            if not isinstance(node, Container):
                return None
            node = node.children.get(part)
        return node if isinstance(node, Item) else None

    def job(self, full_name: str) -> PipelineJob:
        """Return the Pipeline job with this `fullName`; raise KeyError if there is none."""
        item = self.find(full_name)
        if not isinstance(item, PipelineJob):
            raise KeyError(full_name)
        return item

    def all_jobs(self) -> list[PipelineJob]:
        out: list[PipelineJob] = []
        stack: list[Container | Item] = [self]
        while stack:
            node = stack.pop()
            if isinstance(node, PipelineJob):
                out.append(node)
            elif isinstance(node, Container):
                stack.extend(reversed(list(node.children.values())))
        return out

    def export_props(self):
        return (
            Prop("assignedLabels", lambda: [_Label()], 1, declared=_Label.export_class),
            Prop("mode", lambda: "NORMAL", 1),
            Prop("nodeDescription", lambda: "the Jenkins controller's built-in node", 1),
            Prop("nodeName", lambda: "", 1),
            Prop("numExecutors", lambda: 2, 1),
            Prop("description", lambda: None, 1),
            Prop("jobs", lambda: list(self.children.values()), 1),
            Prop("overallLoad", dict, 1),
            Prop("primaryView", lambda: AllView(self), 1),
            Prop("quietDownReason", lambda: None, 1),
            Prop("quietingDown", lambda: False, 1),
            Prop("slaveAgentPort", lambda: -1, 1),
            Prop("unlabeledLoad", lambda: _Load(), 1),
            Prop("url", lambda: self.root_url, 1),
            Prop("useCrumbs", lambda: True, 1),
            Prop("useSecurity", lambda: True, 1),
            Prop("views", self.views, 1),
        )


class _Label:
    export_class = "hudson.model.labels.LabelAtom"

    def export_props(self):
        return (Prop("name", lambda: "built-in", 2),)


class _Load:
    export_class = "jenkins.model.UnlabeledLoadStatistics"

    def export_props(self):
        return ()
