"""Walk one parsed report and turn every `<testcase>` element into a TestResult (not merged yet).

Structure and dialect choices:
- Root: `<testsuites>` or a bare `<testsuite>`; anything else is NotJUnitError (junitparser's
  `JUnitXml.fromroot` decides, as it does for every junitparser user). A namespace on the root
  (rare, some XSL outputs) is removed from every tag first.
- Suites nest to any depth. `TestResult.suite` is the path of suite names from the outermost
  `<testsuite>` down, joined with "/"; the `<testsuites>` root is a container, not part of it.
  Nameless suites add nothing to the path; more than MAX_SUITE_DEPTH named levels is refused
  (NotJUnitError) because building ever longer paths would be quadratic. A `package`
  attribute is prefixed to the suite name, as Jenkins does. Cases placed directly under
  `<testsuites>` are read too (suite None).
- classname: the `classname` attribute, else `class` (PHPUnit writes both), else the nearest
  enclosing named suite (Jenkins JENKINS-1463 does the same). With no named suite either, a
  dotted name is split at its last dot into class and method, Jenkins' guard for reporters
  that put the qualified name in `name`; otherwise the file stem is the class. An empty
  attribute counts as missing. A case without a name gets "(unnamed N)", N counting from 1 in
  the file, so nameless cases are not mistaken for retries of each other.
- Outcome of one element, when it holds several results: `<error>` beats `<failure>` beats
  `<skipped>`, and any failure beats a skip-like `status` ("disabled", "skipped", "notrun",
  which count as skipped otherwise). A recorded failure is evidence; hiding it behind a skip
  would hide a red test. All failure details are kept in `attempts`, the winner first.
- Surefire retries inside an element: `<flakyFailure>`/`<flakyError>` on a passing case make it
  FLAKY; `<rerunFailure>`/`<rerunError>` on a failing one keep it FAILED/ERROR. Either way
  `reruns` is the number of those elements and each becomes an Attempt (kind = the tag; trace
  from `<stackTrace>`, output from its own `<system-out>`/`<system-err>`). The default
  junitparser classes hide these elements, so we read cases through `junitparser.xunit2`.
- Firebase Test Lab marks a case that failed and then passed with `flaky="true"`: such a case
  holding failures is FLAKY, one rerun per `<failure>`/`<error>`. Several results in a case
  without that mark stay one attempt (JUnit 5 and pytest report several problems of one run).
- A suite-level `<error>` (a class that failed to load) becomes an ERROR case named "<init>"
  in that suite's class, as Jenkins does; several such errors are details of one case.
- Output: a case's own `<system-out>`/`<system-err>`. A failing, erroring or flaky case without
  its own output inherits its suite's (that is where Surefire and many tools put it); passing
  cases drop their output unless asked to keep it, because triage never shows it and it would
  multiply the size of the history. Every text is cleaned and capped by `texts.clean_text`.
- Duration: the `time` attribute through `parse_duration`, else a `<time>` child element
  (AntUnit). Suite counts (`tests=`, `failures=` ...) are never trusted: 30 corpus files
  disagree with their own testcases.
- Speed: a case without child elements and without a skip-like status (the vast majority) is
  handled inline on the raw element; only the rest go through junitparser objects.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from junitparser import JUnitXmlError, xunit2
from junitparser.junitparser import Error, Failure, Skipped

from triage.domain import Attempt, Outcome, TestResult
from triage.errors import NotJUnitError
from triage.junit.durations import MAX_SECONDS, parse_duration
from triage.junit.texts import clean_text

MAX_SUITE_DEPTH = 100  # real reports nest a few levels; a deeper path only costs time
SKIP_STATUSES = frozenset({"disabled", "skipped", "notrun"})
_PASSED, _FLAKY, _SKIPPED = Outcome.PASSED, Outcome.FLAKY, Outcome.SKIPPED
_FAILED = (Outcome.FAILED, Outcome.ERROR)
_FAILING = (*_FAILED, Outcome.FLAKY)


@dataclass(frozen=True, slots=True)
class SuiteInfo:
    """One `<testsuite>` that directly holds cases or a suite-level error."""

    name: str | None  # the suite path, as in TestResult.suite
    file: str
    testcases: int
    duration: float | None
    timestamp: str | None
    hostname: str | None
    properties: tuple[tuple[str, str], ...]
    stdout: str | None
    stderr: str | None


@dataclass(slots=True)
class ElementCounts:
    """Counts per `<testcase>` element before merging; one element may count in several columns.

    This is what most tools (and the corpus MANIFEST) count: cases holding a `<failure>`, an
    `<error>` or a `<skipped>` element; `retry_elements` counts Surefire flaky/rerun elements.
    """

    testcases: int = 0
    with_failure: int = 0
    with_error: int = 0
    with_skipped: int = 0
    retry_elements: int = 0

    def add(self, other: ElementCounts) -> None:
        self.testcases += other.testcases
        self.with_failure += other.with_failure
        self.with_error += other.with_error
        self.with_skipped += other.with_skipped
        self.retry_elements += other.retry_elements


@dataclass(slots=True)
class FileReport:
    """Everything read from one file: unmerged results in document order, suites, counts."""

    file: str
    results: list[TestResult] = field(default_factory=list)
    suites: list[SuiteInfo] = field(default_factory=list)
    counts: ElementCounts = field(default_factory=ElementCounts)


def read_report(root: ET.Element, display: str, stem: str,
                keep_passing_output: bool = False) -> FileReport:
    """Return the unmerged results of a parsed report; raise NotJUnitError for other XML."""
    if root.tag.startswith("{"):
        _strip_namespaces(root)
    try:
        xunit2.JUnitXml.fromroot(root)
    except JUnitXmlError:
        raise NotJUnitError(
            f"{display}: not a JUnit XML report (root element <{root.tag}>, expected "
            "<testsuites> or <testsuite>); pass only test result files",
            path=display) from None
    walker = _Walker(display, stem, keep_passing_output)
    if root.tag == "testsuite":
        walker.suites([root])
    else:
        walker.container(root)
    return walker.report


def _strip_namespaces(root: ET.Element) -> None:
    for elem in root.iter():
        if isinstance(elem.tag, str) and elem.tag.startswith("{"):
            elem.tag = elem.tag.split("}", 1)[1]


class _Walker:
    def __init__(self, display: str, stem: str, keep_passing_output: bool):
        self.report = FileReport(display)
        self.file = display
        self.stem = stem
        self.keep_passing_output = keep_passing_output
        self.unnamed = 0

    def container(self, root: ET.Element) -> None:
        """Read a `<testsuites>` root: its suites, and any cases placed directly in it."""
        self.cases(root, None, None)
        self.suites([child for child in root if child.tag == "testsuite"])

    def suites(self, top: list[ET.Element]) -> None:
        """Read suites depth-first in document order; a stack, so any nesting depth works."""
        stack: list[tuple[ET.Element, tuple[str, ...], str | None]] = [
            (elem, (), None) for elem in reversed(top)]
        while stack:
            elem, parents, outer_name = stack.pop()
            if len(parents) >= MAX_SUITE_DEPTH:
                raise NotJUnitError(
                    f"{self.file}: test suites nested more than {MAX_SUITE_DEPTH} levels deep; "
                    "this is not a real test report", path=self.file)
            path, class_name = self.suite(elem, parents, outer_name)
            nested = [child for child in elem if child.tag == "testsuite"]
            stack.extend((child, path, class_name) for child in reversed(nested))

    def suite(self, elem: ET.Element, parents: tuple[str, ...],
              outer_name: str | None) -> tuple[tuple[str, ...], str | None]:
        """Read one suite's own cases and errors; return its path and class-name fallback."""
        name = elem.get("name") or None
        package = elem.get("package")
        if name and package and not name.startswith(package + "."):
            name = f"{package}.{name}"
        path = (*parents, name) if name else parents
        label = "/".join(path) or None
        class_name = name or outer_name
        first = len(self.report.results)
        n_cases = self.cases(elem, label, class_name)
        errors = elem.findall("error")
        if errors:
            self.report.results.append(_init_case(errors, class_name or self.stem, label))
        if n_cases or errors:
            self.report.suites.append(self.suite_info(elem, label, n_cases, first))
        return path, class_name

    def cases(self, elem: ET.Element, label: str | None, default_class: str | None) -> int:
        """Append a result per direct `<testcase>` child; return how many there were."""
        results = self.report.results
        append = results.append
        n = 0
        for case in elem:
            if case.tag != "testcase":
                continue
            n += 1
            get = case.get
            if len(case) or get("status") in SKIP_STATUSES:
                append(self.slow_case(case, label, default_class))
                continue
            # Hot path: a bare passing case. Kept inline; this loop is the importer's floor.
            text = get("time")
            try:
                duration = float(text)
                if not 0.0 <= duration <= MAX_SECONDS:
                    duration = None
            except (TypeError, ValueError):
                duration = parse_duration(text)
            name = get("name")
            classname = get("classname") or get("class") or default_class
            if not (name and classname):
                classname, name = self.identity(classname, name)
            # `file` is the test's source file as the producer wrote it (pytest, Jest...), not
            # the report's path, which changes from build to build.
            append(TestResult(classname, name, _PASSED, duration, 0, label, get("file")))
        self.report.counts.testcases += n
        return n

    def identity(self, classname: str | None, name: str | None) -> tuple[str, str]:
        """Fill in a missing classname or name (rules in the module docstring)."""
        if not name:
            self.unnamed += 1
            name = f"(unnamed {self.unnamed})"
        elif not classname:
            head, _, tail = name.rpartition(".")
            if head and tail:
                classname, name = head, tail
        return classname or self.stem, name

    def slow_case(self, elem: ET.Element, label: str | None,
                  default_class: str | None) -> TestResult:
        case = xunit2.TestCase.fromelem(elem)
        finals = case.result
        interims = case.interim_result
        counts = self.report.counts
        kinds = {type(r) for r in finals}
        counts.with_failure += Failure in kinds
        counts.with_error += Error in kinds
        counts.with_skipped += Skipped in kinds
        counts.retry_elements += len(interims)
        outcome = _element_outcome(kinds, elem.get("status"), bool(interims))
        reruns = len(interims)
        if elem.get("flaky") == "true" and outcome in _FAILED:
            # Firebase Test Lab: the case passed on another attempt; each result is a failed one.
            outcome, reruns = _FLAKY, reruns + sum(k in (Failure, Error) for k in map(type, finals))
        duration = parse_duration(elem.get("time"))
        if duration is None and elem.get("time") is None:
            duration = parse_duration(elem.findtext("time"))
        keep_output = self.keep_passing_output or outcome is not _PASSED
        classname, name = self.identity(
            elem.get("classname") or elem.get("class") or default_class, elem.get("name"))
        return TestResult(
            classname, name, outcome, duration, reruns, label, elem.get("file"),
            _attempts(outcome, finals, interims),
            clean_text(case.system_out) if keep_output else None,
            clean_text(case.system_err) if keep_output else None,
        )

    def suite_info(self, elem: ET.Element, label: str | None, n_cases: int,
                   first: int) -> SuiteInfo:
        suite = xunit2.TestSuite.fromelem(elem)
        stdout, stderr = clean_text(suite.system_out), clean_text(suite.system_err)
        if stdout or stderr:
            _inherit_output(self.report.results[first:], stdout, stderr)
        props = tuple((p.get("name") or "", p.get("value") or (p.text or "").strip())
                      for p in elem.iterfind("properties/property"))
        return SuiteInfo(label, self.file, n_cases, parse_duration(elem.get("time")),
                         suite.timestamp, suite.hostname, props, stdout, stderr)


def _element_outcome(kinds: set[type], status: str | None, has_interims: bool) -> Outcome:
    if Error in kinds:
        return Outcome.ERROR
    if Failure in kinds:
        return Outcome.FAILED
    if Skipped in kinds or status in SKIP_STATUSES:
        return _SKIPPED
    return _FLAKY if has_interims else _PASSED


def _attempts(outcome: Outcome, finals: list, interims: list) -> tuple[Attempt, ...]:
    if outcome is _SKIPPED:
        skips = [r for r in finals if isinstance(r, Skipped)]
        # junit-plugin takes the skip reason from the text when there is no message attribute.
        return tuple(Attempt("skipped", r.type, clean_text(r.message) or clean_text(r.text))
                     for r in skips)
    problems: list = [r for r in finals if isinstance(r, Error)]
    problems += [r for r in finals if isinstance(r, Failure)]
    out = [Attempt(r._tag, r.type, clean_text(r.message), clean_text(r.text)) for r in problems]
    for r in interims:
        trace = r.stack_trace if r.stack_trace is not None else r.text
        out.append(Attempt(r._tag, r.type, clean_text(r.message), clean_text(trace),
                           clean_text(r.system_out), clean_text(r.system_err)))
    return tuple(out)


def _init_case(errors: list[ET.Element], classname: str, label: str | None) -> TestResult:
    attempts = tuple(Attempt("error", e.get("type"), clean_text(e.get("message")),
                             clean_text(e.text)) for e in errors)
    return TestResult(classname, "<init>", Outcome.ERROR, None, 0, label, None, attempts)


def _inherit_output(results: list[TestResult], stdout: str | None, stderr: str | None) -> None:
    for result in results:
        if result.outcome in _FAILING and result.stdout is None and result.stderr is None:
            result.stdout, result.stderr = stdout, stderr
