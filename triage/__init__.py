"""flaky-triage: triage red and paused Jenkins builds from a local test-result history."""

__version__ = "0.1.0"
