"""Turn the `time` values reporters write into seconds, or None when they mean nothing.

Choices (each one seen in real reports, see the corpus under shared/corpus/junit):
- Plain numbers, including scientific notation (`1.4e-05`, Perl/CUnit), are seconds.
- A lone comma is a decimal comma (`0,001` -> 0.001, written under de_DE-like locales).
  junitparser's FloatAttr deletes commas and would read 1.0, so we never use it for times.
- Commas together with a dot, or several commas, are thousands separators
  (`2,503.1` -> 2503.1, the junit-plugin reading of the same attribute).
- Units are accepted, alone or combined: `ns`, `us`/`µs`, `ms`, `s`/`sec`, `m`/`min`, `h`
  (`1000ms` -> 1.0, `2s` -> 2.0, `1m30s` -> 90.0, `1h2m3.5s` -> 3723.5).
- Empty, unparsable, negative, NaN and infinite values give None ("unknown"), never 0: a zero
  would look like a real, very fast run in duration trends.
- Bare numbers are not rescaled even when they look like nanoseconds (container-structure-test
  writes those): a unit is the only thing we trust. But anything above MAX_SECONDS (7 days)
  cannot be one test's duration and gives None rather than poisoning averages.
"""

from __future__ import annotations

import re

MAX_SECONDS = 7 * 24 * 3600.0
_UNIT_SECONDS = {
    "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3,
    "s": 1.0, "sec": 1.0, "secs": 1.0, "m": 60.0, "min": 60.0, "mins": 60.0, "h": 3600.0,
}
_PART = re.compile(
    r"\s*(\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?)\s*(ns|us|µs|μs|ms|secs|sec|s|mins|min|m|h)",
    re.IGNORECASE,
)


def parse_duration(text: str | None) -> float | None:
    """Return `text` as seconds, or None when it is missing or meaningless (see module doc)."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return _parse_unusual(text.strip())
    return plausible(value)


def plausible(seconds: float) -> float | None:
    """Return `seconds` if it can be one test's duration; None for negative, NaN or huge."""
    return seconds if 0.0 <= seconds <= MAX_SECONDS else None


def _parse_unusual(text: str) -> float | None:
    if not text:
        return None
    if "," in text:
        if "." in text or text.count(",") > 1:
            return _number(text.replace(",", ""))
        return _number(text.replace(",", "."))
    return _with_units(text)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return _with_units(text)
    return plausible(value)


def _with_units(text: str) -> float | None:
    total, pos = 0.0, 0
    for match in _PART.finditer(text):
        if match.start() != pos:
            return None
        number, unit = match.groups()
        total += float(number.replace(",", ".")) * _UNIT_SECONDS[unit.lower()]
        pos = match.end()
    if pos == 0 or text[pos:].strip():
        return None
    return plausible(total)
