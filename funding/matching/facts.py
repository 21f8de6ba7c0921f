"""What the matching engine knows of a call: its stored fields, and what is read from them once
(its territory, what its text says of who may apply and of the consortium it wants)."""

from dataclasses import dataclass, field, fields
from datetime import date
from functools import cached_property
from typing import Any

from funding.territory.scope import Scope, call_scope, read_places

# Columns of the opportunity table the engine reads (the rest of a call is loaded only when shown).
COLUMNS = (
    "id",
    "content_hash",
    "source",
    "url",
    "title",
    "funder",
    "programme",
    "language",
    "themes",
    "summary_plain",
    "eligibility_plain",
    "eligibility_text",
    "source_status",
    "partnership_required",
    "min_partners",
    "recurrence",
    "recurrence_raw",
    "opens_on",
    "deadlines",
    "deadline_last",
    "applicant_types",
    "applicant_types_raw",
    "applicant_countries",
    "intervention_zones",
    "instrument",
    "instrument_raw",
    "inferred_fields",
    "currency",
    "amount_min",
    "amount_max",
    "cofinancing_rate_max",
    "embedding_key",
)
# How sure a place read from the call's own text is (the extraction's threshold to fill a field).
EXTRACTED_ZONES = 0.75


@dataclass
class CallFacts:
    """One call as the rules and the relevance read it; None means the source does not say."""

    id: str = "call"
    content_hash: str | None = None
    source: str | None = None
    url: str | None = None
    title: str = ""
    funder: str | None = None
    programme: str | None = None
    language: str | None = None
    themes: list[str] | None = None
    summary_plain: str | None = None
    eligibility_plain: str | None = None
    eligibility_text: str | None = None
    source_status: str | None = None
    partnership_required: bool | None = None
    min_partners: int | None = None
    recurrence: str | None = None
    recurrence_raw: str | None = None
    opens_on: date | None = None
    deadlines: list[str] | None = None
    deadline_last: date | None = None
    applicant_types: list[str] | None = None
    applicant_types_raw: list[str] | None = None
    applicant_countries: list[str] | None = None
    intervention_zones: list[str] | None = None
    instrument: str | None = None
    instrument_raw: str | None = None
    inferred_fields: list[str] | None = None
    currency: str | None = None
    amount_min: float | None = None
    amount_max: float | None = None
    cofinancing_rate_max: float | None = None
    embedding_key: str | None = None
    snippets: dict[str, str] = field(default_factory=dict)  # field -> the sentence it was read from
    # What the rules and the relevance read from the call, kept with it (its facts are cached by
    # content hash, so this is computed once per version of the call).
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, row: Any) -> "CallFacts":
        """From a database row or an Opportunity (any object with the columns as attributes)."""
        if isinstance(row, CallFacts):
            return row
        mapping = row._mapping if hasattr(row, "_mapping") else None
        get = mapping.get if mapping is not None else lambda name: getattr(row, name, None)
        found = {name: get(name) for name in COLUMNS}
        if isinstance(found["deadline_last"], str):
            found["deadline_last"] = date.fromisoformat(found["deadline_last"])
        if isinstance(found["opens_on"], str):
            found["opens_on"] = date.fromisoformat(found["opens_on"])
        return cls(**found)

    @property
    def eligibility(self) -> str:
        return self.eligibility_plain or self.eligibility_text or ""

    def inferred(self, name: str) -> bool:
        return name in (self.inferred_fields or ())

    @cached_property
    def scope(self) -> Scope | None:
        """The territory the call is limited to (funding.territory.scope), or None."""
        zones = tuple(self.intervention_zones or ())
        return call_scope(
            zones,
            EXTRACTED_ZONES if self.inferred("intervention_zones") else 0.9,
            self.funder,
            self.title,
            self.programme,
            (self.summary_plain or "")[:600],
        )

    # Kept: `python -m benchmarks.cache_benchmark --workloads match` (7 profiles ranked twice
    # over 10,000 calls, CPU): without it the second pass 0.93 → 1.16 s, 1.05 → 1.30 s (two runs).
    @cached_property
    def applicant_places(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """(the places applicants must be established in, the words that name no place)."""
        return read_places(tuple(self.applicant_countries or ()))


FIELD_NAMES = frozenset(f.name for f in fields(CallFacts))
