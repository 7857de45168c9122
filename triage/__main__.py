"""`python -m triage`, and the entry point of the PyInstaller bundle (packaging/)."""

from __future__ import annotations

import multiprocessing


def run(argv: list[str] | None = None) -> None:
    # The manifest import parses in spawned processes. In the bundle each of them starts the
    # executable again: freeze_support() makes it the worker (and exits) instead of a second
    # CLI, so it must come before anything else.
    multiprocessing.freeze_support()
    from triage.cli import main

    main(argv)


if __name__ == "__main__":
    run()
