"""One call in full: every field, where it was seen, what changed and when, and calls like it."""

from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from funding.contracts.fields import CONTRACT_FIELDS, field_name
from funding.contracts.records import to_contract
from funding.contracts.status import next_deadline
from funding.i18n import t
from funding.matching import more_like_this
from funding.normalize import format_amount, format_date
from funding.store.opportunities import field_history, get_opportunity, sources_of
from funding.views.presentation import deadline_label, opportunity_status

MONEY = {"amount_min", "amount_max", "total_budget"}


def show_value(name: str, value: Any, *, currency: str = "EUR", lang: str = "fr") -> str:
    """A stored value as plain text for people: dates and amounts in their language."""
    if value is None or value == [] or value == "":
        return ""
    if name in MONEY and isinstance(value, int | float):
        return format_amount(value, currency, lang)
    if name == "cofinancing_rate_max" and isinstance(value, int | float):
        return f"{round(value * 100)} %"
    if isinstance(value, date | datetime):
        return format_date(value if isinstance(value, date) else value.date(), lang)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[:4].isdigit():
        try:
            return format_date(date.fromisoformat(value), lang)
        except ValueError:
            return value
    if isinstance(value, bool):
        return {"fr": ("non", "oui"), "en": ("no", "yes")}.get(lang, ("no", "yes"))[value]
    if isinstance(value, list):
        return ", ".join(show_value(name, v, currency=currency, lang=lang) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def opportunity_details(
    session: Session, opportunity_id: str, *, as_of: date, lang: str = "fr", similar: int = 8
) -> dict[str, Any] | None:
    """Everything the call page shows, as plain values (cacheable); None when there is no such call.

    similar=0 leaves the similar calls out (the page asks for them apart with `similar_calls`, so
    the call shows before that full-text query ends)."""
    o = get_opportunity(session, opportunity_id)
    if o is None:
        return None
    currency = o.currency or "EUR"
    record = to_contract(o)
    fields = [
        {
            "field": field_name(name, lang),
            "value": show_value(name, record.get(name), currency=currency, lang=lang),
        }
        for name in CONTRACT_FIELDS
        if name not in ("title", "url") and record.get(name) not in (None, [], "")
    ]
    deadline = next_deadline(o.deadlines, as_of)
    sources = [
        {
            "source": s.source,
            "url": s.source_url or "",
            "first_seen": format_date(s.first_seen_at.date(), lang),
            "last_seen": format_date(s.last_seen_at.date(), lang),
        }
        for s in sources_of(session, o.id)
    ]
    history = [
        {
            "when": format_date(c.changed_at.date(), lang),
            "field": field_name(c.field, lang),
            "before": show_value(c.field, c.old_value, currency=currency, lang=lang),
            "after": show_value(c.field, c.new_value, currency=currency, lang=lang),
            "by": c.changed_by,
        }
        for c in field_history(session, o.id)
        if c.field not in ("summary_plain", "eligibility_plain", "deadline_first", "deadline_last")
    ]
    like = similar_calls(session, o.id, limit=similar) if similar > 0 else []
    return {
        "id": o.id,
        "title": o.title,
        "url": o.url,
        "funder": o.funder or "",
        "summary": o.summary_plain or "",
        "eligibility": o.eligibility_plain or "",
        "status": t(opportunity_status(o, as_of), lang),
        "next_deadline": deadline_label(o, as_of=as_of, lang=lang),
        "days_left": (deadline - as_of).days if deadline else None,
        "amount": format_amount(o.amount_max, currency, lang),
        "merged_into": o.merged_into,
        "edited_fields": list(o.edited_fields or ()),
        "fields": fields,
        "sources": sources,
        "history": history,
        "similar": like,
    }


def similar_calls(session: Session, opportunity_id: str, *, limit: int = 8) -> list[dict[str, Any]]:
    """The calls most like this one (`funding.matching.more_like_this`), as plain values."""
    try:
        return [s.to_dict() for s in more_like_this(session, opportunity_id, limit=limit)]
    except KeyError:
        return []


def history_sentence(change: dict[str, str], lang: str = "fr") -> str:
    """'échéances : 15 avril 2026 → 1 mai 2026 (le 3 mars 2026, eu_sedia)'."""
    before = change["before"] or "∅"
    after = change["after"] or "∅"
    on = t("changed_on", lang)
    return f"{change['field']} : {before} → {after} ({on} {change['when']}, {change['by']})"
