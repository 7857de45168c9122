"""The custom item models under qtmodeltester, and 5,000 failures in the failures pane."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QWidget

from triage.jenkins.model import PendingInput
from triage.ui.inbox_data import InboxRow
from triage.ui.models import failures_model as fm
from triage.ui.models.failures_model import ClusterRecord, FailureRecord, FailuresModel
from triage.ui.models.inbox_model import ROW_ROLE, InboxModel

pytestmark = pytest.mark.gui


def clusters(n_clusters: int = 3, per_cluster: int = 4) -> list[ClusterRecord]:
    found = []
    for c in range(n_clusters):
        suggestion = ("real", "unsure", "noise")[c % 3]
        cluster = ClusterRecord(f"c{c}", f"Cluster {c} ({per_cluster} tests)", suggestion)
        for i in range(per_cluster):
            cluster.members.append(FailureRecord(
                test_id=c * 100_000 + i, test=f"com.example.T{c}.test{i:05d}",
                classname=f"com.example.T{c}", name=f"test{i:05d}", signature="s",
                suggestion=suggestion, score=(i % 10) / 10, letters="PPFPPRPPSPF"[: 5 + i % 6],
                message=f"boom {i % 7}\nat line", reasons=["why"], cluster_id=f"c{c}",
                verdict="noise" if i % 5 == 0 else None, who="alice" if i % 5 == 0 else None))
        cluster.shown = list(cluster.members)
        found.append(cluster)
    return found


def inbox_rows() -> list[InboxRow]:
    gate = PendingInput("Gate", "Deploy?")
    return [
        InboxRow("ci", "app", "app #3", 3, "paused", input=gate, inputs=(gate,),
                 waited_ms=600_000, seen_at=time.monotonic(), summary="2 failures: 2 real"),
        InboxRow("ci", "lib", "lib #9", 9, "unstable", started_ms=5),
        InboxRow("other", "x", "x #1", 1, "failed", started_ms=3),
    ]


def test_failures_model_passes_qtmodeltester(qtmodeltester):
    model = FailuresModel()
    model.set_clusters(clusters())
    qtmodeltester.check(model)


def test_failures_model_sorted_and_filtered_passes_qtmodeltester(qtmodeltester):
    model = FailuresModel()
    model.set_clusters(clusters())
    model.sort(fm.SCORE, Qt.SortOrder.DescendingOrder)
    model.set_filter("test0000")
    qtmodeltester.check(model)
    assert [m.test[-9:] for m in model.shown[0].shown] == ["test00003", "test00002", "test00001", "test00000"]


def test_inbox_model_passes_qtmodeltester(qtmodeltester):
    model = InboxModel()
    model.set_listing(["ci", "other", "down"], inbox_rows(), {"down": "connection refused"})
    qtmodeltester.check(model)
    assert model.data(model.index(2, 0)) == "down — down"
    row = model.data(model.index(0, 0, model.index(0, 0)), ROW_ROLE)
    assert row.paused and model.first_row_index().row() == 0


def test_inbox_replacing_a_job_keeps_the_current_build(qtmodeltester):
    model = InboxModel()
    model.set_listing(["ci", "other"], inbox_rows(), {})
    from PySide6.QtCore import QPersistentModelIndex

    lib = QPersistentModelIndex(model.find(("ci", "lib", 9)))
    newer = InboxRow("ci", "app", "app #3", 3, "paused", waited_ms=10_000_000,
                     seen_at=time.monotonic(), summary="2 failures: 1 real, 1 noise")
    model.replace_job("ci", "app", [newer])
    qtmodeltester.check(model)
    assert model.row_at(QModelIndex(lib)).job == "lib"
    assert model.find(("ci", "app", 3)).isValid()


def test_sorting_by_each_column_keeps_clusters_and_members_together():
    model = FailuresModel()
    model.set_clusters(clusters(3, 20))
    for column in range(len(fm.COLUMNS)):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            model.sort(column, order)
            assert sum(len(c.shown) for c in model.shown) == 60
            assert all(m.cluster_id == c.id for c in model.shown for m in c.shown)
    model.sort(-1)
    assert [c.id for c in model.shown] == ["c0", "c1", "c2"]  # the engine's order again


def test_five_thousand_failures_scroll_without_a_widget_per_row(qtbot):
    from triage.ui.widgets.delegates import StripDelegate
    from triage.ui.widgets.views import KeyTree

    model = FailuresModel()
    model.set_clusters(clusters(5, 1000))
    tree = KeyTree()
    qtbot.addWidget(tree)
    tree.setModel(model)
    tree.setUniformRowHeights(True)
    tree.setItemDelegateForColumn(fm.HISTORY, StripDelegate(tree))
    tree.resize(900, 700)
    tree.show()
    tree.expandAll()
    qtbot.waitExposed(tree)
    bar = tree.verticalScrollBar()
    started = time.perf_counter()
    for step in range(0, bar.maximum(), max(1, bar.maximum() // 50)):
        bar.setValue(step)
        tree.viewport().repaint()
    per_page = (time.perf_counter() - started) / 50
    # Generous: the machine is shared; tests/benchmarks measures it properly.
    assert per_page < 0.25, f"{per_page * 1000:.1f} ms per scrolled page"
    assert tree.viewport().findChildren(QWidget) == []  # painted: no widget per row


def test_the_readme_keyboard_table_is_the_hotkeys_table():
    from pathlib import Path

    from triage.ui import hotkeys

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    for keys, what in hotkeys.TABLE:
        assert f"| {keys} | {what} |" in readme


def test_the_inbox_and_the_search_count_in_plain_words(qtbot):
    from PySide6.QtGui import QFont, QFontMetrics
    from PySide6.QtWidgets import QPlainTextEdit

    from triage.ui.widgets.delegates import second_line
    from triage.ui.widgets.find_text import FindableText

    metrics = QFontMetrics(QFont())
    one = InboxRow("ci", "lib", "lib #9", 9, "unstable", failures=1)
    assert second_line(one, metrics, 10_000) == "1 failed test (syncing…)"
    many = InboxRow("ci", "lib", "lib #9", 9, "unstable", failures=1200)
    assert second_line(many, metrics, 10_000) == "1,200 failed tests (syncing…)"
    find = FindableText(QPlainTextEdit("one boom here"))
    qtbot.addWidget(find)
    find.search.setText("boom")
    assert find.count.text() == "1 match"
    find.text.setPlainText("boom boom")
    find.rehighlight()
    assert find.count.text() == "2 matches"
