"""The window's history sync, run in the sync child process (`child_process`).

Decoding a 20,000-test report (`json.loads`, one C call) and turning it into results hold
Python's GIL for hundreds of milliseconds at a time, and a thread cannot give it back; the
window froze for up to 0.4 s per build (tests/benchmarks/bench_ui.py). In the child the same
core use case (`triage.inbox.builds_needing_attention` with `sync=True`) runs with its own GIL.
The writer thread waits for the child while it writes, so there is still one writer at a time;
readers go on reading (WAL). Cancelling sets the event the child's cancel token reads between
builds.
"""

from __future__ import annotations

from pathlib import Path

from triage.servers import ServerConfig
from triage.ui import child_process
from triage.ui.child_process import ChildProcess


class SyncProcess(ChildProcess):
    def sync_job(self, config: ServerConfig, token: str | None, store_path: Path, job: str,
                 cancel) -> tuple[list, list[str]]:
        """Sync one job's history in the child; return its `InboxItem`s and the warnings
        (the writer thread waits meanwhile)."""
        return self.run(_sync_job, config, token, str(store_path), job, token=cancel)


def _sync_job(config: ServerConfig, token: str | None, store_path: str,
              job: str) -> tuple[list, list[str]]:
    """In the child: sync one job and list what needs attention in it."""
    from triage.inbox import builds_needing_attention
    from triage.progress import NullReporter
    from triage.ui.sources import ServerEntry, make_client

    client = make_client(ServerEntry(config, token))
    reporter = NullReporter()
    items = builds_needing_attention([client], child_process.store(store_path), jobs=[job],
                                     sync=True, reporter=reporter, token=child_process.token())
    return items, reporter.warnings
