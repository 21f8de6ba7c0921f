"""The partnership profile contract (profile.schema.json), read leniently, errors naming the field."""

import json
import re
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from funding.contracts.records import validation_problems
from funding.errors import FundingError, NormalizationError
from funding.normalize import parse_amount, parse_date, parse_rate, split_words

STAGES = {
    "idea": "idea",
    "idee": "idea",
    "idée": "idea",
    "design": "design",
    "conception": "design",
    "montage": "design",
    "pilot": "pilot",
    "pilote": "pilot",
    "experimentation": "pilot",
    "expérimentation": "pilot",
    "scale_up": "scale_up",
    "scale-up": "scale_up",
    "scale up": "scale_up",
    "changement d'echelle": "scale_up",
    "changement d'échelle": "scale_up",
}
ROLES = {
    "lead": "lead",
    "chef de file": "lead",
    "coordinator": "lead",
    "coordinateur": "lead",
    "partner": "partner",
    "partenaire": "partner",
    "co-applicant": "partner",
}


class ProfileError(FundingError):
    """A profile that does not meet the contract; `problems` is a list of (field path, reason)."""

    def __init__(
        self, problems: list[tuple[str, str]], json_error: json.JSONDecodeError | None = None
    ):
        self.problems = problems
        self.json_error = json_error  # where the file stops being JSON (line, column, reason)
        super().__init__("; ".join(f"{where}: {why}" if where else why for where, why in problems))


def _fail(reason: str) -> PydanticCustomError:
    return PydanticCustomError("funding", "{reason}", {"reason": reason})


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise _fail(f"{value!r} is not a text")
    return str(value).strip() or None


def _required(value: Any) -> str:
    text = _text(value)
    if text is None:
        raise _fail("is required")
    return text


def _words(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return split_words(value)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(f"{value!r} is not a list of words")
    return [v.strip() for v in value if v.strip()]


def _amount(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        money = parse_amount(value)
    except NormalizationError as exc:
        raise _fail(str(exc)) from None
    if money is None or money.amount < 0:
        raise _fail(f"{value!r} is not an amount")
    return float(money.amount)


def _rate(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return parse_rate(value)
    except NormalizationError as exc:
        raise _fail(str(exc)) from None


def _day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    try:
        return parse_date(value)
    except NormalizationError as exc:
        raise _fail(str(exc)) from None


def _choice(table: dict[str, str], what: str):
    def check(value: Any) -> str | None:
        text = _text(value)
        if text is None:
            return None
        found = table.get(text.lower().replace("_", " ")) or table.get(text.lower())
        if found is None:
            raise _fail(f"'{text}' is not a {what} ({', '.join(sorted(set(table.values())))})")
        return found

    return check


def _count(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _fail(f"{value!r} is not a number")
    try:
        number = int(str(value).replace(" ", "").replace("\u202f", ""))
    except ValueError:
        raise _fail(f"{value!r} is not a whole number") from None
    if number < 0 or number > 10_000_000:
        raise _fail(f"{value!r} is not a number of employees")
    return number


Text = Annotated[str | None, BeforeValidator(_text)]
Words = Annotated[list[str], BeforeValidator(_words)]
Amount = Annotated[float | None, BeforeValidator(_amount)]


def _lookup(text: str, country: str | None) -> tuple[str, ...]:
    """A place word, read in a country first ("GE" is the canton of Geneva for a Swiss partner)."""
    from funding.territory import places

    coded = places.lookup(f"{country}-{text}") if country and len(text) <= 3 else ()
    return coded or places.lookup(text)


def _place(kinds: tuple[str, ...], what: str, country: str | None = None):
    """A place field of a partner: kept as written, checked to name a place of one of the kinds."""

    def check(value: Any) -> str | None:
        from funding.territory import places

        text = _text(value)
        if text is None:
            return None
        found = [p for p in _lookup(text, country) if places.kind(p) in kinds]
        if country:
            found = [p for p in found if places.country_of(p) == country]
        if not found:
            raise _fail(f"'{text}' is not {what}")
        return text

    return check


class Partner(BaseModel):
    """One member of the consortium: its type in free words, where it is established (country, and
    below it région, département, commune or postal code, canton), its role."""

    model_config = ConfigDict(extra="allow")

    name: Text = None
    type: Annotated[str, BeforeValidator(_required)]
    country: Text = None
    region: Text = None
    department: Annotated[
        str | None,
        BeforeValidator(
            _place(("department",), "a French département (a name or a number such as 74)", "FR")
        ),
    ] = None
    commune: Annotated[
        str | None, BeforeValidator(_place(("commune",), "a commune (a name or an INSEE code)"))
    ] = None
    postal_code: Annotated[
        str | None,
        BeforeValidator(_place(("commune",), "a French postal code (five digits)", "FR")),
    ] = None
    canton: Annotated[
        str | None,
        BeforeValidator(_place(("canton",), "a Swiss canton (a name or a code such as GE)", "CH")),
    ] = None
    employees: Annotated[int | None, BeforeValidator(_count)] = None
    sector: Text = None
    role: Annotated[Literal["lead", "partner"] | None, BeforeValidator(_choice(ROLES, "role"))] = (
        None
    )

    @field_validator("country", mode="after")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        from funding.territory import places

        if value is None:
            return None
        code = places.country_code(value)
        if code is None:
            raise _fail(f"'{value}' is not a country (ISO 3166-1 alpha-2 such as FR, or a name)")
        return code

    def label(self, index: int) -> str:
        return self.name or f"{self.type} #{index + 1}"

    # Kept: `python -m benchmarks.cache_benchmark --workloads match` (7 profiles ranked twice
    # over 10,000 calls, CPU): without it 5.4 → 8.7 s the first pass, 0.93 → 4.5 s the second.
    @cached_property
    def seat(self) -> frozenset[str]:
        """Where the partner is established, as precisely as it says (places of funding.territory),
        or as its name says when that is more precise ("Association Nature Aravis – Haute-Savoie")."""
        stated = _seat(
            self.country, self.region, self.department, self.commune, self.postal_code, self.canton
        )
        return _narrowed(stated, _named_in_name(self.name or ""))


class Profile(BaseModel):
    """A consortium and the project it wants funded, as `funding match --profile` reads it."""

    model_config = ConfigDict(extra="allow")

    name: Annotated[str, BeforeValidator(_required)]
    partners: list[Partner]
    project: Text = None
    themes: Words = []
    keywords: Words = []
    intervention_countries: Words = []
    intervention_places: Words = []
    stage: Annotated[
        Literal["idea", "design", "pilot", "scale_up"] | None,
        BeforeValidator(_choice(STAGES, "stage")),
    ] = None
    amount_min: Amount = None
    amount_max: Amount = None
    cofinancing_available: Annotated[float | None, BeforeValidator(_rate)] = None
    instruments: Words = []
    deadline_after: Annotated[date | None, BeforeValidator(_day)] = None
    languages: Words = []

    @field_validator("partners", mode="after")
    @classmethod
    def _some_partners(cls, value: list[Partner]) -> list[Partner]:
        if not value:
            raise _fail("needs at least one partner")
        if sum(1 for p in value if p.role == "lead") > 1:
            raise _fail("only one partner can be the lead")
        return value

    @property
    def lead(self) -> Partner | None:
        return next((p for p in self.partners if p.role == "lead"), None)

    @property
    def project_places(self) -> frozenset[str]:
        """Where the project takes place, as stated: its countries and places of any level."""
        return _places_of(tuple(self.intervention_countries) + tuple(self.intervention_places))

    @property
    def named_places(self) -> frozenset[str]:
        """Places below a country the project's own words name (towns of 10,000 inhabitants or
        more, départements, régions, cantons, areas such as the Genevois français)."""
        return _named(" ".join(filter(None, (self.name, self.project))))


def _places_of(words: tuple[str, ...]) -> frozenset[str]:
    from funding.territory.scope import read_places

    return read_places(words)[0]


TOWNS = 1_000  # a commune's name is read in a profile's words from this many inhabitants


# Kept: `python -m benchmarks.cache_benchmark --workloads match` (7 profiles ranked twice over
# 10,000 calls, CPU): without it 4.9 → 8.5 s the first pass, 1.0 → 5.1 s the second.
@lru_cache(maxsize=4096)
def _named(text: str) -> frozenset[str]:
    """Places below a country a text names: régions, départements, cantons, areas, and communes
    of TOWNS inhabitants or more whose name is unambiguous (one commune, or two words or more)."""
    from funding.territory import places

    found: dict[tuple[int, int], list[str]] = {}
    for place, start, end in places.find_in_text(text, towns=TOWNS):
        if places.is_local(place):
            found.setdefault((start, end), []).append(place)
    kept = set()
    for (start, end), ids in found.items():
        name, place = text[start:end], places.place(ids[0])
        town = place is not None and place.kind == "commune"
        plain = " " not in name and "-" not in name and len(name) < 7  # maybe a common word
        if len(ids) == 1 and (not town or not plain or (place.population or 0) >= 10_000):
            kept.add(ids[0])
    return frozenset(kept)


_SET_APART = re.compile(r"(?:[–\-(,/]|\b(?:de|du|des|d'|d’|à|a|en))\s*$", re.IGNORECASE)


def _named_in_name(name: str) -> frozenset[str]:
    """The places an organisation's name gives as its seat: set apart ("… – Haute-Savoie",
    "(Annemasse)") or after "de", "à", "en" ("Association des Amis de Lyon"), not inside a brand."""
    from funding.territory import places

    kept = set()
    for place, start, _ in places.find_in_text(name, towns=TOWNS):
        if places.is_local(place) and _SET_APART.search(name[:start]) and place in _named(name):
            kept.add(place)
    return frozenset(kept)


def _narrowed(seat: frozenset[str], named: frozenset[str]) -> frozenset[str]:
    """A seat narrowed to the places a name gives inside it."""
    from funding.territory import places

    inside = frozenset(p for p in named if not seat or any(places.contains(s, p) for s in seat))
    return places.most_precise(inside) if inside else seat


def _seat(country: str | None, *below: str | None) -> frozenset[str]:
    """The most precise of the places a partner gives (a postal code before a département...)."""
    from funding.territory import places

    region, department, commune, postal_code, canton = below
    for word in (postal_code, commune, department, canton, region):
        if not word:
            continue
        found = frozenset(
            p
            for p in _lookup(word, country)
            if country is None or places.country_of(p) in (country, None) or p == country
        )
        if found:
            return found
    return frozenset({country}) if country else frozenset()


def parse_profile(data: Any) -> Profile:
    """Check a profile; raise ProfileError naming every bad field ('partners[1].type: is required')."""
    if isinstance(data, Profile):
        return data
    if not isinstance(data, dict):
        raise ProfileError(
            [("", f"expected an object with name and partners, got {type(data).__name__}")]
        )
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(validation_problems(exc)) from None


MAX_DEPTH = 32  # levels of nesting a profile may have (the contract needs 4; orjson stops at 255)


def profile_data(raw: bytes | str, where: str) -> Any:
    """A profile file's JSON: UTF-8 with or without a BOM (as `funding import` reads); a file in
    another encoding, not JSON or nested too deeply is refused, saying where (`where`: its name)."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            byte = f"byte 0x{raw[exc.start]:02X} at position {exc.start + 1}"
            raise ProfileError([("", f"{where} is not UTF-8 ({byte}): save it as UTF-8")]) from None
    too_deep = ProfileError([("", f"{where} is nested more than {MAX_DEPTH} levels deep")])
    try:
        data = json.loads(raw.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise ProfileError([("", f"{where} is not valid JSON: {exc}")], json_error=exc) from None
    except RecursionError:
        raise too_deep from None
    if _depth(data) > MAX_DEPTH:
        raise too_deep
    return data


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in a JSON value (counted without recursion)."""
    if not isinstance(value, dict | list):
        return 0
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        for child in children:
            if isinstance(child, dict | list):
                if level + 1 > MAX_DEPTH:
                    return level + 1
                todo.append((child, level + 1))
        deepest = max(deepest, level)
    return deepest


def load_profile(path: str | Path) -> Profile:
    """Read a profile from a JSON file."""
    return parse_profile(profile_data(Path(path).read_bytes(), str(path)))
