"""The windowed executable on Windows and macOS (flaky-triage.exe, flaky-triage.app): the app
without a console window, as `triage gui`."""

from triage.__main__ import gui

if __name__ == "__main__":
    gui()
