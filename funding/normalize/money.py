"""Amounts, ranges and co-financing rates as French and English funders write them."""

import itertools
import math
import re
from functools import cache
from typing import NamedTuple

from babel import Locale
from babel.numbers import format_currency, format_decimal, list_currencies
from price_parser.parser import parse_number

from funding.errors import NormalizationError


class Money(NamedTuple):
    """An amount with its ISO 4217 currency, None when the source does not say."""

    amount: float
    currency: str | None


_SYMBOLS = {
    "€": "EUR",
    "$": "USD",
    "£": "GBP",
    "us$": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "dollar": "USD",
    "dollars": "USD",
    "livres sterling": "GBP",
    "pounds": "GBP",
    "francs suisses": "CHF",
}
_MULTIPLIERS = {
    "k": 1e3,
    "mille": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "md": 1e9,
    "mds": 1e9,
    "mrd": 1e9,
    "mrds": 1e9,
    "milliard": 1e9,
    "milliards": 1e9,
    "billion": 1e9,
    "billions": 1e9,
    "bn": 1e9,
}
_CURRENCY = (
    r"€|\$|£|US\$|\b[A-Z]{3}\b"
    r"|\beuros?\b|\bdollars?\b|\blivres sterling\b|\bpounds\b|\bfrancs suisses\b"
)
_AMOUNT = re.compile(
    rf"(?P<before>{_CURRENCY})?\s?"
    r"(?P<number>\d+(?:\.\d+)?[eE][+-]?\d+(?![\w.])|\d{1,3}(?:[ .,']\d{3})+(?:[.,]\d+)?(?!\d)"
    r"|\d+(?:[.,]\d+)?)"
    r"(?:\s?(?P<multiplier>k|K|M|Mds?|Mrds?|Md|[mM]ille|thousand|millions?|milliards?|billions?|bn)"
    r"(?![^\W\d_]))?"
    rf"(?:\s?(?:d['’]\s?|de\s|of\s)?(?P<after>{_CURRENCY}))?"
    r"(?P<percent>\s?%)?",
)
_MAX_WORDS = re.compile(
    r"jusqu['’ ]?\s?(?:à|a)|up to|maximum|\bmax\b|plafon|au plus|at most|not to exceed|ceiling"
    r"|dans la limite|n['’]exc[eè]d|limited to|à hauteur de",
    re.IGNORECASE,
)
_MIN_WORDS = re.compile(
    r"à partir de|a partir de|au moins|at least|minimum|\bmin\b|plancher|\bfloor\b"
    r"|\bfrom\b|\bdès\b",
    re.IGNORECASE,
)
_RANGE_JOIN = re.compile(r" ?(?:HT |TTC )?(?:à|a|-|–|—|to|et|and|jusqu['’] ?à) ?", re.IGNORECASE)
_RATE = re.compile(r"(\d+(?:[.,]\d+)?)\s?%")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# A number only a program writes: scientific notation ('1E+06', '2.5e7'), or one point that
# cannot group thousands ('1234.567', '0.001', '12.5'); '1.500' stays 1 500, as French writes it.
_MACHINE_NUMBER = re.compile(r"\d+(?:\.\d+)?[eE][+-]?\d+|\d+\.\d+")
_THOUSANDS = re.compile(r"[1-9]\d{0,2}\.\d{3}")
_SPACES = re.compile(r"\s+")


class _Token(NamedTuple):
    start: int
    end: int
    number: float
    multiplier: float | None
    currency: str | None


# Load once: Babel's currency list, read once per process (not a performance cache).
@cache
def _iso_currencies() -> frozenset[str]:
    """ISO 4217 codes Babel knows, so 'HT' or 'TTC' beside a number is not taken for a currency."""
    return frozenset(list_currencies())


def _currency(word: str | None) -> str | None:
    """Turn a currency word or symbol into its ISO 4217 code."""
    if not word:
        return None
    if word in _iso_currencies():
        return word
    return _SYMBOLS.get(word.lower())


def _tokens(text: str) -> list[_Token]:
    """Find every amount in a text, skipping percentages."""
    tokens = []
    for match in _AMOUNT.finditer(text):
        if match["percent"]:
            continue
        currency = _currency(match["before"]) or _currency(match["after"])
        multiplier = match["multiplier"]
        number = _number(match["number"])
        factor = _MULTIPLIERS[multiplier.lower()] if multiplier else None
        tokens.append(_Token(match.start(), match.end(), number, factor, currency))
    return tokens


def _number(text: str) -> float:
    """A number as written: a program's digits exactly, a person's through price-parser."""
    if _MACHINE_NUMBER.fullmatch(text) and not _THOUSANDS.fullmatch(text):
        return float(text)
    number = parse_number(text)
    if number is None:
        raise NormalizationError(f"'{text}' is not an amount")
    return float(number)


def plain_amount(amount: float) -> str:
    """An amount written so that parse_amount reads back exactly the same float (exports):
    Python's shortest repr, with a 0 after a point that would read as thousands ('1.234')."""
    text = repr(float(amount))
    return f"{text}0" if _THOUSANDS.fullmatch(text) else text


def _clean(value: str) -> str:
    """Make every kind of space a plain one."""
    return _SPACES.sub(" ", value).strip()


def _money(token: _Token, currency: str | None, value: object) -> Money:
    """Build Money from a token, refusing negative amounts."""
    amount = token.number * (token.multiplier or 1)
    if amount < 0 or math.isinf(amount):
        raise NormalizationError(f"'{value}' is not an amount")
    return Money(amount, token.currency or currency)


def _main(tokens: list[_Token]) -> _Token:
    """Pick the amount a text is about: the first with a currency or unit, else the first."""
    return next((t for t in tokens if t.currency or t.multiplier), tokens[0])


def _is_negative(text: str, token: _Token) -> bool:
    """Tell a minus sign before an amount from a dash between two amounts."""
    before = text[: token.start].rstrip()
    return before.endswith(("-", "−")) and not any(c.isdigit() for c in before)


def parse_amount(value: str | float | None, *, default_currency: str | None = None) -> Money | None:
    """Read an amount ('1,5 M€', 'USD 1.2 million'); a text's amount with a currency wins."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise NormalizationError(f"'{value}' is not an amount")
    if isinstance(value, int | float):
        if value < 0 or not math.isfinite(value):
            raise NormalizationError(f"'{value}' is not an amount")
        return Money(float(value), default_currency)
    text = _clean(value)
    tokens = _tokens(text)
    if not tokens:
        raise NormalizationError(f"'{value}' is not an amount")
    token = _main(tokens)
    if _is_negative(text, token):
        raise NormalizationError(f"'{value}' is not an amount")
    return _money(token, default_currency, value)


def parse_amount_range(
    value: str | None, *, default_currency: str | None = None
) -> tuple[Money | None, Money | None]:
    """Read the (smallest, largest) award from a text.

    Two amounts joined by 'à', 'et', 'to', 'and' or a dash are a range, and a unit or currency
    written once applies to both ('1 to 2 million EUR'). A single amount is a ceiling after words
    like 'jusqu'à', 'up to', 'maximum' -> (None, max), a floor after 'à partir de', 'at least',
    'minimum' -> (min, None), and otherwise a fixed award -> (amount, amount). Percentages are
    skipped; a text without any amount is an error.
    """
    if value is None or not value.strip():
        return None, None
    text = _clean(value)
    tokens = _tokens(text)
    if not tokens or _is_negative(text, tokens[0]):
        raise NormalizationError(f"'{value}' is not an amount")
    currency = next((t.currency for t in tokens if t.currency), default_currency)
    priced = any(t.currency or t.multiplier for t in tokens)
    for low, high in itertools.pairwise(tokens):
        if _is_range(text, low, high, priced):
            if low.multiplier is None and high.multiplier and low.number < high.number:
                low = low._replace(multiplier=high.multiplier)
            pair = sorted((_money(low, currency, value), _money(high, currency, value)))
            return pair[0], pair[1]
    token = _main(tokens)
    amount = _money(token, currency, value)
    cue = _cue(text, token.start)
    return (None, amount) if cue == "max" else (amount, None) if cue == "min" else (amount, amount)


def _is_range(text: str, low: _Token, high: _Token, priced: bool) -> bool:
    """Tell a range from two neighbouring numbers; bare numbers in a priced text are years."""
    if priced and not (low.currency or low.multiplier or high.currency or high.multiplier):
        return False
    return bool(_RANGE_JOIN.fullmatch(text[low.end : high.start]))


def _cue(text: str, start: int) -> str | None:
    """Say whether the words nearest an amount make it a ceiling ('max') or a floor ('min')."""
    cues = [(m.start(), "max") for m in _MAX_WORDS.finditer(text)]
    cues += [(m.start(), "min") for m in _MIN_WORDS.finditer(text)]
    before = [cue for cue in sorted(cues) if cue[0] < start]
    after = [cue for cue in sorted(cues) if cue[0] > start]
    return before[-1][1] if before else after[0][1] if after else None


def parse_rate(value: str | float | None) -> float | None:
    """Read a co-financing ceiling as a share of 1; numbers above 1 are percents, largest wins."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise NormalizationError(f"'{value}' is not a rate")
    if isinstance(value, str):
        text = _clean(value)
        percents = [float(p.replace(",", ".")) / 100 for p in _RATE.findall(text)]
        if percents:
            rate = max(percents)
        elif _NUMBER.fullmatch(text) or _MACHINE_NUMBER.fullmatch(text):
            rate = float(text.replace(",", "."))
            rate = rate / 100 if rate > 1 else rate
        else:
            raise NormalizationError(f"'{value}' is not a rate")
    else:
        rate = value / 100 if value > 1 else float(value)
    if not 0 <= rate <= 1:
        raise NormalizationError(f"'{value}' is not a rate")
    return rate


def format_amount(amount: float | None, currency: str | None = "EUR", lang: str = "fr") -> str:
    """Write an amount as readers of that language expect; Babel's no-break spaces are kept."""
    if amount is None:
        return ""
    pattern = Locale.parse(lang).currency_formats["standard"].pattern
    if float(amount).is_integer():
        pattern = pattern.replace(".00", "")
    if currency is None:
        return format_decimal(amount, format=pattern.replace("¤", "").strip(), locale=lang)
    return format_currency(amount, currency, format=pattern, locale=lang, currency_digits=False)
