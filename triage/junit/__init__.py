"""JUnit/xUnit XML and Jenkins test-report JSON -> `TestResult`s.

Modules, each documenting its own choices:
- `build`: find a build's report files, parse each, merge (`parse_paths`, `parse_file`).
- `safexml`: hostile-XML refusal and error positions. `reader`: dialects, one file's elements.
- `merge`: retries and duplicates folded by (classname, name). `durations`, `texts`: values.
- `jenkins_json`: `{run}/testReport/api/json` -> results. `synth`: big realistic reports.
"""

from triage.junit.build import (
    OutcomeCounts,
    ParsedBuild,
    find_reports,
    parse_file,
    parse_paths,
    read_file,
)
from triage.junit.durations import parse_duration
from triage.junit.merge import merge_results
from triage.junit.reader import ElementCounts, FileReport, SuiteInfo

__all__ = [
    "ElementCounts",
    "FileReport",
    "OutcomeCounts",
    "ParsedBuild",
    "SuiteInfo",
    "find_reports",
    "merge_results",
    "parse_duration",
    "parse_file",
    "parse_paths",
    "read_file",
]
