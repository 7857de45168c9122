"""Keep only the Qt the app uses in the PyInstaller bundle (imported by flaky-triage.spec).

PyInstaller's PySide6 hooks collect every plugin of every type that QtGui and QtWidgets may
load, and every shared library those plugins link: the GTK platform theme alone brings the
GTK 3 stack (about 20 MB). Excluding Python modules does not drop those files. So the spec
filters the Analysis lists in two steps:

1. Qt plugins: only the types and names in KEEP_PLUGINS; no Qt translations (the app installs
   no QTranslator, so Qt would never read them).
2. Shared libraries: only those that something kept still links, per the platform's linker
   view (PyInstaller's own `ldd` / pefile / macholib reader). That drops QtNetwork, QtOpenGL,
   the EGLFS and GTK libraries once nothing that needs them is left.
"""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePath

ALL = frozenset({"*"})

# Plugin type -> plugin names (file stem without "lib" and extension). Everything else goes.
KEEP_PLUGINS: dict[str, frozenset[str]] = {
    # offscreen: `triage demo --self-test` and CI; xcb and wayland: Linux desktops;
    # windows and cocoa: the other two platforms' only window system.
    "platforms": frozenset({"qoffscreen", "qxcb", "qwayland", "qwindows", "qcocoa"}),
    # File dialogs and colour scheme through the desktop portal (DBus only); the GTK 3 theme
    # is what links GTK.
    "platformthemes": frozenset({"qxdgdesktopportal"}),
    # Dead keys and the compose key; IBus input methods (CJK and others).
    "platforminputcontexts": frozenset({"composeplatforminputcontextplugin",
                                        "ibusplatforminputcontextplugin"}),
    # The app's icons are SVG and PNG; PNG is built into QtGui.
    "imageformats": frozenset({"qsvg"}),
    "iconengines": frozenset({"qsvgicon"}),
    # Native widget styles (Windows 11 / Vista, macOS); Linux wheels ship none.
    "styles": ALL,
    # Wayland: the stable shell protocol and client-side decorations (GNOME has no
    # server-side ones). The graphics integrations are for OpenGL, which a widgets app
    # drawing in software does not use.
    "wayland-shell-integration": frozenset({"xdg-shell"}),
    "wayland-decoration-client": frozenset({"bradient", "adwaita"}),
}

# Python extension modules nothing in the app imports (the hooks pull them in). Pillow comes
# with matplotlib (the report's charts, SVG only): its AVIF, WebP, colour-management and Tk
# parts would bring libavif (5 MB), libwebp and lcms2, and Pillow loads them only if present.
EXCLUDED_MODULES = ["PySide6.QtNetwork", "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets",
                    "tkinter", "PIL._avif", "PIL._webp", "PIL._imagingcms", "PIL.ImageCms",
                    "PIL._imagingtk", "PIL.ImageTk"]

_LIBRARY_SUFFIXES = (".so", ".dll", ".dylib", ".pyd")


def plugin_of(dest: str) -> tuple[str, str] | None:
    """Return (type, name) if `dest` is a Qt plugin in the bundle, else None."""
    parts = PurePath(dest).parts
    if "plugins" not in parts[:-1]:
        return None
    index = parts.index("plugins")
    if parts[index - 1] != "Qt" or len(parts) < index + 3:
        return None
    kind = "/".join(parts[index + 1:-1])
    return kind, _stem(parts[-1])


def _stem(filename: str) -> str:
    name = filename.split(".")[0]
    return name[3:] if name.startswith("lib") else name


def keep_plugin(dest: str) -> bool:
    found = plugin_of(dest)
    if found is None:
        return True
    kind, name = found
    names = KEEP_PLUGINS.get(kind, frozenset())
    return names is ALL or name in names


def is_qt_translation(dest: str) -> bool:
    parts = PurePath(dest).parts
    return "translations" in parts and "Qt" in parts


def is_shared_library(dest: str) -> bool:
    name = PurePath(dest).name
    return any(s in name for s in _LIBRARY_SUFFIXES)


def trim(binaries: list, datas: list, linked_names, keep_always=("python",)):
    """Return (binaries, datas) without unused Qt plugins, translations and orphaned libraries.

    `linked_names(path)` returns the file names a binary links (directly or not); libraries
    whose name starts with one of `keep_always` are kept regardless (libpython is loaded by the
    bootloader, not linked by anything collected).
    """
    datas = [entry for entry in datas if not is_qt_translation(entry[0])]
    binaries = [entry for entry in binaries if keep_plugin(entry[0])]
    # Roots: Python extension modules and the plugins kept; every other library must earn its
    # place by being linked from a root.
    roots = [e for e in binaries if e[2] == "EXTENSION" or plugin_of(e[0]) is not None]
    needed = set()
    for _dest, src, _kind in roots:
        needed.update(PurePath(name).name for name in linked_names(src))
    kept = []
    for entry in binaries:
        dest, _src, kind = entry
        name = PurePath(dest).name
        library = kind == "BINARY" and plugin_of(dest) is None and is_shared_library(dest)
        if (not library or name in needed
                or any(name.lower().startswith(f"lib{p}") or name.lower().startswith(p)
                       for p in keep_always)):
            kept.append(entry)
    # PyInstaller lists the links it makes to libraries (SYMLINK entries) in both lists.
    present = {PurePath(dest).as_posix() for dest, _src, kind in kept + datas
               if kind != "SYMLINK"}
    return _without_dangling_symlinks(kept, present), _without_dangling_symlinks(datas, present)


def _without_dangling_symlinks(entries: list, present: set[str]) -> list:
    # A SYMLINK entry's source is its target, relative to the link's own folder.
    kept = []
    for entry in entries:
        dest, src, kind = entry
        if kind == "SYMLINK":
            target = PurePath(dest).parent / src
            if _normalised(target) not in present:
                continue
        kept.append(entry)
    return kept


def _normalised(path: PurePath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def strip_debug_info(binaries: list, prefix: str, workdir: Path) -> list:
    """Return `binaries` with the Python installation's own libraries (under `prefix`: libpython
    and lib-dynload) replaced by copies without debug information.

    pyenv and other source builds keep 18 MB of it in libpython alone. Libraries from wheels
    are left as they are: `strip` breaks those that auditwheel patched (NumPy's OpenBLAS fails
    to load, "ELF load command address/offset not page-aligned"), which is why PyInstaller's
    own strip option stays off.
    """
    stripped = []
    for dest, src, kind in binaries:
        if kind in ("BINARY", "EXTENSION") and Path(src).is_relative_to(prefix) \
                and "site-packages" not in Path(src).parts:
            target = workdir / "stripped" / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["strip", "--strip-debug", "-o", str(target), src], check=True)
            src = str(target)
        stripped.append((dest, src, kind))
    return stripped
