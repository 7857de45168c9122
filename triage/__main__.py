"""`python -m triage` and the `triage` console script.

Ctrl+C while the command line itself is still being imported is a cancel like any other: one
line and exit code 130, not a traceback (the click group handles it from there on).
"""

import sys


def run() -> None:
    try:
        from triage.cli import main
    except KeyboardInterrupt:
        sys.stderr.write("error: Cancelled.\n")
        raise SystemExit(130) from None
    main()


if __name__ == "__main__":
    run()
