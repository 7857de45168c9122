"""Terse builders of engine inputs for the flakiness tests: histories as letter strings."""

from __future__ import annotations

from triage.domain import Outcome
from triage.flakiness.model import FailureInput, PastVerdict, Run

_LETTERS = {o.letter: o for o in Outcome}


def runs(
    pattern: str, *, first: int = 1, sig: str | None = "S", shas: str | None = None
) -> tuple[Run, ...]:
    """Return runs from letters (P F E S R, "." for a build the test did not run in).

    Build numbers count from `first`; failed and flaky-passed runs carry signature `sig`;
    `shas`, if given, holds one character per build naming its commit ("a" -> "aaaaaaa...").
    """
    out = []
    for offset, letter in enumerate(pattern):
        if letter == ".":
            continue
        outcome = _LETTERS[letter]
        revision = (shas[offset] * 40) if shas else f"{first + offset:040x}"
        signature = sig if outcome in (Outcome.FAILED, Outcome.ERROR, Outcome.FLAKY) else None
        out.append(Run(first + offset, outcome, revision, signature))
    return tuple(out)


def failure(
    history: str = "",
    *,
    test_id: int = 1,
    sig: str = "S",
    history_sig: str | None = None,
    classname: str = "com.acme.billing.InvoiceTest",
    name: str = "testTotal",
    message: str = "expected:<1> but was:<2>",
    type_: str = "java.lang.AssertionError",
    same_revision: tuple[Run, ...] = (),
    verdicts: tuple[PastVerdict, ...] = (),
    outcome: Outcome = Outcome.FAILED,
) -> FailureInput:
    """Return a failure of build len(history) + 1 with the given history."""
    return FailureInput(
        test_id,
        classname,
        name,
        outcome,
        sig,
        message,
        type_,
        0,
        history=runs(history, sig=history_sig if history_sig is not None else sig),
        same_revision=same_revision,
        verdicts=verdicts,
    )


def number_after(history: str) -> int:
    return len(history) + 1
