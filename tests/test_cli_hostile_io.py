"""Names that attack the terminal, numbers and bytes a user mistypes, an output that is full.

Everything runs for real: the built-in Jenkins on loopback, SQLite files, the `triage` CLI in
process (CliRunner) or as a subprocess where the operating system is the point (/dev/full,
non-UTF-8 argv, a read-only folder).
"""

from __future__ import annotations

import ast
import base64
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.jenkins_world import T0, report, serve, small_world
from triage.cli import cli
from triage.jenkins.server import Param

# ESC sequences that clear the screen and set the window title, BEL, BS, CR, a C1 CSI, a bidi
# override: what a hostile Jenkins puts in names and messages.
NASTY = "\x1b[2J\x1b]0;pwned\x07\r\x08\x9b31m\u202eevil"
NASTY_SHOWN = "\\x1b[2J\\x1b]0;pwned\\x07\\r\\x08\\x9b31m\\u202eevil"


def _raw_controls(text: str) -> list[str]:
    """Characters that would act on a terminal (newlines between lines excepted)."""
    bidi = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    return [c for c in text if c != "\n" and (unicodedata.category(c) == "Cc" or c in bidi)]


def run(*args, env=None, db=None):
    full = [*args] + (["--db", str(db)] if db is not None else [])
    result = CliRunner().invoke(cli, full, env=env)
    if "-v" not in args:  # --verbose asks for the traceback
        assert "Traceback" not in result.output, result.output
    return result


def _token(srv) -> dict:
    return {"TRIAGE_JENKINS_TOKEN": srv.users["alice"]}


def _server(srv) -> list[str]:
    return ["--server", srv.url, "--user", "alice"]


def _nasty_world():
    world = small_world()
    job = world.pipeline("gate")
    job.add_build(1, result="SUCCESS", timestamp_ms=T0, duration_ms=5, report=report(1))
    paused = job.add_build(2, building=True, timestamp_ms=T0 + 10, report=report(1))
    paused.add_input(f"Deploy{NASTY}?", id="go", ok=f"Ship{NASTY}", submitter=f"ops{NASTY}",
                     parameters=[Param(f"TARGET{NASTY}", "choice", description=f"where{NASTY}",
                                       choices=[f"eu{NASTY}", "us"])], at_ms=T0 + 20)
    return world


# --- what reaches the terminal ------------------------------------------------------------------


def test_pending_shows_every_field_of_a_hostile_input_escaped():
    with serve(_nasty_world()) as srv:
        result = run("pending", *_server(srv), "--job", "gate", env=_token(srv))
    assert result.exit_code == 0, result.output
    assert _raw_controls(result.output) == []
    for shown in (f"Deploy{NASTY_SHOWN}?", f"Ship{NASTY_SHOWN}", f"ops{NASTY_SHOWN}",
                  f"TARGET{NASTY_SHOWN}", f"eu{NASTY_SHOWN}"):
        assert shown in result.output


def test_proceeds_confirmation_escapes_parameter_names_and_values(db_path):
    with serve(_nasty_world()) as srv:
        result = run("proceed", "gate", "2", *_server(srv), env=_token(srv), db=db_path)
    assert result.exit_code == 0, result.output
    assert _raw_controls(result.output) == []
    assert f"TARGET{NASTY_SHOWN}=" in result.output


def test_sync_verbose_escapes_and_redacts_an_error_body(db_path):
    with serve() as srv:
        echoed = base64.b64encode(f"alice:{srv.users['alice']}".encode()).decode()
        srv.faults.respond(f"<h1>Oops{NASTY}</h1><pre>Authorization: Basic {echoed}\n"
                           f"X-Token: {srv.users['alice']}</pre>", "/jenkins/api/json",
                           status=500, content_type="text/html")
        result = run("sync", *_server(srv), "-v", env=_token(srv), db=db_path)
    assert result.exit_code == 1
    assert _raw_controls(result.output) == []
    assert "Oops\\x1b[2J" in result.output and "Authorization: Basic ***" in result.output
    assert echoed not in result.output and srv.users["alice"] not in result.output


def test_no_command_prints_except_through_the_one_escaping_function():
    """`triage.cli.output` is the only module that may call click.echo (or print)."""
    offenders = []
    for path in sorted(Path("triage/cli").glob("*.py")):
        if path.name == "output.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                func = node.func
                name = (f"{getattr(func.value, 'id', '')}.{func.attr}"
                        if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
                if name in ("click.echo", "click.secho", "print", "sys.stdout.write"):
                    offenders.append(f"{path}:{node.lineno} {name}")
    assert offenders == []


# --- bad numbers and bytes on the command line ------------------------------------------------

TOO_BIG = str(2**63)


@pytest.mark.parametrize("args", [
    ["failures", "--job", "app", "--build", TOO_BIG],
    ["failures", "--job", "app", "--build", "-1"],
    ["mark", "--job", "app", "--build", TOO_BIG, "--test", "t", "--verdict", "real"],
    ["unmark", "--job", "app", "--build", TOO_BIG, "--test", "t"],
    ["flaky", "--job", "app", "--last", "0"],
    ["flaky", "--job", "app", "--limit", "-3"],
    ["history", "--job", "app", "--last", "0"],
    ["history", "--job", "app", "--last", "-1"],
    ["import", "--job", "app", "--build", TOO_BIG, "x.xml"],
    ["proceed", "app", TOO_BIG, "--server", "http://127.0.0.1:9/"],
    ["abort", "--server", "http://127.0.0.1:9/", "--", "app", "-5"],
    ["sync", "--server", "http://127.0.0.1:9/", "--max-builds", "99999999999999999999"],
], ids=lambda a: " ".join(a[:3]))
def test_an_out_of_range_number_is_a_usage_error_not_a_traceback(db_path, args):
    result = run(*args, db=db_path)
    assert result.exit_code == 2, result.output
    assert "is not in the range" in result.output or "does not exist" in result.output


def test_a_huge_count_means_every_build_not_a_traceback(db_path, tmp_path):
    assert run("import", "--job", "app", "--build", "1", str(_xml(tmp_path)),
               db=db_path).exit_code == 0
    huge = "99999999999999999999"
    assert run("flaky", "--job", "app", "--last", huge, "--limit", huge, db=db_path).exit_code == 0
    assert "#1" in run("history", "--job", "app", "--last", huge, db=db_path).output


def test_non_utf8_arguments_are_one_line(db_path):
    env = dict(os.environ)
    for args in ([b"history", b"--job", b"\xffapp"], [b"sync", b"--server", b"ci\xfe"],
                 [b"mark", b"--job", b"a", b"--build", b"1", b"--note", b"\xc3(",
                  b"--verdict", b"real", b"--test", b"t"]):
        proc = subprocess.run([sys.executable, "-m", "triage", *args, b"--db", bytes(db_path)],
                              capture_output=True, env=env, timeout=60)
        err = proc.stderr.decode("utf-8", "replace")
        assert proc.returncode == 2, err
        assert err.count("\n") == 1 and "is not valid UTF-8" in err, err
        assert "Traceback" not in err
    assert not db_path.exists()


# --- a synced job with control characters in its name ------------------------------------------


def test_a_synced_job_named_with_control_characters_can_be_named_as_shown(db_path):
    world = small_world()
    job = world.pipeline("we\x1bird\tjob")
    job.add_build(1, result="UNSTABLE", timestamp_ms=T0, duration_ms=5,
                  report=report(2, failed=1))
    with serve(world) as srv:
        synced = run("sync", *_server(srv), "--job", "we\\x1bird\\tjob", env=_token(srv),
                     db=db_path)
        assert synced.exit_code == 0, synced.output
        pending = run("pending", *_server(srv), "--job", "we\\x1bird\\tjob", env=_token(srv))
        assert pending.exit_code == 0, pending.output
    with sqlite3.connect(db_path) as conn:
        assert ("we\x1bird\tjob",) in conn.execute("SELECT name FROM jobs").fetchall()
    shown = "we\\x1bird\\tjob"
    history = run("history", "--job", shown, db=db_path)
    assert history.exit_code == 0
    assert history.output.startswith(f"{shown}: 1 build, #1, oldest first")
    failures = run("failures", "--job", shown, "--build", "1", db=db_path)
    assert failures.exit_code == 0 and _raw_controls(failures.output) == []
    assert run("flaky", "--job", shown, db=db_path).exit_code == 0
    # Typed raw (a script's $'\e'), it is found as well.
    assert run("history", "--job", "we\x1bird\tjob", db=db_path).exit_code == 0
    # New names for the history still refuse control characters, typed either way.
    refused = run("import", "--job", shown, "--build", "2", str(db_path), db=db_path)
    assert refused.exit_code == 2 and "control characters" in refused.output


def test_sync_job_dot_dot_is_refused_before_any_request(db_path):
    with serve() as srv:
        for name in ("../..", "..", "team/../..", "./app"):
            result = run("sync", *_server(srv), "--job", name, env=_token(srv), db=db_path)
            assert result.exit_code == 2 and "is not a job name" in result.output, result.output
        assert len(srv.requests) == 0


# --- decisions whose answer is unclear ---------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502])
@pytest.mark.parametrize("action", ["proceed", "abort"])
def test_a_5xx_after_a_decision_says_it_may_have_been_applied_and_how_to_check(
        db_path, status, action):
    with serve() as srv:
        srv.faults.error(status, f"*/input/*/{action}*", method="POST", count=1)
        result = run(action, "team/backend", "2", *_server(srv), env=_token(srv), db=db_path)
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert f"failed with {status}" in line
    assert "may have been applied" in line and "triage pending --job team/backend" in line


# --- the history file -----------------------------------------------------------------------


def test_db_info_on_an_empty_file_leaves_it_untouched(tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    for args in (["db", "info"], ["history", "--job", "app"]):
        result = run(*args, db=empty)
        assert result.exit_code == 3 and "is empty (0 bytes)" in result.output
    assert empty.stat().st_size == 0 and sorted(os.listdir(tmp_path)) == ["empty.db"]


def _without_root_powers() -> list[str]:
    """A command prefix under which even root obeys file permissions (no DAC override)."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("root without setpriv cannot be kept out of a read-only folder")
    drop = "-dac_override,-dac_read_search"
    return ["setpriv", "--bounding-set", drop, "--inh-caps", drop, "--"]


def test_db_info_and_history_read_a_history_in_a_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "history.db"
    imported = run("import", "--job", "app", "--build", "1", str(_xml(tmp_path)), db=db)
    assert imported.exit_code == 0, imported.output
    assert sorted(os.listdir(folder)) == ["history.db"]  # closed cleanly: no -wal, no -shm
    os.chmod(folder, 0o555)
    try:
        for args, words in ((["db", "info"], "builds:         1"),
                            (["history", "--job", "app"], "k.C.t  P")):
            proc = subprocess.run([*_without_root_powers(), sys.executable, "-m", "triage",
                                   *args, "--db", str(db)], capture_output=True, text=True,
                                  timeout=60)
            assert proc.returncode == 0, proc.stderr
            assert words in proc.stdout
        assert sorted(os.listdir(folder)) == ["history.db"]
    finally:
        os.chmod(folder, 0o755)


def _xml(tmp_path: Path) -> Path:
    path = tmp_path / "TEST-a.xml"
    path.write_text('<testsuite name="s"><testcase classname="k.C" name="t"/></testsuite>')
    return path


# --- an output that cannot be written ------------------------------------------------------------


def _all_commands(group=cli, prefix=()):
    import click

    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _all_commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


def _to_dev_full(*args: str, env: dict | None = None) -> subprocess.Popen:
    full = open("/dev/full", "w")  # noqa: SIM115 - closed by the caller through proc.stdout
    proc = subprocess.Popen([sys.executable, "-m", "triage", *args], stdout=full,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
    full.close()
    return proc


def _one_error_line(proc: subprocess.Popen) -> str:
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 1, err
    assert "Traceback" not in err and "Exception ignored" not in err, err
    (line,) = err.splitlines()
    assert line.startswith("error: ") and "No space left on device" in line, line
    return line


needs_dev_full = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")


@needs_dev_full
def test_help_of_every_command_to_a_full_disk_is_one_line():
    procs = [_to_dev_full(*command, "--help") for command in [(), *_all_commands()]]
    for proc in procs:
        _one_error_line(proc)


@needs_dev_full
def test_reading_commands_to_a_full_disk_are_one_line(db_path, tmp_path):
    assert run("import", "--job", "app", "--build", "1", str(_xml(tmp_path)),
               db=db_path).exit_code == 0
    db = ["--db", str(db_path)]
    procs = [_to_dev_full(*args, *db) for args in (
        ["db", "info"], ["history", "--job", "app"], ["failures", "--job", "app"],
        ["flaky", "--job", "app"], ["history", "--job", "app", "--format", "json"],
        ["servers", "list"], ["report", "--job", "app", "--format", "md", "-o", "-"],
        ["report", "--job", "app", "--format", "csv", "-o", "-"])] + [_to_dev_full("--version")]
    for proc in procs:
        _one_error_line(proc)


@needs_dev_full
def test_a_decision_printed_to_a_full_disk_is_stored_and_says_it_went_through(db_path):
    with serve() as srv:
        args = ["--server", srv.url, "--user", "alice", "--db", str(db_path)]
        line = _one_error_line(_to_dev_full("abort", "app", "4", *args, env=_token(srv)))
        pending = _one_error_line(_to_dev_full("pending", *args, env=_token(srv)))
        synced = _one_error_line(_to_dev_full("sync", "--job", "app", *args, env=_token(srv)))
        with srv.world.lock:
            assert not srv.world.job("app").build(4).input_action.pending  # applied
    assert "The abort of app #4 went through and is stored in the history" in line
    assert pending and synced
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT action, outcome FROM decisions").fetchall() == [
            ("abort", "ok")]


def test_json_output_escapes_every_control_character(db_path, tmp_path):
    xml = tmp_path / "TEST-b.xml"
    xml.write_text('<testsuite name="s"><testcase classname="k.C" name="t&#x9;x&#xA;&#x202e;y">'
                   "<failure message='m'/></testcase></testsuite>", encoding="utf-8")
    assert run("import", "--job", "app", "--build", "1", str(xml), db=db_path).exit_code == 0
    out = run("history", "--job", "app", "--format", "json", db=db_path).output
    assert _raw_controls(out) == [] and json.loads(out)["tests"][0]["name"] == "t\tx\n\u202ey"
