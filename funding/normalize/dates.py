"""Dates as French and English funders write them, read fast enough for bulk imports."""

import re
from datetime import date, datetime
from functools import lru_cache

import dateparser
from babel.dates import format_date as babel_format_date

from funding.errors import NormalizationError

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.+\- ]*Z?)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_NUMERIC = re.compile(r"(\d{1,2}) ?([/.-]) ?(\d{1,2}) ?\2 ?(\d{4})")
_SPACES = re.compile(r"\s+")
_ORDERS = {"DMY": (1, 0), "MDY": (0, 1)}  # positions of (month, day)
_SETTINGS = {
    "STRICT_PARSING": True,
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PARSERS": ["custom-formats", "absolute-time"],
}


# Kept: `python -m benchmarks.cache_benchmark --workloads dates` (the snapshot's 385 deadlines
# written out in French, CPU): without it 340 → 891 ms.
@lru_cache(maxsize=4096)
def _parse_words(text: str, order: str) -> date | None:
    """Read written-out dates ('1er avril 2026', 'April 3, 2026'); absolute dates only."""
    parsed = dateparser.parse(
        text, languages=["fr", "en"], settings={**_SETTINGS, "DATE_ORDER": order}
    )
    return parsed.date() if parsed else None


def parse_date(value: str | date | datetime | None, *, order: str = "DMY") -> date | None:
    """Read a source's date; order says how to read 03/04/2026 (US sources use "MDY")."""
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    if not isinstance(value, str):
        raise NormalizationError(f"'{value}' is not a date")
    text = _SPACES.sub(" ", value).strip()
    if not text:
        return None
    try:
        if match := _ISO.fullmatch(text) or _COMPACT.fullmatch(text):
            year, month, day = map(int, match.groups())
            return date(year, month, day)
        if match := _NUMERIC.fullmatch(text):
            month, day = _ORDERS[order]
            numbers = (int(match.group(1)), int(match.group(3)))
            return date(int(match.group(4)), numbers[month], numbers[day])
    except ValueError:
        raise NormalizationError(f"'{value}' is not a date") from None
    if parsed := _parse_words(text, order):
        return parsed
    raise NormalizationError(f"'{value}' is not a date")


def format_date(d: date | None, lang: str = "fr") -> str:
    """Write a date the way readers of that language expect ('31 mars 2026', '31 March 2026')."""
    return babel_format_date(d, "d MMMM y", locale=lang) if d else ""


def days_left(deadline: date, today: date) -> int:
    """Count the days still available to apply; negative once the deadline has passed."""
    return (deadline - today).days
