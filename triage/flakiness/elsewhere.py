"""An error's own history across the job's other tests: did they get over it before?

A failure's signature keeps the top frames of the code under test, so the same error in two
tests is one signature only when it is raised in the same code: a port already bound in a
shared server set-up, a timeout in a shared polling helper, a temp file a shared writer lost.
When other tests failed with that very error again and again and each got over it by itself
(passed on a rerun, or passed within two builds), it is a flaky error of the environment or of
shared code, whichever test meets it next, even a test that never failed before. A regression
brings an error of its own: it has no such past, and the tests it breaks keep failing until
the fix, so their failures do not count, even when the error's wording varies from build to
build. Outages are left out: they are judged as outages.

Only what the history held at that build is used: the runs, in the window, of the other tests
that failed with the error (`SignatureSpread.tests`).
"""

from __future__ import annotations

from triage.domain import Outcome
from triage.flakiness.evidence import SHORT_EPISODE
from triage.flakiness.model import FailureInput, Run, SignatureSpread

_FAILED = frozenset((Outcome.FAILED, Outcome.ERROR))
_PASSED = frozenset((Outcome.PASSED, Outcome.FLAKY))
# At least this many separate times: one could be a short-lived regression of several tests,
# fixed by the next commit; the same error coming back and going away again is not.
ELSEWHERE_EPISODES = 2


def came_and_went(failure: FailureInput, spread: SignatureSpread | None) -> tuple[int, ...]:
    """Return the first builds of the separate times `failure`'s error struck other tests and
    they got over it, oldest first. Times that touch (builds in a row) count once."""
    if spread is None or failure.signature is None:
        return ()
    builds: set[int] = set()
    for test_id, runs in spread.tests:
        if test_id != failure.test_id:
            builds |= _got_over(runs, failure.signature)
    starts = [n for n in sorted(builds) if n - 1 not in builds]
    return tuple(starts)


def _got_over(runs: tuple[Run, ...], signature: str) -> set[int]:
    """Return the builds of the short failure episodes (with `signature` in them) that ended
    with a pass, and the builds where the test passed on a rerun after failing with it."""
    runs = [r for r in runs if r.outcome is not Outcome.SKIPPED]
    found: set[int] = set()
    last = -1  # the end of the episode looked at last: its other failures add nothing
    for index, run in enumerate(runs):
        if run.signature != signature or run.mass or index <= last:
            continue
        if run.outcome is Outcome.FLAKY:
            found.add(run.number)
            continue
        first = index
        while first > 0 and runs[first - 1].outcome in _FAILED:
            first -= 1
        last = index
        while last + 1 < len(runs) and runs[last + 1].outcome in _FAILED:
            last += 1
        ended = last + 1 < len(runs) and runs[last + 1].outcome in _PASSED
        if ended and last - first < SHORT_EPISODE:
            found.update(r.number for r in runs[first : last + 1])
    return found
