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
    tokens = _TOKEN.findall(expr)
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take(expected: str | None = None) -> str:
        nonlocal pos
        tok = peek()
        if tok is None or (expected is not None and tok != expected):
            raise MalformedTree(f"Malformed tree expression: {expr}")
        pos += 1
        return tok

    def number() -> int:
        tok = take()
        if not tok.strip().isdigit():
            raise MalformedTree(f"Malformed tree expression: {expr}")
        return int(tok)

    def rng() -> Range:
        if peek() != "{":
            return ALL
        take("{")
        if peek() == ",":
            take(",")
            stop = number()
            take("}")
            return Range(0, stop)
        start = number()
        if peek() == "}":
            take("}")
            return Range(start, start + 1)
        take(",")
        if peek() == "}":
            take("}")
            return Range(start, None)
        stop = number()
        take("}")
        return Range(start, stop)

    def node(parent: Tree) -> None:
        name = take()
        if name in "[]{},":
            raise MalformedTree(f"Malformed tree expression: {expr}")
        child = Tree()
        parent.children[name] = child
        if peek() == "[":
            take("[")
            node_list(child)
            take("]")
        child.range = rng()

    def node_list(parent: Tree) -> None:
        node(parent)
        while peek() == ",":
            take(",")
            node(parent)

    root = Tree()
    node_list(root)
    if pos != len(tokens):
        raise MalformedTree(f"Malformed tree expression: {expr}")
    return root


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
