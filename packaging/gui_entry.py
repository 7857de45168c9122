"""The windowed executable on Windows and macOS (flaky-triage.exe, flaky-triage.app): the app
without a console window, as `triage gui`."""

import sys

from triage.__main__ import run

if __name__ == "__main__":
    run(["gui", *sys.argv[1:]])
