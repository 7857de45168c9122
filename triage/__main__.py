"""`python -m triage`, the `triage` console script and the PyInstaller bundle's entry point.

Ctrl+C while the command line itself is still being imported is a cancel like any other: one
line and exit code 130, not a traceback (the click group handles it from there on).
"""

from __future__ import annotations

import sys


def run(argv: list[str] | None = None) -> None:
    # Spawned children (the manifest import's parsers, the app's sync and report children)
    # start the bundle's executable again: freeze_support() makes it the worker (and exits)
    # instead of a second CLI, so it comes before anything else. Only a frozen executable can
    # be such a child: elsewhere it does nothing, and not importing multiprocessing keeps
    # every command's start shorter.
    if getattr(sys, "frozen", False):
        import multiprocessing

        multiprocessing.freeze_support()
    try:
        from triage.cli import main
    except KeyboardInterrupt:
        sys.stderr.write("error: Cancelled.\n")
        raise SystemExit(130) from None
    main(argv)


def gui() -> None:
    """The `flaky-triage` GUI entry point (no console window on Windows): `triage gui`."""
    run(["gui", *sys.argv[1:]])


if __name__ == "__main__":
    run()
