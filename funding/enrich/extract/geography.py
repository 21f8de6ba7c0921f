"""Country and country-group names in French and English, read from CSV vocabularies."""

import re
from functools import cache
from importlib.resources import files

from funding.normalize.vocabularies import read_csv
from funding.normalize.words import bare, fold


def _read(name: str) -> list[dict[str, str]]:
    return read_csv(files("funding") / "vocabularies" / name)


# Load once (this one and the three below): vocabularies read from CSV and the pattern made of them,
# once per process (not performance caches).
@cache
def country_names() -> dict[str, str]:
    """Folded country name -> ISO 3166-1 alpha-2 code (countries.csv)."""
    return {fold(row["word"]): row["code"] for row in _read("countries.csv")}


@cache
def country_groups() -> dict[str, frozenset[str]]:
    """Group code (EU, ECOWAS, SAHEL, LDC) -> member ISO codes (country_groups.csv)."""
    return {row["group"]: frozenset(row["members"].split()) for row in _read("country_groups.csv")}


@cache
def _group_names() -> dict[str, str]:
    names = {}
    for row in _read("country_groups.csv"):
        for label in (row["label_fr"] + "|" + row["label_en"]).split("|"):
            if label.strip():
                names[fold(label)] = row["group"]
    return names


@cache
def _pattern() -> re.Pattern[str]:
    words = sorted({*country_names(), *_group_names()}, key=len, reverse=True)
    alternatives = "|".join(r"[\s\-’'`]+".join(map(re.escape, w.split())) for w in words)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


# Regions that contain a country's name but are not the country.
_NOT_THE_COUNTRY = re.compile(r"ile[\s-]de[\s-]france")
# Short upper-case names that are ordinary words in lower case.
_CASE_SENSITIVE = {"eu", "ue", "uk", "usa", "rdc", "drc", "pma", "ldc", "ldcs", "uae"}


def find_places(text: str, bare_text: str | None = None) -> list[tuple[str, int, int]]:
    """Every country or group named in a text: (code, start, end), in order of appearance."""
    bare_text = bare_text if bare_text is not None else bare(text)
    masked = _NOT_THE_COUNTRY.sub(lambda m: "#" * len(m.group()), bare_text)
    found = []
    for match in _pattern().finditer(masked):
        key = fold(match.group())
        if key in _CASE_SENSITIVE and not text[match.start() : match.end()].isupper():
            continue
        code = _group_names().get(key) or country_names().get(key)
        if code:
            found.append((code, match.start(), match.end()))
    return found


def expand_zone(code: str) -> frozenset[str]:
    """The ISO codes a zone stands for: a group's members, or the country itself."""
    return country_groups().get(code, frozenset({code}))
