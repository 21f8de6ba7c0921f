"""An opportunity's status as of a given day, computed from its dates, never assumed."""

from datetime import date
from typing import Any

from sqlalchemy import and_, case, or_

STATUSES = ("forthcoming", "open", "closed", "unknown")


def compute_status(
    *,
    opens_on: date | None,
    deadline_last: date | None,
    recurrence: str | None,
    as_of: date,
    source_status: str | None = None,
) -> str:
    """forthcoming / open / closed from the dates; a call with no known deadline is unknown."""
    if opens_on is not None and opens_on > as_of:
        return "forthcoming"
    if deadline_last is not None:
        if deadline_last < as_of:
            return "closed"
        if opens_on is None and source_status == "forthcoming":
            return "forthcoming"
        return "open"
    if recurrence == "permanent":
        return "open"
    return "unknown"


def status_of(call: Any, as_of: date) -> str:
    """compute_status of anything with the dates it reads (an Opportunity, a CallFacts...)."""
    return compute_status(
        opens_on=call.opens_on,
        deadline_last=call.deadline_last,
        recurrence=call.recurrence,
        as_of=as_of,
        source_status=call.source_status,
    )


def status_expression(model: Any, as_of: date):
    """The same rule as compute_status, as SQL, so lists can filter and count by status."""
    return case(
        (and_(model.opens_on.is_not(None), model.opens_on > as_of), "forthcoming"),
        (and_(model.deadline_last.is_not(None), model.deadline_last < as_of), "closed"),
        (
            and_(
                model.deadline_last.is_not(None),
                model.opens_on.is_(None),
                model.source_status == "forthcoming",
            ),
            "forthcoming",
        ),
        (or_(model.deadline_last.is_not(None), model.recurrence == "permanent"), "open"),
        else_="unknown",
    )


def next_deadline(deadlines: list[str] | None, as_of: date) -> date | None:
    """The first deadline on or after as_of, if any."""
    for value in deadlines or ():
        day = date.fromisoformat(value)
        if day >= as_of:
            return day
    return None
