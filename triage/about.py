"""What this installation is: the facts `triage --version` and the app's About box show."""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass

from triage import __version__


@dataclass(frozen=True)
class About:
    version: str
    schema_version: int  # the number of history schema steps this release knows
    schema_step: str  # the last of them, as `triage db info` names it
    python: str
    frozen: bool  # running from the PyInstaller bundle

    def lines(self, qt: str) -> list[str]:
        """Return the --version text, `qt` being what the caller found out about Qt."""
        build = "bundle" if self.frozen else platform.python_implementation()
        return [
            f"flaky-triage {self.version}",
            f"Qt {qt}",
            f"history schema {self.schema_version} ({self.schema_step})",
            f"Python {self.python} ({build}, {platform.system()} {platform.machine()})",
        ]


def about() -> About:
    """Return this installation's version, history schema version and Python."""
    from triage.store.schema import KNOWN_STEPS

    return About(
        version=__version__,
        schema_version=len(KNOWN_STEPS),
        schema_step=KNOWN_STEPS[-1],
        python=platform.python_version(),
        frozen=bool(getattr(sys, "frozen", False)),
    )
