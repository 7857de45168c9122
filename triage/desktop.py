"""Put the app in the Linux desktop's menu: the .desktop file, icons and AppStream metainfo
copied into the user's data folder (XDG), with Exec naming this very installation.

A wheel (pip, pipx) or the bundle cannot install into /usr/share, so without this step the
app runs only from a terminal. The files come from the package (triage.resources), the same
ones a distribution package would install system-wide.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from triage.errors import ConfigError, TriageError
from triage.resources import APP_ID, ICON_NAME, ICON_SIZES, resource

# Characters that make the Desktop Entry spec require an argument to be quoted ("Exec key").
_RESERVED = set(' \t\n"\'\\><~|&;$*?#()`')


@dataclass(frozen=True)
class DesktopFiles:
    """Where the entry's files go under one data folder ($XDG_DATA_HOME, ~/.local/share)."""

    data_home: Path

    @property
    def entry(self) -> Path:
        return self.data_home / "applications" / f"{APP_ID}.desktop"

    @property
    def metainfo(self) -> Path:
        return self.data_home / "metainfo" / f"{APP_ID}.metainfo.xml"

    def icons(self) -> dict[Path, tuple[str, ...]]:
        """Return each installed icon path and the packaged file it is copied from."""
        hicolor = self.data_home / "icons" / "hicolor"
        found = {hicolor / f"{s}x{s}" / "apps" / f"{ICON_NAME}.png":
                 ("icons", "hicolor", f"{s}x{s}", "apps", f"{ICON_NAME}.png")
                 for s in ICON_SIZES}
        found[hicolor / "scalable" / "apps" / f"{ICON_NAME}.svg"] = ("icons", f"{ICON_NAME}.svg")
        found[hicolor / "symbolic" / "apps" / f"{ICON_NAME}-symbolic.svg"] = (
            "icons", "symbolic", f"{ICON_NAME}-symbolic.svg")
        return found

    def all(self) -> list[Path]:
        return [self.entry, self.metainfo, *self.icons()]


def default_data_home() -> Path:
    """Return $XDG_DATA_HOME, else ~/.local/share (platformdirs reads the variable)."""
    return Path(platformdirs.user_data_dir())


def launcher_command() -> list[str]:
    """Return the command that starts this installation's CLI, as an absolute path."""
    if getattr(sys, "frozen", False):
        return [sys.executable]  # the bundle's own `triage`
    script = Path(sys.executable).parent / "triage"  # pip and pipx put it beside Python
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    on_path = shutil.which("triage")
    if on_path:
        return [str(Path(on_path).resolve())]
    return [sys.executable, "-m", "triage"]


def exec_value(argv: list[str]) -> str:
    """Return `argv` as a Desktop Entry Exec value (quoted and escaped as the spec asks)."""
    def quoted(arg: str) -> str:
        arg = arg.replace("%", "%%")  # a lone % would start a field code such as %U
        if arg and not (_RESERVED & set(arg)):
            return arg
        inner = "".join("\\" + c if c in '"`$\\' else c for c in arg)
        return f'"{inner}"'

    # The value is also a string of the key file format, where a backslash is escaped again.
    return " ".join(quoted(a) for a in argv).replace("\\", "\\\\")


def entry_text(command: list[str]) -> str:
    """Return the packaged .desktop file with Exec and TryExec naming `command`."""
    lines = []
    for line in resource("desktop", f"{APP_ID}.desktop").read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        if key == "Exec":
            rest = value.split()[1:]  # "triage gui" -> ["gui"]
            line = f"Exec={exec_value([*command, *rest])}"
        elif key == "TryExec":  # a plain path: only the key file's own escaping applies
            line = "TryExec=" + command[0].replace("\\", "\\\\")
        lines.append(line)
    return "\n".join(lines) + "\n"


def install(data_home: Path, command: list[str]) -> list[Path]:
    """Write the entry, metainfo and icons under `data_home`; return the files written."""
    if not sys.platform.startswith("linux"):
        raise ConfigError("Only Linux desktops read .desktop files; on Windows and macOS the "
                          "app's bundle carries its own icon.")
    files = DesktopFiles(data_home)
    copies = {files.metainfo: ("desktop", f"{APP_ID}.metainfo.xml"), **files.icons()}
    try:
        for target, parts in copies.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(resource(*parts).read_bytes())
        # The entry last: a menu that shows it finds its icon already there.
        files.entry.parent.mkdir(parents=True, exist_ok=True)
        files.entry.write_text(entry_text(command), encoding="utf-8")
    except OSError as exc:
        raise TriageError(f"Cannot write the desktop entry under {data_home} "
                          f"({exc.strerror or exc}).") from None
    return [*copies, files.entry]


def uninstall(data_home: Path) -> list[Path]:
    """Remove what `install` wrote under `data_home`; return the files removed."""
    removed = []
    for path in DesktopFiles(data_home).all():
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise TriageError(f"Cannot remove {path} ({exc.strerror or exc}).") from None
        removed.append(path)
    return removed
