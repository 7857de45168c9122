"""Hostile XML is refused before anything is expanded or fetched; bad XML gives one clear line."""

from __future__ import annotations

import http.server
import random
import threading
import time

import pytest
from support import CORPUS, needs_corpus

from triage.errors import HostileXmlError, MalformedReportError, NotJUnitError, ReportError
from triage.junit import parse_file, parse_paths

SECRET = "TOP-SECRET-7f3a9c-do-not-leak"


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _all_text(results):
    return repr(results)


def test_external_entity_to_a_real_file_is_refused_and_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    report = _write(tmp_path, "TEST-xxe.xml", f"""<?xml version="1.0"?>
<!DOCTYPE testsuite [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>
<testsuite name="s"><testcase classname="c" name="t"><failure message="&xxe;">&xxe;</failure>
</testcase></testsuite>""")
    with pytest.raises(HostileXmlError) as info:
        parse_file(report)
    assert SECRET not in str(info.value) and SECRET not in repr(info.value.__dict__)
    assert "'xxe'" in info.value.message
    assert info.value.path == str(report)
    assert "\n" not in info.value.message


def test_external_dtd_is_refused(tmp_path):
    secret = tmp_path / "evil.dtd"
    secret.write_text(f'<!ENTITY leak "{SECRET}">')
    report = _write(tmp_path, "r.xml", f"""<?xml version="1.0"?>
<!DOCTYPE testsuite SYSTEM "{secret.as_uri()}">
<testsuite name="s"><testcase classname="c" name="&leak;"/></testsuite>""")
    with pytest.raises(HostileXmlError) as info:
        parse_file(report)
    assert "external DTD" in info.value.message
    assert SECRET not in info.value.message


def test_public_dtd_is_refused(tmp_path):
    report = _write(tmp_path, "r.xml", """<?xml version="1.0"?>
<!DOCTYPE testsuite PUBLIC "-//X//DTD Y//EN" "http://127.0.0.1:9/y.dtd">
<testsuite name="s"/>""")
    with pytest.raises(HostileXmlError):
        parse_file(report)


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server API)
        type(self).hits.append(self.path)
        body = f'<!ENTITY leak "{SECRET}">'.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    _CountingHandler.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE testsuite SYSTEM "{url}/evil.dtd">',
    '<!DOCTYPE testsuite [<!ENTITY % pe SYSTEM "{url}/pe.dtd"> %pe;]>',
    '<!DOCTYPE testsuite [<!ENTITY net SYSTEM "{url}/net.txt">]>',
])
def test_no_network_request_is_made(tmp_path, http_server, doctype):
    report = _write(tmp_path, "r.xml", '<?xml version="1.0"?>\n' + doctype.format(url=http_server)
                    + '\n<testsuite name="s"><testcase classname="c" name="t"/></testsuite>')
    with pytest.raises(HostileXmlError):
        parse_file(report)
    # The parse is synchronous: any fetch would have completed (and been counted) by now.
    assert _CountingHandler.hits == []


def test_the_fixture_server_really_counts(http_server):
    import urllib.request

    with urllib.request.urlopen(http_server + "/probe") as response:
        assert SECRET in response.read().decode()
    assert _CountingHandler.hits == ["/probe"]


def _billion_laughs() -> str:
    lines = ['<!ENTITY lol0 "lol">']
    lines += [f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE testsuite [\n' + "\n".join(lines) + "\n]>\n"
            '<testsuite name="s"><testcase classname="c" name="&lol9;"/></testsuite>')


def test_billion_laughs_is_refused_quickly(tmp_path):
    report = _write(tmp_path, "bomb.xml", _billion_laughs())
    started = time.perf_counter()
    with pytest.raises(HostileXmlError) as info:
        parse_file(report)
    assert time.perf_counter() - started < 0.5  # expanding it would take minutes and gigabytes
    assert "'lol0'" in info.value.message


def test_internal_entity_declaration_is_refused_even_if_harmless(tmp_path):
    report = _write(tmp_path, "r.xml", """<?xml version="1.0"?>
<!DOCTYPE testsuite [<!ENTITY who "world">]>
<testsuite name="&who;"/>""")
    with pytest.raises(HostileXmlError):
        parse_file(report)


def test_utf16_hostile_file_is_refused(tmp_path):
    report = _write(tmp_path, "r.xml", "\ufeff" + _billion_laughs().replace(
        '<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>'), "utf-16-le")
    with pytest.raises(HostileXmlError):
        parse_file(report)


def test_doctype_without_entities_is_allowed(tmp_path):
    report = _write(tmp_path, "r.xml", """<?xml version="1.0"?>
<!DOCTYPE testsuite [<!ELEMENT testsuite ANY>]>
<testsuite name="s"><testcase classname="c" name="t"/></testsuite>""")
    assert [r.name for r in parse_file(report)] == ["t"]


def test_doctype_after_root_start_is_just_malformed(tmp_path):
    report = _write(tmp_path, "r.xml", '<testsuite><!DOCTYPE x [<!ENTITY a "b">]></testsuite>')
    with pytest.raises(MalformedReportError):
        parse_file(report)


def test_truncated_file_names_file_and_position(tmp_path):
    report = _write(tmp_path, "TEST-x.xml", '<?xml version="1.0"?>\n<testsuite name="s">\n'
                    '  <testcase classname="c" name="t" time="0.1"/>\n  <testcase classn')
    with pytest.raises(MalformedReportError) as info:
        parse_file(report)
    assert info.value.message == (f"{report}: not well-formed XML at line 4, column 3 "
                                  "(unclosed token); fix or remove the file")
    assert (info.value.path, info.value.line, info.value.column) == (str(report), 4, 3)


def test_wellformed_non_junit_is_not_junit(tmp_path):
    report = _write(tmp_path, "pom.xml", "<project><modelVersion>4</modelVersion></project>")
    with pytest.raises(NotJUnitError) as info:
        parse_file(report)
    assert "<project>" in info.value.message


def test_unreadable_path_is_report_error(tmp_path):
    with pytest.raises(ReportError) as info:
        parse_file(tmp_path)
    assert "is a directory" in info.value.message
    with pytest.raises(ReportError) as info:
        parse_paths([tmp_path / "missing"])
    assert "no such file or folder" in info.value.message


def test_binary_garbage_is_malformed_not_a_crash(tmp_path):
    report = tmp_path / "r.xml"
    report.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(MalformedReportError):
        parse_file(report)


def test_absurdly_deep_suite_nesting_is_refused_quickly(tmp_path):
    depth = 50_000
    report = _write(tmp_path, "deep.xml", '<testsuite name="s">' * depth
                    + '<testcase classname="c" name="t"/>' + "</testsuite>" * depth)
    started = time.perf_counter()
    with pytest.raises(NotJUnitError) as info:
        parse_file(report)
    assert time.perf_counter() - started < 5
    assert "nested more than 100 levels" in info.value.message


def test_moderate_nesting_is_fine(tmp_path):
    depth = 60
    report = _write(tmp_path, "deep.xml", "<testsuite>" * depth
                    + '<testcase classname="c" name="t"/>' + "</testsuite>" * depth)
    assert [r.key for r in parse_file(report)] == [("c", "t")]


@needs_corpus  # honours TRIAGE_CORPUS, and never skips on CI
@pytest.mark.parametrize("seed", range(6))
def test_mutated_corpus_files_never_escape_as_other_exceptions(tmp_path, seed):
    """Truncate and corrupt real reports at random places: only ReportErrors may come out."""
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".xml", ".junit-xml"))
    assert files, f"no report in the corpus at {CORPUS}"
    rng = random.Random(seed)
    for i in range(40):
        data = bytearray(rng.choice(files).read_bytes())
        if not data:
            continue
        cut = rng.randrange(len(data))
        mutation = rng.choice(("truncate", "flip", "insert"))
        if mutation == "truncate":
            data = data[:cut]
        elif mutation == "flip":
            data[cut] = rng.randrange(256)
        else:
            data[cut:cut] = rng.choice([b"<", b"&", b"]]>", b"\x00", b"<!DOCTYPE x>", b"\xff\xfe"])
        path = tmp_path / f"m{i}.xml"
        path.write_bytes(bytes(data))
        try:
            parse_file(path)
        except ReportError as exc:
            assert "\n" not in exc.message


@pytest.mark.parametrize("encoding, data_encoding, ok", [
    ("UTF-8", "utf-8", True), ("ISO-8859-1", "latin-1", True), ("windows-1252", "cp1252", True),
    ("no-such-codec", "utf-8", False), ("Shift_JIS", "utf-8", False),
])
def test_declared_encodings(tmp_path, encoding, data_encoding, ok):
    text = (f'<?xml version="1.0" encoding="{encoding}"?>\n'
            '<testsuite name="s"><testcase classname="c" name="caf\u00e9"/></testsuite>')
    report = tmp_path / "r.xml"
    report.write_bytes(text.encode(data_encoding))
    if ok:
        assert [r.name for r in parse_file(report)] == ["caf\u00e9"]
    else:
        with pytest.raises(MalformedReportError) as info:
            parse_file(report)
        assert "encoding" in info.value.message and "\n" not in info.value.message
