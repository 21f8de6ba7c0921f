"""Aides-territoires field names -> opportunity contract fields, for every feed written in AT's format.

Aides-territoires (aides-territoires.beta.gouv.fr) publishes aids as `name`, `description`,
`eligibility`, `origin_url`, `targeted_audiences`, `aid_types`, `start_date`,
`submission_deadline`, `recurrence`, `perimeter`, `financers`, `categories`...; the Drôme and Manche
feeds reuse those names. `aid_fields` reads them; the spider adds the id, its funder default and
what its source has beyond AT's fields.
"""

from typing import Any

from crawlers.spiders._json_feed import clean_url, day, html_parts, labels, plain
from funding.normalize import map_term


def aid_fields(aid: dict) -> dict[str, Any]:
    """The contract fields an AT-format aid states; words stay the source's, funding/ maps them."""
    deadline = day(aid.get("submission_deadline"))
    return {
        "url": clean_url(aid.get("origin_url")) or clean_url(aid.get("application_url")),
        "title": plain(aid.get("name")) or plain(aid.get("short_title")),
        "summary": html_parts(aid.get("description")),
        "eligibility_text": html_parts(aid.get("eligibility")),
        "funder": _names(aid.get("financers")),
        "programme": _names(aid.get("programs")),
        "instrument": instrument(aid.get("aid_types")),
        "opens_on": day(aid.get("start_date")),
        "deadlines": [deadline] if deadline else None,
        "recurrence": plain(aid.get("recurrence")),
        "cofinancing_rate_max": _rate(aid),
        "applicant_types": labels(aid.get("targeted_audiences")),
        "intervention_zones": labels(aid.get("perimeter")),
        "themes": labels(aid.get("categories")),
        "aid_types": labels(aid.get("aid_types")),
        "application_url": clean_url(aid.get("application_url")),
        "predeposit_date": day(aid.get("predeposit_date")),
        "is_call_for_project": aid.get("is_call_for_project"),
    }


def instrument(aid_types: Any) -> str | None:
    """The first aid type our vocabulary knows ('Subvention', 'Prêt'...), else the first as given.

    AT lists several types; the contract has one instrument. Every type is kept in `aid_types`.
    """
    types = labels(aid_types) or []
    known = [t for t in types if map_term("instrument", t)]
    return (known or types or [None])[0]


def _names(value: Any) -> str | None:
    """One name from AT's string or list of names (several financers are joined with ', ')."""
    names = labels(value)
    return ", ".join(names) if names else None


def _rate(aid: dict) -> Any:
    """The co-financing ceiling: `subvention_rate` as given, or the API's upper bound."""
    for value in (aid.get("subvention_rate_upper_bound"), aid.get("subvention_rate")):
        if isinstance(value, list | tuple):
            value = next((v for v in reversed(value) if v not in (None, "")), None)
        if value not in (None, ""):
            return value
    return None
