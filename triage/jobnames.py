"""Job names as people type them: multibranch branch names, did-you-mean for typos, and the
check every typed job or server name passes.

Jenkins names a multibranch branch `feature/x` as the job `feature%2Fx` (branch-api's
NameEncoder, reference section 4.3); a person types the branch. Pure functions: the store's
and the client's "no such job" messages both use them.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

from triage.errors import ConfigError

_BRANCH_CODES = {"#": "%23", "%": "%25", "/": "%2F", "?": "%3F", "[": "%5B", "]": "%5D",
                 "\\": "%5C"}


def branch_job_name(branch: str) -> str:
    """Return the job name a multibranch project gives `branch` (branch-api's NameEncoder)."""
    special = {"": "%00", ".": "%2E", "..": "%2E."}
    if branch in special:
        return special[branch]
    return "".join(_BRANCH_CODES.get(ch, ch) for ch in branch)


def branch_readings(full_name: str) -> list[str]:
    """Return the full names `full_name` could mean if its tail is a branch with slashes.

    Users type the branch as they know it (`shop/feature/x`); Jenkins names that job
    `shop/feature%2Fx`. Longest project prefix first.
    """
    names = [name for name in full_name.strip("/").split("/") if name]
    return ["/".join(names[:k] + [branch_job_name("/".join(names[k:]))])
            for k in range(len(names) - 2, 0, -1)]



def did_you_mean(wanted: str, known: Iterable[str]) -> str | None:
    """Return a hint naming the known job `wanted` was probably meant to be, or None.

    A branch typed with its slashes finds its `%2F` job name first; then the closest names
    (difflib's ratio, case-insensitive), at most three.
    """
    known = list(dict.fromkeys(known))
    encoded = [name for name in branch_readings(wanted) if name in known]
    if encoded:
        return f"did you mean {encoded[0]!r} (a multibranch branch is named with %2F)?"
    lowered = {name.lower(): name for name in known}
    close = difflib.get_close_matches(wanted.lower(), list(lowered), n=3, cutoff=0.6)
    if not close:
        return None
    return "did you mean " + " or ".join(repr(lowered[name]) for name in close) + "?"


def check_job(job: str) -> str:
    """Return `job` if it can name a job; raise ConfigError for empty or control characters."""
    return check_name(job, "--job", "team/app")


def check_name(name: str, option: str, example: str) -> str:
    """Return `name` (a job or server name given as `option`) or raise ConfigError.

    Empty names, outer spaces and control characters are refused: Jenkins allows none of them,
    and a newline in a stored name would break every table it appears in.
    """
    if not name or not name.strip():
        raise ConfigError(f"{option} is empty; give a name, e.g. {option} {example}.")
    if name != name.strip() or any(unicodedata.category(c) == "Cc" for c in name):
        raise ConfigError(
            f"{option} {name!r} has leading/trailing spaces or control characters (newline, "
            f"tab); give the name as Jenkins shows it, e.g. {option} {example}."
        )
    return name
