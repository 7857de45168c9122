"""Painted cells: the pass/fail strip, the suggestion badge and the two-line inbox row.

Painting from the model's roles keeps one row cheap, whatever the number of rows: no widget per
cell. Colours come from `triage.ui.palette` so light and dark themes both read.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from triage.display import plural
from triage.ui import palette
from triage.ui.models.failures_model import HISTORY_ROLE, SUGGESTION_ROLE
from triage.ui.models.inbox_model import DOWN_ROLE, ROW_ROLE, state_text

CELL = 7  # width of one build in the strip
GAP = 1


class StripDelegate(QStyledItemDelegate):
    """One small square per build, oldest first: green passed, red failed, and so on."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex):
        letters = index.data(HISTORY_ROLE)
        if not letters:
            super().paint(painter, option, index)
            return
        self._background(painter, option, index)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        rect = option.rect
        height = min(rect.height() - 6, 12)
        top = rect.top() + (rect.height() - height) // 2
        x = rect.left() + 4
        colors = palette.outcome_colors()  # once per cell, not once per square
        missing = colors["-"]
        for letter in letters:
            if x + CELL > rect.right():
                break
            painter.fillRect(x, top, CELL - GAP, height, colors.get(letter, missing))
            x += CELL
        painter.restore()

    def sizeHint(self, option, index) -> QSize:
        letters = index.data(HISTORY_ROLE) or ""
        return QSize(len(letters) * CELL + 8, 18)

    def _background(self, painter, option, index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)


class MiddleElideDelegate(QStyledItemDelegate):
    """Elide in the middle: a test's own name is at the end, its package at the start."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class BadgeDelegate(QStyledItemDelegate):
    """The suggestion as a coloured pill: real red, unsure amber, noise grey."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex):
        suggestion = index.data(SUGGESTION_ROLE)
        if not suggestion:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        if opt.widget is not None:
            opt.widget.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter,
                                           opt.widget)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        metrics = QFontMetrics(option.font)
        width = metrics.horizontalAdvance(suggestion) + 14
        height = metrics.height() + 2
        rect = QRect(option.rect.left() + 4, option.rect.top() + (option.rect.height() - height)
                     // 2, width, height)
        fill, text = palette.badge_colors(suggestion)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(QPen(text))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, suggestion)
        painter.restore()

    def sizeHint(self, option, index) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(max(hint.width(), 70), hint.height())


class InboxDelegate(QStyledItemDelegate):
    """A build on two lines: a state mark, name and wait; then the input's message or summary."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex):
        row = index.data(ROW_ROLE)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        if row is None:  # a server heading
            self._heading(painter, opt, index)
            return
        opt.text = ""
        widget = opt.widget
        widget.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        pal = opt.palette
        main = pal.highlightedText().color() if selected else pal.text().color()
        faint = QColor(main)
        faint.setAlphaF(0.7)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        rect = opt.rect.adjusted(6, 3, -6, -3)
        line = rect.height() // 2
        self._mark(painter, QRect(rect.left(), rect.top() + 2, 12, 12), row.state)
        bold = QFont(opt.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(main)
        first = QRect(rect.left() + 18, rect.top(), rect.width() - 18, line)
        status = state_text(row)
        plain = QFont(opt.font)
        plain.setBold(False)
        status_width = QFontMetrics(plain).horizontalAdvance(status) + 8
        name = QFontMetrics(bold).elidedText(row.display, Qt.TextElideMode.ElideMiddle,
                                             first.width() - status_width)
        painter.drawText(first, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
        painter.setFont(plain)
        painter.setPen(palette.state_color(row.state) if not selected else main)
        painter.drawText(first, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         status)
        painter.setFont(plain)
        painter.setPen(faint)
        second = QRect(first.left(), rect.top() + line, first.width(), line)
        painter.drawText(second, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         second_line(row, QFontMetrics(plain), second.width()))
        painter.restore()

    def _heading(self, painter, opt, index) -> None:
        down = index.data(DOWN_ROLE)
        opt.font.setBold(True)
        if down:
            opt.palette.setColor(opt.palette.ColorRole.Text, palette.state_color("down"))
        opt.widget.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter,
                                       opt.widget)

    def _mark(self, painter: QPainter, rect: QRect, state: str) -> None:
        """Paused: two bars (like a pause button); running: a triangle; red: a dot."""
        color = palette.state_color(state)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        if state == "paused":
            bar = rect.width() // 3
            painter.drawRect(QRect(rect.left() + 1, rect.top(), bar, rect.height()))
            painter.drawRect(QRect(rect.right() - bar, rect.top(), bar, rect.height()))
        elif state == "running":
            from PySide6.QtCore import QPoint
            from PySide6.QtGui import QPolygon

            painter.drawPolygon(QPolygon([rect.topLeft(), rect.bottomLeft(),
                                          QPoint(rect.right(), rect.center().y())]))
        else:
            painter.drawEllipse(rect.adjusted(1, 1, -1, -1))

    def sizeHint(self, option, index) -> QSize:
        metrics = QFontMetrics(option.font)
        if index.data(ROW_ROLE) is None:
            return QSize(200, metrics.height() + 8)
        return QSize(260, metrics.height() * 2 + 12)


def second_line(row, metrics: QFontMetrics, width: int) -> str:
    """The input's message, then the triage summary, in `width` pixels: a long message is
    cut ("…") before the summary is (the gate's message is a whole sentence)."""
    if row.summary:
        summary = row.summary
    elif row.failures:
        summary = f"{plural(row.failures, 'failed test')} (syncing…)"
    elif row.state == "running":
        summary = "running after the decision"
    else:
        summary = "" if row.input is not None else "no failed tests"
    if row.input is None:
        return metrics.elidedText(summary, Qt.TextElideMode.ElideRight, width)
    message = (row.input.message or row.input.id).partition("\n")[0]
    if not summary:
        return metrics.elidedText(message, Qt.TextElideMode.ElideRight, width)
    tail = " · " + summary
    room = width - metrics.horizontalAdvance(tail)
    if room < 8 * metrics.averageCharWidth():  # too narrow for both: the summary alone
        return metrics.elidedText(summary, Qt.TextElideMode.ElideRight, width)
    return metrics.elidedText(message, Qt.TextElideMode.ElideRight, room) + tail
