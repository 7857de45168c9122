"""Import throughput against the raw iterparse floor, and bytes per stored result.

Generates 1,000 builds x 5,000 tests of Surefire XML (1% failures with traces, 1% skipped,
0.2% flaky-passed) in a temp folder, then measures on the same files:
- the parse floor: xml.etree.ElementTree.iterparse over every file, counting testcases;
- `triage import --manifest` work (parse with the importer + store in SQLite), in process,
  once parsing in this process and once with the default parsing process beside the writer;
and prints both throughputs, their ratio (target: import within 3x of the floor) and the
database size per stored result, overall and for passing results (target: < 40 bytes).
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.benchmarks.common import scale, table, timed
from triage.domain import BuildInfo
from triage.importing import import_manifest
from triage.junit.synth import write_surefire_report
from triage.store import Store

BUILDS = 1000
TESTS = 5000


def generate(folder: Path, builds: int, tests: int) -> Path:
    lines = []
    for number in range(1, builds + 1):
        name = f"{number}/TEST-com.example.AllTests.xml"
        (folder / str(number)).mkdir()
        write_surefire_report(folder / name, tests, fail_rate=0.01, seed=number,
                              skip_rate=0.01, flaky_rate=0.002)
        lines.append(json.dumps({"build": number, "revision": f"{number:040x}", "branch": "main",
                                 "timestamp": "2026-11-26T10:00:00Z", "files": [name]}))
    manifest = folder / "builds.jsonl"
    manifest.write_text("\n".join(lines) + "\n")
    return manifest


def iterparse_floor(files: list[Path]) -> int:
    count = 0
    for path in files:
        for _event, elem in ET.iterparse(path):
            if elem.tag == "testcase":
                count += 1
    return count


def bytes_per_result(db: Path) -> tuple[float, float, int]:
    """Return (all pages / results, results-table pages / results, results)."""
    conn = sqlite3.connect(db)
    results = conn.execute("SELECT count(*) FROM results").fetchone()[0]
    total = conn.execute("SELECT page_count * page_size FROM pragma_page_count, pragma_page_size").fetchone()[0]
    table_bytes = conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name = 'results'").fetchone()[0]
    conn.close()
    return total / results, table_bytes / results, results


def main() -> None:
    builds = max(2, int(BUILDS * scale()))
    with tempfile.TemporaryDirectory(prefix="triage-bench-") as tmp:
        folder = Path(tmp)
        with timed() as gen:
            manifest = generate(folder, builds, TESTS)
        files = sorted(folder.glob("*/*.xml"), key=lambda p: int(p.parent.name))
        size = sum(p.stat().st_size for p in files)
        print(f"generated {builds} builds x {TESTS} tests ({size / 1e6:.0f} MB of XML) "
              f"in {gen['seconds']:.1f} s")
        iterparse_floor(files[:20])  # warm the page cache and the parser
        with timed() as floor:
            cases = iterparse_floor(files)
        rows = [("iterparse floor (parse only)", f"{cases / floor['seconds']:,.0f}",
                 f"{floor['seconds']:.1f}", "1.00x")]
        for label, workers in (("triage import, serial", 0),
                               ("triage import, parsing process", None)):
            db = folder / f"history-{workers}.db"
            with Store.open(db) as store, timed() as work:
                summary = import_manifest(store, manifest, BuildInfo("bench/app", 0),
                                          workers=workers)
            assert summary.tests == cases and not summary.skipped, (summary.tests, cases)
            rows.append((label, f"{cases / work['seconds']:,.0f}", f"{work['seconds']:.1f}",
                         f"{work['seconds'] / floor['seconds']:.2f}x"))
        print(table(rows, ("", "testcases/s", "seconds", "time vs floor")))
        per_all, per_results, results = bytes_per_result(db)
        print(f"\n{results:,} results stored; database {per_all:.1f} bytes/result overall, "
              f"results table {per_results:.1f} bytes/result (passing results are "
              f"{100 * (1 - 0.022):.0f}% of them; messages and traces stored once)")
