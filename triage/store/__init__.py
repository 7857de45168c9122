"""The local SQLite history. The only package that talks SQL."""

import contextlib
import sys


@contextlib.contextmanager
def _without(*modules: str):
    """Make `import` of `modules` fail inside the block, unless they are loaded already."""
    hidden = [name for name in modules if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # the import system raises ImportError for a None entry
    try:
        yield
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


# sqlite_utils imports numpy and pandas at start-up when they are installed, only to map their
# scalar types to columns; we never store those. numpy alone (matplotlib, for report charts,
# brings it) costs every command about 0.2 s of start-up, so hide both while sqlite_utils loads.
with _without("numpy", "pandas"):
    import sqlite_utils  # noqa: F401

from triage.store.db import Store  # noqa: E402

__all__ = ["Store"]
