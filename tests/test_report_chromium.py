"""The HTML report in a real headless Chromium: it draws something, prints to PDF, and the
render script used to look at it works (skipped where Debian's `chromium` is missing)."""

from __future__ import annotations

import pytest

from tests import render_report
from tests.report_builders import HistoryBuilder
from triage.report import ReportFilters, build_report, render_html

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(render_report.chromium() is None, reason="chromium is not installed"),
]


def test_chromium_renders_and_prints_the_report(store, tmp_path):
    from PIL import Image, ImageChops

    h = HistoryBuilder(store)
    for number, letter in enumerate("PFPRPFPP", 1):
        h.build("app", number, f"2026-11-{number * 3:02d}T10:00", {"A": letter, "B": "P"})
        if letter == "F":
            h.decide("app", number, paused=f"2026-11-{number * 3:02d}T10:10",
                     at=f"2026-11-{number * 3:02d}T10:40")
    html = tmp_path / "report.html"
    html.write_text(render_html(build_report(store, ReportFilters())), encoding="utf-8")
    png, pdf = tmp_path / "report.png", tmp_path / "report.pdf"
    render_report.screenshot(html, png, width=1000, height=1400)
    render_report.print_pdf(html, pdf)
    with Image.open(png) as image:
        assert image.size == (1000, 1400)
        page = image.convert("RGB")
        drawn = ImageChops.difference(page, Image.new("RGB", page.size, "white")).getbbox()
        assert drawn is not None and drawn[3] > 1000  # the page is filled, not blank
        # The interventions chart's purple bars made it to the screen.
        colours = page.getcolors(maxcolors=1 << 24)
        assert any(abs(r - 0x7C) < 12 and abs(g - 0x3A) < 12 and abs(b - 0xED) < 12
                   for _, (r, g, b) in colours)
    assert pdf.read_bytes().startswith(b"%PDF")
    pieces = render_report.tiles(png)
    assert pieces and all(p.exists() for p in pieces)
