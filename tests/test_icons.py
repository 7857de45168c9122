"""The app icon: every hicolor size present and current with its SVG, Windows and macOS formats
complete, all readable by Qt (the toolkit that shows them)."""

from __future__ import annotations

import struct

import pytest

from triage.resources import ICON_SIZES, app_icon_files, resource, symbolic_icon_file

pytestmark = pytest.mark.gui


def qimage(traversable):
    from PySide6.QtGui import QImage

    image = QImage()
    assert image.loadFromData(traversable.read_bytes()), f"Qt cannot read {traversable}"
    return image


def test_every_hicolor_size_is_a_square_png_of_that_size(qapp):
    files = app_icon_files()
    assert [size for size, _ in files] == [*ICON_SIZES, None]
    for size, png in files[:-1]:
        image = qimage(png)
        assert (image.width(), image.height()) == (size, size), png
        assert image.hasAlphaChannel(), f"{png} should have a transparent background"


@pytest.mark.parametrize("svg", [resource("icons", "flaky-triage.svg"), symbolic_icon_file()],
                         ids=["app", "symbolic"])
def test_svgs_render_with_qtsvg(qapp, svg):
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(svg.read_bytes())
    assert renderer.isValid()
    assert renderer.viewBox().width() == renderer.viewBox().height()


def test_large_pngs_are_current_with_the_svg(qapp):
    """A PNG left stale after the SVG changed shows here (run `make icons`)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(resource("icons", "flaky-triage.svg").read_bytes())
    drawn = QImage(256, 256, QImage.Format.Format_ARGB32)
    drawn.fill(Qt.GlobalColor.transparent)
    painter = QPainter(drawn)
    renderer.render(painter)
    painter.end()
    shipped = qimage(resource("icons", "hicolor", "256x256", "apps", "flaky-triage.png"))
    shipped = shipped.convertToFormat(QImage.Format.Format_ARGB32)
    # librsvg and QtSvg antialias edges differently (0.2 here); moving the pause disc by 4%
    # of the width makes 3.3.
    assert mean_channel_difference(drawn, shipped) < 1.0, "the PNGs are stale: make icons"


def mean_channel_difference(a, b) -> float:
    pa, pb = bytes(a.constBits()), bytes(b.constBits())
    assert len(pa) == len(pb)
    return sum(abs(x - y) for x, y in zip(pa, pb, strict=True)) / len(pa)


def test_ico_holds_every_windows_size(qapp):
    ico = resource("icons", "flaky-triage.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", ico)
    assert (reserved, kind) == (0, 1)
    # One 16-byte directory entry per image; a width byte of 0 means 256.
    sizes = sorted(ico[6 + 16 * i] or 256 for i in range(count))
    assert sizes == [16, 24, 32, 48, 64, 128, 256]
    assert qimage(resource("icons", "flaky-triage.ico")).width() >= 16


def test_icns_holds_the_retina_sizes(qapp):
    icns = resource("icons", "flaky-triage.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack_from(">I", icns, 4)[0] == len(icns)
    kinds, offset = set(), 8
    while offset < len(icns):
        kind, length = struct.unpack_from(">4sI", icns, offset)
        kinds.add(kind.decode("ascii"))
        offset += length
    # ic07..ic10: 128, 256, 512, 512@2x; ic11..ic14: 16@2x, 32@2x, 128@2x, 256@2x.
    assert {"ic07", "ic08", "ic09", "ic10", "ic11", "ic12", "ic13", "ic14"} <= kinds


def test_the_window_icon_offers_every_hinted_size(qapp):
    """The app's QIcon draws the hand-hinted PNG at 16 px, not a scaled SVG (or the grey
    symbolic one, which a folder scan once mixed in)."""
    from PySide6.QtGui import QImage

    from triage.ui.app import app_icon

    icon = app_icon()
    assert sorted({s.width() for s in icon.availableSizes()}) == list(ICON_SIZES)
    drawn = icon.pixmap(16, 16).toImage().convertToFormat(QImage.Format.Format_ARGB32)
    shipped = qimage(resource("icons", "hicolor", "16x16", "apps", "flaky-triage.png"))
    assert mean_channel_difference(drawn, shipped.convertToFormat(QImage.Format.Format_ARGB32)) < 1
