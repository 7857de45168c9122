"""`triage.display`: the one escaping rule, its inverse, and credential redaction."""

from __future__ import annotations

import base64

import pytest

from triage.display import from_printable, markup, printable, redact, safe, shorten

CREDENTIALS = base64.b64encode(b"alice:11a1ce0000000000000000000000demo").decode()


@pytest.mark.parametrize("text, shown", [
    ("plain ünïcödé name", "plain ünïcödé name"),
    ("a\x1b[2Jb", "a\\x1b[2Jb"),
    ("bel\x07 bs\x08 cr\r nl\n tab\t", "bel\\x07 bs\\x08 cr\\r nl\\n tab\\t"),
    ("c1\x9b csi \x85", "c1\\x9b csi \\x85"),
    ("bidi\u202eevil\u2066", "bidi\\u202eevil\\u2066"),
    ("argv\udcff", "argv\\udcff"),
])
def test_printable_escapes_what_acts_on_a_terminal_and_reads_back(text, shown):
    assert printable(text) == shown
    assert printable(shown) == shown  # idempotent: a line escaped twice is the same line
    if "\udcff" not in text:
        assert from_printable(shown) == text


def test_text_for_a_box_keeps_its_lines_and_markup_shows_html_as_typed():
    assert printable("two\nlines\tand\x1b[2J\u202e", lines=True) == \
        "two\nlines\tand\\x1b[2J\\u202e"
    assert markup("<!-- a & 'b'\n<a href=x>") == \
        "&lt;!-- a &amp; &#x27;b&#x27;\\n&lt;a href=x&gt;"
    assert markup("<b>x</b>\ny", lines=True) == "&lt;b&gt;x&lt;/b&gt;<br>y"
    assert shorten("abcdef", 4) == "abc…" and shorten("abc", 4) == "abc"


def test_from_printable_reads_only_escapes_printable_makes():
    assert from_printable("C:\\jobs\\nightly") == "C:\\jobs\nightly"  # \n is read...
    assert from_printable("a\\x41b") == "a\\x41b"  # ...but never a printable character
    assert from_printable("a\\udcffb") == "a\\udcffb"  # nor a lone surrogate
    assert from_printable("no escapes") == "no escapes"


@pytest.mark.parametrize("text, redacted", [
    (f"Authorization: Basic {CREDENTIALS}", "Authorization: Basic ***"),
    (f"authorization=Basic {CREDENTIALS}", "authorization=Basic ***"),
    (f"echo: Basic {CREDENTIALS} end", "echo: Basic *** end"),
    ("Proxy-Authorization: Bearer abc.def", "Proxy-Authorization: Bearer ***"),
    ("token Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc123", "token Bearer ***"),
    ("Cookie: JSESSIONID.1=node0abc; other=1", "Cookie: ***"),
    ("https://ci.example/jenkins/?token=s3cret&x=1", "https://ci.example/jenkins/?token=***&x=1"),
    ("https://alice:11a1ce@ci.example/", "https://alice:***@ci.example/"),
])
def test_redact_hides_credentials(text, redacted):
    assert redact(text) == redacted


@pytest.mark.parametrize("text", [
    "expected Basic authentication to be configured",
    "BasicAuthenticationTest.rejectsBadToken",
    "Bearer of bad news",
    "see https://ci.example/job/app/?delay=0sec",
])
def test_redact_leaves_ordinary_text_alone(text):
    assert redact(text) == text


def test_redact_hides_a_given_secret_anywhere_and_safe_does_both():
    assert redact("X-Token: 11a1ce00 echoed", ("11a1ce00",)) == "X-Token: *** echoed"
    assert safe(f"\x1b]0;t\x07Authorization: Basic {CREDENTIALS}") == (
        "\\x1b]0;t\\x07Authorization: Basic ***")


def test_plural_is_one_rule_for_every_count():
    from triage.display import plural

    assert [plural(n, "test") for n in (0, 1, 2, 1200)] == [
        "0 tests", "1 test", "2 tests", "1,200 tests"]
    assert plural(2, "match", "matches") == "2 matches"
