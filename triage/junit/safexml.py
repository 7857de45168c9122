"""Read one report file into an ElementTree root, refusing hostile XML and naming bad positions.

Why not just `ElementTree.parse` (what junitparser does without lxml): expat expands entities
declared in an internal DTD subset, so a "billion laughs" file costs memory and time before
anything can stop it, and a DOCTYPE pointing at `file:///...` or `http://...` is an attack on
whoever imports it. defusedxml would solve this but is not a dependency, and its ElementTree
parser is the slow pure-Python one.

So a file is read in two steps:
1. A prolog check with pyexpat (C, same tokenizer as ElementTree) stops at the first start tag.
   Before that point a DOCTYPE may appear; we refuse it with HostileXmlError when it names an
   external DTD (SYSTEM/PUBLIC) or declares any ENTITY (general or parameter). Handlers raise
   before expat expands anything, so no entity is ever expanded and no file or URL is opened
   (expat never opens files itself; no external-entity handler is installed). A DOCTYPE without
   those (bare, or with ELEMENT/ATTLIST declarations only) is harmless and allowed. A DOCTYPE
   after the root start tag is a well-formedness error anyway.
2. The whole file is parsed with the C ElementTree parser, which is the throughput floor the
   importer is measured against.

Errors: anything not well-formed becomes MalformedReportError with the file, a 1-based line and
column, expat's reason, and what to do; a file that cannot be read becomes ReportError. No
ElementTree or expat exception leaves this module.
"""

from __future__ import annotations

import pyexpat
import xml.etree.ElementTree as ET
from pathlib import Path

from triage.errors import HostileXmlError, MalformedReportError, ReportError


class _PrologDone(Exception):
    """Raised from the start-element handler: the prolog is over and it was safe."""


class _Hostile(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def read_bytes(path: Path, display: str) -> bytes:
    """Return the file's bytes, or raise ReportError naming the file."""
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise ReportError(f"{display}: is a directory, not a report file", path=display) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ReportError(f"{display}: cannot read the file ({reason}); check the path and "
                          "permissions", path=display) from None


# Archives named *.xml (CI artifact steps compress reports) would read as "invalid token".
_ARCHIVES = ((b"\x1f\x8b", "gzip-compressed", "gunzip it"),
             (b"PK\x03\x04", "a zip archive", "unzip it"),
             (b"\x28\xb5\x2f\xfd", "zstd-compressed", "unzstd it"))


def parse_root(data: bytes, display: str) -> ET.Element:
    """Return the root element of `data`; raise HostileXmlError or MalformedReportError."""
    for magic, what, fix in _ARCHIVES:
        if data.startswith(magic):
            raise MalformedReportError(
                f"{display}: is {what}, not XML; {fix} and import the report inside",
                path=display, line=1, column=1,
            )
    check_prolog(data, display)
    parser = ET.XMLParser()
    try:
        parser.feed(data)
        return parser.close()
    except ET.ParseError as exc:
        line, column = exc.position
        raise _malformed(display, pyexpat.ErrorString(exc.code), line, column) from None
    except (LookupError, ValueError, UnicodeError) as exc:  # see check_prolog
        raise _malformed(display, f"unsupported or wrong encoding: {_first_line(exc)}",
                         1, 0) from None


def check_prolog(data: bytes, display: str) -> None:
    """Refuse external DTDs and entity declarations before the first element (see module doc)."""
    parser = pyexpat.ParserCreate()
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _on_doctype
    parser.EntityDeclHandler = _on_entity
    parser.ExternalEntityRefHandler = _on_external_ref
    parser.StartElementHandler = _on_start
    try:
        parser.Parse(data, True)
    except _PrologDone:
        return
    except _Hostile as exc:
        raise HostileXmlError(
            f"{display}: refused: {exc.reason} at line {parser.ErrorLineNumber}; report files "
            "must not declare entities or external DTDs (nothing was read from them)",
            path=display, line=parser.ErrorLineNumber, column=parser.ErrorColumnNumber + 1,
        ) from None
    except pyexpat.ExpatError as exc:
        raise _malformed(display, pyexpat.ErrorString(exc.code), exc.lineno, exc.offset) from None
    except (LookupError, ValueError, UnicodeError) as exc:
        # pyexpat asks Python's codecs for encodings expat lacks: unknown names raise
        # LookupError, multi-byte ones ValueError, undecodable bytes UnicodeError.
        raise _malformed(display, f"unsupported or wrong encoding: {_first_line(exc)}",
                         parser.ErrorLineNumber, parser.ErrorColumnNumber) from None
    # Parse() returned without an element: expat normally reports "no element found" itself.
    raise _malformed(display, "no element found", parser.ErrorLineNumber,
                     parser.ErrorColumnNumber)


def _malformed(display: str, reason: str, line: int, column0: int) -> MalformedReportError:
    column = column0 + 1
    # expat says "not well-formed (invalid token)"; our sentence already says "not well-formed".
    if reason.startswith("not well-formed (") and reason.endswith(")"):
        reason = reason[len("not well-formed ("):-1]
    return MalformedReportError(
        f"{display}: not well-formed XML at line {line}, column {column} ({reason}); "
        "fix or remove the file",
        path=display, line=line, column=column,
    )


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def _on_doctype(name, system_id, public_id, has_internal_subset) -> None:
    if system_id or public_id:
        raise _Hostile(f"DOCTYPE {name} refers to an external DTD ({system_id or public_id})")


def _on_entity(name, is_parameter, value, base, system_id, public_id, notation) -> None:
    kind = "parameter entity" if is_parameter else "entity"
    where = "external " if system_id or public_id else ""
    raise _Hostile(f"DOCTYPE declares {where}{kind} {name!r}")


def _on_external_ref(context, base, system_id, public_id) -> int:
    raise _Hostile(f"external entity reference to {system_id or public_id}")


def _on_start(name, attrs) -> None:
    raise _PrologDone
