"""Find funding: the profile form in the contract format, ranked results people can filter and sort.

The page keeps a profile as a plain dict (the contract of profile.schema.json, what `funding match
--profile` reads); results are `funding.matching.match` rows with display values added, so the
filters and sorting run on a small list without touching the database again.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from funding.matching import match, parse_profile
from funding.matching.profile import profile_data
from funding.normalize import days_left, format_amount
from funding.store.models import Opportunity
from funding.views.presentation import deadline_label

PARTNER_TYPES = (
    "ngo",
    "association",
    "foundation",
    "company",
    "sme",
    "startup",
    "social_enterprise",
    "public_body",
    "local_authority",
    "research",
    "education",
)
ROLES = ("lead", "partner")
STAGES = ("idea", "design", "pilot", "scale_up")
INSTRUMENTS = (
    "grant",
    "loan",
    "guarantee",
    "equity",
    "prize",
    "technical_assistance",
    "tender",
    "other",
)
VERDICTS = ("eligible", "to_verify", "ineligible")
RESULT_LIMIT = 50
PARTNER_FIELDS = ("name", "type", "country", "region", "role")
FORM_FIELDS = (
    "name",
    "project",
    "partners",
    "themes",
    "keywords",
    "intervention_countries",
    "stage",
    "amount_min",
    "amount_max",
    "cofinancing_available",
    "instruments",
)


def theme_names() -> list[str]:
    """The canonical themes of the French/English vocabulary (themes.csv)."""
    from funding.matching.query import themes

    return sorted(themes().words)


def _words(text: str | None) -> list[str]:
    return [
        w.strip() for w in (text or "").replace("\n", ",").replace(";", ",").split(",") if w.strip()
    ]


def profile_from_form(form: dict[str, Any]) -> dict[str, Any]:
    """The contract dict from the form's values (empty values left out: unknown, not 'none').

    `extra` holds what a loaded profile said that the form does not show (deadline_after,
    languages...): it is kept as it was."""
    partners = []
    for partner in form.get("partners", []):
        entry = {k: str(partner.get(k) or "").strip() for k in PARTNER_FIELDS}
        entry = {k: v for k, v in entry.items() if v}
        if entry:
            partners.append(entry)
    profile: dict[str, Any] = dict(form.get("extra") or {})
    profile.update(name=(form.get("name") or "").strip(), partners=partners)
    if (form.get("project") or "").strip():
        profile["project"] = form["project"].strip()
    for key in ("themes", "instruments"):
        if form.get(key):
            profile[key] = list(form[key])
    for key in ("keywords", "intervention_countries"):
        if _words(form.get(key)):
            profile[key] = _words(form.get(key))
    if form.get("stage"):
        profile["stage"] = form["stage"]
    for key in ("amount_min", "amount_max"):
        if form.get(key):
            profile[key] = float(form[key])
    if form.get("cofinancing_available") is not None:
        profile["cofinancing_available"] = round(float(form["cofinancing_available"]), 2)
    return profile


def form_from_profile(profile: dict[str, Any]) -> dict[str, Any]:
    """The form's values for a loaded profile (words lists joined with commas)."""
    return {
        "name": profile.get("name") or "",
        "project": profile.get("project") or "",
        "partners": [
            {k: str(p.get(k) or "") for k in PARTNER_FIELDS}
            for p in profile.get("partners") or []
            if isinstance(p, dict)
        ],
        "themes": list(profile.get("themes") or []),
        "keywords": ", ".join(profile.get("keywords") or []),
        "intervention_countries": ", ".join(profile.get("intervention_countries") or []),
        "stage": profile.get("stage"),
        "amount_min": profile.get("amount_min"),
        "amount_max": profile.get("amount_max"),
        "cofinancing_available": profile.get("cofinancing_available"),
        "instruments": list(profile.get("instruments") or []),
        "extra": {k: v for k, v in profile.items() if k not in FORM_FIELDS},
    }


def read_profile(raw: bytes | str) -> dict[str, Any]:
    """A profile file as uploaded: JSON, checked against the contract (ProfileError names the field)."""
    data = profile_data(raw, "the file")
    parse_profile(data)
    return data


def profile_json(profile: dict[str, Any]) -> str:
    return json.dumps(profile, ensure_ascii=False, indent=2)


def profile_key(profile: dict[str, Any]) -> str:
    """A stable text for a profile, so equal profiles share cached results."""
    return json.dumps(profile, ensure_ascii=False, sort_keys=True)


def ranked(
    session: Session,
    profile: dict[str, Any],
    *,
    as_of: date,
    lang: str = "fr",
    include_ineligible: bool = False,
    limit: int = RESULT_LIMIT,
) -> list[dict[str, Any]]:
    """The calls `funding match` lists for the profile, in its order, with what the result list
    shows (plain values, safe to cache and filter): those that fit first, then the nearest ones
    (row "fits" false); ineligible ones only when asked for."""
    matches = match(
        session, profile, as_of=as_of, limit=limit, include_ineligible=include_ineligible, lang=lang
    )
    rows = []
    for m in matches:
        o = m.opportunity
        row = m.to_dict()
        deadline = m.next_deadline
        currency = o.currency or "EUR"
        row.update(
            amount_min=o.amount_min,
            amount_max=o.amount_max,
            currency=currency,
            amount_label=_amount_label(o.amount_min, o.amount_max, currency, lang),
            instrument=o.instrument,
            language=o.language,
            days_left=days_left(deadline, as_of) if deadline else None,
            deadline_label=deadline_label(o, as_of=as_of, lang=lang),
            permanent=o.recurrence == "permanent",
        )
        rows.append(row)
    return rows


def _amount_label(low: float | None, high: float | None, currency: str, lang: str) -> str:
    if low and high and low != high:
        return f"{format_amount(low, currency, lang)} – {format_amount(high, currency, lang)}"
    return format_amount(high or low, currency, lang)


@dataclass
class Filters:
    """What people narrow results by; empty means everything."""

    statuses: list[str] = field(default_factory=list)
    verdicts: list[str] = field(default_factory=list)
    within_days: int | None = None
    instruments: list[str] = field(default_factory=list)
    funders: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    amount_min: float | None = None
    amount_max: float | None = None
    languages: list[str] = field(default_factory=list)
    sort: str = "score"  # score | deadline


def _amount_fits(row: dict[str, Any], low: float | None, high: float | None) -> bool:
    """A call whose amount is unknown stays (unknown is never a fail); else the ranges overlap."""
    call_low, call_high = row.get("amount_min"), row.get("amount_max")
    if call_low is None and call_high is None:
        return True
    call_low = call_low if call_low is not None else call_high
    call_high = call_high if call_high is not None else call_low
    return (low is None or call_high >= low) and (high is None or call_low <= high)


def apply_filters(
    rows: list[dict[str, Any]], filters: Filters, *, hidden: set[str] = frozenset()
) -> list[dict[str, Any]]:
    """The rows people asked for, without the calls their partnership hid, in the order asked."""
    kept = []
    for row in rows:
        if row["id"] in hidden:
            continue
        if filters.statuses and row["status"] not in filters.statuses:
            continue
        if filters.verdicts and row["verdict"] not in filters.verdicts:
            continue
        if filters.within_days is not None and (
            row["days_left"] is None or row["days_left"] > filters.within_days
        ):
            continue
        if filters.instruments and (row.get("instrument") or "unknown") not in filters.instruments:
            continue
        if filters.funders and (row.get("funder") or "") not in filters.funders:
            continue
        if filters.sources and (row.get("source") or "") not in filters.sources:
            continue
        if filters.languages and (row.get("language") or "") not in filters.languages:
            continue
        if not _amount_fits(row, filters.amount_min, filters.amount_max):
            continue
        kept.append(row)
    if filters.sort == "deadline":
        kept.sort(key=lambda r: (r["days_left"] is None, r["days_left"] or 0, -r["score"]))
    return kept


def facets(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The values present in the results, to offer as filter choices."""

    def values(key: str) -> list[str]:
        return sorted({str(r.get(key)) for r in rows if r.get(key)})

    return {
        "funder": values("funder"),
        "source": values("source"),
        "instrument": values("instrument"),
        "language": values("language"),
    }


def hidden_calls(session: Session, ids: set[str]) -> list[tuple[str, str]]:
    """(id, title) of the calls a partnership hid, to list them with a restore button."""
    if not ids:
        return []
    query = select(Opportunity.id, Opportunity.title).where(col(Opportunity.id).in_(list(ids)))
    return sorted(session.exec(query), key=lambda r: r[1].lower())
