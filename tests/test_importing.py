"""Manifest imports: parsing processes, manifest order, skipped builds, cancellation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from triage.domain import BuildInfo
from triage.errors import Cancelled
from triage.importing import import_manifest
from triage.progress import CancelToken, NullReporter
from triage.store import Store
from triage.store.history import db_info, outcome_history

FIXTURES = Path(__file__).parent / "fixtures" / "cli"


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    lines = []
    for number in range(1, 8):
        source = FIXTURES / ("b1" if number % 2 else "b2")
        shutil.copytree(source, tmp_path / str(number))
        lines.append({"build": number, "revision": f"rev{number}", "files": [str(number)]})
    shutil.copy(FIXTURES / "truncated.xml", tmp_path / "bad.xml")
    lines.insert(3, {"build": 99, "files": ["bad.xml"]})
    path = tmp_path / "builds.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return path


def snapshot(store: Store) -> list:
    history = outcome_history(store, "app", last=100)
    return [(b.number, b.revision) for b in history.builds] + [
        (t.test, t.letters) for t in history.tests
    ]


@pytest.mark.parametrize("workers", [0, 2])
def test_parallel_and_serial_imports_store_the_same(manifest, tmp_path, workers):
    reporter = NullReporter()
    with Store.open(tmp_path / f"h{workers}.db") as store:
        summary = import_manifest(store, manifest, BuildInfo("app", 0), reporter, workers=workers)
        assert [s.number for s in summary.imported] == [1, 2, 3, 4, 5, 6, 7]
        assert [label for label, _ in summary.skipped] == ["builds.jsonl:4 (build #99)"]
        assert "bad.xml" in reporter.warnings[0] and "line" in reporter.warnings[0]
        assert reporter.done == reporter.total == 8
        assert snapshot(store)[:7] == [(n, f"rev{n}") for n in range(1, 8)]
        assert ("com.acme.CartTest.appliesDiscount", "FPFPFPF") in snapshot(store)


def test_cancel_stops_between_builds_and_keeps_whole_builds(manifest, tmp_path):
    token = CancelToken()

    class CancelAfterTwo(NullReporter):
        def advance(self, n: int = 1) -> None:
            super().advance(n)
            if self.done == 2:
                token.cancel()

    with Store.open(tmp_path / "h.db") as store:
        with pytest.raises(Cancelled):
            import_manifest(store, manifest, BuildInfo("app", 0), CancelAfterTwo(), token, workers=2)
        assert db_info(store)["counts"]["builds"] == 2
        assert db_info(store)["counts"]["results"] == 6


def test_ctrl_c_during_a_manifest_import_keeps_whole_builds(tmp_path):
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    from triage.junit.synth import write_surefire_report

    lines = []
    for number in range(1, 201):
        write_surefire_report(tmp_path / f"{number}.xml", 2000, fail_rate=0.01, seed=number)
        lines.append(json.dumps({"build": number, "files": [f"{number}.xml"]}))
    (tmp_path / "m.jsonl").write_text("\n".join(lines))
    db = tmp_path / "h.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "triage", "import", "--job", "app", "--manifest",
         str(tmp_path / "m.jsonl"), "--db", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while _stored_builds(db) < 3:  # wait for the condition: some builds landed
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == [
        "error: Interrupted: the builds already stored are whole, the one in progress was not "
        "stored. Run the same import again to finish (it replaces what is there)."
    ]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        per_build = conn.execute("SELECT count(*) FROM results GROUP BY build_id").fetchall()
    assert 3 <= len(per_build) < 200
    assert set(per_build) == {(2000,)}


def _stored_builds(db: Path) -> int:
    import sqlite3

    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM builds").fetchone()[0]
    except sqlite3.OperationalError:  # schema not created yet
        return 0
