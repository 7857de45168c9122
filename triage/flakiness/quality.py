"""Replay simulated histories through the pure engine and score its suggestions.

The engine sees, at each build, only what existed then: earlier builds inside the history
window, earlier builds on the same commit, earlier spreads of an error. Two baselines any
Jenkins user has today are scored beside it:
- "age": a failure is new (real) if the test did not fail in its previous run, else noise;
- "ever failed": noise if the test ever failed before, else real.
Noise the engine does not recognise is sorted by what its history held (`missed_because`), and
every failure is described by what its history held (`ceiling.describe`), for an upper bound on
what any rule could recognise without calling a real failure noise.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from triage.domain import Outcome
from triage.flakiness.ceiling import Ceiling, Context, describe
from triage.flakiness.clusters import (
    MASS_MIN,
    OUTAGE,
    mass_signatures,
    spread_signatures,
    triage_build,
)
from triage.flakiness.model import (
    HISTORY_WINDOW,
    NOISE,
    REAL,
    UNSURE,
    BuildContext,
    FailureInput,
    Run,
    SignatureSpread,
    TriagedFailure,
)
from triage.flakiness.signatures import short_message, signature_id, top_frame
from triage.flakiness.simulate import SimHistory
from triage.flakiness.suggest import MIN_RUNS, SUSPICIOUS

APPROACHES = ("engine", "age", "ever failed")
# Why a noise failure was not suggested noise, by what its history held. The first four hold
# the failures with the least to go on (the test's own history; its error came and went in
# other tests fewer than two separate times, or the test is too young for that to count).
FEW_RUNS = "fewer than 5 earlier runs"
FIRST_SIGN = "no earlier sign of flakiness in the window"
NEW_ERROR = "an error the test never showed before"
ONE_BLIP = "one earlier failure with this error"
UNTOLD = (FEW_RUNS, FIRST_SIGN, NEW_ERROR, ONE_BLIP)
# Rules that unit tests pin to `unsure` though no simulated regression shows such evidence:
# they guard against a regression failing with a test's usual error (the `mimic` stress).
TWO_IN_A_ROW = f"other: {SUSPICIOUS}"
PINNED = (FEW_RUNS, ONE_BLIP, TWO_IN_A_ROW)


@dataclass
class Tally:
    """Counts of (ground truth, suggestion) per approach."""

    counts: dict[str, Counter] = field(default_factory=lambda: {a: Counter() for a in APPROACHES})
    missed: Counter = field(default_factory=Counter)  # the engine's, by `missed_because`
    ceiling: Ceiling = field(default_factory=Ceiling)  # what any rule could do (ceiling.py)

    def add(self, approach: str, truth: str, suggestion: str) -> None:
        self.counts[approach][(truth, suggestion)] += 1

    def merge(self, other: Tally) -> None:
        for approach in APPROACHES:
            self.counts[approach].update(other.counts[approach])
        self.missed.update(other.missed)
        self.ceiling.merge(other.ceiling)

    def row(self, approach: str) -> dict[str, float]:
        """Return the headline figures for one approach."""
        c = self.counts[approach]
        real = sum(v for (t, _), v in c.items() if t == REAL)
        noise = sum(v for (t, _), v in c.items() if t == NOISE)
        total = real + noise
        return {
            "failures": total,
            "real": real,
            "noise": noise,
            "real_as_noise": c[(REAL, NOISE)],
            "real_flagged": c[(REAL, REAL)] / real if real else 1.0,
            "noise_recognised": c[(NOISE, NOISE)] / noise if noise else 1.0,
            "unsure": (c[(REAL, UNSURE)] + c[(NOISE, UNSURE)]) / total if total else 0.0,
            "noise_as_real": c[(NOISE, REAL)] / noise if noise else 0.0,
        }


def replay(
    sim: SimHistory, window: int = HISTORY_WINDOW
) -> tuple[Tally, list[tuple[int, str, str, str, str, str]]]:
    """Run the engine on every build of `sim` as it would have run then.

    Return the tally and, per failure, (build number, test, truth, engine suggestion,
    suggestion kind, cluster id).
    """
    past = _Past(window)
    tally = Tally()
    decided = []
    for build in sim.builds:
        inputs, truths, current, counts = _failures(sim, build)
        spreads = past.fill(build, inputs)
        result = triage_build(BuildContext(sim.job, build.number, build.revision), inputs, spreads)
        classnames = defaultdict(list)
        for failure in inputs:
            classnames[failure.signature].append(failure.classname)
        for item in result.failures:
            i = item.failure.test_id
            truth = truths[i]
            tally.add("engine", truth, item.suggestion)
            missed = None
            if truth == NOISE and item.suggestion != NOISE:
                missed = missed_because(item)
                tally.missed[missed] += 1
            sig = item.failure.signature
            context = Context(
                past.older_runs(i, build.number),
                result.cluster(item.cluster_id).kind == OUTAGE,
                tuple(classnames[sig]),
                spreads.get(sig),
            )
            tally.ceiling.add(describe(item, context), truth, missed)
            previous = past.runs[i][-1] if past.runs[i] else None
            tally.add("age", truth, NOISE if previous is not None and previous.failed else REAL)
            tally.add("ever failed", truth, NOISE if past.failed_ever[i] else REAL)
            decided.append(
                (
                    build.number,
                    item.failure.test,
                    truth,
                    item.suggestion,
                    item.kind,
                    item.cluster_id,
                )
            )
        past.remember(build, current, counts)
    return tally, decided


def missed_because(item: TriagedFailure) -> str:
    """Return what the history held for a noise failure the engine did not call noise."""
    ev, failure = item.evidence, item.failure
    signs = [r for r in failure.history if not r.mass and (r.failed or r.outcome is Outcome.FLAKY)]
    if ev.passed_same_commit:
        return f"other: {item.kind}"
    if ev.runs < MIN_RUNS:
        return FEW_RUNS
    if not signs and not ev.group_shared:
        return FIRST_SIGN
    if failure.signature not in {r.signature for r in signs} and not ev.group_shared:
        return NEW_ERROR
    if ev.streak == 1 and sum(r.signature == failure.signature for r in signs) == 1:
        return ONE_BLIP
    return f"other: {item.kind}"


@dataclass
class _Past:
    """Everything the builds replayed so far left behind: what the engine may know now."""

    window: int
    # test index -> runs, oldest first, and their build numbers
    runs: dict[int, list[Run]] = field(default_factory=lambda: defaultdict(list))
    numbers: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    failed_ever: Counter = field(default_factory=Counter)
    # commit -> numbers of the builds on it
    revisions: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_build: dict[int, dict[int, Run]] = field(default_factory=dict)  # number -> test -> run
    spread: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))
    # signature -> (build number, test) of each failure with it outside an outage
    struck: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))

    def fill(self, build, inputs: list[FailureInput]) -> dict[str, SignatureSpread]:
        """Give each failure its history and same-commit runs; return the spreads it needs."""
        oldest = build.number - self.window
        same_rev = self.revisions[build.revision]
        for failure in inputs:
            i = failure.test_id
            failure.history = self.window_runs(i, oldest)
            failure.same_revision = tuple(
                self.by_build[n][i] for n in same_rev if i in self.by_build[n]
            )
        outages = set(mass_signatures(inputs))
        spreads = {}
        for sig in spread_signatures(inputs):
            if sig in outages:
                earlier = tuple(x for x in self.spread[sig] if x[0] >= oldest)
                spreads[sig] = SignatureSpread(sig, earlier)
            else:
                spreads[sig] = SignatureSpread(sig, (), self.struck_tests(sig, oldest))
        return spreads

    def window_runs(self, test: int, oldest: int) -> tuple[Run, ...]:
        start = bisect.bisect_left(self.numbers[test], oldest)
        return tuple(self.runs[test][start:])

    def older_runs(self, test: int, number: int) -> tuple[Run, ...]:
        """Return the test's runs before the window of build `number` (the engine never reads
        them; the ceiling does, as evidence a rule could use)."""
        end = bisect.bisect_left(self.numbers[test], number - self.window)
        return tuple(self.runs[test][:end])

    def struck_tests(self, sig: str, oldest: int) -> tuple[tuple[int, tuple[Run, ...]], ...]:
        """Return (test, its runs in the window) for the tests that failed with `sig` there."""
        tests = dict.fromkeys(t for n, t in self.struck[sig] if n >= oldest)
        return tuple((t, self.window_runs(t, oldest)) for t in tests)

    def remember(self, build, current: dict[int, Run], counts: Counter) -> None:
        """Add one replayed build: its runs (outage runs marked), commit and error spread."""
        masses_now = {sig for sig, count in counts.items() if count >= MASS_MIN}
        for i, run in current.items():
            if run.signature in masses_now:
                run = run._replace(mass=True)
            elif run.signature is not None:
                self.struck[run.signature].append((build.number, i))
            self.runs[i].append(run)
            self.numbers[i].append(build.number)
            self.failed_ever[i] += run.failed
        self.by_build[build.number] = current
        self.revisions[build.revision].append(build.number)
        for sig, count in counts.items():
            self.spread[sig].append((build.number, count))


def _failures(sim: SimHistory, build):
    """Return the failure inputs, their truths, every run and signature counts of one build."""
    inputs: list[FailureInput] = []
    truths: dict[int, str] = {}
    current: dict[int, Run] = {}
    counts: Counter = Counter()
    for i, test in enumerate(sim.tests):
        if test.start > build.number:
            continue
        outcome, attempts, truth = build.odd.get(i, (Outcome.PASSED, (), None))
        signature = None
        if attempts:
            first = attempts[0]
            signature = signature_id(first.type, first.message, first.trace)
            counts[signature] += 1
        current[i] = Run(build.number, outcome, build.revision, signature)
        if truth is not None:
            first = attempts[0]
            truths[i] = truth
            inputs.append(
                FailureInput(
                    i,
                    test.classname,
                    test.name,
                    outcome,
                    signature,
                    short_message(first.type, first.message),
                    first.type,
                    len(attempts) - 1,
                    frame=top_frame(first.trace),
                )
            )
    return inputs, truths, current, counts
