"""Ctrl+C at any moment: one line, exit 130, never a traceback or click's "Aborted!".

SIGINT goes to a child `triage` process (never to the pytest process), at moments the
built-in server makes certain: a request it holds until released has reached it.
"""

from __future__ import annotations

import os
import pty
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from support import read_terminal, read_terminal_until

from tests.jenkins_world import T0, report, serve, small_world

TIMEOUT = 60


def _world(builds: int = 30):
    world = small_world()
    job = world.pipeline("many")
    for number in range(1, builds + 1):
        job.add_build(number, result="UNSTABLE" if number == builds else "SUCCESS",
                      timestamp_ms=T0 + number, duration_ms=1,
                      report=report(5, failed=int(number == builds)))
    return world


def _triage(srv, db_path, *args: str, **popen) -> subprocess.Popen:
    env = dict(os.environ, TRIAGE_JENKINS_TOKEN=srv.users["alice"])
    command = [sys.executable, "-m", "triage", *args, "--server", srv.url, "--user", "alice",
               "--db", str(db_path)]
    popen.setdefault("stdout", subprocess.PIPE)
    popen.setdefault("stderr", subprocess.PIPE)
    return subprocess.Popen(command, env=env, text=True, **popen)


def _one_cancel_line(proc: subprocess.Popen, err: str) -> str:
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "Aborted!" not in err and "KeyboardInterrupt" not in err
    (line,) = [line for line in err.splitlines() if line.strip()]
    assert line.startswith("error: ")
    return line


@pytest.mark.parametrize("moment, glob", [
    ("listing the job", "*/job/many/api/json"),
    ("fetching the first reports", "*/job/many/*/testReport/*"),
])
def test_ctrl_c_while_syncing(db_path, moment, glob):
    with serve(_world()) as srv:
        gate = threading.Event()
        held = srv.faults.latency(glob=glob, release=gate)
        proc = _triage(srv, db_path, "sync", "--job", "many")
        try:
            assert held.fired.wait(TIMEOUT), moment
            proc.send_signal(signal.SIGINT)
        finally:
            gate.set()  # the requests in flight finish; nothing new is started
        _, err = proc.communicate(timeout=TIMEOUT)
    line = _one_cancel_line(proc, err)
    assert line.startswith("error: Sync cancelled; builds stored so far are kept"), line
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_ctrl_c_while_triage_builds_syncs(db_path):
    with serve(_world()) as srv:
        gate = threading.Event()
        held = srv.faults.latency(glob="*/job/many/*/testReport/*", release=gate)
        proc = _triage(srv, db_path, "builds", "--job", "many")
        try:
            assert held.fired.wait(TIMEOUT)
            proc.send_signal(signal.SIGINT)
        finally:
            gate.set()
        out, err = proc.communicate(timeout=TIMEOUT)
    assert _one_cancel_line(proc, err).startswith("error: Cancelled; builds synced so far")
    assert out == ""  # no half list


def test_a_second_ctrl_c_stops_at_once_without_waiting_for_jenkins(db_path):
    """On a terminal the first Ctrl+C says it waits for the work in flight; the second stops
    while Jenkins still holds those requests."""
    with serve(_world()) as srv:
        gate = threading.Event()
        held = srv.faults.latency(glob="*/job/many/*/testReport/*", release=gate)
        master, slave = pty.openpty()
        proc = _triage(srv, db_path, "sync", "--job", "many", stdout=slave, stderr=slave,
                       start_new_session=True)
        os.close(slave)
        try:
            assert held.fired.wait(TIMEOUT)
            proc.send_signal(signal.SIGINT)
            read_terminal_until(master, proc, b"Ctrl+C again to stop now")
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=TIMEOUT)  # the gate is still closed: it did not wait
            shown = read_terminal(master).decode(errors="replace")
        finally:
            gate.set()
            os.close(master)
    assert proc.returncode == 130
    assert "error: Cancelled; what was stored so far is kept." in shown
    assert "Traceback" not in shown


READ_SYSCALL = {"x86_64": 0, "aarch64": 63}.get(os.uname().machine)


def _wait_reading_stdin(proc: subprocess.Popen) -> None:
    """Wait until the child blocks reading its terminal (/proc/PID/syscall: read on fd 0).

    Between printing a prompt and starting the read, Python's input() runs C code that does
    not look at pending signals: a Ctrl+C landing there waits for the next line typed. A
    person is never that fast; a test is, so it waits for the read itself.
    """
    deadline = time.monotonic() + TIMEOUT
    while True:
        with open(f"/proc/{proc.pid}/syscall") as fh:
            fields = fh.read().split()
        if fields and fields[0] == str(READ_SYSCALL) and int(fields[1], 16) == 0:
            return
        assert proc.poll() is None and time.monotonic() < deadline, fields
        time.sleep(0.01)  # polling another process's state; not synchronisation by delay


@pytest.mark.skipif(READ_SYSCALL is None or not os.path.exists("/proc/self/syscall"),
                    reason="needs Linux's /proc/PID/syscall to see the prompt's read")
def test_ctrl_c_at_the_confirmation_prompt_sends_nothing(db_path):
    with serve(small_world()) as srv:
        master, slave = pty.openpty()
        proc = _triage(srv, db_path, "proceed", "app", "4", stdin=slave, stdout=slave,
                       stderr=slave)
        os.close(slave)
        try:
            read_terminal_until(master, proc, b"[y/N]")
            _wait_reading_stdin(proc)
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=TIMEOUT)
            shown = read_terminal(master).decode(errors="replace")
        finally:
            os.close(master)
        posts = srv.requests.count_of(method="POST")
    assert proc.returncode == 130 and posts == 0
    assert "error: Cancelled." in shown and "Aborted!" not in shown and "Traceback" not in shown
