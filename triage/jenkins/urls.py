"""Build Jenkins URLs from job names, segment by segment.

Reference: /work/shared/reference/jenkins-api.md, section 4.3 and traps 20-22.

* A job's full name is its folder names and its own name joined by "/" (Jenkins' `fullName`).
  Item names never contain "/", so splitting on "/" is safe. A multibranch branch `feature/x`
  is the job *name* `feature%2Fx`, and its URL segment is `rawEncode(name)`: `feature%252Fx`.
* Every segment is quoted with `quote(segment, safe="")`: spaces become %20, never "+".
* Paths are relative and never start with "/", so joining them to a base such as
  `https://ci.example/jenkins/` keeps the context path (trap 22).
* Absolute `url` fields in Jenkins JSON use Jenkins' configured root URL, which can differ from
  the address we use (trap 21): `relative_to_base` turns them back into a path under our base.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar
from urllib.parse import quote, unquote, urljoin, urlsplit

from triage.errors import ConfigError

T = TypeVar("T")


def normalise_base(url: str) -> str:
    """Return `url` with a trailing slash (the base every relative path is joined to)."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        shown = url.rsplit("@", 1)[-1]  # whatever precedes "@" may be a secret
        raise ConfigError(
            f"Not a Jenkins URL: {shown!r}; give the address you open in a browser, "
            "for example https://ci.example.com/jenkins/."
        )
    if parts.username is not None or parts.password is not None:
        # Never echo it: the part before "@" is often a user and an API token.
        raise ConfigError(
            "The Jenkins URL carries a user name or password before '@'; give the address "
            "without it and the user with --user (the token comes from the keyring or "
            "TRIAGE_JENKINS_TOKEN).")
    return url if url.endswith("/") else url + "/"


def job_path(full_name: str) -> str:
    """Return the relative path of a job: "team/app" -> "job/team/job/app/" (section 4.3)."""
    names = [name for name in full_name.strip("/").split("/") if name]
    if not names:
        raise ConfigError("Empty job name; give the job's full name, e.g. team/app/main.")
    if any(name in (".", "..") for name in names):
        # A URL would resolve them (`job/../` is the parent): `..` would name the Jenkins root.
        # Jenkins refuses both as item names; a branch named "." is the job `%2E`.
        raise ConfigError(f"{full_name!r} is not a job name: no folder or job is called "
                          "'.' or '..'; give the job's full name, e.g. team/app/main.")
    return "".join(f"job/{quote(name, safe='')}/" for name in names)


def run_path(full_name: str, number: int) -> str:
    """Return the relative path of build `number` of a job: "job/app/42/"."""
    return f"{job_path(full_name)}{int(number)}/"


def input_path(full_name: str, number: int, input_id: str) -> str:
    """Return the path of one pending input; the id is sent exactly as exported (section 1.3)."""
    return f"{run_path(full_name, number)}input/{quote(input_id, safe='')}/"


def artifact_path(full_name: str, number: int, relative_path: str) -> str:
    """Return the path of one archived artifact, its `relativePath` quoted part by part."""
    quoted = "/".join(quote(part, safe="") for part in relative_path.split("/"))
    return f"{run_path(full_name, number)}artifact/{quoted}"


def join(base: str, path: str) -> str:
    """Join a relative path to the base URL, keeping the base's context path (trap 22)."""
    return urljoin(base, path.lstrip("/"))


def relative_to_base(base: str, url: str) -> str | None:
    """Turn an absolute Jenkins `url` field into a path relative to `base` (trap 21).

    Jenkins builds these from its configured root URL, which may name another host or port.
    Only the part after the context path is kept: the `job/...` segments are located by
    position, so a different host, scheme or port does not matter. Returns None when the
    URL carries no `job/` segments at all.
    """
    path = urlsplit(url).path
    base_path = urlsplit(base).path
    if path.startswith(base_path):
        return path[len(base_path):]
    index = path.find("/job/")
    return path[index + 1:] if index >= 0 else None


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


def for_job(settings: Mapping[str, T], job: str) -> T | None:
    """Return the first setting whose key is `job` or a folder above it (a per-job option)."""
    for prefix, value in settings.items():
        if job == prefix or job.startswith(prefix.rstrip("/") + "/"):
            return value
    return None


def full_name_from_path(path: str) -> str:
    """Return the job full name for a relative `job/a/job/b/...` path (inverse of job_path)."""
    parts = [p for p in path.split("/") if p]
    names = [unquote(parts[i + 1]) for i in range(0, len(parts) - 1, 2) if parts[i] == "job"]
    return "/".join(names)
