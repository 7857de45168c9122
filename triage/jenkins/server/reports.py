"""JUnit test reports as the junit plugin exports them (reference §3) and as surefire XML.

`Case.outcome` is what the XML said (passed/failed/error/skipped); the exported `status` is
derived the modern way (PASSED/FAILED/SKIPPED, §3.3) unless the job simulates an older plugin
(`legacy_status`) or the builder pinned `status` explicitly (FIXED and REGRESSION included).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from triage.jenkins.server.export import Prop

OUTCOMES = ("passed", "failed", "error", "skipped")
STATUSES = ("PASSED", "SKIPPED", "FAILED", "FIXED", "REGRESSION")


@dataclass(slots=True)
class Failure:
    """A surefire `<flakyFailure>`/`<rerunFailure>`; exported only as `{}` (a Java record, §3.7)."""

    message: str | None = None
    type: str | None = None
    trace: str | None = None

    export_class = "hudson.tasks.junit.Failure"

    def export_props(self):
        return ()


@dataclass(slots=True, eq=False)
class Case:
    class_name: str
    name: str
    outcome: str = "passed"
    duration: float = 0.0
    message: str | None = None
    error_type: str | None = None
    trace: str | None = None
    stdout: str | None = None
    stderr: str | None = None
    skipped_message: str | None = None
    flaky_failures: list[Failure] = field(default_factory=list)
    rerun_failures: list[Failure] = field(default_factory=list)
    status: str | None = None  # pinned exported status; None = derive
    failed_since: int = 0
    previous_failed: bool | None = None  # for legacy FIXED/REGRESSION
    suite: Suite | None = field(default=None, repr=False)

    export_class = "hudson.tasks.junit.CaseResult"

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, not {self.outcome!r}")
        if self.status is not None and self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")

    @property
    def failed(self) -> bool:
        return self.outcome in ("failed", "error")

    def exported_status(self, legacy: bool) -> str:
        if self.status is not None:
            return self.status
        if self.outcome == "skipped":
            return "SKIPPED"
        if legacy and self.previous_failed is not None:
            # Before junit 1363, getStatus() compared with the previous build (§3.3).
            if self.failed:
                return "FAILED" if self.previous_failed else "REGRESSION"
            return "FIXED" if self.previous_failed else "PASSED"
        return "FAILED" if self.failed else "PASSED"

    def age(self, number: int) -> int:
        # §3.4: 0 if passed, else number - failedSince + 1 (meaningless number+1 when skipped).
        if self.outcome == "passed":
            return 0
        return number - self.failed_since + 1

    def export_props_for(self, number: int, legacy: bool):
        suite = self.suite
        return (
            Prop("testActions", list, 3),
            Prop("age", lambda: self.age(number), 9),
            Prop("className", lambda: self.class_name, 9),
            Prop("duration", lambda: self.duration, 9),
            Prop("errorDetails", lambda: self.message if self.failed else None, 1),
            Prop("errorStackTrace", lambda: self.trace if self.failed else None, 1),
            Prop("failedSince", lambda: self.failed_since if self.failed else 0, 9),
            Prop("name", lambda: self.name or "(?)", 999),
            Prop("properties", dict, 1),
            Prop("skipped", lambda: self.outcome == "skipped", 9),
            Prop("skippedMessage", lambda: self.skipped_message, 1),
            Prop("status", lambda: self.exported_status(legacy), 9),
            # §3.2: a case without its own output falls back to the suite's.
            Prop("stderr", lambda: self.stderr or (suite.stderr if suite else None), 1),
            Prop("stdout", lambda: self.stdout or (suite.stdout if suite else None), 1),
            Prop("flakyFailures", lambda: self.flaky_failures, 1, declared=Failure.export_class),
            Prop("rerunFailures", lambda: self.rerun_failures, 1, declared=Failure.export_class),
        )


@dataclass(slots=True, eq=False)
class Suite:
    name: str
    cases: list[Case] = field(default_factory=list)
    duration: float | None = None
    stdout: str | None = None
    stderr: str | None = None
    timestamp: str | None = None
    node_id: str | None = None
    enclosing_blocks: list[str] = field(default_factory=list)
    enclosing_block_names: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for case in self.cases:
            case.suite = self

    def add(self, case: Case) -> Case:
        case.suite = self
        self.cases.append(case)
        return case

    @property
    def total_duration(self) -> float:
        if self.duration is not None:
            return self.duration
        return round(sum(c.duration for c in self.cases), 3)


class _CaseView:
    """Binds a case to its build number and status style for export."""

    __slots__ = ("case", "number", "legacy")
    export_class = "hudson.tasks.junit.CaseResult"

    def __init__(self, case: Case, number: int, legacy: bool):
        self.case, self.number, self.legacy = case, number, legacy

    def export_props(self):
        return self.case.export_props_for(self.number, self.legacy)


class _SuiteView:
    __slots__ = ("suite", "number", "legacy")
    export_class = "hudson.tasks.junit.SuiteResult"

    def __init__(self, suite: Suite, number: int, legacy: bool):
        self.suite, self.number, self.legacy = suite, number, legacy

    def export_props(self):
        s = self.suite
        return (
            Prop("duration", lambda: s.total_duration, 9),
            Prop("enclosingBlockNames", lambda: s.enclosing_block_names, 9),
            Prop("enclosingBlocks", lambda: s.enclosing_blocks, 9),
            Prop("id", lambda: None, 9),
            Prop("name", lambda: s.name, 9),
            Prop("nodeId", lambda: s.node_id, 9),
            Prop("properties", dict, 1),
            Prop("stderr", lambda: s.stderr, 1),
            Prop("stdout", lambda: s.stdout, 1),
            Prop("timestamp", lambda: s.timestamp, 9),
            Prop(
                "cases",
                lambda: [_CaseView(c, self.number, self.legacy) for c in s.cases],
                9,
                inline=True,
                declared=_CaseView.export_class,
            ),
        )


@dataclass(slots=True)
class Report:
    """One build's merged test result (several `junit` steps merge into one, §3.1)."""

    suites: list[Suite] = field(default_factory=list)

    def add_suite(self, suite: Suite) -> Suite:
        self.suites.append(suite)
        return suite

    def cases(self):
        for suite in self.suites:
            yield from suite.cases

    def find_page(self, package: str, klass: str, case: str | None = None) -> Case | None:
        """Return the case whose test page is `{package}/{class}/{case}` (decoded), or the
        first case of the class page when `case` is None; None if there is none."""
        for item in self.cases():
            pkg, cls, name = page_parts(item)
            if (pkg, cls) == (package, klass) and case in (None, name):
                return item
        return None

    def counts(self) -> tuple[int, int, int]:
        """Return (fail, skip, total)."""
        fail = skip = total = 0
        for case in self.cases():
            total += 1
            if case.outcome == "skipped":
                skip += 1
            elif case.failed:
                fail += 1
        return fail, skip, total

    def view(self, number: int, legacy: bool = False) -> ReportView:
        return ReportView(self, number, legacy)


class ReportView:
    """`{run}/testReport/api/json`: `hudson.tasks.junit.TestResult` (§3.2)."""

    export_class = "hudson.tasks.junit.TestResult"

    def __init__(self, report: Report, number: int, legacy: bool):
        self.report, self.number, self.legacy = report, number, legacy

    def export_props(self):
        r = self.report
        fail, skip, total = r.counts()
        return (
            Prop("testActions", list, 3),
            Prop("duration", lambda: round(sum(s.total_duration for s in r.suites), 3), 999),
            Prop("empty", lambda: total == 0, 999),
            Prop("failCount", lambda: fail, 999),
            Prop("passCount", lambda: total - fail - skip, 999),
            Prop("skipCount", lambda: skip, 999),
            Prop(
                "suites",
                lambda: [_SuiteView(s, self.number, self.legacy) for s in r.suites],
                9,
                inline=True,
                declared=_SuiteView.export_class,
            ),
        )


# --- surefire XML for archived artifacts -----------------------------------------------------


def suite_xml(suite: Suite) -> bytes:
    """Render one suite as a surefire `TEST-*.xml` file (what `junit` would have parsed)."""
    fail = sum(1 for c in suite.cases if c.outcome == "failed")
    err = sum(1 for c in suite.cases if c.outcome == "error")
    skip = sum(1 for c in suite.cases if c.outcome == "skipped")
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<testsuite name={quoteattr(suite.name)} tests=\"{len(suite.cases)}\" failures=\"{fail}\""
        f' errors="{err}" skipped="{skip}" time="{suite.total_duration:.3f}">',
    ]
    for case in suite.cases:
        out.append(_case_xml(case))
    if suite.stdout:
        out.append(f"  <system-out>{escape(suite.stdout)}</system-out>")
    if suite.stderr:
        out.append(f"  <system-err>{escape(suite.stderr)}</system-err>")
    out.append("</testsuite>\n")
    return "\n".join(out).encode("utf-8")


def _failure_xml(tag: str, message: str | None, type_: str | None, trace: str | None) -> str:
    attrs = ""
    if message is not None:
        attrs += f" message={quoteattr(message)}"
    if type_ is not None:
        attrs += f" type={quoteattr(type_)}"
    return f"    <{tag}{attrs}>{escape(trace or '')}</{tag}>"


def _case_xml(case: Case) -> str:
    head = (
        f"  <testcase name={quoteattr(case.name)} classname={quoteattr(case.class_name)}"
        f' time="{case.duration:.3f}"'
    )
    body: list[str] = []
    if case.outcome in ("failed", "error"):
        tag = "failure" if case.outcome == "failed" else "error"
        body.append(_failure_xml(tag, case.message, case.error_type, case.trace))
    elif case.outcome == "skipped":
        msg = case.skipped_message
        body.append(f"    <skipped message={quoteattr(msg)}/>" if msg else "    <skipped/>")
    for f in case.flaky_failures:
        body.append(_failure_xml("flakyFailure", f.message, f.type, f.trace))
    for f in case.rerun_failures:
        body.append(_failure_xml("rerunFailure", f.message, f.type, f.trace))
    if case.stdout:
        body.append(f"    <system-out>{escape(case.stdout)}</system-out>")
    if case.stderr:
        body.append(f"    <system-err>{escape(case.stderr)}</system-err>")
    if not body:
        return head + "/>"
    return head + ">\n" + "\n".join(body) + "\n  </testcase>"


# The junit plugin's test page names (TestObject.safe, CaseResult.getSafeName; reference §3),
# written apart from the client's `triage.jenkins.urls.test_page`: this server is its oracle.
_UNSAFE_RE = re.compile(r'[\x00-\x20\x7f"#%/:<>?\[\\\]^`{|}]')


def _object_safe(text: str) -> str:
    return _UNSAFE_RE.sub("_", text) if text else "(empty)"


def _identifier_part(ch: str) -> bool:
    # Java's Character.isJavaIdentifierPart, by Unicode category.
    if ch in "_$" or ch.isalnum() and unicodedata.category(ch) != "No":
        return True
    if unicodedata.category(ch) in {"Sc", "Pc", "Mn", "Mc", "Nl", "Cf"}:
        return True
    return ord(ch) <= 8 or 14 <= ord(ch) <= 27 or 127 <= ord(ch) <= 159


def page_parts(case: Case) -> tuple[str, str, str]:
    """Return (package, class, case) of a case's page under `{run}/testReport/`, decoded."""
    dot = case.class_name.rfind(".")
    package = case.class_name[:dot] if dot >= 0 else "(root)"
    simple = case.class_name[dot + 1:]
    name = "".join(c if _identifier_part(c) else "_" for c in (case.name or "(?)"))
    return _object_safe(package), _object_safe(simple), name
