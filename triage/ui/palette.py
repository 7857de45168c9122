"""Colours that read on light and dark palettes: outcomes, suggestions, build states.

`apply(app, "dark")` sets a dark Fusion palette (screenshots and users who ask for it);
`is_dark()` tells which one is in force so painted cells pick their shade. Delegates call these
for every cell they paint, so the answers are kept per palette (`QPalette.cacheKey` changes
whenever the application's palette does) and the colours are made once, not per cell.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QColor, QGuiApplication, QPalette

_OUTCOMES = {"P": "#2e9d4f", "F": "#d64541", "E": "#9b1c1c", "S": "#9aa0a6", "R": "#e0a100",
             "-": "#d0d3d8"}
_OUTCOMES_DARK = {"P": "#3fb869", "F": "#ef5350", "E": "#c62828", "S": "#6b7178", "R": "#f2b824",
                  "-": "#3a3f45"}
_BADGES = {"real": ("#d64541", "#ffffff"), "unsure": ("#f2b824", "#2b2100"),
           "noise": ("#8d959e", "#ffffff")}
_BADGES_DARK = {"real": ("#e05552", "#ffffff"), "unsure": ("#d9a520", "#1d1600"),
                "noise": ("#5d656e", "#f0f0f0")}
_STATES = {"paused": "#c77700", "running": "#2f7fd1", "unstable": "#b8860b",
           "failed": "#c0392b", "aborted": "#7f8790", "down": "#c0392b"}
_STATES_DARK = {"paused": "#ffb347", "running": "#6aaeff", "unstable": "#e6c04a",
                "failed": "#ff6b5e", "aborted": "#9aa1a9", "down": "#ff6b5e"}


_dark_by_palette: dict[int, bool] = {}


def is_dark() -> bool:
    app = QGuiApplication.instance()
    if app is None:
        return False
    colors = app.palette()
    key = colors.cacheKey()
    dark = _dark_by_palette.get(key)
    if dark is None:
        if len(_dark_by_palette) > 16:  # palettes come and go with theme changes: stay small
            _dark_by_palette.clear()
        dark = _dark_by_palette[key] = colors.color(QPalette.ColorRole.Window).lightness() < 128
    return dark


@cache
def _outcome_colors(dark: bool) -> dict[str, QColor]:
    return {letter: QColor(code) for letter, code in (_OUTCOMES_DARK if dark else _OUTCOMES).items()}


@cache
def _badge_colors(dark: bool) -> dict[str, tuple[QColor, QColor]]:
    return {name: (QColor(fill), QColor(text))
            for name, (fill, text) in (_BADGES_DARK if dark else _BADGES).items()}


def outcome_colors() -> dict[str, QColor]:
    """Letter -> colour for the palette in force (shared: do not change the colours)."""
    return _outcome_colors(is_dark())


def badge_colors(suggestion: str) -> tuple[QColor, QColor]:
    table = _badge_colors(is_dark())
    fill, text = table.get(suggestion, table["noise"])
    return QColor(fill), QColor(text)


def state_color(state: str) -> QColor:
    table = _STATES_DARK if is_dark() else _STATES
    return QColor(table.get(state, table["failed"]))


def error_line_color() -> QColor:
    return QColor("#5a1d1d") if is_dark() else QColor("#fde2e1")


def banner_colors(level: str) -> tuple[str, str]:
    """Return (background, text) CSS colours of the banner for "error" or "warning"."""
    if is_dark():
        return ("#5a1d1d", "#ffdede") if level == "error" else ("#4d3b00", "#fff1c2")
    return ("#fde2e1", "#5c1010") if level == "error" else ("#fff4cc", "#4d3900")


def outline_visible(widget) -> None:
    """Make a widget's check boxes and frame visible on the dark palette: Fusion draws their
    outline in the Window colour darkened, as dark there as the field they sit on."""
    if is_dark():
        colors = widget.palette()
        colors.setColor(QPalette.ColorRole.Window, QColor("#7a7f86"))
        widget.setPalette(colors)


def apply(app, theme: str) -> None:
    """Use the Fusion style with a light or dark palette ("system" keeps the platform's)."""
    if theme == "system":
        return
    app.setStyle("Fusion")
    if theme == "light":
        app.setPalette(app.style().standardPalette())
        return
    dark = QPalette()
    role = QPalette.ColorRole
    for name, color in ((role.Window, "#26292d"), (role.WindowText, "#e8e8e8"),
                        (role.Base, "#1e2023"), (role.AlternateBase, "#2a2d31"),
                        (role.ToolTipBase, "#33363b"), (role.ToolTipText, "#e8e8e8"),
                        (role.Text, "#e8e8e8"), (role.Button, "#2f3237"),
                        (role.ButtonText, "#e8e8e8"), (role.BrightText, "#ff6b5e"),
                        (role.Highlight, "#3d6fb6"), (role.HighlightedText, "#ffffff"),
                        (role.Link, "#7fb2ff"), (role.PlaceholderText, "#8a8f96"),
                        (role.Mid, "#3a3d42"), (role.Dark, "#18191b"), (role.Light, "#44484e")):
        dark.setColor(name, QColor(color))
    disabled = QPalette.ColorGroup.Disabled
    for name in (role.Text, role.ButtonText, role.WindowText):
        dark.setColor(disabled, name, QColor("#7a7f86"))
    app.setPalette(dark)
