"""Whether a window can open here; no Qt import, so the CLI can ask before loading Qt."""

from __future__ import annotations

import os
import sys


def has_display() -> bool:
    """Return False on Linux without X11 or Wayland (an SSH session): no window can open.

    An explicit offscreen (or other headless) Qt platform counts as a display: tests and the
    self-test render without one.
    """
    if not sys.platform.startswith("linux"):
        return True
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
