"""How much noise any rule could recognise on replayed histories: an upper bound.

Each failure is described by what its history held at that build, in coarse observable terms
(`describe`), never by its ground truth. Two failures with the same description look the same
to any rule that reads only these facts: a rule calling one noise calls both noise. So with no
real failure suggested noise, a rule can recognise at most the noise whose description no real
failure shares; that share of all noise is the bound (`Ceiling.bound`).

The description leaves out the error's identity (its exact type, message and frames). In the
simulator those alone tell a regression from a flake, because each comes from its own template;
no real project promises that, so a rule keyed to them learns the simulator, not the evidence.
What a rule may read of an error is its history (in this test, in other tests, as an outage),
whether its words read like infrastructure, and whether it is thrown in the project's own code.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from triage.flakiness import suggest as s
from triage.flakiness.clusters import own_code, went_away
from triage.flakiness.elsewhere import ELSEWHERE_EPISODES
from triage.flakiness.evidence import IMPROBABLE
from triage.flakiness.model import NOISE, REAL, Run, SignatureSpread, TriagedFailure
from triage.flakiness.signatures import looks_environmental


@dataclass(frozen=True, slots=True)
class Context:
    """What the replay knew beside the engine's evidence: history older than the window, this
    commit's earlier results, this build's other failures, the error's spread and cluster."""

    older: tuple[Run, ...] = ()  # the test's runs before the engine's window
    outage: bool = False  # in a cluster of one error in many tests
    classnames: tuple[str, ...] = ()  # of the tests failing with this error in this build
    spread: SignatureSpread | None = None


def describe(item: TriagedFailure, context: Context) -> tuple:
    """Return the observable description of one failure (see the module docstring)."""
    ev, failure = item.evidence, item.failure
    signature = failure.signature
    chance = 0 if ev.streak < 2 else 1 + (ev.streak_chance >= IMPROBABLE)
    chance += ev.streak >= 2 and ev.streak_chance >= s.ORDINARY_STREAK
    here = [r for r in ev.passed_same_commit if not r.job]
    return (
        ev.runs < s.MIN_RUNS,
        min(ev.streak, 3),
        chance,
        ev.streak_same_error,
        ev.streak_known_errors,
        2 if here else (1 if ev.passed_same_commit else 0),
        any(r.failed for r in failure.same_revision),
        bool(ev.same_commit_flips),
        bool(ev.rerun_passes),
        min(len(ev.seen_signature), 3),
        bool(ev.flaky_signatures - {signature}),
        ev.score >= s.FLAKY_SCORE,
        ev.regressed_signature is not None,
        bool(ev.bursts),
        2 if ev.group_shared else (1 if ev.group_mates else 0),
        min(len(ev.elsewhere), ELSEWHERE_EPISODES + 1),
        ev.verdict.verdict if ev.verdict else None,
        any(r.failed and not r.mass for r in context.older),
        any(r.failed and r.signature == signature for r in context.older),
        min(len(context.classnames) - 1, 2),
        context.outage,
        context.outage and bool(went_away(context.spread, ev.streak_start)),
        looks_environmental(failure.type, failure.message),
        own_code(failure.frame, list(context.classnames)) is not None,
    )


@dataclass
class Ceiling:
    """Failures counted by (description, ground truth, why the engine missed it, if noise)."""

    counts: Counter = field(default_factory=Counter)

    def add(self, description: tuple, truth: str, missed: str | None) -> None:
        self.counts[(description, truth, missed)] += 1

    def merge(self, other: Ceiling) -> None:
        self.counts.update(other.counts)

    def figures(self, kept: tuple[str, ...] = ()) -> dict[str, float]:
        """Return the bound; the share of all noise under it that the engine misses for one of
        the `kept` reasons (rules kept on purpose); the share the engine recognised though its
        description is a real failure's too (0 unless the description is coarser than the
        engine's judgement, and then the bound would not bound it); how many descriptions."""
        pure_set = _noise_only(self.counts)
        noise = pure = held = beyond = 0
        for (description, truth, missed), n in self.counts.items():
            if truth == NOISE:
                noise += n
                if description in pure_set:
                    pure += n
                    held += n if missed in kept else 0
                elif missed is None:
                    beyond += n  # the engine told apart what the description cannot
        return {
            "bound": pure / noise if noise else 1.0,
            "kept": held / noise if noise else 0.0,
            "beyond": beyond / noise if noise else 0.0,
            "descriptions": len({d for (d, _, _) in self.counts}),
        }

    def learned(self, tuning: Ceiling) -> dict[str, float]:
        """Return what the engine plus one learnt rule would do here: noise wherever `tuning`
        (other histories) held noise and no real failure. The share of noise recognised, and
        how many real failures that rule calls noise: the bound's price out of sample."""
        safe = _noise_only(tuning.counts)
        noise = recognised = real = 0
        for (description, truth, missed), n in self.counts.items():
            if truth == NOISE:
                noise += n
                recognised += n if missed is None or description in safe else 0
            elif description in safe:
                real += n
        return {"recognised": recognised / noise if noise else 1.0, "real_as_noise": real}


def _noise_only(counts: Counter) -> set[tuple]:
    shared = {d for (d, truth, _) in counts if truth == REAL}
    return {d for (d, truth, _) in counts if truth == NOISE and d not in shared}
