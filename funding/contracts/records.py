"""The opportunity contract: validating an incoming record and turning it into a stored row."""

import hashlib
import re
from datetime import date
from typing import Annotated, Any

import orjson
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from funding.contracts.fields import CONTENT_COLUMNS, CONTRACT_FIELDS, WORD_FIELDS
from funding.errors import FundingError, NormalizationError
from funding.normalize import (
    html_to_text,
    looks_like_html,
    map_term,
    map_terms,
    parse_amount,
    parse_date,
    parse_rate,
    split_words,
)
from funding.normalize.text import unglue

# Contract enums whose source word is kept beside the canonical value; an export carries those
# words in the extra field SOURCE_WORDS so that importing an export changes nothing.
SOURCE_WORDS = "source_words"


LANGUAGES = {
    "fr": "fr",
    "en": "en",
    "french": "fr",
    "francais": "fr",
    "français": "fr",
    "english": "en",
    "anglais": "en",
    "de": "de",
    "it": "it",
    "es": "es",
}
CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "CHF": "CHF", "FR.": "CHF"}
TRUE_WORDS = {"true", "yes", "oui", "1", "vrai", "y", "o"}
# The contract's limits, checked before the database sees a value (the columns' sizes).
MAX_ID = 255
MAX_SOURCE = 100
MAX_PARTNERS = 1000
FALSE_WORDS = {"false", "no", "non", "0", "faux", "n"}


class RecordError(FundingError):
    """A record that does not meet the contract; `problems` is a list of (field path, reason)."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{where}: {why}" if where else why for where, why in problems))


def _reason(exc: Exception) -> PydanticCustomError:
    return PydanticCustomError("funding", "{reason}", {"reason": str(exc)})


def _date(value: Any) -> date | None:
    try:
        return parse_date(value)
    except NormalizationError as exc:
        raise _reason(exc) from None


def _dates(value: Any) -> Any:
    if isinstance(value, str):
        value = [part for part in re.split(r"[;|\n]", value) if part.strip()]
    if isinstance(value, list | tuple) and not value:
        return None
    return value


def _amount(value: Any) -> float | None:
    if isinstance(value, bool):
        raise PydanticCustomError("funding", "{reason}", {"reason": f"'{value}' is not an amount"})
    try:
        money = parse_amount(value)
    except NormalizationError as exc:
        raise _reason(exc) from None
    return None if money is None else money.amount


def _rate(value: Any) -> float | None:
    try:
        return parse_rate(value)
    except NormalizationError as exc:
        raise _reason(exc) from None


def _words(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        words = split_words(value)
    elif isinstance(value, list | tuple):
        words = []
        for item in value:
            if not isinstance(item, str):
                raise PydanticCustomError(
                    "funding", "{reason}", {"reason": f"{item!r} is not text"}
                )
            words.extend(w for w in split_words(item) if w not in words)
    else:
        raise PydanticCustomError("funding", "{reason}", {"reason": f"{value!r} is not a list"})
    return words or None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise PydanticCustomError("funding", "{reason}", {"reason": f"{value!r} is not text"})
    return value.strip() or None


def _required_text(value: Any) -> str:
    text = _text(value)
    if text is None:
        raise PydanticCustomError("funding", "{reason}", {"reason": "is empty"})
    return text


def _bounded(value: str | None, limit: int) -> str | None:
    if value is not None and len(value) > limit:
        raise PydanticCustomError(
            "funding", "{reason}", {"reason": f"is longer than {limit} characters ({len(value)})"}
        )
    return value


def _id(value: Any) -> str:
    return _bounded(_required_text(value), MAX_ID)  # type: ignore[return-value]


def _source(value: Any) -> str | None:
    return _bounded(_text(value), MAX_SOURCE)


def _url(value: Any) -> str:
    url = _required_text(value)
    if not re.match(r"https?://[^\s/]+", url, re.IGNORECASE):
        raise PydanticCustomError(
            "funding", "{reason}", {"reason": f"'{url}' is not an absolute http(s) URL"}
        )
    return url


def _language(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    code = LANGUAGES.get(text.lower())
    if code is None:
        raise PydanticCustomError(
            "funding", "{reason}", {"reason": f"'{text}' is not a language code such as fr or en"}
        )
    return code


def _currency(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    code = CURRENCY_SYMBOLS.get(text.upper(), text.upper())
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise PydanticCustomError(
            "funding", "{reason}", {"reason": f"'{text}' is not an ISO 4217 currency code"}
        )
    return code


def _boolean(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text == "":
        return None
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise PydanticCustomError("funding", "{reason}", {"reason": f"'{value}' is not yes or no"})


def _count(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip()) if len(str(value)) <= 20 else 0
    except ValueError:
        number = 0
    if isinstance(value, bool) or not 1 <= number <= MAX_PARTNERS:
        shown = str(value) if len(str(value)) <= 40 else f"{str(value)[:40]}…"
        raise PydanticCustomError(
            "funding",
            "{reason}",
            {"reason": f"'{shown}' is not a number of partners (1 to {MAX_PARTNERS})"},
        )
    return number


Text = Annotated[str | None, BeforeValidator(_text)]
RequiredText = Annotated[str, BeforeValidator(_required_text)]
Date = Annotated[date | None, BeforeValidator(_date)]
Amount = Annotated[float | None, BeforeValidator(_amount)]
Words = Annotated[list[str] | None, BeforeValidator(_words)]


class OpportunityRecord(BaseModel):
    """One record in the contract format, read leniently (French and English words, dates, amounts)."""

    model_config = ConfigDict(extra="allow")

    id: Annotated[str, BeforeValidator(_id)]
    source: Annotated[str | None, BeforeValidator(_source)] = None
    url: Annotated[str, BeforeValidator(_url)]
    title: RequiredText
    summary: Text = None
    eligibility_text: Text = None
    funder: Text = None
    programme: Text = None
    language: Annotated[str | None, BeforeValidator(_language)] = None
    instrument: Text = None
    status: Text = None
    opens_on: Date = None
    deadlines: Annotated[
        list[Annotated[date, BeforeValidator(_date)]] | None, BeforeValidator(_dates)
    ] = None
    recurrence: Text = None
    currency: Annotated[str | None, BeforeValidator(_currency)] = None
    amount_min: Amount = None
    amount_max: Amount = None
    total_budget: Amount = None
    cofinancing_rate_max: Annotated[float | None, BeforeValidator(_rate)] = None
    applicant_types: Words = None
    applicant_countries: Words = None
    intervention_zones: Words = None
    themes: Words = None
    partnership_required: Annotated[bool | None, BeforeValidator(_boolean)] = None
    min_partners: Annotated[int | None, BeforeValidator(_count)] = None

    @model_validator(mode="before")
    @classmethod
    def _currency_from_amounts(cls, data: Any) -> Any:
        """'3 530 000 €' states the currency too; use it when the record has none."""
        if not isinstance(data, dict) or data.get("currency"):
            return data
        for field in ("amount_max", "amount_min", "total_budget"):
            if isinstance(data.get(field), str):
                try:
                    money = parse_amount(data[field])
                except NormalizationError:
                    continue
                if money and money.currency:
                    return {**data, "currency": money.currency}
        return data


def _describe(error: dict) -> str:
    kind = error["type"]
    if kind == "missing":
        return "is required"
    if kind == "funding":
        return error["ctx"]["reason"]
    if kind in ("list_type", "too_short"):
        return f"{error.get('input')!r} is not a list"
    if kind == "model_type":
        return "is not an object"
    return error["msg"]


def _where(location: tuple) -> str:
    where = ""
    for part in location:
        if isinstance(part, int):
            where += f"[{part}]"
        elif not part.startswith("function-") and "[" not in part:
            where += ("." if where else "") + part
    return where


def validate_record(data: Any) -> OpportunityRecord:
    """Check one incoming record; raise RecordError naming every bad field and why."""
    if not isinstance(data, dict):
        raise RecordError(
            [("", f"expected an object with id, title and url, got {type(data).__name__}")]
        )
    try:
        return OpportunityRecord.model_validate(without_nul(data))
    except ValidationError as exc:
        raise RecordError(validation_problems(exc)) from None


def without_nul(value: Any) -> Any:
    """The record without NUL characters, which PostgreSQL refuses in text and JSON (both
    databases get the same values); a record without any is returned as it is."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict | list) and not _has_nul(value):
        return value
    if isinstance(value, dict):
        pairs = [(without_nul(k), without_nul(v), k, v) for k, v in value.items()]
        if all(k is key and v is item for k, v, key, item in pairs):
            return value
        return {k: v for k, v, _, _ in pairs}
    if isinstance(value, list):
        cleaned = [without_nul(v) for v in value]
        return value if all(a is b for a, b in zip(cleaned, value, strict=True)) else cleaned
    return value


def _has_nul(value: dict | list) -> bool:
    """One C pass over the whole record (orjson writes NUL as \\u0000) instead of a Python walk."""
    try:
        return b"\\u0000" in orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=str)
    except TypeError:  # nested too deeply or odd types: look field by field
        return True


def validation_problems(exc: ValidationError) -> list[tuple[str, str]]:
    """pydantic's errors as (field path, reason in words): 'deadlines[1]', "'31/02/2026' is not a date"."""
    problems: list[tuple[str, str]] = []
    for error in exc.errors():
        item = (_where(error["loc"]), _describe(error))
        if item not in problems:
            problems.append(item)
    return problems


# Sources whose texts come with headings glued to the next word (funding.normalize.text.unglue).
GLUED_SOURCES = {"eu_sedia"}


def _plain(value: str | None, source: str | None = None) -> str | None:
    if value is None:
        return None
    plain = html_to_text(value) if looks_like_html(value) else " ".join(value.split())
    return unglue(plain) if source in GLUED_SOURCES else plain


def to_row(record: OpportunityRecord) -> dict[str, Any]:
    """The stored columns for a valid record: normalised, canonical words beside raw ones, hashed."""
    extra = dict(record.model_extra or {})
    words = extra.pop(SOURCE_WORDS, None) or {}
    applicant_types, applicant_types_raw = map_terms("applicant_type", record.applicant_types)
    deadlines = sorted({d.isoformat() for d in record.deadlines or ()}) or None
    source = record.source or (record.id.split(":", 1)[0] if ":" in record.id else None)
    row: dict[str, Any] = {
        "id": record.id,
        "source": source,
        "url": record.url,
        "title": record.title,
        "summary": record.summary,
        "summary_plain": _plain(record.summary, source),
        "eligibility_text": record.eligibility_text,
        "eligibility_plain": _plain(record.eligibility_text, source),
        "funder": record.funder,
        "programme": record.programme,
        "language": record.language,
        "opens_on": record.opens_on,
        "deadlines": deadlines,
        "deadline_first": date.fromisoformat(deadlines[0]) if deadlines else None,
        "deadline_last": date.fromisoformat(deadlines[-1]) if deadlines else None,
        "currency": record.currency or ("EUR" if _has_amount(record) else None),
        "amount_min": record.amount_min,
        "amount_max": record.amount_max,
        "total_budget": record.total_budget,
        "cofinancing_rate_max": record.cofinancing_rate_max,
        "applicant_types": applicant_types or None,
        "applicant_types_raw": applicant_types_raw or None,
        "applicant_countries": record.applicant_countries,
        "intervention_zones": record.intervention_zones,
        "themes": record.themes,
        "partnership_required": record.partnership_required,
        "min_partners": record.min_partners,
        "extra": extra or None,
    }
    for field, column in WORD_FIELDS.items():
        word = getattr(record, field)
        kind = "status" if field == "status" else field
        row[column] = map_term(kind, word)
        row[f"{column}_raw"] = words.get(field, word) if word is not None else None
    row["content_hash"] = content_hash(row)
    return row


def _has_amount(record: OpportunityRecord) -> bool:
    return any(v is not None for v in (record.amount_min, record.amount_max, record.total_budget))


def content_hash(row: dict[str, Any]) -> str:
    """A digest of what the source states, so an unchanged record costs one comparison."""
    encoded = orjson.dumps(
        [row.get(column) for column in CONTENT_COLUMNS], option=orjson.OPT_SORT_KEYS
    )
    return hashlib.blake2b(encoded, digest_size=20).hexdigest()


def raw_hash(data: Any) -> str:
    """A digest of a record exactly as received."""
    encoded = orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)
    return hashlib.blake2b(encoded, digest_size=20).hexdigest()


def to_contract(opportunity: Any) -> dict[str, Any]:
    """A stored opportunity back in the contract format; importing it again changes nothing."""
    record: dict[str, Any] = {
        "id": opportunity.id,
        "source": opportunity.source,
        "url": opportunity.url,
        "title": opportunity.title,
        "summary": opportunity.summary,
        "eligibility_text": opportunity.eligibility_text,
        "funder": opportunity.funder,
        "programme": opportunity.programme,
        "language": opportunity.language,
        "opens_on": opportunity.opens_on.isoformat() if opportunity.opens_on else None,
        "deadlines": opportunity.deadlines,
        "currency": opportunity.currency,
        "amount_min": opportunity.amount_min,
        "amount_max": opportunity.amount_max,
        "total_budget": opportunity.total_budget,
        "cofinancing_rate_max": opportunity.cofinancing_rate_max,
        "applicant_types": opportunity.applicant_types_raw,
        "applicant_countries": opportunity.applicant_countries,
        "intervention_zones": opportunity.intervention_zones,
        "themes": opportunity.themes,
        "partnership_required": opportunity.partnership_required,
        "min_partners": opportunity.min_partners,
    }
    words = {}
    for field, column in WORD_FIELDS.items():
        canonical, raw = getattr(opportunity, column), getattr(opportunity, f"{column}_raw")
        record[field] = canonical if canonical is not None else raw
        if raw is not None and raw != record[field]:
            words[field] = raw
    extra = dict(opportunity.extra or {})
    if words:
        extra[SOURCE_WORDS] = words
    return {**{k: record[k] for k in CONTRACT_FIELDS}, **extra}
