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

import unicodedata
from collections.abc import Mapping
from typing import TypeVar
from urllib.parse import quote, unquote, urljoin, urlsplit

from triage.errors import ConfigError
from triage.identity import normalise_url
from triage.jobnames import branch_job_name, branch_readings  # noqa: F401 (re-exported)

T = TypeVar("T")


def normalise_base(url: str) -> str:
    """Return the server's normalised base URL, with its trailing slash (`triage.identity`)."""
    return normalise_url(url)


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


def test_page(build_url: str, classname: str, name: str) -> str:
    """Return the junit plugin's page of one test case in a build.

    `{run}/testReport/{package}/{class}/{case}/` (junit TestObject.getUrl/getId): the package
    (the class name up to its last dot, `(root)` without one) and the simple class name pass
    through TestObject.safe (control characters, space and "#%/:<>?[\\]^`{|}" become _); the
    case name through CaseResult.getSafeName (anything not a Java identifier part becomes _).
    Each part is then percent-encoded as Util.rawEncode does. Not covered: Jenkins prefixes a
    case with its stage names when a build's tests come from several parallel stages, and
    adds _2 to a name two cases of one class share once made safe.
    """
    package, _, simple = classname.rpartition(".")
    parts = (_safe(package or "(root)"), _safe(simple), _case_safe(name))
    return build_url + "testReport/" + "/".join(quote(p, safe="$()!*'-._~,") for p in parts) + "/"


_UNSAFE = frozenset('"#%/:<>?[\\]^`{|}')


def _safe(text: str) -> str:
    """junit's TestObject.safe: "(empty)" for nothing, unsafe characters as _."""
    if not text:
        return "(empty)"
    return "".join("_" if c <= " " or c == "\x7f" or c in _UNSAFE else c for c in text)


def _case_safe(name: str) -> str:
    """junit's CaseResult.getSafeName: keep Java identifier parts, the rest becomes _."""
    return "".join(c if _java_identifier_part(c) else "_" for c in (name or "(?)"))


def _java_identifier_part(c: str) -> bool:
    """Character.isJavaIdentifierPart: letters, digits, _ and $, currency and connectors,
    combining marks, and the ignorable control characters."""
    kind = unicodedata.category(c)
    if kind[0] in "LN" and kind != "No":
        return True
    if kind in ("Sc", "Pc", "Mn", "Mc", "Cf"):
        return True
    code = ord(c)
    return 0 <= code <= 8 or 0x0E <= code <= 0x1B or 0x7F <= code <= 0x9F


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

