"""Render an HTML report in real headless Chromium: a screenshot, and the print layout as PDF.

    python -m tests.render_report OUT_DIR [REPORT.html]   (or: make report-preview)

Without REPORT.html it first writes a sample report (a simulated job with decisions, marks,
an outage and a `<script>` test name) to OUT_DIR/report.html. It then writes
OUT_DIR/report.png (screen, 1280 px wide; also cut into report-N.png), OUT_DIR/report.pdf (Chromium's print layout, A4
landscape as the CSS asks) and OUT_DIR/page-N.png (the PDF's pages, when pdftoppm exists), for
a person to look at. Needs Debian's `chromium` (apt-get install -y chromium poppler-utils).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--no-first-run", "--hide-scrollbars", "--run-all-compositor-stages-before-draw",
]


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def screenshot(html: Path, png: Path, width: int = 1280, height: int = 7000) -> None:
    _run([f"--screenshot={png}", f"--window-size={width},{height}", html.resolve().as_uri()])


def print_pdf(html: Path, pdf: Path) -> None:
    _run([f"--print-to-pdf={pdf}", "--no-pdf-header-footer", html.resolve().as_uri()])


def tiles(png: Path, height: int = 1750) -> list[Path]:
    """Cut a tall screenshot into screen-sized pieces (report-1.png, ...), blank end dropped."""
    from PIL import Image, ImageChops

    with Image.open(png) as image:
        page = image.convert("RGB")
        box = ImageChops.difference(page, Image.new("RGB", page.size, "white")).getbbox()
        bottom = box[3] + 24 if box else page.height
        found = []
        for index, top in enumerate(range(0, bottom, height), 1):
            piece = png.with_name(f"{png.stem}-{index}.png")
            page.crop((0, top, page.width, min(top + height, bottom))).save(piece)
            found.append(piece)
    return found


def pdf_pages(pdf: Path, prefix: Path, dpi: int = 70) -> list[Path]:
    """Return PNGs of the PDF's pages (none without pdftoppm)."""
    if shutil.which("pdftoppm") is None:
        return []
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(prefix)], check=True)
    return sorted(prefix.parent.glob(f"{prefix.name}-*.png"))


def _run(args: list[str]) -> None:
    binary = chromium()
    if binary is None:
        raise SystemExit("chromium not found: apt-get install -y chromium")
    with tempfile.TemporaryDirectory(prefix="triage-chromium-") as profile:
        subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                       check=True, capture_output=True, timeout=120)


def sample_report(out: Path) -> Path:
    """Write the sample report's HTML to OUT/report.html and return its path."""
    from tests.report_sample import sample_history
    from triage.report import ReportFilters, build_report, render
    from triage.store import Store

    with tempfile.TemporaryDirectory(prefix="triage-sample-") as tmp:
        with Store.open(sample_history(Path(tmp) / "history.db")) as store:
            data = build_report(store, ReportFilters(), clock=lambda: 1_802_000_000.0)
    html = out / "report.html"
    html.write_text(render(data, "html"), encoding="utf-8")
    return html


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    html = Path(argv[1]) if len(argv) > 1 else sample_report(out)
    screenshot(html, out / "report.png")
    pieces = tiles(out / "report.png")
    print_pdf(html, out / "report.pdf")
    pages = pdf_pages(out / "report.pdf", out / "page")
    print(f"wrote {out / 'report.png'} (in {len(pieces)} pieces: report-N.png), "
          f"{out / 'report.pdf'} and {len(pages)} page images (page-N.png)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
