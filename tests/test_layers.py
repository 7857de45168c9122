"""The layers of the package, read from every import statement (those inside functions too).

`test_core_no_qt` loads the core and looks for Qt; an import inside a function only runs when
called, so these read the source: the core never names the app or the CLI, the app never names
the CLI, and the infrastructure (Jenkins access, the store, JUnit reading, the engine) never
reaches up into the use cases built on it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import triage

ROOT = Path(triage.__file__).parent
FACES = ("triage.ui", "triage.cli")
# Below the use cases: what they are built on (the demo server is a test double on top of it).
INFRASTRUCTURE = ("triage.jenkins", "triage.store", "triage.junit", "triage.flakiness")
FOUNDATION = ("triage.domain", "triage.errors", "triage.display", "triage.progress",
              "triage.identity", "triage.config", "triage.jobnames", "triage.gcpause",
              "triage.resources")


def _module(path: Path) -> str:
    parts = ["triage", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every triage module the file names in an import (`from a import b` names a and a.b)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "triage" or name.startswith("triage.")}


def _under(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def _graph() -> dict[str, set[str]]:
    return {_module(path): _imports(path) for path in ROOT.rglob("*.py")}


def test_the_graph_is_read():
    graph = _graph()
    assert "triage.ui.app" in graph["triage.cli.gui_cmds"]  # an import inside a function
    assert "triage.store.db" in graph["triage.sync"]


def test_the_core_never_names_the_app_or_the_cli():
    wrong = {module: sorted(n for n in names if _under(n, FACES))
             for module, names in _graph().items()
             if not _under(module, FACES) and module != "triage.__main__"}
    assert {m: n for m, n in wrong.items() if n} == {}


def test_the_app_never_names_the_cli():
    wrong = {module: sorted(n for n in names if _under(n, ("triage.cli",)))
             for module, names in _graph().items() if _under(module, ("triage.ui",))}
    assert {m: n for m, n in wrong.items() if n} == {}


def test_infrastructure_never_reaches_up_into_the_use_cases():
    allowed = INFRASTRUCTURE + FOUNDATION
    wrong = {module: sorted(n for n in names if n != "triage" and not _under(n, allowed))
             for module, names in _graph().items()
             if _under(module, INFRASTRUCTURE) and not _under(module, ("triage.jenkins.server",))}
    assert {m: n for m, n in wrong.items() if n} == {}
