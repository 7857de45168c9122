"""The custom item models under qtmodeltester, and 5,000 failures in the failures pane."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QWidget

from tests.ui_helpers import WAIT_MS
from triage.jenkins.model import PendingInput
from triage.ui.inbox_data import InboxRow
from triage.ui.models import failures_model as fm
from triage.ui.models.failures_model import ClusterRecord, FailureRecord, FailuresModel
from triage.ui.models.inbox_model import ROW_ROLE, InboxModel

pytestmark = pytest.mark.gui
_DISPLAY = Qt.ItemDataRole.DisplayRole


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


def _shown_tree(qtbot, model: FailuresModel):
    """The failures' tree as the pane sets it up (its painted columns), shown and expanded."""
    from triage.ui.widgets.delegates import BadgeDelegate, StripDelegate
    from triage.ui.widgets.views import KeyTree

    tree = KeyTree()
    qtbot.addWidget(tree)
    tree.setModel(model)
    tree.setUniformRowHeights(True)
    tree.setItemDelegateForColumn(fm.HISTORY, StripDelegate(tree))
    tree.setItemDelegateForColumn(fm.SUGGESTION, BadgeDelegate(tree))
    tree.resize(900, 700)
    tree.show()
    tree.expandAll()
    qtbot.waitExposed(tree, timeout=WAIT_MS)
    return tree


def test_five_thousand_failures_scroll_without_a_widget_per_row(qtbot):
    model = FailuresModel()
    model.set_clusters(clusters(5, 1000))
    tree = _shown_tree(qtbot, model)
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


def test_painting_a_page_of_failures_looks_up_records_only_for_the_roles_it_answers(
        qtbot, monkeypatch):
    """A paint asks every cell for a dozen roles on the GUI thread; the model answers the ones
    it never fills without finding the record, and formats no cell text while painting (the
    records carry it, made in the reader that loads the build)."""
    roles, lookups, formatted = [], [], []

    class Counting(FailuresModel):
        def data(self, index, role=_DISPLAY):
            roles.append(int(role))
            return super().data(index, role)

        def record(self, index):
            lookups.append(index)
            return super().record(index)

    model = Counting()
    model.set_clusters(clusters(2, 200))
    tree = _shown_tree(qtbot, model)
    monkeypatch.setattr(fm, "short_test", lambda test: formatted.append(test) or test)
    monkeypatch.setattr(fm, "first_line", lambda message: formatted.append(message) or message)
    tree.doItemsLayout()
    roles.clear()
    lookups.clear()
    tree.viewport().grab()  # one paint of the page, now
    assert roles, "the paint asked the model nothing"
    assert formatted == []
    answered = sum(1 for role in roles if role in fm._ANSWERED)
    assert answered < len(roles) / 2  # most roles asked are never answered...
    assert len(lookups) <= answered  # ...and cost no record lookup


def test_failure_records_carry_their_cells_as_the_model_shows_them():
    record = clusters(1, 1)[0].members[0]
    assert record.shown_test == "T0.test00000"
    assert record.shown_score == "0.00"
    assert record.shown_error == "boom 0"
    cluster = ClusterRecord("c", "label", "real", members=clusters(1, 3)[0].members[:1])
    assert cluster.error_shown == "boom 0"


def test_painted_colours_follow_the_palette_in_force(qapp):
    """The delegates' colours are kept per palette: switching the theme switches them."""
    from PySide6.QtGui import QColor

    from triage.ui import palette

    kept = qapp.palette()
    try:
        palette.apply(qapp, "dark")
        assert palette.is_dark()
        assert palette.outcome_colors()["P"] == QColor("#3fb869")
        assert palette.badge_colors("real")[0] == QColor("#e05552")
        palette.apply(qapp, "light")
        assert not palette.is_dark()
        assert palette.outcome_colors()["P"] == QColor("#2e9d4f")
        assert palette.outcome_colors() is palette.outcome_colors()  # made once, not per cell
    finally:
        qapp.setPalette(kept)
