"""`triage desktop install`: the menu entry, icons and metainfo in the user's data folder,
with Exec naming this installation, valid for the desktop; uninstall takes back only ours."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from triage import desktop
from triage.cli import cli
from triage.resources import APP_ID, ICON_SIZES, resource

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux desktops")


def validate(path) -> None:
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate not installed (apt-get install desktop-file-utils)")
    result = subprocess.run([tool, str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout


def test_install_writes_a_valid_entry_naming_this_installation(tmp_path):
    written = desktop.install(tmp_path, ["/opt/flaky-triage/triage"])
    entry = tmp_path / "applications" / f"{APP_ID}.desktop"
    assert written[-1] == entry
    text = entry.read_text()
    assert "\nExec=/opt/flaky-triage/triage gui\n" in text
    assert "\nTryExec=/opt/flaky-triage/triage\n" in text
    assert "\nExec=/opt/flaky-triage/triage demo\n" in text  # the demo action too
    validate(entry)
    for size in ICON_SIZES:
        png = tmp_path / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "flaky-triage.png"
        assert png.read_bytes() == resource("icons", "hicolor", f"{size}x{size}", "apps",
                                            "flaky-triage.png").read_bytes()
    assert (tmp_path / "icons" / "hicolor" / "scalable" / "apps" / "flaky-triage.svg").is_file()
    assert (tmp_path / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()


@pytest.mark.parametrize(("path", "exec_line"), [
    ("/home/a b/triage", 'Exec="/home/a b/triage" gui'),
    ("/srv/$HOME/100%/triage", 'Exec="/srv/\\\\$HOME/100%%/triage" gui'),
])
def test_paths_with_spaces_dollars_and_percents_are_quoted_as_the_spec_asks(tmp_path, path,
                                                                         exec_line):
    desktop.install(tmp_path, [path])
    entry = tmp_path / "applications" / f"{APP_ID}.desktop"
    assert exec_line in entry.read_text().splitlines()
    validate(entry)


def test_uninstall_removes_only_what_install_wrote(tmp_path):
    other = tmp_path / "applications" / "someone-else.desktop"
    other.parent.mkdir(parents=True)
    other.write_text("[Desktop Entry]\n")
    written = desktop.install(tmp_path, ["/opt/triage"])
    assert sorted(desktop.uninstall(tmp_path)) == sorted(written)
    assert other.is_file()
    assert desktop.uninstall(tmp_path) == []


def test_the_cli_names_the_launcher_and_reports_an_unwritable_folder(tmp_path):
    result = CliRunner().invoke(cli, ["desktop", "install", "--data-home", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"menu entry runs {desktop.launcher_command()[0]} gui" in result.output
    blocked = tmp_path / "file"
    blocked.write_text("")
    result = CliRunner().invoke(cli, ["desktop", "install", "--data-home", str(blocked)])
    assert result.exit_code == 1
    assert result.output.startswith(f"error: Cannot write the desktop entry under {blocked}")
    assert len(result.output.splitlines()) == 1
    result = CliRunner().invoke(cli, ["desktop", "uninstall", "--data-home", str(tmp_path)])
    assert result.output == "Removed 13 files.\n"


def test_from_a_venv_the_launcher_is_the_venvs_triage():
    # pip and pipx put the console script beside the interpreter (the bundle: tests/test_bundle)
    assert desktop.launcher_command() == [str(Path(sys.executable).parent / "triage")]
