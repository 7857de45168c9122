"""Group one build's failures so that fifty failures become a few decisions.

One error in many tests at once is an outage (or a broken shared fixture); the rest are grouped
by what their evidence says: failing since the same build, known flaky, new, suspicious.
A group's suggestion is the safest of its members' (real, then unsure, then noise), so marking
a whole group at once never hides a member the engine thought real.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from triage.flakiness import suggest as s
from triage.flakiness.elsewhere import came_and_went
from triage.flakiness.evidence import gather
from triage.flakiness.groups import find_groups, pool
from triage.flakiness.model import (
    NOISE,
    REAL,
    UNSURE,
    BuildContext,
    BuildTriage,
    Cluster,
    FailureInput,
    SignatureSpread,
    TriagedFailure,
)
from triage.flakiness.signatures import looks_environmental

MASS_MIN = 5  # this many tests failing with one error in one build is an outage, not chance
OUTAGE = "outage"
_SAFETY = {REAL: 0, UNSURE: 1, NOISE: 2}
_ORDER = [
    OUTAGE,
    s.REGRESSION,
    s.MARKED_REAL,
    s.NEW,
    s.SUSPICIOUS,
    s.OTHER_JOB,
    s.UNCLEAR,
    "noise",
]


def triage_build(
    build: BuildContext,
    failures: Iterable[FailureInput],
    spreads: Mapping[str, SignatureSpread] | None = None,
) -> BuildTriage:
    """Suggest real/noise/unsure for every failure of `build` and group them into clusters.

    `spreads` tells, for the signatures failing in this build (`spread_signatures`): for an
    outage, how many tests it struck in each earlier build (did it strike many before?); for
    any other error, which tests failed with it, with their runs (did they get over it?).
    """
    failures = list(failures)
    spreads = spreads or {}
    evidence = [gather(f, build.number) for f in failures]
    outage_members = set(mass_signatures(failures))
    skip = {i for i, f in enumerate(failures) if f.signature in outage_members}
    for group in find_groups(failures, skip):
        pool(group, failures, evidence, build.number)
    for index, failure in enumerate(failures):
        if index not in skip:
            spread = spreads.get(failure.signature)
            evidence[index].elsewhere = came_and_went(failure, spread)
    triaged = [s.judge(f, ev) for f, ev in zip(failures, evidence, strict=True)]
    clusters = _outages(triaged, spreads)
    rest = [t for t in triaged if not t.cluster_id]
    clusters += _by_kind(rest)
    for cluster in clusters:
        for member in cluster.members:
            member.cluster_id = cluster.id
        cluster.members.sort(key=lambda t: t.failure.test)
    # What needs a person first: real, then unsure, then noise; a 23-test outage that is
    # noise must not push the one regression below the fold.
    clusters.sort(
        key=lambda c: (
            _SAFETY[c.suggestion],
            _ORDER.index(_rank_kind(c.kind)),
            -len(c.members),
            c.id,
        )
    )
    return BuildTriage(build, triaged, clusters)


def spread_signatures(failures: Iterable[FailureInput]) -> list[str]:
    """Return the signatures of `failures` (each once, in order): the ones needing a spread."""
    return list(dict.fromkeys(f.signature for f in failures if f.signature))


def mass_signatures(failures: Iterable[FailureInput]) -> list[str]:
    """Return the signatures that struck MASS_MIN tests or more in this build: its outages."""
    tests: dict[str, set[int]] = defaultdict(set)
    for failure in failures:
        if failure.signature:
            tests[failure.signature].add(failure.test_id)
    return [sig for sig, ids in tests.items() if len(ids) >= MASS_MIN]


def _outages(
    triaged: list[TriagedFailure], spreads: Mapping[str, SignatureSpread]
) -> list[Cluster]:
    by_signature: dict[str, list[TriagedFailure]] = defaultdict(list)
    for item in triaged:
        if item.failure.signature and item.kind != s.MARKED_REAL:
            by_signature[item.failure.signature].append(item)
    clusters = []
    for signature, members in by_signature.items():
        if len({m.failure.test_id for m in members}) < MASS_MIN:
            continue
        suggestion, why = _judge_outage(members, spreads.get(signature))
        first = members[0].failure
        where = _module([m.failure.classname for m in members])
        head = f"same error in {len(members)} tests of this build{where}"
        label = f"Same error in {len(members)} tests{where}: {first.message or first.type or '?'}"
        cluster = Cluster(f"sig-{signature[:8]}", OUTAGE, label, suggestion, members)
        for member in members:
            member.cluster_id = cluster.id
            if member.kind != s.SAME_COMMIT:
                member.suggestion = suggestion
            # A pass on the same commit keeps its own say; for the rest the shared error
            # decides, and the test's history is context.
            own = member.reasons if member.kind == s.SAME_COMMIT else s.own_history(member.evidence)
            member.reasons = [head, *why, *own]
        clusters.append(cluster)
    return clusters


def _judge_outage(
    members: list[TriagedFailure], spread: SignatureSpread | None
) -> tuple[str, list[str]]:
    """Return the suggestion for one error across many tests, and why."""
    first = members[0].failure
    environmental = looks_environmental(first.type, first.message)
    # An outage may outlive one build; three in a row is as long as we call it noise.
    needed = 3 if environmental else 2
    lasting = [m for m in members if m.evidence.streak >= needed and m.evidence.streak_same_error]
    earlier = went_away(spread, members[0].evidence.streak_start)
    if len(lasting) * 2 > len(members):
        since = min(m.evidence.streak_start for m in lasting)
        if environmental:
            return UNSURE, [f"reads like an outage, but it has lasted since #{since}"]
        return REAL, [f"failing since #{since} in most of these tests"]
    if environmental:
        return NOISE, [
            "reads like an infrastructure error (network, disk or a service), not the code"
        ]
    if earlier:
        shown = ", ".join(f"#{n}" for n in earlier[-3:])
        return NOISE, [f"the same error struck many tests in {shown} and went away"]
    own = own_code(first.frame, [m.failure.classname for m in members])
    if own:
        # Neither infrastructure by its words nor seen before, and thrown by the project's
        # own code: most likely a shared fixture or set-up that a change broke.
        return REAL, [f"thrown in this project's own code ({own}), not by infrastructure"]
    return UNSURE, ["not an infrastructure error we recognise, and never seen before: check one"]


def went_away(spread: SignatureSpread | None, current: int) -> list[int]:
    """Return earlier builds where the error struck many tests and was gone the next build."""
    struck = [n for n, count in (spread.earlier if spread else ()) if count >= MASS_MIN]
    seen = set(struck)
    return [n for n in struck if n + 1 not in seen and n + 1 < current]


def _by_kind(triaged: list[TriagedFailure]) -> list[Cluster]:
    groups: dict[tuple[str, int], list[TriagedFailure]] = defaultdict(list)
    for item in triaged:
        kind = item.kind
        if kind in (s.FLAKY, s.FLAKY_ERROR, s.SAME_COMMIT):
            kind = "noise"
        since = item.evidence.streak_start if kind == s.REGRESSION else 0
        groups[(kind, since or 0)].append(item)
    clusters = []
    for (kind, since), members in groups.items():
        suggestion = min((m.suggestion for m in members), key=_SAFETY.__getitem__)
        cluster_id, label = _name(kind, since, members)
        clusters.append(Cluster(cluster_id, kind, label, suggestion, members))
    return clusters


def _name(kind: str, since: int, members: list[TriagedFailure]) -> tuple[str, str]:
    count = f"{len(members)} test{'s' if len(members) != 1 else ''}"
    if kind == s.REGRESSION:
        return f"since-{since}", f"Failing since #{since} ({count})"
    if kind == "noise":
        kinds = {m.kind for m in members}
        if kinds == {s.SAME_COMMIT}:
            return "flaky", f"Passed on the same commit ({count})"
        if kinds == {s.FLAKY}:
            return "flaky", f"Known flaky ({count})"
        if kinds == {s.FLAKY_ERROR}:
            return "flaky", f"Known flaky error, come and gone in other tests ({count})"
        if s.FLAKY_ERROR in kinds:
            return "flaky", f"Known flaky, a known flaky error or passed on the same commit ({count})"
        return "flaky", f"Known flaky or passed on the same commit ({count})"
    if kind == s.SUSPICIOUS:
        in_a_row = [m.evidence.streak >= 2 for m in members]
        if all(in_a_row):
            return kind, f"Flaky, but failing several builds in a row ({count})"
        if not any(in_a_row):
            return kind, f"Flaky, but failing with an error new for it ({count})"
    labels = {
        s.MARKED_REAL: "Marked real before",
        s.NEW: "New failures",
        s.SUSPICIOUS: "Flaky tests failing oddly: new error or several builds in a row",
        s.UNCLEAR: "Unclear: some flaky history, not enough to call it noise",
        s.OTHER_JOB: "Passed on the same commit, but only in another job",
    }
    return kind, f"{labels[kind]} ({count})"


def _rank_kind(kind: str) -> str:
    return kind if kind in _ORDER else "noise"


def own_code(frame: str | None, classnames: list[str]) -> str | None:
    """Return `frame` when it lies in the tests' own top-level package ("com.acme."), else None.

    Only dotted names tell (Java, C#, Kotlin); a Python or JavaScript frame never does.
    """
    if not frame:
        return None
    roots = {".".join(c.split(".")[:2]) for c in classnames}
    if len(roots) != 1:
        return None
    root = roots.pop()
    return frame if root.count(".") == 1 and frame.startswith(root + ".") else None


def _module(classnames: list[str]) -> str:
    """Return " of <package>" for the longest package the tests share, or "" when none."""
    parts = [c.split(".")[:-1] for c in classnames]
    common: list[str] = []
    for pieces in zip(*parts, strict=False):
        if len(set(pieces)) != 1:
            break
        common.append(pieces[0])
    return f" of {'.'.join(common)}" if common else ""
