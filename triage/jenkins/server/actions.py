"""The actions a Pipeline run exports in `actions[]` (reference §4.6): causes, git BuildData,
test summary, parameters, artifacts. Unexportable actions appear as `{}` (§0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from triage.jenkins.server.export import Prop

if TYPE_CHECKING:
    from triage.jenkins.server.builds import Build


class Marker:
    """An exported action with nothing visible at depth 0: written as `{"_class": ...}`."""

    def __init__(self, export_class: str):
        self.export_class = export_class

    def export_props(self):
        return ()


@dataclass
class Cause:
    """One entry of CauseAction.causes; `extra` holds class-specific fields (userId, ...)."""

    export_class: str
    short_description: str
    extra: dict[str, Any] = field(default_factory=dict)

    def export_props(self):
        props = [Prop("shortDescription", lambda: self.short_description, 3)]
        props += [Prop(k, (lambda v=v: v), 3) for k, v in self.extra.items()]
        return props

    @classmethod
    def user(cls, user_id: str, user_name: str | None = None) -> Cause:
        name = user_name or user_id.capitalize()
        return cls(
            "hudson.model.Cause$UserIdCause",
            f"Started by user {name}",
            {"userId": user_id, "userName": name},
        )

    @classmethod
    def scm(cls) -> Cause:
        return cls("hudson.triggers.SCMTrigger$SCMTriggerCause", "Started by an SCM change")

    @classmethod
    def timer(cls) -> Cause:
        return cls("hudson.triggers.TimerTrigger$TimerTriggerCause", "Started by timer")

    @classmethod
    def branch_indexing(cls) -> Cause:
        return cls("jenkins.branch.BranchIndexingCause", "Branch indexing")

    @classmethod
    def replay(cls, original: int) -> Cause:
        return cls(
            "org.jenkinsci.plugins.workflow.cps.replay.ReplayCause",
            f"Replayed #{original}",
        )

    @classmethod
    def upstream(cls, project: str, build: int, url: str) -> Cause:
        return cls(
            "hudson.model.Cause$UpstreamCause",
            f'Started by upstream project "{project}" build number {build}',
            {"upstreamBuild": build, "upstreamProject": project, "upstreamUrl": url},
        )


class CauseAction:
    export_class = "hudson.model.CauseAction"

    def __init__(self, causes: list[Cause]):
        self.causes = causes

    def export_props(self):
        return (Prop("causes", lambda: self.causes, 2),)


@dataclass
class GitObject:
    """A git-client `Revision` (SHA1 + branches) or `Branch` (SHA1 + name); all visibility 999."""

    sha1: str
    branch_name: str

    def revision(self) -> _Revision:
        return _Revision(self.sha1, [_Branch(self.sha1, self.branch_name)])


class _Branch:
    export_class = "hudson.plugins.git.Branch"

    def __init__(self, sha1: str, name: str):
        self.sha1, self.name = sha1, name

    def export_props(self):
        return (Prop("SHA1", lambda: self.sha1, 999), Prop("name", lambda: self.name, 999))


class _Revision:
    export_class = "hudson.plugins.git.Revision"

    def __init__(self, sha1: str, branches: list[_Branch]):
        self.sha1, self.branches = sha1, branches

    def export_props(self):
        return (
            Prop("SHA1", lambda: self.sha1, 999),
            Prop("branch", lambda: self.branches, 999, declared=_Branch.export_class),
        )


class _GitBuild:
    export_class = "hudson.plugins.git.util.Build"

    def __init__(self, number: int, rev: GitObject):
        self.number, self.rev = number, rev

    def export_props(self):
        return (
            Prop("buildNumber", lambda: self.number, 999),
            Prop("buildResult", lambda: None, 999),
            Prop("marked", self.rev.revision, 999, declared=_Revision.export_class),
            Prop("revision", self.rev.revision, 999, declared=_Revision.export_class),
        )


@dataclass
class BuildData:
    """git-plugin `BuildData`: one per checked-out repository (several with shared libraries)."""

    sha1: str
    branch: str
    remote: str
    scm_name: str = ""
    number: int = 0

    export_class = "hudson.plugins.git.util.BuildData"

    def export_props(self):
        rev = GitObject(self.sha1, self.branch)
        return (
            Prop("buildsByBranchName", lambda: {self.branch: _GitBuild(self.number, rev)}, 999),
            Prop("lastBuiltRevision", rev.revision, 999, declared=_Revision.export_class),
            Prop("remoteUrls", lambda: [self.remote], 999),
            Prop("scmName", lambda: self.scm_name, 999),
        )


class _TestResultAction:
    export_class = "hudson.tasks.junit.TestResultAction"

    def __init__(self, build: Build):
        self.build = build

    def export_props(self):
        counts = self.build.report_counts
        return (
            Prop("failCount", lambda: counts()[0], 2),
            Prop("skipCount", lambda: counts()[1], 2),
            Prop("totalCount", lambda: counts()[2], 2),
            Prop("urlName", lambda: "testReport", 2),
        )


class _ParametersAction:
    export_class = "hudson.model.ParametersAction"

    def __init__(self, values: list):
        self.values = values

    def export_props(self):
        return (Prop("parameters", lambda: self.values, 2),)


class _Artifact:
    export_class = "hudson.model.Run$Artifact"

    def __init__(self, path: str):
        self.path = path

    def export_props(self):
        name = self.path.rsplit("/", 1)[-1]
        return (
            Prop("displayPath", lambda: name, 3),
            Prop("fileName", lambda: name, 3),
            Prop("relativePath", lambda: self.path, 3),
        )
