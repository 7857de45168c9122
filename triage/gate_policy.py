"""The gate's policy: a TOML file that tunes `triage gate` within rules it cannot break.

The fixed rules (`triage.gate`): the gate passes only when there are no failures, or when every
failure is noise by a strong suggestion or a human's mark; any failure that is new, unsure,
suggested real, marked real, part of an outage or a suspicious cluster, or of a test with too
little history, always asks. A policy can only move within that:

    # triage-gate.toml
    max_noise = 5                   # more noise failures than this: ask (default 10; 0 = any)
    min_history = 30                # earlier builds needed first (default 20, at least 10)
    min_score = 0.8                 # a known-flaky test's lowest score (default and floor 0.6)
    ask_branches = ["release/*"]    # branches where the gate always asks (globs)
    ask_clusters = ["flaky"]        # clusters that always need a human (kind or id globs)
    ask_tests = ["com.shop.payments.*"]  # failing tests that always need a human (globs)

Every key is optional. A value outside its bounds, an unknown key or a file that is not TOML
is a `ConfigError` in one line naming the file and the key.
"""

from __future__ import annotations

import difflib
import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage.errors import ConfigError
from triage.flakiness.model import HISTORY_WINDOW
from triage.flakiness.suggest import FLAKY_SCORE

MIN_HISTORY_FLOOR = 10  # fewer earlier builds than this is too short to know, whatever a policy says
DEFAULT_MIN_HISTORY = 20
DEFAULT_MAX_NOISE = 10
MAX_FILE_BYTES = 64 * 1024


@dataclass(frozen=True)
class Policy:
    """The policy in force; `Policy()` is the default one."""

    max_noise: int = DEFAULT_MAX_NOISE
    min_history: int = DEFAULT_MIN_HISTORY
    min_score: float = FLAKY_SCORE
    ask_branches: tuple[str, ...] = ()
    ask_clusters: tuple[str, ...] = ()
    ask_tests: tuple[str, ...] = ()
    source: str | None = field(default=None, compare=False)  # the file it was read from

    def as_dict(self) -> dict[str, Any]:
        """Return the policy as plain data (stored with every gate decision, and in JSON)."""
        return {
            "source": self.source,
            "max_noise": self.max_noise,
            "min_history": self.min_history,
            "min_score": self.min_score,
            "ask_branches": list(self.ask_branches),
            "ask_clusters": list(self.ask_clusters),
            "ask_tests": list(self.ask_tests),
        }

    def asks_on_branch(self, branch: str | None) -> str | None:
        """Return the ask_branches pattern `branch` matches, or None.

        A Git branch is matched as Jenkins' git plugin names it (`refs/remotes/origin/main`,
        `origin/main`) and as people write it (`main`).
        """
        if branch is None:
            return None
        names = {branch, short_branch(branch)}
        return next((p for p in self.ask_branches
                     if any(fnmatch.fnmatchcase(n, p) for n in names)), None)

    def asks_for_cluster(self, kind: str, cluster_id: str) -> str | None:
        return next((p for p in self.ask_clusters
                     if fnmatch.fnmatchcase(kind, p) or fnmatch.fnmatchcase(cluster_id, p)), None)

    def asks_for_test(self, test: str) -> str | None:
        return next((p for p in self.ask_tests if fnmatch.fnmatchcase(test, p)), None)


def short_branch(branch: str) -> str:
    """Return `main` for `refs/remotes/origin/main`, `origin/main`, `refs/heads/main`."""
    for prefix in ("refs/remotes/", "refs/heads/"):
        if branch.startswith(prefix):
            rest = branch[len(prefix):]
            return rest.split("/", 1)[1] if prefix == "refs/remotes/" and "/" in rest else rest
    if branch.startswith("origin/"):
        return branch[len("origin/"):]
    return branch


def load_policy(path: str | Path | None) -> Policy:
    """Return the policy in the TOML file at `path` (the default policy when None)."""
    if path is None:
        return Policy()
    path = Path(path)
    where = str(path)
    try:
        # Read at most one byte past the cap: `--policy /dev/zero` (or a file growing while
        # read) must not fill the memory; stat's size says nothing for devices and pipes.
        with open(path, "rb") as policy_file:
            raw = policy_file.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise ConfigError(f"Policy {where} is over {MAX_FILE_BYTES // 1024} KiB; a gate "
                              "policy is a few lines of TOML.")
        data = tomllib.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Policy file {where} does not exist; check --policy.") from None
    except IsADirectoryError:
        raise ConfigError(f"Policy {where} is a folder; give the TOML file.") from None
    except OSError as exc:
        raise ConfigError(f"Cannot read policy {where}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"Policy {where} is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Policy {where} is not valid TOML: {exc}.") from None
    except RecursionError:  # tomllib nests a call per array or table level
        raise ConfigError(f"Policy {where} nests its values too deep; a gate policy is a few "
                          "flat keys.") from None
    return policy_from(data, where)


_KEYS = ("max_noise", "min_history", "min_score", "ask_branches", "ask_clusters", "ask_tests")


def policy_from(data: dict[str, Any], where: str = "policy") -> Policy:
    """Return the policy these TOML values describe; ConfigError for anything out of bounds."""
    unknown = [k for k in data if k not in _KEYS]
    if unknown:
        key = unknown[0]
        close = difflib.get_close_matches(key, _KEYS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else f"; known keys: {', '.join(_KEYS)}"
        raise ConfigError(f"Policy {where}: unknown key {key!r}{hint}.")
    values: dict[str, Any] = {"source": where}
    if "max_noise" in data:
        values["max_noise"] = _integer(data, "max_noise", where, 0, None)
    if "min_history" in data:
        values["min_history"] = _integer(data, "min_history", where, MIN_HISTORY_FLOOR,
                                         HISTORY_WINDOW)
    if "min_score" in data:
        values["min_score"] = _score(data, where)
    for key in ("ask_branches", "ask_clusters", "ask_tests"):
        if key in data:
            values[key] = _patterns(data, key, where)
    return Policy(**values)


def _integer(data: dict, key: str, where: str, low: int, high: int | None) -> int:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"Policy {where}: {key} must be a whole number, not {value!r}.")
    if value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f"at least {low}"
        why = _WHY_BOUNDS.get(key, "")
        raise ConfigError(f"Policy {where}: {key} = {value} is out of bounds; it must be "
                          f"{bound}{why}.")
    return value


_WHY_BOUNDS = {
    "min_history": f" (under {MIN_HISTORY_FLOOR} earlier builds is too short to know; the "
                   f"engine reads {HISTORY_WINDOW})",
}


def _score(data: dict, where: str) -> float:
    value = data["min_score"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"Policy {where}: min_score must be a number, not {value!r}.")
    if not FLAKY_SCORE <= value <= 1:
        raise ConfigError(
            f"Policy {where}: min_score = {value} is out of bounds; it must be from "
            f"{FLAKY_SCORE} (what the engine calls known flaky) to 1.")
    return float(value)


def _patterns(data: dict, key: str, where: str) -> tuple[str, ...]:
    value = data[key]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"Policy {where}: {key} must be a list of non-empty strings "
                          f"(globs such as \"release/*\"), not {value!r}.")
    return tuple(value)
