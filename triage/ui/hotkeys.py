"""Every keyboard shortcut of the app, in one place (style habit 14; git-cola's hotkeys.py).

Widgets import these names; Help > Keyboard shortcuts lists `TABLE`, so the dialog, the README
and the bindings cannot disagree. Values are strings or standard keys, turned into
`QKeySequence`s by `key()` once a QApplication exists (building one earlier crashes Qt).
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

_Std = QKeySequence.StandardKey
Key = str | QKeySequence.StandardKey

NEXT = "J"
PREVIOUS = "K"
SELECT_ALL = _Std.SelectAll  # Ctrl+A
MARK_REAL = "R"
MARK_NOISE = "N"
MARK_CLEAR = "U"
ACCEPT_SUGGESTIONS = "A"
UNDO = _Std.Undo  # Ctrl+Z
PROCEED = "P"
ABORT = "X"
FILTER = _Std.Find  # Ctrl+F
FILTER_DONE = ("Down", "Return", "Enter")  # in the filter box: to the failures it keeps
FILTER_CLEAR = ("Esc",)  # in the filter box: clear it, back to the failures
REFRESH = _Std.Refresh  # F5
QUIT = "Ctrl+Q"
FIND_NEXT = _Std.FindNext  # F3 / Ctrl+G in the detail's search
COPY = _Std.Copy
OPEN_IN_JENKINS = "Ctrl+O"
CONSOLE_LOG = "L"
SHORTCUTS_HELP = _Std.HelpContents  # F1
SETTINGS = "Ctrl+,"
EXPORT_REPORT = "Ctrl+E"

# (keys as shown, what they do) for Help > Keyboard shortcuts and the README.
TABLE = [
    ("Tab / Shift+Tab", "Move focus: inbox, failures, detail (its trace, then its search line)"),
    ("Up / Down, J / K", "Next / previous row in a list"),
    ("Ctrl+A", "Select all failures"),
    ("R", "Mark the selected failures (or the selected cluster) real"),
    ("N", "Mark them noise"),
    ("U", "Clear their marks"),
    ("A", "Accept the build's suggestions (real and noise; unsure stays)"),
    ("Ctrl+Z", "Undo the last marking"),
    ("P", "Proceed the selected build (a chooser first when several inputs wait)"),
    ("Enter", "In the Proceed form: submit with the input's OK text"),
    ("X", "Abort the selected build's input"),
    ("L", "Load the build's console log"),
    ("Ctrl+O", "Open the failure (or build) in Jenkins"),
    ("Ctrl+F", "Filter the failures"),
    ("Down / Enter, Esc", "In the filter: to the failures it keeps; Esc clears it first"),
    ("F3", "Find the next match in the detail's search"),
    ("F5", "Refresh the inbox"),
    ("Ctrl+E", "Export a report (HTML, CSV, JSON, Markdown) with a preview"),
    ("Ctrl+,", "Settings: servers, watched jobs, poll interval"),
    ("F1", "Keyboard shortcuts"),
    ("Ctrl+Q", "Quit"),
]


def key(value: Key) -> QKeySequence:
    """Return the QKeySequence of a shortcut above."""
    return QKeySequence(value)


def matches(event, value: Key) -> bool:
    """Return True when a key event is this shortcut (for keys handled in keyPressEvent)."""
    if isinstance(value, QKeySequence.StandardKey):
        return event.matches(value)
    pressed = QKeySequence(event.keyCombination())
    return pressed.matches(key(value)) == QKeySequence.SequenceMatch.ExactMatch
