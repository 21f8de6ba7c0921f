"""Places for matching: ISO countries, groups (EU, West Africa, Sahel, LDC...), French regions."""

import csv
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

from funding.extract.geography import country_groups, country_names, expand_zone, find_places
from funding.normalize import fold

# Horizon Europe / Erasmus+ associated countries (2025), for calls open to "associated countries".
ASSOCIATED = frozenset(
    [
        "AL",
        "AM",
        "BA",
        "CA",
        "CH",
        "FO",
        "GE",
        "IL",
        "IS",
        "KR",
        "LI",
        "ME",
        "MD",
        "MK",
        "NO",
        "NZ",
        "RS",
        "TN",
        "TR",
        "UA",
        "GB",
        "XK",
    ]
)
_EXTRA_GROUPS = {
    "associated countries": "ASSOCIATED", "pays associes": "ASSOCIATED",
    "eu and associated countries": "EU+ASSOCIATED", "ue et pays associes": "EU+ASSOCIATED",
    "eu": "EU", "ue": "EU",
}  # fmt: skip


@cache
def _regions() -> tuple[dict[str, str], dict[str, str]]:
    """(folded region or department name or code -> region, folded region -> region)."""
    path = files("funding") / "matching" / "french_regions.csv"
    places, regions = {}, {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            region = row["region"]
            regions[fold(region)] = region
            places[fold(region)] = region
            places[fold(row["department"])] = region
            places[row["code"].lower()] = region
    for alias, region in {"idf": "Île-de-France", "paca": "Provence-Alpes-Côte d'Azur",
                          "aura": "Auvergne-Rhône-Alpes", "reunion": "La Réunion",
                          "region parisienne": "Île-de-France"}.items():  # fmt: skip
        places[alias] = region
    return places, regions


@lru_cache(maxsize=4096)
def french_region(word: str | None) -> str | None:
    """The French region a region, department name or department number belongs to."""
    if not word:
        return None
    return _regions()[0].get(fold(word))


def country_code(word: str) -> str | None:
    """ISO code for 'FR', 'France', 'Sénégal'; None when it is not a country."""
    text = word.strip()
    if len(text) == 2 and text.isalpha():
        return text.upper()
    names = country_names()
    key = fold(text).replace("-", " ")
    if key in names:
        return names[key]
    found = find_places(text)
    if len(found) == 1 and found[0][0] not in country_groups():
        return found[0][0]
    return None


@dataclass(frozen=True)
class Zone:
    """What a list of place words stands for: ISO countries and French regions, and words not understood."""

    countries: frozenset[str]
    regions: frozenset[str]
    unknown: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.countries or self.regions)


def _group(code: str) -> frozenset[str]:
    if code == "ASSOCIATED":
        return ASSOCIATED
    if code == "EU+ASSOCIATED":
        return expand_zone("EU") | ASSOCIATED
    return expand_zone(code)


def read_zone(words: list[str] | None) -> Zone:
    """Read place words as stored on a call or written in a profile (codes, names, groups, regions)."""
    countries: set[str] = set()
    regions: set[str] = set()
    unknown: list[str] = []
    for word in words or ():
        text = word.strip()
        if not text:
            continue
        key = fold(text)
        if text.upper() in country_groups() or text.upper() in ("ASSOCIATED", "EU+ASSOCIATED"):
            countries |= _group(text.upper())
        elif key in _EXTRA_GROUPS:
            countries |= _group(_EXTRA_GROUPS[key])
        elif region := french_region(text) if not (len(text) == 2 and text.isupper()) else None:
            regions.add(region)
        elif len(text) == 2 and text.isalpha():
            countries.add(text.upper())
        elif key in ("france", "national", "france entiere", "france metropolitaine"):
            countries.add("FR")
        else:
            found = find_places(text)
            if found:
                for code, _, _ in found:
                    countries |= _group(code)
            else:
                unknown.append(text)
    return Zone(frozenset(countries), frozenset(regions), tuple(unknown))


def zone_names(codes: set[str] | frozenset[str]) -> list[str]:
    """Words naming places (countries in French and English, their groups) for text search."""
    wanted = set(codes)
    names = [word for word, code in country_names().items() if code in wanted]
    for group, members in country_groups().items():
        if wanted & members:
            names.append(group.lower())
    return names
