"""Charts for the HTML report: matplotlib's SVG backend, inlined, byte-for-byte reproducible.

matplotlib is imported only when a chart is drawn (it costs about half a second), so the CLI,
the JSON and CSV reports and the app's start-up never pay for it. Each chart gets its own
`svg.hashsalt`, which makes its element ids fixed and distinct from the other charts' in the
same page; the date metadata is left out, so the same data gives the same file. matplotlib
numbers its other ids per figure ("patch_1"), so every id and reference is prefixed with the
chart's name, keeping two charts in one page apart. Text stays text (`svg.fonttype: none`):
smaller, selectable, crisp in print.
"""

from __future__ import annotations

import io
import re
import threading

from triage.report.model import InterventionWeek, Week

NOISE = "#9aa5b1"
OTHER = "#d64545"
FLAKY = "#2f6fdb"
PEOPLE = "#7c3aed"
GATE = "#12a36f"
_LOCK = threading.Lock()  # rcParams are global: one chart at a time
_PROLOGUE = re.compile(r"\A.*?(?=<svg)", re.S)
_IDS = re.compile(r'(\bid="|\bhref="#|url\(#)([^")]+)')


def trend_chart(weeks: tuple[Week, ...]) -> str:
    """Return an SVG of failures per week (noise and the rest) with flaky tests as a line."""
    labels = [w.week for w in weeks]
    noise = [w.noise for w in weeks]
    other = [w.failures - w.noise for w in weeks]

    def draw(ax):
        positions = range(len(weeks))
        ax.bar(positions, other, color=OTHER, label="failures: real or unsure", width=0.8)
        ax.bar(positions, noise, bottom=other, color=NOISE, label="failures: noise", width=0.8)
        ax.plot(positions, [w.flaky_tests for w in weeks], color=FLAKY, marker="o",
                markersize=3, linewidth=1.5, label="flaky tests")
        ax.set_ylabel("per week")

    return _chart("triage-trend", labels, draw)


def interventions_chart(per_week: tuple[InterventionWeek, ...]) -> str:
    """Return an SVG of paused builds a person decided per week (and the gate's, if known)."""
    labels = [w.week for w in per_week]

    def draw(ax):
        positions = range(len(per_week))
        people = [w.builds for w in per_week]
        ax.bar(positions, people, color=PEOPLE, label="decided by a person", width=0.8)
        if any(w.auto_approved for w in per_week):
            ax.bar(positions, [w.auto_approved for w in per_week], bottom=people,
                   color=GATE, label="auto-approved by the gate", width=0.8)
        ax.set_ylabel("paused builds")

    return _chart("triage-interventions", labels, draw)


def _chart(salt: str, labels: list[str], draw) -> str:
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    style = {
        "svg.hashsalt": salt,
        "svg.fonttype": "none",
        "font.family": "sans-serif",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#8a8f98",
        "axes.labelcolor": "#333333",
        "xtick.color": "#555555",
        "ytick.color": "#555555",
    }
    with _LOCK, matplotlib.rc_context(style):
        figure = Figure(figsize=(8.0, 2.6), layout="constrained")
        ax = figure.subplots()
        draw(ax)
        step = max(1, -(-len(labels) // 12))  # at most about twelve labels
        ticks = list(range(0, len(labels), step))
        ax.set_xticks(ticks, [labels[i] for i in ticks])
        ax.set_xlim(-0.6, len(labels) - 0.4)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="y", color="#e3e6ea", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.legend(loc="upper left", frameon=False, ncols=3, fontsize=8,
                  bbox_to_anchor=(0, 1.18))
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    # Inline SVG needs neither the XML declaration nor the DOCTYPE.
    svg = _PROLOGUE.sub("", out.getvalue(), count=1)
    return _IDS.sub(lambda m: f"{m.group(1)}{salt}-{m.group(2)}", svg)
