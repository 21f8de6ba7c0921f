"""The opportunity contract's fields, declared once: the field lists the rest of the code uses
(the contract's order, lists, words kept beside their canonical value, stored columns whose
change is history, fields a digest reports) and their names in French and English all derive
from this table."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    fr: str  # its name on the call page, in each language
    en: str
    is_list: bool = False  # a list of values (in CSV: a JSON list or `;`-separated words)
    column: str | None = None  # the stored column, when it is not named as the field
    word: bool = False  # a vocabulary word: the source's own word is kept in `<column>_raw`
    derived: tuple[str, ...] = ()  # columns computed from it (plain text, first and last deadline)
    digest: tuple[str, str] | None = None  # fr, en: a change a digest tells its subscribers


FIELDS = (
    Field("id", "identifiant", "id"),
    Field("source", "source", "source"),
    Field("url", "adresse", "address"),
    Field("title", "titre", "title"),
    Field("summary", "résumé", "summary", derived=("summary_plain",)),
    Field("eligibility_text", "éligibilité", "eligibility", derived=("eligibility_plain",)),
    Field("funder", "financeur", "funder"),
    Field("programme", "programme", "programme"),
    Field("language", "langue", "language"),
    Field("instrument", "instrument", "instrument", word=True),
    Field(
        "status", "statut à la source", "status at the source", column="source_status", word=True
    ),
    Field("opens_on", "ouverture", "opens on"),
    Field(
        "deadlines",
        "échéances",
        "deadlines",
        is_list=True,
        derived=("deadline_first", "deadline_last"),
        digest=("échéance(s)", "deadline(s)"),
    ),
    Field("recurrence", "récurrence", "recurrence", word=True),
    Field("currency", "devise", "currency"),
    Field(
        "amount_min", "montant min.", "min. amount", digest=("montant minimum", "minimum amount")
    ),
    Field(
        "amount_max", "montant max.", "max. amount", digest=("montant maximum", "maximum amount")
    ),
    Field("total_budget", "budget total", "total budget"),
    Field(
        "cofinancing_rate_max",
        "taux de cofinancement max.",
        "max. co-financing rate",
        digest=("taux de cofinancement maximum", "maximum co-financing rate"),
    ),
    Field(
        "applicant_types",
        "types de porteurs",
        "applicant types",
        is_list=True,
        word=True,
        digest=("candidats éligibles", "eligible applicants"),
    ),
    Field(
        "applicant_countries",
        "pays des porteurs",
        "applicants' countries",
        is_list=True,
        digest=("pays des candidats", "applicants' countries"),
    ),
    Field("intervention_zones", "zones d'intervention", "intervention zones", is_list=True),
    Field("themes", "thèmes", "themes", is_list=True),
    Field(
        "partnership_required",
        "partenariat requis",
        "partnership required",
        digest=("partenariat requis", "partnership required"),
    ),
    Field(
        "min_partners",
        "partenaires min.",
        "min. partners",
        digest=("nombre minimum de partenaires", "minimum number of partners"),
    ),
)
BY_NAME = {f.name: f for f in FIELDS}


def _column(f: Field) -> str:
    return f.column or f.name


# The contract's fields, in the schema's order (funding/contracts/opportunity.schema.json).
CONTRACT_FIELDS = tuple(f.name for f in FIELDS)
LIST_FIELDS = frozenset(f.name for f in FIELDS if f.is_list)
# Contract vocabulary fields whose source word is kept beside the canonical value: field -> column.
WORD_FIELDS = {f.name: _column(f) for f in FIELDS if f.word and not f.is_list}
# Stored columns whose change is history: everything a source states, normalised, and its extras.
CONTENT_COLUMNS = (
    *(
        column
        for f in FIELDS
        if f.name != "id"
        for column in (_column(f), *((f"{_column(f)}_raw",) if f.word else ()), *f.derived)
    ),
    "extra",
)
# Changes a digest reports, with their names there (fr, en).
DIGEST_FIELDS = {f.name: f.digest for f in FIELDS if f.digest}
# Derived columns shown on the call page under names of their own.
COLUMN_NAMES = {
    "fr": {"deadline_first": "première échéance", "deadline_last": "dernière échéance"},
    "en": {"deadline_first": "first deadline", "deadline_last": "last deadline"},
}


def field_name(name: str, lang: str) -> str:
    """A field's (or a stored column's) name for people, in their language."""
    lang = "en" if lang == "en" else "fr"
    found = BY_NAME.get(name) or next((f for f in FIELDS if _column(f) == name), None)
    if found is not None:
        return getattr(found, lang)
    return COLUMN_NAMES[lang].get(name, name.replace("_", " "))
