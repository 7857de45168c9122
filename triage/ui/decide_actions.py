"""Deciding from the window: marks with undo, accepted suggestions, Proceed and Abort.

Every change goes through the core use cases the CLI uses (`triage.triage_build.mark_tests`,
`accept_suggestions`, `restore_verdicts`, `triage.decide.decide`) on the writer thread, so a
decision is stored exactly as `triage proceed` stores it. Dialogs run on the GUI thread before
an op starts, never inside one. Those use cases are imported where they run, in the ops (the
window paints before they load).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from triage.display import plural, shorten
from triage.errors import InputAlreadyDecided, NotFoundError
from triage.ui.context import AppContext
from triage.ui.inbox_data import InboxRow
from triage.ui.models.failures_model import FailureRecord
from triage.ui.tasks import ErrorReport
from triage.ui.text import NAME_CHARS
from triage.ui.widgets.banner import ErrorDialog

if TYPE_CHECKING:
    from triage.build_detail import BuildView
    from triage.store.verdicts import VerdictRow

UNDO_DEPTH = 50
Key = tuple[str, str, int]


@dataclass(frozen=True)
class UndoStep:
    key: Key
    label: str
    previous: dict[int, VerdictRow | None]  # test id -> the mark it had, or None


class Decider(QObject):
    marks_changed = Signal(object, object)  # build key, {test id: VerdictRow | None}
    decided = Signal(object, str)  # InboxRow, "proceed" | "abort"
    settled_elsewhere = Signal(object)  # InboxRow: someone else decided first
    status = Signal(str)

    def __init__(self, ctx: AppContext, window: QWidget):
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self.undo_steps: list[UndoStep] = []
        self.deciding: set[Key] = set()

    # --- marks ----------------------------------------------------------------------------

    def mark(self, view: BuildView | None, records: list[FailureRecord],
             verdict: str | None) -> None:
        """Mark these failures real or noise, or clear them (None)."""
        if view is None or not records:
            return
        ids = [r.test_id for r in records]
        previous = {i: view.marks.get(i) for i in ids}
        who = self.ctx.who(view.server)
        failures = plural(len(ids), "failure")
        label = f"marked {failures} {verdict}" if verdict else f"cleared the marks of {failures}"
        now = {r.test_id: None if verdict is None else
               _row(view, r.test_id, r.signature, verdict, who) for r in records}

        def work(store, op):
            from triage.triage_build import mark_tests

            return mark_tests(store, view.job, view.number, ids, verdict, server=view.server,
                              who=who)

        self.ctx.tasks.write(label.capitalize(), work,
                             lambda _n: self._marked(view, previous, now, label))

    def accept(self, view: BuildView | None) -> None:
        """Mark every unmarked failure as the engine suggests (real or noise)."""
        if view is None:
            return
        who = self.ctx.who(view.server)

        def work(store, op):
            from triage.triage_build import accept_suggestions

            return accept_suggestions(store, view.job, view.number, server=view.server, who=who)

        self.ctx.tasks.write(
            "Accepting suggestions", work,
            lambda chosen: self._marked(
                view, {t.failure.test_id: None for t in chosen},
                {t.failure.test_id: _row(view, t.failure.test_id, t.failure.signature,
                                         t.suggestion, who, "accepted suggestion")
                 for t in chosen},
                f"accepted {plural(len(chosen), 'suggestion')}"))

    def _marked(self, view: BuildView, previous, now, label: str) -> None:
        if not now:
            self.status.emit("Nothing to mark: every failure is marked or unsure.")
            return
        key = (view.server, view.job, view.number)
        self.undo_steps = (self.undo_steps + [UndoStep(key, label, previous)])[-UNDO_DEPTH:]
        _apply(view, now)
        self.marks_changed.emit(key, now)
        self.status.emit(f"{label.capitalize()} (Ctrl+Z undoes).")

    def undo(self, view: BuildView | None) -> None:
        """Put back the marks the last marking replaced (on whichever build it was)."""
        if not self.undo_steps:
            self.status.emit("Nothing to undo.")
            return
        step = self.undo_steps.pop()
        server, job, number = step.key

        def done(_result) -> None:
            if view is not None and (view.server, view.job, view.number) == step.key:
                _apply(view, step.previous)
            self.marks_changed.emit(step.key, step.previous)
            self.status.emit(f"Undone: {step.label}.")

        def work(store, op):
            from triage.triage_build import restore_verdicts

            return restore_verdicts(store, job, number, step.previous, server=server)

        self.ctx.tasks.write(f"Undoing: {step.label}", work, done)

    # --- decisions ------------------------------------------------------------------------

    def proceed(self, row: InboxRow | None) -> None:
        """Choose the input, fill its form, confirm past real failures, then proceed."""
        self._still_pending(row, "Proceed", lambda pending: self.ctx.tasks.read(
            "Checking for real failures", lambda store, op: _blocking(store, row),
            lambda blocking: self._proceed_form(row, pending, blocking)))

    def _proceed_form(self, row: InboxRow, pending, blocking: list[str] | None) -> None:
        from triage.ui.widgets import dialogs  # the dialogs' Qt classes load on first use

        params = dialogs.ProceedDialog.ask(self.window, row.display, pending)
        if params is None:
            return
        if blocking is None:
            blocking = ["(the build's failures are not in the history yet: still syncing)"]
        if blocking and not dialogs.confirm_blocking(self.window, row.display,
                                                     pending.ok or "Proceed", blocking):
            return
        self.send(row, pending, "proceed", params)

    def abort(self, row: InboxRow | None) -> None:
        """Confirm (Cancel the default), then abort; a settled input is explained."""
        from triage.ui.widgets import dialogs

        self._still_pending(row, "Abort", lambda pending: dialogs.confirm_abort(
            self.window, row.display, pending) and self.send(row, pending, "abort", {}))

    def _still_pending(self, row: InboxRow | None, verb: str, then) -> None:
        """Choose the input, ask Jenkins whether it still waits, then `then(pending)`; an
        input settled meanwhile is explained instead."""
        chosen = self._choose(row, verb)
        if chosen is None:
            return
        def work(op):
            from triage import decide

            return decide.still_pending(self.ctx.source(row.server), row.job, row.number,
                                        chosen.id)

        self.ctx.tasks.network(f"Checking {row.display} still waits", work, then,
                               lambda error: self._decision_failed(row, error))

    def _choose(self, row: InboxRow | None, verb: str):
        if row is None or not row.paused or not row.inputs:
            self.status.emit(f"{verb}: select a build paused at an input step.")
            return None
        if row.key in self.deciding:
            self.status.emit(f"A decision on {row.display} is on its way.")
            return None
        if len(row.inputs) > 1 and row.input is not None:
            # A row is one input of a build: choose among all, this row's first.
            inputs = (row.input, *[p for p in row.inputs if p.id != row.input.id])
        else:
            inputs = row.inputs
        from triage.ui.widgets import dialogs

        return dialogs.InputChooser.ask(self.window, row.display, inputs)

    def send(self, row: InboxRow, pending, action: str, params: dict) -> None:
        """Send a decision already confirmed and record it (the core `decide`)."""
        who = self.ctx.who(row.server)
        self.deciding.add(row.key)
        verb = "Proceeding" if action == "proceed" else "Aborting"

        def work(store, op):
            from triage import decide

            return decide.decide(self.ctx.source(row.server), store, row.job, row.number,
                                 action, pending.id, params, who=who)

        self.ctx.tasks.write(
            f"{verb} {row.display}", work,
            lambda record: self._decided(row, action, record),
            lambda error: self._decision_failed(row, error),
            cancellable=False)  # once sent, a decision is recorded whatever happens

    def _decided(self, row: InboxRow, action: str, record) -> None:
        self.deciding.discard(row.key)
        done = "Proceeded" if action == "proceed" else "Aborted"
        # The input as the person saw it (its message), not Jenkins' id for it.
        message = row.input.message.partition("\n")[0] if row.input and row.input.message else ""
        what = f"“{shorten(message, NAME_CHARS)}”" if message else f"input {record.input_id}"
        self.status.emit(f"{done} {row.display}: {what} ({time.strftime('%H:%M')}).")
        self.decided.emit(row, action)

    def _decision_failed(self, row: InboxRow, error: BaseException) -> None:
        self.deciding.discard(row.key)
        if isinstance(error, InputAlreadyDecided):
            from triage.ui.widgets import dialogs

            dialogs.explain(self.window, "Already decided", error.message)
            self.settled_elsewhere.emit(row)
            return
        ErrorDialog.ask(self.window, ErrorReport.of(error, f"Could not decide {row.display}"))
        self.settled_elsewhere.emit(row)  # list again: the input may have changed


def _blocking(store, row: InboxRow) -> list[str] | None:
    """Return the failures that speak against proceeding (the core's rule, as the CLI's), as
    lines; None when the build is not in the history yet."""
    from triage import decide

    try:
        found = decide.blocking_failures(store, row.server, row.job, row.number)
    except NotFoundError:
        return None
    return [f"{b.test} — {b.reason}" for b in found]


def _row(view: BuildView, test_id: int, signature: str | None, verdict: str, who: str,
         note: str | None = None) -> VerdictRow:
    """The mark as the history now has it (for undo and for the verdict column)."""
    from triage.store.verdicts import VerdictRow  # loaded with the build's view already

    return VerdictRow(0, view.number, test_id, signature, verdict, note, who,
                      int(time.time() * 1000), None)


def _apply(view: BuildView, marks: dict[int, VerdictRow | None]) -> None:
    for test_id, row in marks.items():
        if row is None:
            view.marks.pop(test_id, None)
        else:
            view.marks[test_id] = row
