"""The spec's Qt trimming rules (packaging/bundle_trim.py) on a made-up Analysis list; the
real bundle is checked end to end by tests/test_bundle.py under `make dist`."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SPEC = importlib.util.spec_from_file_location(
    "bundle_trim", Path(__file__).resolve().parent.parent / "packaging" / "bundle_trim.py")
bundle_trim = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bundle_trim)

PLUGINS = "PySide6/Qt/plugins"
LIB = "PySide6/Qt/lib"
BINARIES = [
    ("PySide6/QtWidgets.abi3.so", "/src/QtWidgets.abi3.so", "EXTENSION"),
    (f"{PLUGINS}/platforms/libqxcb.so", "/src/libqxcb.so", "BINARY"),
    (f"{PLUGINS}/platforms/libqeglfs.so", "/src/libqeglfs.so", "BINARY"),
    (f"{PLUGINS}/platformthemes/libqgtk3.so", "/src/libqgtk3.so", "BINARY"),
    (f"{PLUGINS}/imageformats/libqsvg.so", "/src/libqsvg.so", "BINARY"),
    (f"{PLUGINS}/imageformats/libqjpeg.so", "/src/libqjpeg.so", "BINARY"),
    (f"{PLUGINS}/styles/qmodernwindowsstyle.dll", "/src/qmodernwindowsstyle.dll", "BINARY"),
    (f"{LIB}/libQt6Widgets.so.6", "/src/libQt6Widgets.so.6", "BINARY"),
    (f"{LIB}/libQt6XcbQpa.so.6", "/src/libQt6XcbQpa.so.6", "BINARY"),
    (f"{LIB}/libQt6EglFSDeviceIntegration.so.6", "/src/libQt6EglFS.so.6", "BINARY"),
    ("libgtk-3.so.0", "/usr/lib/libgtk-3.so.0", "BINARY"),
    ("libjpeg.so.62", "/usr/lib/libjpeg.so.62", "BINARY"),
    ("libpython3.11.so.1.0", "/usr/lib/libpython3.11.so.1.0", "BINARY"),
]
DATAS = [
    ("PySide6/Qt/translations/qtbase_de.qm", "/src/qtbase_de.qm", "DATA"),
    ("triage/report/templates/report.html.j2", "/src/report.html.j2", "DATA"),
    ("libQt6XcbQpa.so.6", f"{LIB}/libQt6XcbQpa.so.6", "SYMLINK"),
    ("libQt6EglFSDeviceIntegration.so.6", f"{LIB}/libQt6EglFSDeviceIntegration.so.6", "SYMLINK"),
]
LINKS = {
    "/src/QtWidgets.abi3.so": ["libQt6Widgets.so.6"],
    "/src/libqxcb.so": ["libQt6XcbQpa.so.6", "/usr/lib/libQt6Widgets.so.6"],
    "/src/libqeglfs.so": ["libQt6EglFSDeviceIntegration.so.6"],
    "/src/libqgtk3.so": ["libgtk-3.so.0"],
    "/src/libqjpeg.so": ["libjpeg.so.62"],
}


def trimmed():
    binaries, datas = bundle_trim.trim(BINARIES, DATAS, lambda path: LINKS.get(path, []))
    return {dest for dest, _src, _kind in binaries}, {dest for dest, _src, _kind in datas}


def test_only_the_plugins_the_app_uses_are_kept():
    binaries, _ = trimmed()
    assert f"{PLUGINS}/platforms/libqxcb.so" in binaries
    assert f"{PLUGINS}/imageformats/libqsvg.so" in binaries
    assert f"{PLUGINS}/styles/qmodernwindowsstyle.dll" in binaries  # all styles are kept
    for dropped in ("platforms/libqeglfs.so", "platformthemes/libqgtk3.so",
                    "imageformats/libqjpeg.so"):
        assert f"{PLUGINS}/{dropped}" not in binaries


def test_libraries_only_a_dropped_plugin_linked_go_too():
    binaries, _ = trimmed()
    assert {f"{LIB}/libQt6Widgets.so.6", f"{LIB}/libQt6XcbQpa.so.6"} <= binaries
    assert "libgtk-3.so.0" not in binaries and "libjpeg.so.62" not in binaries
    assert f"{LIB}/libQt6EglFSDeviceIntegration.so.6" not in binaries
    assert "libpython3.11.so.1.0" in binaries  # loaded by the bootloader, linked by nothing


def test_translations_and_links_to_dropped_libraries_go():
    _, datas = trimmed()
    assert datas == {"triage/report/templates/report.html.j2", "libQt6XcbQpa.so.6"}


def test_only_the_interpreters_own_libraries_lose_their_debug_information(tmp_path):
    import shutil
    import sys

    import pytest

    if shutil.which("strip") is None:
        pytest.skip("strip (binutils) not installed")
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    ours = next((Path(sys.base_prefix) / "lib" / version / "lib-dynload").glob("_json*.so"), None)
    if ours is None:
        pytest.skip("this Python has no lib-dynload")
    wheel = f"{sys.base_prefix}/lib/python3/site-packages/numpy.libs/libopenblas.so"
    entries = [("python3.11/lib-dynload/_json.so", str(ours), "EXTENSION"),
               ("numpy.libs/libopenblas.so", wheel, "BINARY"),
               ("libz.so.1", "/usr/lib/libz.so.1", "BINARY")]
    stripped = bundle_trim.strip_debug_info(entries, sys.base_prefix, tmp_path)
    assert stripped[1:] == entries[1:]  # a wheel's library and a system one: untouched
    copy = Path(stripped[0][1])
    assert copy.parent.is_relative_to(tmp_path) and copy.stat().st_size <= ours.stat().st_size
