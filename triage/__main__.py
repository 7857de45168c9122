"""`python -m triage`, and the entry point of the PyInstaller bundle (packaging/)."""

from __future__ import annotations

import multiprocessing
import sys


def run(argv: list[str] | None = None) -> None:
    # The manifest import parses in spawned processes. In the bundle each of them starts the
    # executable again: freeze_support() makes it the worker (and exits) instead of a second
    # CLI, so it must come before anything else.
    multiprocessing.freeze_support()
    from triage.cli import main

    main(argv)


def gui() -> None:
    """The `flaky-triage` GUI entry point (no console window on Windows): `triage gui`."""
    run(["gui", *sys.argv[1:]])


if __name__ == "__main__":
    run()
