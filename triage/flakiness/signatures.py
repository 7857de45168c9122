"""Error signatures: a failure normalised so the same underlying error matches across builds.

A signature is the exception type, the message with its volatile parts masked (numbers,
durations, hex ids, UUIDs, IPs and ports, temp paths, timestamps, quoted ids) and the top stack
frames that belong to the code under test. Frames are kept without line numbers, so an edit that
shifts a file does not change the signature of an error raised from it.

The id is a hash of that normal form: stable across builds, processes and releases. Changing the
normal form changes ids already stored in a history, so do it only with a migration in mind.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Bump whenever a change to the rules below changes any signature: opening a history stored
# with another version recomputes its signatures (triage.store.resign), so old and new failures
# of the same error still match.
SIGNATURE_VERSION = 4

MAX_MESSAGE = 300
MAX_FRAMES = 2

# Order matters: the specific shapes go first, so the generic number mask cannot split them.
_MASKS: list[tuple[re.Pattern[str], Any]] = [
    (
        re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I),
        "<uuid>",
    ),
    (
        re.compile(
            r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?"
            r"(?:Z|[+-]\d{2}:?\d{2})?(?![\w-])"
        ),
        "<ts>",
    ),
    (re.compile(r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b"), "<time>"),
    # Temp folders: the name under them is random per run, so the whole path goes.
    (
        re.compile(
            r"(?:/private)?(?:/tmp|/var/tmp|/var/folders|/dev/shm)/[^\s'\"\]\[)(,;]*"
            r"|[A-Za-z]:\\(?:Users\\[^\\\s]+\\AppData\\Local\\)?Temp\\[^\s'\"\]\[)(,;]*",
            re.I,
        ),
        "<tmp>",
    ),
    # Other absolute paths keep their last two parts, as frames do: the checkout folder in
    # front differs from agent to agent (/home/ci/ws/app/..., C:\\jenkins\\workspace\\app\\...).
    (
        re.compile(r"(?<![\w.:/\\>])(?:[A-Za-z]:)?(?:[/\\][\w@+-][\w.@+-]*){3,}"),
        lambda m: ".../" + _tail(re.sub(r"@\d+\b", "", m.group(0))),
    ),
    # file:line[:column] in messages: lines move with every edit of the file.
    (
        re.compile(
            r"(\.(?:c|cc|cpp|cxx|h|hpp|java|kt|scala|groovy|py|js|jsx|ts|tsx|go|cs|rb|php"
            r"|rs|swift))"
            r":\d+(?::\d+)?\b"
        ),
        r"\1:<line>",
    ),
    (re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b"), "<ip>"),
    (re.compile(r"\[?\b(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}\b\]?(?::\d{1,5})?", re.I), "<ip>"),
    # host:port (localhost:49281, db-7:5432): the port is often random, the host name is not.
    (re.compile(r"(?<=[A-Za-z0-9\]])\:\d{2,5}\b(?!\.\d)"), ":<port>"),
    (re.compile(r"\b0x[0-9a-f]+\b", re.I), "<hex>"),
    (re.compile(r"@[0-9a-f]{4,16}\b", re.I), "@<id>"),
    # Long hex runs with at least one digit and one letter: SHAs, object and request ids.
    (re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b", re.I), "<hex>"),
    (re.compile(r"(['\"])(?=[^'\"\s]{0,63}\d)(?=[^'\"\s]{0,63}[A-Za-z])[\w.:/-]{4,64}\1"), "<id>"),
    (
        re.compile(
            r"(?<![\w.])\d+(?:\.\d+)?\s?(?:ns|us|µs|ms|millis(?:econds)?|s|secs?|seconds?"
            r"|m|mins?|minutes?|h|hours?)\b"
        ),
        "<dur>",
    ),
    (re.compile(r"(?<![A-Za-z_\d])[-+]?\d+(?:[.,]\d+)*"), "<n>"),
]
# Numbers that name an error rather than measure something stay: HTTP statuses (a flaky 503
# is not a 404 regression), exit codes (1 is not 137, the OOM killer), errno and signal
# numbers, and codes glued to an upper-case prefix (ORA-00001 is not ORA-01017). They are
# shielded just before the generic number mask, so ports, durations and ids are gone already.
_KEEP_NUMBER = re.compile(
    r"(?<![\w.,+-])(?:20[0-4]|30[1-4]|40[0-9]|41[0-5]|42[29]|50[0-4])(?![\w.]|,\d)"
    r"|(?-i:\b[A-Z][A-Z0-9]{1,9}-\d+\b)"
    r"|\b(?:(?:exit|error|return|status|response|result) code|exit status|errno|signal)"
    r"[ =:]+-?\d+\b",
    re.I,
)
# Private-use characters stand in for the shielded digits: no mask matches them.
_SHIELD = str.maketrans("0123456789-", "".join(map(chr, range(0xE000, 0xE00B))))
_UNSHIELD = {v: k for k, v in _SHIELD.items()}
_SPACE = re.compile(r"\s+")
_TYPE_PREFIX = re.compile(r"^\s*([A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)*)(?::\s|:$|$)")

# Frames from runtimes, test runners and assertion libraries say nothing about the code under
# test; everything else (the product and the libraries it calls) is kept.
_FRAMEWORK_PREFIXES = (
    "java.",
    "javax.",
    "jdk.",
    "sun.",
    "com.sun.",
    "kotlin.",
    "kotlinx.coroutines.",
    "scala.",
    "groovy.",
    "org.codehaus.groovy.",
    "org.junit.",
    "junit.",
    "org.opentest4j.",
    "org.testng.",
    "org.hamcrest.",
    "org.assertj.",
    "org.mockito.",
    "org.apache.maven.surefire.",
    "org.gradle.",
    "worker.org.gradle.",
    "com.intellij.",
    "io.quarkus.test.",
    "org.springframework.test.",
    "org.spockframework.",
    "net.bytebuddy.",
    "System.",
    "Microsoft.VisualStudio.",
    "NUnit.",
    "Xunit.",
    "_pytest",
    "pluggy",
    "unittest",
    "node:",
    "internal/",
    "testing.",
)
_PYTHON_LIB = re.compile(r"site-packages|dist-packages|/lib/python\d|\\lib\\", re.I)
# Frames are matched after masking, where digits read "#": Http2Test is still a test class.
_TEST_NAME = re.compile(
    r"(?:^|[./\\$])(?:Test[\w$#]*|[\w$#]*(?:Tests?|IT|Spec|TestCase))(?:[.$]|$)"
    r"|(?:^|[/\\])(?:test_[\w#]+\.py|[\w#]+_test\.(?:py|go)|[\w#.-]+\.(?:spec|test)\.[jt]sx?)$"
)

_JAVA_FRAME = re.compile(r"^\s*at\s+(?:[\w.-]+/)*([\w$.<>\[\]]+)\((?:[^)]*)\)")
_CS_FRAME = re.compile(r"^\s*at\s+([\w.`<>\[\]]+)\([^)]*\)(?:\s+in\s+.*)?$")
# The path may start with a Windows drive ("C:\\ws\\lib\\main.js:2:9"): Jest on Windows agents.
_JS_FRAME = re.compile(
    r"^\s*at\s+(?:(?:async\s+)?([^\s(]+(?:\s<anonymous>)?)\s+)?\(?((?:[A-Za-z]:)?[^():\s]+)"
    r"(?::\d+)+\)?\s*$"
)
_PY_FRAME = re.compile(r'^\s*File\s+"([^"]+)",\s+line\s+\d+,\s+in\s+(\S+)')
_PY_SHORT = re.compile(r"^([\w./\\-]+\.py):\d+:\s")
_GO_FRAME = re.compile(r"^\s*([\w./-]+\.go):\d+")
_MASK_IN_FRAME = re.compile(r"\$\$Lambda\$[\w$/]*|\$\d+|0x[0-9a-f]+|\d+", re.I)


@dataclass(frozen=True, slots=True)
class Normalised:
    """The parts a signature is made of, kept for display and for the environment check."""

    type: str
    message: str
    frames: tuple[str, ...]

    def key(self) -> str:
        return "\n".join((self.type, self.message, *self.frames))


def mask(text: str) -> str:
    """Return `text` with volatile parts replaced by placeholders and spaces collapsed."""
    for pattern, repl in _MASKS[:-1]:
        text = pattern.sub(repl, text)
    text = _KEEP_NUMBER.sub(lambda m: m.group(0).translate(_SHIELD), text)
    pattern, repl = _MASKS[-1]
    text = pattern.sub(repl, text).translate(_UNSHIELD)
    return _SPACE.sub(" ", text).strip()


def normalise(type_: str | None, message: str | None, trace: str | None) -> Normalised:
    """Return the normal form of a failure: type, masked message and code-under-test frames."""
    type_ = (type_ or "").strip()
    message = (message or "").strip()
    if not message and trace:
        message = _first_trace_line(trace)
    found = _TYPE_PREFIX.match(message)
    if found and _looks_like_type(found.group(1)):
        # "java.io.IOException: disk full" repeats the type; keep it once, whichever side has it.
        type_ = type_ or found.group(1)
        if found.group(1) == type_ or found.group(1).rsplit(".", 1)[-1] == type_.rsplit(".", 1)[-1]:
            message = message[found.end() :].strip()
    masked = mask(message)[:MAX_MESSAGE]
    frames = top_frames(trace or "")
    if (
        frames
        and _TEST_NAME.search(frames[0].rsplit(":", 1)[0])
        and not _is_assertion(type_, masked)
    ):
        # Raised in the test itself: an assertion there is that test's own check, but
        # "Connection refused" is the same error whichever test met it.
        frames = ()
    return Normalised(type=type_, message=masked, frames=frames)


@lru_cache(maxsize=4096)
def signature_id(type_: str | None, message: str | None, trace: str | None) -> str:
    """Return a stable 16-hex-digit id for a failure's type, message and top frames."""
    key = normalise(type_, message, trace).key()
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def top_frames(trace: str, limit: int = MAX_FRAMES) -> tuple[str, ...]:
    """Return up to `limit` frames of the code under test, innermost first, without lines.

    Frames of runtimes and test runners are skipped. Scanning stops at the first frame of a
    test: below it is the runner. When the error is raised in the test itself, that test frame
    is the only frame kept, so the same assertion in two tests stays two signatures.
    """
    kept: list[str] = []
    for line in trace.splitlines():
        frame = _frame_of(line)
        if frame is None:
            continue
        if frame is _END_OF_STACK:
            break  # only the top exception's stack: causes repeat the same frames
        if _TEST_NAME.search(frame.rsplit(":", 1)[0]):
            if not kept:
                kept.append(frame)
            break
        if frame not in kept:
            kept.append(frame)
        if len(kept) >= limit:
            break
    return tuple(kept)


def top_frame(trace: str | None) -> str | None:
    """Return the innermost frame of the code under test in `trace` (masked), or None."""
    frames = top_frames(trace or "", 1)
    return frames[0] if frames else None


def short_message(type_: str | None, message: str | None, limit: int = 120) -> str:
    """Return one readable line for a failure: the message's first line, else its type."""
    for line in (message or "").splitlines():
        if line.strip():
            text = line.strip()
            break
    else:
        text = (type_ or "").rsplit(".", 1)[-1] or "failed without a message"
    return text if len(text) <= limit else text[: limit - 1] + "…"


_ENVIRONMENT = re.compile(
    r"connection (?:refused|reset|timed out|closed|aborted)|connect(?:ion)? timed? ?out"
    r"|\bconnect(?:ion)?\b.{0,80}?\brefused"
    r"|ConnectException|SocketTimeoutException|UnknownHostException|NoRouteToHost"
    r"|host unreachable|name or service not known|temporary failure in name resolution"
    r"|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|EAI_AGAIN|broken pipe"
    r"|no space left on device|too many open files|address already in use|OutOfMemoryError"
    r"|\b(?:502|503|504)\b|service unavailable|bad gateway|gateway time-?out"
    r"|could not (?:resolve|connect)|unable to connect|network is unreachable"
    r"|SSLHandshakeException|certificate verify failed|rate limit",
    re.I,
)


def looks_environmental(type_: str | None, message: str | None) -> bool:
    """Return True when a failure reads like the network, disk or a service, not the code."""
    return bool(_ENVIRONMENT.search(f"{type_ or ''} {message or ''}"))


_END_OF_STACK = "<end of stack>"


@lru_cache(maxsize=16384)
def _frame_of(line: str) -> str | None:
    """Return a trace line's masked frame of the code under test, None, or _END_OF_STACK.

    Cached: the same runtime and runner frames fill every trace of a run, so most lines of an
    import's traces were seen before (the importer computes a signature for every failure).
    """
    if line.lstrip().startswith(("Caused by:", "During handling", "The above exception")):
        return _END_OF_STACK
    frame = _parse_frame(line)
    if frame is None or _is_framework(frame):
        return None
    return _MASK_IN_FRAME.sub("#", frame)


def _parse_frame(line: str) -> str | None:
    for pattern in (_JAVA_FRAME, _CS_FRAME):
        found = pattern.match(line)
        if found:
            return found.group(1)
    found = _PY_FRAME.match(line)
    if found:
        path = found.group(1)
        if _PYTHON_LIB.search(path):
            return None
        return f"{_tail(path)}:{found.group(2)}"
    found = _JS_FRAME.match(line)
    if found:
        if "node_modules" in found.group(2) or "internal/" in found.group(2):
            return None
        return f"{_tail(found.group(2))}:{found.group(1) or '?'}"
    found = _PY_SHORT.match(line) or _GO_FRAME.match(line)
    if found:
        return _tail(found.group(1))
    return None


def _tail(path: str) -> str:
    """Keep the last two path parts: checkouts live in different folders on each agent."""
    parts = re.split(r"[/\\]", path)
    return "/".join(parts[-2:])


def _is_framework(frame: str) -> bool:
    return frame.startswith(_FRAMEWORK_PREFIXES)


def _is_assertion(type_: str, message: str) -> bool:
    """Return True for assertion failures and for failures that say nothing of their own."""
    return not message or bool(_ASSERTION.search(type_) or _ASSERTION.match(message))


_ASSERTION = re.compile(r"assert|comparison|expect|^failure$|^failed$", re.I)


def _looks_like_type(word: str) -> bool:
    last = word.rsplit(".", 1)[-1]
    return last[:1].isupper() and last.endswith(("Error", "Exception", "Failure", "Fault"))


def _first_trace_line(trace: str) -> str:
    for line in trace.splitlines():
        if line.strip():
            return line.strip()
    return ""
