"""Places and what contains what: commune ⊂ intercommunality ⊂ département ⊂ région ⊂ country ⊂
continent, Swiss cantons, and named areas (the EU, Greater Geneva, the Interreg France–Suisse area,
ECOWAS, the least developed countries...), read from pycountry and the CSV files of data/."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib.resources import files
from typing import Literal

import pycountry
from rapidfuzz import fuzz, process

from funding.normalize.vocabularies import read_csv
from funding.normalize.words import bare, fold

Relation = Literal["inside", "partial", "outside"]
DATA = files("funding") / "territory" / "data"
# From the most local to the widest: what "more precise" means when several places are named.
KINDS = (
    "commune",
    "epci",
    "district",
    "department",
    "region",
    "canton",
    "former_region",
    "area",
    "country",
    "group",
    "continent",
)
LOCAL_KINDS = frozenset(KINDS[:8])  # below a country: a call limited to one is a local call
_ISO_KINDS = {
    "Metropolitan region": "region",
    "Metropolitan department": "department",
    "Metropolitan collectivity with special status": "department",
    "European collectivity": "region",
    "Overseas departmental collectivity": "department",
    "Overseas unique territorial collectivity": "department",
    "Canton": "canton",
}
# Prefixes a place's name may carry in a list of places or a funder's name ("département de la").
_PREFIX = re.compile(
    r"^(?:(?:le |la |les |l )?(?:departement|region|canton|republique et canton|ville|commune|"
    r"collectivite|territoire|pays|province) (?:de la |de l |des |du |de |d |en |of the |of )?|"
    r"(?:la|le|les|l) )"
)
_PARENTHESIS = re.compile(r"^(.*?)\s*\(([^)]*)\)\s*$")
_POSTAL = re.compile(r"^\d{5}$")
_DEPARTMENT_NUMBER = re.compile(r"^(?:\d{2}|2[ab]|97\d)$")


@dataclass(frozen=True)
class Place:
    """One place: its id (ISO 3166 where there is one), kind, names, and what directly holds it."""

    id: str
    kind: str
    name_fr: str
    name_en: str
    parents: tuple[str, ...] = ()
    members: tuple[str, ...] = ()  # a group or area: the places it is made of
    population: int | None = None

    def name(self, lang: str = "fr") -> str:
        return self.name_en if lang == "en" else self.name_fr


@dataclass
class _Index:
    places: dict[str, Place] = field(default_factory=dict)
    names: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lower: set[str] = field(default_factory=set)  # names also written in lower case (not "AU")

    def add(self, place: Place, *words: str) -> None:
        self.places[place.id] = place
        for word in dict.fromkeys((place.name_fr, place.name_en, *words)):
            key = fold(word or "")
            if not key:
                continue
            if place.id not in self.names[key]:
                self.names[key].append(place.id)
            if not word.isupper():
                self.lower.add(key)


def _rows(name: str, folder=DATA) -> list[dict[str, str]]:
    return read_csv(folder / name)


def _translations(lang: str):
    import gettext

    return gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


# Load once: the places above the commune, read from CSV once per process (not a performance cache).
@cache
def _coarse() -> _Index:
    """Continents, countries, groups and areas, French régions and départements, Swiss cantons."""
    from funding.enrich.extract.geography import country_names

    index = _Index()
    continents = {
        row["country"]: "CONT-" + row["continent"] for row in _rows("country_continents.csv")
    }
    names: dict[str, dict[str, str]] = defaultdict(dict)
    words: dict[str, list[str]] = defaultdict(list)
    for word, code in country_names().items():
        words[code].append(word)
    for row in _rows("countries.csv", files("funding") / "vocabularies"):
        names[row["code"]].setdefault(row["language"], row["word"])
    for code, spelled in names.items():
        parent = continents.get(code)
        index.add(
            Place(
                code,
                "country",
                spelled.get("fr", code),
                spelled.get("en", code),
                (parent,) if parent else (),
            ),
            *words[code],
        )
    french, english = _translations("fr"), _translations("en")
    for country in ("FR", "CH"):
        for sub in pycountry.subdivisions.get(country_code=country):
            kind = _ISO_KINDS.get(sub.type)
            if kind is None:
                continue
            parent = sub.parent_code or country
            name = re.sub(r"\s*\(.*\)$", "", sub.name)
            fr, en = french.gettext(sub.name), english.gettext(sub.name)
            number = sub.code.split("-")[1] if kind == "department" else ""
            index.add(
                Place(sub.code, kind, fr if country == "CH" else name, en, (parent,)),
                sub.name,
                name,
                number if number[:1].isdigit() else "",
            )
    for row in _rows("areas.csv"):
        parents = tuple(row["parents"].split())
        index.add(
            Place(
                row["id"],
                row["kind"],
                row["name_fr"],
                row["name_en"],
                parents,
                tuple(row["members"].split()),
            ),
            row["id"],
        )
    for row in _rows("aliases.csv"):
        index.add(index.places[row["place"]], row["word"])
    for row in _rows("country_groups.csv", files("funding") / "vocabularies"):
        index.add(index.places[row["group"]], *f"{row['label_fr']}|{row['label_en']}".split("|"))
    return index


@dataclass
class _Local:
    """French communes and intercommunalities, Swiss places: rows by id, ids by name and code."""

    rows: dict[str, tuple[str, str, tuple[str, ...], int]] = field(default_factory=dict)
    names: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(
        self,
        place_id: str,
        kind: str,
        label: str,
        parents: tuple[str, ...],
        population: int,
        *keys: str,
    ) -> None:
        self.rows[place_id] = (kind, label, parents, population)
        for key in keys:
            if key:
                self.names[key].append(place_id)

    def place(self, place_id: str) -> Place | None:
        row = self.rows.get(place_id)
        if row is None:
            return None
        kind, label, parents, population = row
        return Place(place_id, kind, label, label, parents, population=population or None)


# Load once: the communes, read from CSV once per process (not a performance cache).
@cache
def _local() -> _Local:
    """The 37,000 communes and places, read on the first question that needs them (about 0.3 s)."""
    index = _Local()
    epci_departments: dict[str, set[str]] = defaultdict(set)
    for row in _rows("fr_communes.csv.gz"):
        department, epci = _department_id(row["department"]), row["epci"]
        parents = (department, f"FR-EPCI-{epci}") if epci else (department,)
        if epci:
            epci_departments[epci].add(department)
        index.add(
            f"FR-COM-{row['insee']}",
            "commune",
            row["name"],
            parents,
            int(row["population"] or 0),
            fold(row["name"]),
            row["insee"],
            *row["postal_codes"].split(),
        )
    for row in _rows("fr_epci.csv"):
        siren = row["siren"]
        index.add(
            f"FR-EPCI-{siren}",
            "epci",
            row["name"],
            tuple(sorted(epci_departments[siren])),
            0,
            *_epci_names(row["name"]),
            siren,
        )
    for row in _rows("ch_places.csv"):
        index.add(
            f"CH-GN-{row['geonameid']}",
            "commune",
            row["name"],
            (f"CH-{row['canton']}",),
            int(row["population"] or 0),
            fold(row["name"]),
        )
    return index


_EPCI_KIND = re.compile(
    r"^(?:communaute (?:de communes|d agglomeration|urbaine)|metropole)(?: (?:du|de la|de l|des|de|d))? "
)


def _epci_names(name: str) -> list[str]:
    """How an intercommunality is also called: without its kind ("Grand Annecy"), "X Agglo"."""
    key = fold(name)
    short = _EPCI_KIND.sub("", key)
    names = [key, short]
    if key.startswith("communaute d agglomeration") or short.endswith(" agglomeration"):
        bare_name = short.removesuffix(" agglomeration")
        names += [bare_name + " agglo", short.split()[0] + " agglo", bare_name + " agglomeration"]
    return names


def _department_id(code: str) -> str:
    return {"75": "FR-75C"}.get(code, f"FR-{code}")


def place(place_id: str) -> Place | None:
    """The place of an id, or None."""
    found = _coarse().places.get(place_id)
    if found is None and place_id.startswith(("FR-COM-", "FR-EPCI-", "CH-GN-")):
        found = _local().place(place_id)
    return found


def name(place_id: str, lang: str = "fr") -> str:
    found = place(place_id)
    return found.name(lang) if found else place_id


# Kept: `python -m benchmarks.cache_benchmark --workloads match` (7 profiles ranked twice over
# 10,000 calls, CPU): with ancestors, contains, relation and _relate off 5.7 → 8.8 s the first pass,
# 1.0 → 4.9 s the second; this one alone off, no change (contains and _relate catch it).
@lru_cache(maxsize=65_536)
def ancestors(place_id: str) -> frozenset[str]:
    """Every place that holds this one: its parents' chain, and the groups and areas it belongs to."""
    chain: set[str] = set()
    todo = [place_id]
    while todo:
        current = place(todo.pop())
        if current is None:
            continue
        for parent in current.parents:
            if parent not in chain:
                chain.add(parent)
                todo.append(parent)
    around = chain | {place_id}
    for group, members in _group_members().items():
        if members & around and group != place_id:
            chain.add(group)
    return frozenset(chain)


# Load once: the groups expanded once per process (not a performance cache).
@cache
def _group_members() -> dict[str, frozenset[str]]:
    """Each group or area -> the places (not groups) it is made of, nested groups expanded."""
    index = _coarse().places
    found: dict[str, frozenset[str]] = {}

    def expand(group_id: str, seen: frozenset[str]) -> frozenset[str]:
        out: set[str] = set()
        for member in index[group_id].members:
            inner = index.get(member)
            if inner is not None and inner.members and member not in seen:
                out |= expand(member, seen | {member})
            else:
                out.add(member)
        return frozenset(out)

    for place_id, found_place in index.items():
        if found_place.members:
            found[place_id] = expand(place_id, frozenset({place_id}))
    return found


def members(place_id: str) -> frozenset[str]:
    """The places a group or area is made of (nested groups expanded); a place itself otherwise."""
    return _group_members().get(place_id, frozenset({place_id}))


# Kept: `python -m benchmarks.cache_benchmark --workloads match` (7 profiles ranked twice over
# 10,000 calls, CPU): with ancestors, contains, relation and _relate off 5.7 → 8.8 s the first pass,
# 1.0 → 4.9 s the second; with contains and relation off, 1.13 → 1.27 s the second (one run: near
# the noise).
@lru_cache(maxsize=200_000)
def contains(outer: str, inner: str) -> bool:
    return outer == inner or outer in ancestors(inner)


def relation(outer: str, inner: str) -> Relation:
    """Whether `inner` lies inside `outer`, only partly (one holds part of the other), or outside."""
    if contains(outer, inner):
        return "inside"
    if contains(inner, outer):
        return "partial"
    outer_parts, inner_parts = members(outer), members(inner)
    if (outer_parts, inner_parts) == ({outer}, {inner}):
        return "outside"
    for a in outer_parts:
        for b in inner_parts:
            if contains(a, b) or contains(b, a):
                return "partial"
    return "outside"


def relate(scope: frozenset[str] | set[str], where: frozenset[str] | set[str]) -> Relation:
    """Where some place of `where` stands against a scope made of several places."""
    return _relate(frozenset(scope), frozenset(where))


# Kept: `python -m benchmarks.cache_benchmark --workloads match` (7 profiles ranked twice over
# 10,000 calls, CPU): with ancestors, contains, relation and _relate off 5.7 → 8.8 s the first pass,
# 1.0 → 4.9 s the second; this one alone off, no change (relation, cached then, caught it).
@lru_cache(maxsize=200_000)
def _relate(scope: frozenset[str], where: frozenset[str]) -> Relation:
    found = {relation(s, w) for s in scope for w in where}
    return "inside" if "inside" in found else "partial" if "partial" in found else "outside"


def names_of(place_id: str) -> list[str]:
    """Every name a place is known by (French, English, aliases such as "developing countries")."""
    found = place(place_id)
    if found is None:
        return []
    index = _coarse() if place_id in _coarse().places else None
    names = [found.name_fr, found.name_en]
    if index is not None:
        names += [key for key, ids in index.names.items() if place_id in ids and not key.isdigit()]
    own = fold(place_id)
    return list(dict.fromkeys(n for n in names if n and len(n) > 3 and fold(n) != own))


def country_code(word: str) -> str | None:
    """The ISO 3166-1 code of a country word ('FR', 'France', 'Sénégal'), or None."""
    text = word.strip()
    if len(text) == 2 and text.isalpha():
        return text.upper()
    found = [p for p in lookup(text, local=False) if kind(p) == "country"]
    return found[0] if len(found) == 1 else None


def kind(place_id: str) -> str | None:
    found = place(place_id)
    return found.kind if found else None


def is_local(place_id: str) -> bool:
    """Below a country: a commune, intercommunality, département, région, canton or local area."""
    return kind(place_id) in LOCAL_KINDS


def country_of(place_id: str) -> str | None:
    """The country a place lies in (itself for a country), or None for a group or continent."""
    if kind(place_id) == "country":
        return place_id
    return next((a for a in ancestors(place_id) if kind(a) == "country"), None)


# Reading place words -------------------------------------------------------------------------


def lookup(word: str, *, local: bool = True, fuzzy: bool = True) -> tuple[str, ...]:
    """The places a word names: a code (FR, FR-74, CH-GE, 74, 2A, a postal or INSEE code), a name
    of any level in French or English, or a name with its code ("Paris (75)"); several places
    when the name is ambiguous ("Jura"), none when it names no place."""
    text = word.strip()
    if not text:
        return ()
    upper = text.upper()
    coarse = _coarse()
    if upper in coarse.places and (len(upper) > 2 or text.isupper() or len(text) == 2):
        return (upper,)
    inside = _PARENTHESIS.match(text)
    if inside:
        outer, hint = lookup(inside.group(1), local=local, fuzzy=fuzzy), inside.group(2)
        narrowed = tuple(p for p in outer if any(contains(h, p) for h in lookup(hint)))
        return narrowed or outer or lookup(hint, local=local, fuzzy=False)
    key = fold(text)
    if _DEPARTMENT_NUMBER.match(key):
        department = _department_id(key.upper())
        return (department,) if department in coarse.places else ()
    if _POSTAL.match(key):
        return tuple(_local().names.get(key, ())) if local else ()
    for candidate in dict.fromkeys((key, _PREFIX.sub("", key))):
        if candidate in coarse.names:
            return _most_precise_first(coarse.names[candidate])
        if local and candidate in _local().names:
            return tuple(_local().names[candidate])
    if fuzzy and len(key) >= 5:
        best = process.extractOne(key, list(coarse.names), scorer=fuzz.ratio, score_cutoff=90)
        if best:
            return tuple(coarse.names[best[0]])
    return ()


def _most_precise_first(ids: list[str]) -> tuple[str, ...]:
    order = {k: i for i, k in enumerate(KINDS)}
    return tuple(sorted(ids, key=lambda i: order.get(kind(i) or "", len(KINDS))))


# Load once: the pattern of every place name, compiled once per process (not a performance cache).
@cache
def _text_pattern() -> re.Pattern[str]:
    """Every name of a place above the commune in a text (each name's words, spaces or hyphens)."""
    coarse = _coarse()
    names = [n for n in coarse.names if not n.isdigit() and (len(n) >= 3 or n not in coarse.lower)]
    names.sort(key=len, reverse=True)
    words = "|".join(r"[\s\-’']+".join(map(re.escape, n.split())) for n in names)
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)")


# Load once per population threshold: the pattern of the communes' names, compiled once per process
# (1.8 s at first use: docs/benchmarks.md, issue 12, `python -m benchmarks.ui_benchmark`; `funding
# serve` compiles it before it listens). Not a performance cache.
@lru_cache(maxsize=4)
def _town_pattern(population: int) -> tuple[re.Pattern[str], dict[str, list[str]]]:
    """The names of the communes and places of at least `population` inhabitants."""
    local = _local()
    names: dict[str, list[str]] = defaultdict(list)
    for place_id, (kind_, label, _, people) in local.rows.items():
        if kind_ == "commune" and people >= population:
            names[fold(label)].append(place_id)
    keys = sorted((n for n in names if len(n) >= 4), key=len, reverse=True)
    words = "|".join(r"[\s\-’']+".join(map(re.escape, n.split())) for n in keys)
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)"), names


def find_in_text(text: str, *, towns: int | None = None) -> list[tuple[str, int, int]]:
    """Places above the commune named in a text (and, with towns, communes of at least that many
    inhabitants): (place id, start, end), proper nouns only (capitalised, or upper case for an
    acronym), the most precise reading of an ambiguous name."""
    found = []
    lowered = bare(text).replace("’", "'")
    if towns:
        pattern, names = _town_pattern(towns)
        for match in pattern.finditer(lowered):
            if text[match.start() : match.start() + 1].isupper():
                found.extend((p, match.start(), match.end()) for p in names[fold(match.group())])
    for match in _text_pattern().finditer(lowered):
        original = text[match.start() : match.end()]
        key = fold(original)
        if not original[:1].isupper() or (key not in _coarse().lower and not original.isupper()):
            continue
        ids = _coarse().names.get(key)
        if ids and not any(a <= match.start() < b for _, a, b in found):
            found.append((_most_precise_first(ids)[0], match.start(), match.end()))
    return sorted(found, key=lambda f: f[1])


def most_precise(ids: frozenset[str] | set[str]) -> frozenset[str]:
    """The places of a set that hold none of the others ("Annemasse", not "Haute-Savoie" too)."""
    return frozenset(p for p in ids if not any(q != p and contains(p, q) for q in ids))
