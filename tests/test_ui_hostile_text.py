"""Text from Jenkins in the window: shown as typed, never as markup, never a page wide.

Qt guesses rich text in a QLabel, a QMessageBox and every tooltip (`Qt::mightBeRichText`), so a
display name, test name, error, input message, parameter description or choice that looks
like HTML would be rendered: `<!--` hides the rest of a confirmation, `<a href>` makes a link.
Every such text carries the marker `<i>EVIL</i>` here; wherever the marker shows, it must show
with its tags.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QAbstractItemView, QLabel, QMessageBox, QWidget

from tests.ui_helpers import WAIT_MS, answer
from triage.jenkins.server import Case, JenkinsServer, Param, Report, Suite, World
from triage.ui.watch_rules import Notice
from triage.ui.widgets.dialogs import ProceedDialog

pytestmark = pytest.mark.gui

EVIL = "<i>EVIL</i>"


def hostile_world(marker: str = EVIL) -> World:
    """One job whose every text from Jenkins carries `marker`; #7 paused with a real failure."""
    world = World()
    now = world.now_ms()
    job = world.pipeline("evil", display_name=f"{marker} app")
    for number in range(1, 8):
        cases = [Case(f"com.{marker}.Test", f"ok{i}") for i in range(3)]
        cases.append(Case(f"com.{marker}.Test", f"t{marker}", outcome="failed",
                          message=f"{marker} boom", trace=f"{marker} trace"))
        build = job.add_build(number, result="UNSTABLE", duration_ms=1000,
                              timestamp_ms=now - (10 - number) * 60_000,
                              report=Report([Suite("s", cases)]))
    build.add_input(f"{marker} deploy?", ok=f"{marker} ok", cancel=f"{marker} no",
                    submitter=f"{marker}sub", at_ms=now - 60_000, parameters=[
                        Param("P", "string", "d", f"{marker} desc"),
                        Param("B", "boolean", True, f"{marker} box"),
                        Param("C", "choice", choices=[f"{marker}c1", "c2"])])
    return world


@pytest.fixture
def jenkins():
    """Replaces conftest's world: the window's fixtures then run on this one."""
    with JenkinsServer(world=hostile_world(), context_path="/jenkins") as srv:
        yield srv


def shown(text: str, rich: bool) -> str:
    """Return what Qt shows for `text`: the HTML rendered when Qt takes it as rich text."""
    if not rich:
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def _auto_rich(text: str, fmt=Qt.TextFormat.AutoText) -> bool:
    return fmt == Qt.TextFormat.RichText or (fmt == Qt.TextFormat.AutoText
                                            and GuiQt.mightBeRichText(text))


def rendered_markup(root: QWidget) -> list[str]:
    """Return every label, tooltip and item tooltip in `root` where the marker lost its tags."""
    bad = []

    def check(where: str, text, fmt=Qt.TextFormat.AutoText) -> None:
        if isinstance(text, str) and "EVIL" in text:
            seen = shown(text, _auto_rich(text, fmt))
            if "EVIL" in seen and EVIL not in seen:
                bad.append(f"{where}: {text[:80]!r}")

    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QLabel):
            check(f"label {widget.objectName()!r}", widget.text(), widget.textFormat())
        check(f"tooltip of {type(widget).__name__}", widget.toolTip())
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            stack = [QModelIndex()]
            while stack:
                parent = stack.pop()
                for row in range(model.rowCount(parent)):
                    for column in range(model.columnCount(parent)):
                        index = model.index(row, column, parent)
                        check(f"item tooltip in {type(widget).__name__}",
                              model.data(index, Qt.ItemDataRole.ToolTipRole))
                    stack.append(model.index(row, 0, parent))
    return bad


def _ready(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.failures.view_data is not None
                    and not window.inbox.sync_pending(), timeout=30_000)
    tree = window.failures.tree
    tree.expandAll()
    tree.setCurrentIndex(tree.model().index(0, 0, tree.model().index(0, 0)))
    qtbot.waitUntil(lambda: window.detail.record is not None, timeout=WAIT_MS)


def test_no_jenkins_text_is_ever_rendered_as_markup(qtbot, window):
    _ready(qtbot, window)
    found = {"panes": rendered_markup(window)}
    assert EVIL in window.failures.title.text()  # the marker is there, as typed

    def in_confirmation(box):
        found["confirmation"] = rendered_markup(box)
        box.reject()

    def in_form(dialog):
        found["form"] = rendered_markup(dialog)
        found["values"] = dialog.values()
        answer(QMessageBox, in_confirmation)
        dialog.accept()

    answer(ProceedDialog, in_form)
    window.decider.proceed(window.inbox.current_row())
    qtbot.waitUntil(lambda: "confirmation" in found, timeout=30_000)

    answer(QMessageBox, lambda box: (found.setdefault("abort", rendered_markup(box)),
                                     box.reject()))
    window.decider.abort(window.inbox.current_row())
    qtbot.waitUntil(lambda: "abort" in found, timeout=30_000)
    # The choice sent is Jenkins' own, not the text shown for it.
    assert found.pop("values") == {"C": f"{EVIL}c1"}
    assert found == {"panes": [], "form": [], "confirmation": [], "abort": []}


@pytest.fixture
def long_names_jenkins():
    with JenkinsServer(world=hostile_world("x" * 100_000), context_path="/jenkins") as srv:
        yield srv


def test_a_100_kb_name_never_widens_the_window(qtbot, window, long_names_jenkins, app_context):
    from triage.servers import ServerConfig
    from triage.ui.context import ServerEntry

    app_context.servers[:] = [ServerEntry(ServerConfig("ci", long_names_jenkins.url,
                                                       user="alice"),
                                          token=long_names_jenkins.users["alice"])]
    window.inbox.refresh()
    qtbot.waitUntil(lambda: window.failures.view_data is not None
                    and window.failures.view_data.job == "evil", timeout=30_000)
    _ready(qtbot, window)
    assert window.minimumSizeHint().width() < 1600  # was 710,000 px: no layout could fit it
    assert len(window.failures.title.text()) < 3000


def test_notification_texts_are_escaped_and_short():
    from triage.ui.notify import notification_text
    from triage.ui.tray import tray_text

    notice = Notice(("ci", "evil", 7, "x"), f"{EVIL}\x1b[2J app #7 waits" + "y" * 100_000,
                    f"{EVIL} deploy? <a href='http://evil'>x</a> & more\n" + "z" * 100_000)
    title, body = notification_text(notice)
    assert title.startswith("<i>EVIL</i>\\x1b[2J app #7") and len(title) <= 210
    assert body.startswith("&lt;i&gt;EVIL&lt;/i&gt; deploy? &lt;a href=&#x27;http://evil&#x27;"
                           "&gt;x&lt;/a&gt; &amp; more<br>") and len(body) < 1200
    title, body = tray_text(notice, "linux")
    assert shown(body, _auto_rich(body)).startswith(f"{EVIL} deploy? <a href='http://evil'>")
    title, body = tray_text(notice, "win32")
    assert body.startswith(f"{EVIL} deploy? <a href='http://evil'>x</a> & more\n")


def test_a_hostile_console_log_is_shown_as_typed_and_small(qtbot, window, jenkins):
    _ready(qtbot, window)
    with jenkins.world.lock:
        log = jenkins.world.job("evil").build(7).log
        log[1:1] = [f"[ERROR] {EVIL} \x1b[31mred\x1b[0m \x1b]0;title\x07 \u202eevil"] * 50_000
    window.actions["consoleLog"].trigger()
    qtbot.waitUntil(lambda: window.detail.console.log is not None, timeout=30_000)
    text = window.detail.console.text.toPlainText()
    assert f"[ERROR] {EVIL} red \\x1b]0;title\\x07 \\u202eevil" in text
    assert len(text) < 100_000  # the excerpt, not 50,000 merged error lines
