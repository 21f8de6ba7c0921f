"""What lists of opportunities show people: display values in their language, computed in the domain."""

import re
from datetime import date
from typing import Any

from sqlmodel import Session

from funding.contracts.status import next_deadline, status_of
from funding.i18n import t, word
from funding.normalize import format_amount, format_date
from funding.store.models import Opportunity
from funding.store.opportunities import list_opportunities, search


def opportunity_status(opportunity: Opportunity, as_of: date) -> str:
    return status_of(opportunity, as_of)


def deadline_label(opportunity: Opportunity, *, as_of: date, lang: str = "fr") -> str:
    """The next deadline; "permanente" for a permanent aid; a closed call's past deadline
    ("close le 31 mars 2026"); "" when none is known. Every list and page says it this way."""
    deadline = next_deadline(opportunity.deadlines, as_of)
    if deadline is not None:
        return format_date(deadline, lang)
    if opportunity.recurrence == "permanent":
        return t("permanent", lang)
    past = [d for d in opportunity.deadlines or () if d < as_of.isoformat()]
    if past:
        return t("closed_on", lang, day=format_date(date.fromisoformat(max(past)), lang))
    return ""


def display_row(opportunity: Opportunity, *, as_of: date, lang: str = "fr") -> dict[str, Any]:
    """One line of a list: plain text only (funder text is shown as text, never as HTML)."""
    when = deadline_label(opportunity, as_of=as_of, lang=lang)
    return {
        "id": opportunity.id,
        "title": opportunity.title,
        "funder": opportunity.funder or "",
        "status": t(opportunity_status(opportunity, as_of), lang),
        "next_deadline": when,
        "amount_max": format_amount(opportunity.amount_max, opportunity.currency or "EUR", lang),
        "source": word("source", opportunity.source, lang),
        "link": opportunity.url,
    }


def find_opportunities(
    session: Session,
    *,
    query: str = "",
    status: str | None = None,
    as_of: date,
    lang: str = "fr",
    limit: int = 200,
) -> list[dict[str, Any]]:
    """The public list: full-text search when there is a query, else by nearest deadline; calls
    one can still apply to first (open, forthcoming, then to verify, then closed)."""
    if query.strip():
        found = search(session, query, limit=limit * 4 if status else limit)
        if status:
            found = [o for o in found if opportunity_status(o, as_of) == status]
        found = found[:limit]
    else:
        found = []
        for each in (status,) if status else LIST_ORDER:
            found += list_opportunities(session, as_of=as_of, status=each, limit=limit - len(found))
            if len(found) >= limit:
                break
    return [display_row(o, as_of=as_of, lang=lang) for o in found]


LIST_ORDER = ("open", "forthcoming", "unknown", "closed")


def freshness(session: Session, *, as_of: date) -> dict[str, Any]:
    """How fresh the data is: the last day calls were harvested or changed (a crawl that found
    nothing new counts), how many calls are listed, how many of them closed. Indexed reads only
    (a few ms at 100,000 calls)."""
    from sqlmodel import col, func, select

    from funding.contracts.status import status_expression
    from funding.store.models import SourceRun

    listed = col(Opportunity.merged_into).is_(None)
    changed = session.exec(select(func.max(Opportunity.last_changed_at))).one()
    crawled = session.exec(
        select(func.max(SourceRun.finished_at)).where(SourceRun.status == "ok")
    ).one()
    last = max((d for d in (changed, crawled) if d is not None), default=None)
    total = session.exec(select(func.count()).select_from(Opportunity).where(listed)).one()
    closed = session.exec(
        select(func.count())
        .select_from(Opportunity)
        .where(listed, status_expression(Opportunity, as_of) == "closed")
    ).one()
    return {"last_seen": last.date() if last else None, "total": total, "closed": closed}


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
# What GitHub-flavoured Markdown turns into a link by itself: web addresses and e-mail addresses.
_AUTOLINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=www)(?=\.)|(?<=@)(?=[0-9a-z])")
WORD_JOINER = "\u2060"  # invisible, and no address pattern goes through it


def markdown_text(text: object) -> str:
    """Funder text for a Markdown element, shown exactly as typed: every Markdown character
    escaped, and an invisible word joiner where an address would become a link by itself."""
    plain = " ".join(str(text or "").split())
    return _MARKDOWN.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, plain))


# Spreadsheet programs run a cell starting with one of these as a formula (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """A cell a spreadsheet shows as text: a leading ' before a formula character; numbers stay."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
