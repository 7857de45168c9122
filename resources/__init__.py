"""Package data shipped with flaky-triage: icons, screenshots, desktop metadata, demo data.

This folder is installed as the package `triage.resources` (see `package-dir` in
pyproject.toml), so the checkout, the wheel and the PyInstaller bundle all find it through
`importlib.resources`, never through paths guessed from `__file__`.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

APP_ID = "io.github.flakytriage.FlakyTriage"
ICON_NAME = "flaky-triage"
# The freedesktop hicolor sizes rendered under icons/hicolor/ (packaging/make_icons.py).
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def resource(*parts: str) -> Traversable:
    """Return the packaged file `parts` (e.g. `resource("icons", "flaky-triage.svg")`)."""
    found = files(__name__)
    for part in parts:
        found = found / part
    return found


def app_icon_files() -> list[tuple[int | None, Traversable]]:
    """Return the app icon's files as (pixel size, file), the scalable SVG last (size None).

    The small PNGs are hand-hinted, so a window or tray icon should offer every size and let
    the toolkit pick (in Qt: `QIcon.addFile` for each one).
    """
    pngs = [(size, resource("icons", "hicolor", f"{size}x{size}", "apps", f"{ICON_NAME}.png"))
            for size in ICON_SIZES]
    return [*pngs, (None, resource("icons", f"{ICON_NAME}.svg"))]


def symbolic_icon_file() -> Traversable:
    """Return the one-colour 16-unit SVG for trays and badges (#bebebe, to be recoloured).

    It sits in its own folder so that code collecting icons/flaky-triage*.svg for the window
    icon never mixes it in (two SVGs in one QIcon: the last one wins).
    """
    return resource("icons", "symbolic", f"{ICON_NAME}-symbolic.svg")
