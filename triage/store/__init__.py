"""The local SQLite history. The only package that talks SQL."""

from triage.store.db import Store

__all__ = ["Store"]
