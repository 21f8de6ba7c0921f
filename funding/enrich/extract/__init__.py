"""What a call's source does not state, read from the call's own text, always with its evidence.

`extract` proposes values only for fields the record leaves empty; `apply_extractions` records every
proposal for the staff review queue and fills the empty fields with the confident ones.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from funding.enrich.extract.apply import FILLABLE, apply_extractions
from funding.enrich.extract.geography import country_groups, country_names, expand_zone, find_places
from funding.enrich.extract.rules import (
    Extraction,
    amounts,
    applicant_types,
    cofinancing_rate,
    deadlines,
    partnership,
    places,
)
from funding.enrich.extract.sentences import Sentence, split_sentences
from funding.errors import NormalizationError
from funding.normalize import html_to_text, looks_like_html, parse_date

__all__ = [
    "FILLABLE",
    "Extraction",
    "apply_extractions",
    "country_groups",
    "country_names",
    "expand_zone",
    "extract",
    "find_places",
    "split_sentences",
]

# Sources that write numeric dates month first (03/04/2026 is March 4).
MONTH_FIRST_SOURCES = {"grants_gov"}


def _get(record: Any, name: str) -> Any:
    if isinstance(record, Mapping):
        if name in record:
            return record[name]
        return (record.get("extra") or {}).get(name)
    value = getattr(record, name, None)
    if value is None and name not in ("extra",):
        value = (getattr(record, "extra", None) or {}).get(name)
    return value


def _missing(record: Any, name: str) -> bool:
    return _get(record, name) in (None, [], "")


def _plain(record: Any, field: str, plain_field: str) -> str | None:
    """A text field as plain text with its line breaks: HTML is read as text (a stored row has it
    already: its plain column is exactly that), plain text is kept as written."""
    value = _get(record, field)
    if not value:
        return _get(record, plain_field)
    if looks_like_html(value):
        return _get(record, plain_field) or html_to_text(value)
    return value


def _sentences(record: Any) -> list[Sentence]:
    texts = [
        ("title", _get(record, "title")),
        ("summary", _plain(record, "summary", "summary_plain")),
        ("eligibility", _plain(record, "eligibility_text", "eligibility_plain")),
        ("amount_text", _get(record, "amount_text")),
    ]
    return [
        s for origin, text in texts if isinstance(text, str) for s in split_sentences(text, origin)
    ]


def _opens_on(record: Any) -> date | None:
    try:
        return parse_date(_get(record, "opens_on"))
    except NormalizationError:
        return None


def extract(record: Any) -> list[Extraction]:
    """Values for the record's empty fields read from its title, summary and eligibility text."""
    sentences = _sentences(record)
    if not sentences:
        return []
    found: list[Extraction] = []
    if _missing(record, "applicant_types"):
        found += applicant_types(sentences)
    if _missing(record, "partnership_required"):
        found += partnership(sentences, want_count=_missing(record, "min_partners"))
    elif _get(record, "partnership_required") is True and _missing(record, "min_partners"):
        found += [e for e in partnership(sentences, want_count=True) if e.field == "min_partners"]
    if _missing(record, "cofinancing_rate_max"):
        found += cofinancing_rate(sentences)
    want_award = _missing(record, "amount_min") and _missing(record, "amount_max")
    want_total = _missing(record, "total_budget")
    if want_award or want_total:
        money = amounts(
            sentences,
            want_award=want_award,
            want_total=want_total,
            currency=_get(record, "currency"),
            stated_total=_get(record, "total_budget"),
        )
        found += money
    if _missing(record, "deadlines"):
        source = _get(record, "source") or str(_get(record, "id") or "").split(":", 1)[0]
        order = "MDY" if source in MONTH_FIRST_SOURCES else "DMY"
        found += deadlines(sentences, order=order, opens_on=_opens_on(record))
    want_applicants = _missing(record, "applicant_countries")
    want_zones = _missing(record, "intervention_zones")
    if want_applicants or want_zones:
        found += places(sentences, applicants=want_applicants, zones=want_zones)
    return found
