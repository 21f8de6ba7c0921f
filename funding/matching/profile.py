"""The partnership profile contract (profile.schema.json), read leniently, errors naming the field."""

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from funding.errors import FundingError, NormalizationError
from funding.normalize import parse_amount, parse_date, parse_rate, split_words
from funding.records import validation_problems

STAGES = {
    "idea": "idea", "idee": "idea", "idée": "idea",
    "design": "design", "conception": "design", "montage": "design",
    "pilot": "pilot", "pilote": "pilot", "experimentation": "pilot", "expérimentation": "pilot",
    "scale_up": "scale_up", "scale-up": "scale_up", "scale up": "scale_up",
    "changement d'echelle": "scale_up", "changement d'échelle": "scale_up",
}  # fmt: skip
ROLES = {"lead": "lead", "chef de file": "lead", "coordinator": "lead", "coordinateur": "lead",
         "partner": "partner", "partenaire": "partner", "co-applicant": "partner"}  # fmt: skip


class ProfileError(FundingError):
    """A profile that does not meet the contract; `problems` is a list of (field path, reason)."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
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


Text = Annotated[str | None, BeforeValidator(_text)]
Words = Annotated[list[str], BeforeValidator(_words)]
Amount = Annotated[float | None, BeforeValidator(_amount)]


class Partner(BaseModel):
    """One member of the consortium: its type in free words, where it is established, its role."""

    model_config = ConfigDict(extra="allow")

    name: Text = None
    type: Annotated[str, BeforeValidator(_required)]
    country: Text = None
    region: Text = None
    role: Annotated[Literal["lead", "partner"] | None, BeforeValidator(_choice(ROLES, "role"))] = (
        None
    )

    @field_validator("country", mode="after")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        from funding.matching.geo import country_code

        if value is None:
            return None
        code = country_code(value)
        if code is None:
            raise _fail(f"'{value}' is not a country (ISO 3166-1 alpha-2 such as FR, or a name)")
        return code

    def label(self, index: int) -> str:
        return self.name or f"{self.type} #{index + 1}"


class Profile(BaseModel):
    """A consortium and the project it wants funded, as `funding match --profile` reads it."""

    model_config = ConfigDict(extra="allow")

    name: Annotated[str, BeforeValidator(_required)]
    partners: list[Partner]
    project: Text = None
    themes: Words = []
    keywords: Words = []
    intervention_countries: Words = []
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
        raise ProfileError([("", f"{where} is not valid JSON: {exc}")]) from None
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
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
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
