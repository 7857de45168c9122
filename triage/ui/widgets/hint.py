"""Secondary text (a parameter's description, a note under buttons) that stays readable.

A disabled QLabel greys text out to 1.6:1 on Fusion's light window colour, and tells a screen
reader the text is unavailable. `Hint` blends the palette's text toward the window instead, to
a WCAG AA contrast (4.5:1 or better).
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

TEXT_SHARE = 0.62  # of the text colour in the blend: 6:1 on Fusion's light and our dark window


def secondary_color(palette: QPalette) -> QColor:
    """Return the text colour blended toward the window colour (TEXT_SHARE of the text)."""
    text = palette.color(QPalette.ColorRole.WindowText)
    window = palette.color(QPalette.ColorRole.Window)

    def mix(a: int, b: int) -> int:
        return round(a * TEXT_SHARE + b * (1 - TEXT_SHARE))

    return QColor(mix(text.red(), window.red()), mix(text.green(), window.green()),
                  mix(text.blue(), window.blue()))


class Hint(QLabel):
    """Tinted when made: the app's palette is set before any window opens (and
    `make screenshots` makes its dialogs after each theme switch)."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setWordWrap(True)
        palette = QPalette(QApplication.palette())
        palette.setColor(QPalette.ColorRole.WindowText, secondary_color(palette))
        self.setPalette(palette)
