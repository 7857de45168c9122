"""File > Export on 1,000 builds x 5,000 tests (5M results): the preview, Cancel, the GUI.

The history is bench_report's (bigdb plus decisions and marks). Measured in the same run:
- baseline: the preview's work with no window (`build_report` + `render_markdown` for the job,
  in this thread);
- the preview in the dialog: from a filter change (`refresh()`, the debounce skipped) to the
  preview shown, built in the report child process for a reader op;
- Cancel: from `cancel` while the report is being built (its first progress step seen) to the
  op's end, nothing shown (target < 0.5 s: the engine checks the token between red builds);
- the event loop's largest stall while the dialog builds (a 5 ms QTimer; target < 50 ms),
  beside the same timer's largest gap while the loop idles.
Rounds are interleaved so a busy moment of this shared machine hits each figure alike; targets
are judged on the best round (the code's own cost), the median shows what the load did.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from tests.benchmarks.bench_failures_speed import history_path
from tests.benchmarks.bench_report import add_gate_history
from tests.benchmarks.bigdb import JOB, make_big_history
from tests.benchmarks.common import table
from triage.report import ReportFilters, build_report, render_markdown
from triage.store import Store

ROUNDS = 3


class Loop:
    """Run the event loop until a condition holds, recording the largest gap between the
    ticks of a 5 ms timer (how long the GUI thread could not answer)."""

    def __init__(self):
        from PySide6.QtCore import QElapsedTimer, QTimer

        self.clock = QElapsedTimer()
        self.ticker = QTimer()
        self.ticker.setInterval(5)
        self.gaps: list[int] = []
        self.ticker.timeout.connect(lambda: self.gaps.append(self.clock.restart()))

    def until(self, predicate, limit_s: float = 600) -> tuple[float, int]:
        """Return (seconds it took, largest stall in ms)."""
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        check = QTimer()
        check.timeout.connect(lambda: predicate() and loop.quit())
        check.start(5)
        QTimer.singleShot(int(limit_s * 1000), loop.quit)
        self.gaps.clear()
        started = time.perf_counter()
        self.clock.start()
        self.ticker.start()
        loop.exec()
        self.ticker.stop()
        check.stop()
        if not predicate():
            raise TimeoutError("the dialog did not get there")
        return time.perf_counter() - started, max(self.gaps[1:], default=0)


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    shared = make_big_history(history_path())
    with tempfile.TemporaryDirectory(prefix="triage-bench-export-") as tmp:
        path = Path(tmp) / "history.db"
        shutil.copyfile(shared, path)
        with Store.open(path) as store:
            add_gate_history(store)
        _measure(path, Path(tmp))


def _measure(path: Path, tmp: Path) -> None:
    from triage.ui.app import application
    from triage.ui.context import AppContext, settings_at
    from triage.ui.tasks import TaskRunner
    from triage.ui.widgets.export_dialog import ExportDialog

    app = application("light")
    ctx = AppContext(path, [], TaskRunner(path), settings_at(tmp / "settings.ini"))
    loop = Loop()
    dialog = ExportDialog(None, ctx, JOB)
    dialog.show()
    loop.until(lambda: dialog.data is not None)  # warm: the page cache, the first imports
    times: dict[str, list[float]] = {}
    with Store.open(path) as store:
        for i in range(ROUNDS):
            started = time.perf_counter()
            render_markdown(build_report(store, ReportFilters(jobs=(JOB,))))
            times.setdefault("baseline", []).append(time.perf_counter() - started)
            # Alternate two filters that both keep every build, so each round builds anew.
            since = "2000-01-0" + str(1 + i % 2)
            dialog.form.since.setText(since)
            dialog.refresh()
            seconds, stall = loop.until(lambda: dialog._preview_op is None)
            times.setdefault("preview", []).append(seconds)
            times.setdefault("stall", []).append(stall / 1000)
            times.setdefault("cancel", []).append(_cancel(dialog, loop, i))
            _, idle = loop.until(_one_second_from_now())
            times.setdefault("idle", []).append(idle / 1000)
    dialog.close()
    ctx.tasks.shutdown(wait=True)
    _print(times, dialog)
    del app


def _one_second_from_now():
    end = time.perf_counter() + 1
    return lambda: time.perf_counter() > end


def _cancel(dialog, loop: Loop, i: int) -> float:
    """Start a build, cancel it once it has started triaging, return how long it took to end."""
    dialog.form.since.setText("1999-01-0" + str(1 + i % 2))
    dialog.refresh()
    op = dialog._preview_op
    loop.until(lambda: op.progress.done > 0)
    started = time.perf_counter()
    op.cancel()
    loop.until(lambda: op.finished)
    return time.perf_counter() - started


def _print(times: dict[str, list[float]], dialog) -> None:
    def cell(key: str, unit: float = 1, fmt: str = "{:.2f} s") -> str:
        values = [v * unit for v in times[key]]
        return f"{fmt.format(min(values))} ({fmt.format(statistics.median(values))})"

    ratio = statistics.median(p / b for p, b in zip(times["preview"], times["baseline"],
                                                    strict=True))
    s = dialog.data.summary
    print(f"export of {JOB}: {s.builds:,} builds, {s.red_builds} red, "
          f"{len(dialog.data.tests)} tests ranked; {ROUNDS} rounds, best (median)")
    ms = "{:.0f} ms"
    # As bench_report: the best round is the code's own cost, the median shows the load.
    stall, cancel = min(times["stall"]), min(times["cancel"])
    print(table([
        ("baseline: build_report + render_markdown, no window", cell("baseline"), "1.00x", "",
         ""),
        ("preview in the dialog (child process)", cell("preview"), f"{ratio:.2f}x", "", ""),
        ("Cancel to the op's end", cell("cancel", 1000, ms), "", "< 500 ms",
         "ok" if cancel < 0.5 else "SLOW"),
        ("event loop idle: largest gap", cell("idle", 1000, ms), "", "", ""),
        ("event loop while building: largest stall", cell("stall", 1000, ms), "", "< 50 ms",
         "ok" if stall < 0.05 else "SLOW"),
    ], ("", "best (median)", "vs baseline", "target (best)", "")))


if __name__ == "__main__":
    main()
