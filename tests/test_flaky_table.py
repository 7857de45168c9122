"""The table of `triage failures`: reasons a cluster shares said once, big clusters counted."""

from __future__ import annotations

from flaky_builders import failure, runs

from triage.cli.failures_view import failures_table
from triage.flakiness.clusters import triage_build
from triage.flakiness.model import BuildContext


def outage(count: int) -> list:
    return [
        failure(
            "P" * 30,
            test_id=i,
            sig="OUT",
            message="Connection refused: db:5432",
            type_="java.net.ConnectException",
            classname=f"com.acme.billing.C{i:02d}Test",
        )
        for i in range(count)
    ]


def test_the_table_says_what_most_of_a_cluster_shares_once_with_a_count():
    items = outage(7)
    items[0].history = runs(("F" + "P" * 9) * 3, sig="USUAL")
    lines = failures_table(triage_build(BuildContext("app", 31, "a" * 40), items), "app")
    assert lines[3:5] == [
        "  - reads like an infrastructure error (network, disk or a service), not the code",
        "  - 6 of 7 tests: had not failed in 30 earlier runs",
    ]
    assert sum("had not failed" in line for line in lines) == 1
    flaky = lines.index(next(line for line in lines if "C00Test" in line))
    assert lines[flaky + 1].startswith("         - failed 3 of 30 earlier runs")


def test_a_big_cluster_lists_tests_with_something_of_their_own_first_and_counts_the_rest():
    items = outage(12)
    items[11].history = runs(("F" + "P" * 9) * 3, sig="USUAL")
    result = triage_build(BuildContext("app", 31, "a" * 40), items)
    lines = failures_table(result, "app")
    members = [line for line in lines if line.startswith("  noise ")]
    assert "C11Test" in members[0]  # the one with a history of its own, first
    assert [m.split()[3].split(".")[3] for m in members[1:]] == [f"C{i:02d}Test" for i in range(8)]
    assert "  ... and 3 more tests with nothing else to add (-v lists them)" in lines
    everything = failures_table(result, "app", verbose=True)
    assert sum(line.startswith("  noise ") for line in everything) == 12
    assert not any(line.startswith("  ... and") for line in everything)
