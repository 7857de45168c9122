"""Dialogs behind `classmethod ask()` (pytest-qt habit): the Proceed form, the confirmations,
the input chooser and the keyboard shortcuts.

The Proceed form is built from the input's own parameters and texts. What it returns is the
`--param` mapping the CLI takes: only fields the user changed, as text, so a parameter left
alone gets Jenkins' default from the core (`triage.jenkins.inputs.parameter_values`), and an
emptied field with a default is never sent empty.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QSizePolicy,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from triage.display import markup, printable, shorten
from triage.jenkins.model import InputParam, PendingInput
from triage.ui import hotkeys
from triage.ui.text import NAME_CHARS, TEXT_CHARS, action_text, tooltip
from triage.ui.widgets.hint import Hint
from triage.ui.widgets.views import PlainLabel

_BOOLEAN = "BooleanParameterDefinition"
_TEXT = "TextParameterDefinition"
LABEL_CHARS = 40  # a parameter's name beside its field (the tooltip has it whole)


class ProceedDialog(QDialog):
    """The input's message, one field per parameter pre-filled with its default, and the
    input's OK text on the default button (Enter submits)."""

    def __init__(self, parent: QWidget | None, build: str, pending: PendingInput):
        super().__init__(parent)
        self.setObjectName("proceedDialog")
        self.pending = pending
        self.setWindowTitle(printable(shorten(f"{pending.ok or 'Proceed'}: {build}", NAME_CHARS)))
        text = shorten(pending.message or pending.id, TEXT_CHARS)
        message = _rich(f"<b>{markup(text, lines=True)}</b>")
        message.setWordWrap(True)
        who = shorten(pending.submitter or "", NAME_CHARS)
        where = _rich(f"{markup(build)} · input <code>{markup(shorten(pending.id, NAME_CHARS))}"
                      "</code>" + (f" · who may decide: {markup(who)}" if who else ""))
        where.setWordWrap(True)
        self.fields: dict[str, QWidget] = {}
        form = QFormLayout()
        for param in pending.parameters:
            field = _field(param)
            field.setObjectName(f"param-{param.name}")
            if param.description:
                field.setToolTip(tooltip(param.description))
            self.fields[param.name] = field
            name = shorten(param.name, LABEL_CHARS)
            label = PlainLabel(name if _BOOLEAN == param.type else f"{name}:")
            # A PlainLabel yields its width to the layout; in a form's label column that
            # left it none, and every field showed without its name.
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            label.setObjectName(f"label-{param.name}")
            label.setToolTip(tooltip(param.name))
            label.setBuddy(field)
            form.addRow(label, _with_description(field, param))
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(action_text(pending.ok or "Proceed"),
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button.setDefault(True)
        self.ok_button.setAutoDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(where)
        if pending.parameters:
            layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def values(self) -> dict[str, str]:
        """Return the changed parameters as text (NAME -> value), as `--param` gives them."""
        given = {}
        for param in self.pending.parameters:
            text = _text(self.fields[param.name], param)
            if text is not None:
                given[param.name] = text
        return given

    @classmethod
    def ask(cls, parent: QWidget | None, build: str, pending: PendingInput) -> dict | None:
        dialog = cls(parent, build, pending)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None


def _field(param: InputParam) -> QWidget:
    if param.type == _BOOLEAN:
        box = QCheckBox()
        box.setChecked(bool(param.default))
        return box
    if param.choices is not None:
        combo = QComboBox()
        for choice in param.choices:  # shown escaped, sent as Jenkins gave it
            combo.addItem(printable(shorten(choice, NAME_CHARS)), choice)
        if param.default in param.choices:
            combo.setCurrentIndex(param.choices.index(param.default))
        return combo
    if param.type == _TEXT:
        edit = QPlainTextEdit(str(param.default or ""))
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(72)
        return edit
    line = QLineEdit()
    if param.is_password:
        line.setEchoMode(QLineEdit.EchoMode.Password)
        line.setPlaceholderText("leave empty for the default Jenkins keeps")
    else:
        line.setText("" if param.default is None else str(param.default))
        if param.default not in (None, ""):
            line.setPlaceholderText(f"default: {param.default}")
    return line


def _with_description(field: QWidget, param: InputParam) -> QWidget:
    if not param.description or isinstance(field, QCheckBox):
        if isinstance(field, QCheckBox) and param.description:
            field.setText(action_text(param.description))
        return field
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(1)
    layout.addWidget(field)
    layout.addWidget(Hint(
        f"<small>{markup(shorten(param.description, TEXT_CHARS), lines=True)}</small>"))
    return box


def _text(field: QWidget, param: InputParam) -> str | None:
    """Return the field's value as text, or None to let the core send Jenkins' default."""
    if isinstance(field, QCheckBox):
        value = field.isChecked()
        return None if value == bool(param.default) else ("true" if value else "false")
    if isinstance(field, QComboBox):
        return field.currentData()
    text = field.toPlainText() if isinstance(field, QPlainTextEdit) else field.text()
    if param.is_password:
        return text or None  # empty: Jenkins' own default (<DEFAULT>)
    if text == "" or text == str(param.default):
        return None  # left alone or emptied: the core sends the default, never "" for it
    return text


def confirm_blocking(parent: QWidget | None, build: str, ok: str, blocking: list[str]) -> bool:
    """Ask before proceeding past failures marked or suggested real; Cancel is the default."""
    shown = blocking[:12]
    more = f"\n… and {len(blocking) - len(shown)} more" if len(blocking) > len(shown) else ""
    box = _message_box(QMessageBox.Icon.Warning, f"{ok}: {build}",
                       f"{len(blocking)} failure{'s' * (len(blocking) != 1)} of {build} "
                       f"{'are' if len(blocking) != 1 else 'is'} real (marked real, or "
                       f"suggested real and not marked noise). {ok} anyway?", parent)
    box.setObjectName("confirmBlocking")
    box.setDetailedText("\n".join(blocking))
    box.setInformativeText(printable("\n".join(shown) + more, lines=True))
    _plain_labels(box)
    go = box.addButton(action_text(f"{ok} anyway"), QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is go


def confirm_abort(parent: QWidget | None, build: str, pending: PendingInput) -> bool:
    """Ask before aborting; the input's own cancel text on the button, Cancel the default."""
    label = pending.cancel or "Abort"
    box = _message_box(QMessageBox.Icon.Question, f"{label}: {build}",
                       f"{label} {build} at “{pending.message or pending.id}”? The build will "
                       "end ABORTED.", parent)
    box.setObjectName("confirmAbort")
    go = box.addButton(action_text(label), QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is go


class InputChooser(QDialog):
    """Pick one of the inputs a build waits for (parallel branches)."""

    def __init__(self, parent: QWidget | None, build: str, inputs: tuple[PendingInput, ...]):
        super().__init__(parent)
        self.setObjectName("inputChooser")
        self.setWindowTitle(printable(f"Which input of {build}?"))
        self.inputs = inputs
        self.list = QListWidget()
        for pending in inputs:
            self.list.addItem(printable(shorten(f"{pending.message or pending.id}   [{pending.ok}"
                                                f" / {pending.cancel}]  ({pending.id})",
                                                NAME_CHARS)))
        self.list.setCurrentRow(0)
        self.list.setMinimumWidth(self.list.sizeHintForColumn(0) + 24)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setFixedHeight(self.list.sizeHintForRow(0) * len(inputs) + 8)
        self.list.itemActivated.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(PlainLabel(f"{build} waits for {len(inputs)} inputs:"))
        layout.addWidget(self.list)
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, parent: QWidget | None, build: str,
            inputs: tuple[PendingInput, ...]) -> PendingInput | None:
        if len(inputs) == 1:
            return inputs[0]
        dialog = cls(parent, build, inputs)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.list.currentRow() < 0:
            return None
        return inputs[dialog.list.currentRow()]


class ShortcutsDialog(QDialog):
    """Help > Keyboard shortcuts: the table in `hotkeys`."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        table = QTreeWidget()
        table.setHeaderLabels(["Keys", "What they do"])
        table.setRootIsDecorated(False)
        for keys, what in hotkeys.TABLE:
            table.addTopLevelItem(QTreeWidgetItem([keys, what]))
        table.resizeColumnToContents(0)
        table.setColumnWidth(0, table.columnWidth(0) + 16)  # a gap before the description
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        # Wide enough for the longest description (the margins, the frame, a scroll bar).
        self.resize(max(560, table.columnWidth(0) + table.sizeHintForColumn(1) + 64), 480)
        self.table = table

    @classmethod
    def ask(cls, parent: QWidget | None) -> None:
        cls(parent).exec()


def explain(parent: QWidget | None, title: str, message: str) -> None:
    """Tell the user something that needs no answer (an input someone else decided)."""
    box = _message_box(QMessageBox.Icon.Information, title, message, parent)
    box.setObjectName("explain")
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.exec()


def _rich(html: str) -> QLabel:
    """A label for HTML we built, every Jenkins text in it through `markup`."""
    label = QLabel(html)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def _message_box(icon, title: str, text: str, parent: QWidget | None) -> QMessageBox:
    """A message box whose texts (from Jenkins: names, messages, approvers) stay plain text."""
    box = QMessageBox(icon, printable(shorten(title, NAME_CHARS)),
                      printable(shorten(text, TEXT_CHARS), lines=True), parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box


def _plain_labels(box: QMessageBox) -> None:
    """Make the informative text plain as well (QMessageBox guesses its format on its own,
    and opens its links in a browser)."""
    for label in box.findChildren(QLabel):
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setOpenExternalLinks(False)
