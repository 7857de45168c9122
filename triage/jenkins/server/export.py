"""Stapler's JSON export rules (reference §0): visibility, `depth=`, `tree=` and `_class`.

Model objects describe themselves as a list of `Prop`s (name, visibility, lazy getter, inline
flag, declared class of the value). `to_json` walks them with a pruner exactly as Stapler's
`Model.writeTo` does, so what a client sees at each depth or tree matches a real Jenkins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Prop:
    """One `@Exported` property. `declared` is the Java type the getter declares.

    Stapler writes `_class` for a nested object only when its runtime class differs from the
    declared type (`ClassAttributeBehaviour.IF_NEEDED`, §0), so lists declared with an exact class
    (`suites`, `cases`, `executions`) carry no `_class`, while `actions` and `jobs` do.
    """

    name: str
    get: Callable[[], Any]
    visibility: int = 1
    inline: bool = False
    declared: str | None = None


class Exported(Protocol):
    export_class: str

    def export_props(self) -> Iterable[Prop]: ...


class Unexportable:
    """An action whose class is not an `@ExportedBean`: written as `{}` without `_class` (§0)."""


UNEXPORTABLE = Unexportable()


class MalformedTree(ValueError):
    """Stapler answers 500 "Malformed tree expression" for these (§0)."""


# --- pruners ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Range:
    start: int = 0
    stop: int | None = None

    def apply(self, items: list) -> list:
        return items[self.start : self.stop]


ALL = Range()


class ByDepth:
    """`TreePruner.ByDepth(1 - depth)`: hide props below the level; non-inline nesting adds 1."""

    __slots__ = ("level",)
    range = ALL

    def __init__(self, level: int):
        self.level = level

    def accept(self, prop: Prop) -> ByDepth | None:
        if prop.visibility < self.level:
            return None
        return self if prop.inline else ByDepth(self.level + 1)


class Tree:
    """`NamedPathPruner`: exactly the named properties, visibility ignored; `*` is a wildcard."""

    __slots__ = ("children", "range")

    def __init__(self) -> None:
        self.children: dict[str, Tree] = {}
        self.range = ALL

    def accept(self, prop: Prop) -> Tree | None:
        child = self.children.get(prop.name)
        return child if child is not None else self.children.get("*")


_TOKEN = re.compile(r"[\[\]{},]|[^\[\]{},]+")


def parse_tree(expr: str) -> Tree:
    """Parse `a,b[c,d[e]]{M,N}` as NamedPathPruner does; raise MalformedTree on bad input."""
    return _TreeParser(expr).parse()


class _TreeParser:
    """Recursive descent over `list := node (',' node)*; node := ID ('[' list ']')? range?`."""

    def __init__(self, expr: str):
        self.expr = expr
        self.tokens = _TOKEN.findall(expr)
        self.pos = 0

    def parse(self) -> Tree:
        root = Tree()
        self.node_list(root)
        if self.pos != len(self.tokens):
            self.fail()
        return root

    def fail(self) -> None:
        raise MalformedTree(f"Malformed tree expression: {self.expr}")

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            self.fail()
        self.pos += 1
        return tok

    def number(self) -> int:
        tok = self.take()
        if not tok.strip().isdigit():
            self.fail()
        return int(tok)

    def node_list(self, parent: Tree) -> None:
        self.node(parent)
        while self.peek() == ",":
            self.take(",")
            self.node(parent)

    def node(self, parent: Tree) -> None:
        name = self.take()
        if name in "[]{},":
            self.fail()
        child = Tree()
        parent.children[name] = child
        if self.peek() == "[":
            self.take("[")
            self.node_list(child)
            self.take("]")
        child.range = self.range()

    def range(self) -> Range:
        """`{M,N}` is [M,N), `{M,}` from M, `{,N}` up to N, `{N}` just element N."""
        if self.peek() != "{":
            return ALL
        self.take("{")
        if self.peek() == ",":
            self.take(",")
            stop = self.number()
            self.take("}")
            return Range(0, stop)
        start = self.number()
        if self.peek() == "}":
            self.take("}")
            return Range(start, start + 1)
        self.take(",")
        stop = None if self.peek() == "}" else self.number()
        self.take("}")
        return Range(start, stop)


def pruner_for(tree: str | None, depth: str | None) -> ByDepth | Tree:
    """Choose the pruner as `ResponseImpl.serveExposedBean` does: `tree` wins over `depth`."""
    if tree is not None:
        return parse_tree(tree)
    if depth is None or depth == "":
        return ByDepth(1)
    try:
        return ByDepth(1 - int(depth))
    except ValueError:
        raise MalformedTree("Depth parameter must be a number") from None


# --- writer -----------------------------------------------------------------------------------


def to_json(obj: Exported, pruner: ByDepth | Tree) -> dict:
    """Export a top-level bean: it always carries `_class`."""
    return _write_bean(obj, pruner, declared=None)


def _write_bean(obj: Any, pruner: ByDepth | Tree, declared: str | None) -> dict:
    out: dict[str, Any] = {}
    if obj.export_class != declared:
        out["_class"] = obj.export_class
    for prop in obj.export_props():
        child = pruner.accept(prop)
        if child is None:
            continue
        out[prop.name] = _write_value(prop.get(), child, prop.declared)
    return out


def _write_value(value: Any, pruner: ByDepth | Tree, declared: str | None) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Unexportable):
        return {}
    if hasattr(value, "export_props"):
        return _write_bean(value, pruner, declared)
    if isinstance(value, Mapping):
        # Map values are written with the same pruner: keys are not properties.
        return {str(k): _write_value(v, pruner, declared) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_write_value(v, pruner, declared) for v in pruner.range.apply(list(value))]
    raise TypeError(f"cannot export {type(value).__name__}")
