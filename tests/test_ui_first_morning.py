"""What a new user tripped on when driving the window by keyboard on the first morning (the
review of the real window under Xvfb): a mark that did not show, a filter with no way out."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui_helpers import WAIT_MS, select_build, settings_dialog, wait_ready
from triage.ui.models import failures_model as fm

pytestmark = pytest.mark.gui


def _first_failure(qtbot, window, job: str = "app", number: int = 30):
    wait_ready(qtbot, window)
    select_build(qtbot, window, job, number)
    model = window.failures.model
    member = model.index(0, 0, model.index(0, 0))
    window.failures.tree.setCurrentIndex(member)
    return member


def test_a_mark_shows_in_the_table_without_scrolling(qtbot, window):
    member = _first_failure(qtbot, window)
    tree = window.failures.tree
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_N)
    cell = member.siblingAtColumn(fm.VERDICT)
    qtbot.waitUntil(lambda: cell.data().startswith("noise"), timeout=WAIT_MS)
    header = tree.header()
    assert header.sectionPosition(fm.VERDICT) < header.sectionPosition(fm.ERROR)
    right = header.sectionViewportPosition(fm.VERDICT) + header.sectionSize(fm.VERDICT)
    assert header.sectionViewportPosition(fm.VERDICT) >= 0
    assert right <= tree.viewport().width(), "the verdict is off to the right"


def _filtered(qtbot, window, text: str):
    _first_failure(qtbot, window)
    window.activateWindow()
    window.actions["filter"].trigger()
    box = window.failures.filter
    qtbot.keyClicks(box, text)
    return box


@pytest.mark.parametrize("key", [Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Tab],
                         ids=["down", "enter", "tab"])
def test_down_enter_or_tab_in_the_filter_go_to_the_failures_it_keeps(qtbot, window, key):
    box = _filtered(qtbot, window, "")
    outage = next(c for c in window.failures.model.clusters if c.id.startswith("sig-"))
    qtbot.keyClicks(box, outage.members[0].test.rsplit(".", 1)[1])
    qtbot.keyClick(box, key)
    tree = window.failures.tree
    assert QApplication.focusWidget() is tree
    assert box.text()  # the filter stays
    assert tree.currentIndex().isValid()
    qtbot.keyClick(tree, Qt.Key.Key_J)  # the list keys work from there
    assert window.failures.current_record() is not None


def test_escape_in_the_filter_clears_it_and_goes_back_to_the_failures(qtbot, window):
    box = _filtered(qtbot, window, "no failure has this text")
    assert window.failures.model.shown == []
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert box.text() == ""
    assert QApplication.focusWidget() is window.failures.tree
    assert len(window.failures.model.shown) == len(window.failures.model.clusters)


def test_an_inbox_row_keeps_its_summary_when_the_input_message_is_long(qapp):
    from PySide6.QtGui import QFont, QFontMetrics

    from triage.jenkins.model import PendingInput
    from triage.ui.inbox_data import InboxRow
    from triage.ui.widgets.delegates import second_line

    gate = PendingInput("Gate", "triage gate: a human must decide on checkout #42 (1b33367): "
                                "1 of 2 failures needs a human: 1 new failure (CatalogTest.x).")
    row = InboxRow("ci", "checkout", "checkout #42", 42, "paused", input=gate, inputs=(gate,),
                   summary="2 failures: 1 real, 1 noise")
    metrics = QFontMetrics(QFont())
    width = 50 * metrics.averageCharWidth()  # about the inbox's default width
    text = second_line(row, metrics, width)
    assert text.startswith("triage gate: a") and "…" in text
    assert text.endswith(" · 2 failures: 1 real, 1 noise")
    assert metrics.horizontalAdvance(text) <= width
    short = InboxRow("ci", "app", "app #1", 1, "paused", input=PendingInput("a", "Deploy?"),
                     summary="1 failure: 1 real")
    assert second_line(short, metrics, width) == "Deploy? · 1 failure: 1 real"
    red = InboxRow("ci", "lib", "lib #3", 3, "unstable", summary="3 failures: 3 noise")
    assert second_line(red, metrics, width) == "3 failures: 3 noise"


def test_the_demo_window_says_no_tray_in_a_line_that_fits_and_names_the_app_once(
        qtbot, app_context):
    from PySide6.QtGui import QFontMetrics

    from triage.ui.app import open_window

    app_context.demo = True
    window = open_window(app_context)
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: "tray" in window.message.text(), timeout=30_000)
        text = window.message.text()
        assert QFontMetrics(window.message.font()).horizontalAdvance(text) \
            <= window.message.width(), text
        # Qt adds the app's name to a window title: ours must not say it again.
        assert window.windowTitle() == "demo"
    finally:
        window.close()


def _contrast(a, b) -> float:
    def luminance(color) -> float:
        def channel(value: int) -> float:
            v = value / 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return (0.2126 * channel(color.red()) + 0.7152 * channel(color.green())
                + 0.0722 * channel(color.blue()))

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _shown_color(label):
    from PySide6.QtGui import QPalette

    group = QPalette.ColorGroup.Active if label.isEnabled() else QPalette.ColorGroup.Disabled
    return label.palette().color(group, label.foregroundRole())


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_parameter_descriptions_and_notes_are_readable(qtbot, app_context, theme):
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QLabel

    from triage.jenkins.model import InputParam, PendingInput
    from triage.ui import palette
    from triage.ui.widgets.dialogs import ProceedDialog
    from triage.ui.widgets.first_run import FirstRun

    app = QApplication.instance()
    before, style = QPalette(app.palette()), app.style().name()
    palette.apply(app, theme)
    try:
        pending = PendingInput("Release", "Ship?", parameters=(
            InputParam("VERSION", "StringParameterDefinition", "version tag to deploy", "1.4"),))
        dialog = ProceedDialog(None, "app #1", pending)
        qtbot.addWidget(dialog)
        screen = FirstRun(app_context, lambda ctx: None)
        qtbot.addWidget(screen)
        from triage.ui.widgets.report_filters import ReportFiltersForm

        filters = ReportFiltersForm()
        qtbot.addWidget(filters)
        labels = [w for w in dialog.findChildren(QLabel) if "version tag" in w.text()]
        labels += [screen.note]
        labels += [w for w in filters.findChildren(QLabel) if "No job ticked" in w.text()]
        assert len(labels) == 3
        window = app.palette().color(QPalette.ColorRole.Window)
        for label in labels:
            assert _contrast(_shown_color(label), window) >= 4.5, label.text()
    finally:
        app.setStyle(style)
        app.setPalette(before)


def test_settings_give_a_server_its_own_token_variable_as_servers_add_does(
        qtbot, app_context, jenkins, monkeypatch):
    from triage import servers
    dialog = settings_dialog(qtbot, app_context)  # no keyring here (the tests' backend)
    # Even with no server listed yet, the dialog says where the token must come from...
    assert "set TRIAGE_JENKINS_TOKEN" in dialog.no_keyring.text()
    # ...in the app's words, not the CLI's flag.
    assert "--token-env" not in dialog.no_keyring.text()
    assert "in Token variable" in dialog.no_keyring.text()
    dialog.name.setText("eu")
    dialog.url.setText(jenkins.url)
    dialog.user.setText("alice")
    dialog.token_env.setText("EU_TOKEN")
    assert "set EU_TOKEN to the API token of alice" in dialog.no_keyring.text()
    monkeypatch.setenv("EU_TOKEN", jenkins.users["alice"])
    dialog.test()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=30_000)
    assert dialog.result.text().startswith("OK: reached Jenkins"), dialog.result.text()
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        dialog.save()
    assert servers.load()["eu"].token_env == "EU_TOKEN"  # as `servers add --token-env`
    again = settings_dialog(qtbot, app_context)
    assert again.token_env.text() == "EU_TOKEN"


def test_settings_refuse_a_token_variable_that_is_no_variable_name(qtbot, app_context, jenkins):
    from triage import servers
    dialog = settings_dialog(qtbot, app_context)
    dialog.name.setText("eu")
    dialog.url.setText(jenkins.url)
    dialog.token_env.setText("EU TOKEN")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.result.text().startswith("Not saved:"), timeout=30_000)
    assert "'EU TOKEN' is not an environment variable name" in dialog.result.text()
    assert "--token-env" not in dialog.result.text()
    assert "eu" not in servers.load()


def _selection_color(view):
    """The colour the view paints its selected rows with (its item option's)."""
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QStyleOptionViewItem

    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    return option.palette.color(QPalette.ColorRole.Highlight)


def test_only_the_pane_with_the_keyboard_shows_its_selection_strong(qtbot, window):
    from PySide6.QtGui import QPalette

    wait_ready(qtbot, window)
    window.activateWindow()
    inbox, failures = window.inbox.view, window.failures.tree
    strong = QApplication.palette().color(QPalette.ColorRole.Highlight)
    inbox.setFocus()
    qtbot.waitUntil(inbox.hasFocus, timeout=WAIT_MS)
    assert _selection_color(inbox) == strong and _selection_color(failures) != strong
    qtbot.keyClick(inbox, Qt.Key.Key_Tab)
    qtbot.waitUntil(failures.hasFocus, timeout=WAIT_MS)
    assert _selection_color(failures) == strong and _selection_color(inbox) != strong


def test_the_muted_selection_follows_a_theme_change(qtbot):
    from PySide6.QtGui import QPalette

    from triage.ui import palette
    from triage.ui.widgets.views import KeyTree

    app = QApplication.instance()
    before, style = QPalette(app.palette()), app.style().name()
    palette.apply(app, "light")
    try:
        tree = KeyTree()
        tree.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # it never has the keyboard here
        qtbot.addWidget(tree)
        tree.show()  # Qt hands a new palette to shown widgets
        qtbot.waitExposed(tree, timeout=WAIT_MS)
        light = _selection_color(tree)
        palette.apply(app, "dark")
        QApplication.processEvents()
        # The unfocused view mutes the dark theme's selection toward the dark base.
        dark = _selection_color(tree)
        assert dark != app.palette().color(QPalette.ColorRole.Highlight)
        assert dark.lightness() < 128 < light.lightness()
    finally:
        app.setStyle(style)
        app.setPalette(before)


def test_the_shortcuts_list_shows_every_description_whole(qtbot):
    from triage.ui.widgets.dialogs import ShortcutsDialog

    dialog = ShortcutsDialog(None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog, timeout=WAIT_MS)
    table = dialog.table
    needed = table.sizeHintForColumn(1)
    assert table.viewport().width() - table.columnWidth(0) >= needed
