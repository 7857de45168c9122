"""Render the app icon's PNG, ICO and ICNS files from its SVG sources (`make icons`).

The rendered files are committed, so building the wheel or the bundle needs neither
librsvg nor Pillow; run this again after editing an SVG (a test notices a stale PNG).

Small sizes come from hand-hinted sources in packaging/icons/ (the same drawing snapped to a
16-, 24- or 32-pixel grid), larger ones from resources/icons/flaky-triage.svg.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
HINTED = ROOT / "packaging" / "icons"
NAME = "flaky-triage"

# The freedesktop hicolor sizes for an application icon.
HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# Pillow's ICNS writer takes these; 1024 is the 512@2x Retina slot.
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def source_for(size: int) -> Path:
    """Return the SVG drawn for `size` pixels: a hinted one below 48 px, else the master."""
    if size <= 16:
        return HINTED / f"{NAME}-16.svg"
    if size <= 24:
        return HINTED / f"{NAME}-24.svg"
    if size <= 32:
        return HINTED / f"{NAME}-32.svg"
    return ICONS / f"{NAME}.svg"


def render(size: int) -> Image.Image:
    """Render the icon at `size` x `size` with librsvg's rsvg-convert."""
    png = subprocess.run(
        ["rsvg-convert", "-w", str(size), "-h", str(size), str(source_for(size))],
        check=True, capture_output=True,
    ).stdout
    return Image.open(io.BytesIO(png)).convert("RGBA")


def hicolor_path(size: int) -> Path:
    return ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{NAME}.png"


def main() -> int:
    if shutil.which("rsvg-convert") is None:
        print("rsvg-convert not found: apt-get install librsvg2-bin", file=sys.stderr)
        return 2
    images = {size: render(size) for size in sorted(set(HICOLOR_SIZES + ICNS_SIZES))}
    for size in HICOLOR_SIZES:
        target = hicolor_path(size)
        target.parent.mkdir(parents=True, exist_ok=True)
        images[size].save(target, optimize=True)
    # Pillow scales the first image down for any size not given in append_images; giving
    # each size its own rendering keeps the hinted small icons in the ICO and ICNS too.
    largest_ico = images[max(ICO_SIZES)]
    largest_ico.save(ICONS / f"{NAME}.ico", sizes=[(s, s) for s in ICO_SIZES],
                     append_images=[images[s] for s in ICO_SIZES])
    images[max(ICNS_SIZES)].save(ICONS / f"{NAME}.icns",
                                 append_images=[images[s] for s in ICNS_SIZES])
    print(f"wrote {len(HICOLOR_SIZES)} PNGs, {NAME}.ico and {NAME}.icns under {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
