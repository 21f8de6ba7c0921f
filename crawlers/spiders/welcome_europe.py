"""Welcome Europe: EU calls for proposals as its WordPress site exports them (post_title,
permalink, banner_budget, deadline1, dates_open-N, info_* HTML fields), written in French.

Endpoint as Aides-territoires' importer names it, unverified; check with
`funding sources check welcome_europe`.
"""

import html
import re
from typing import Any, ClassVar

from crawlers.spiders._json_feed import (
    JsonFeedSpider,
    amount_bounds,
    clean_url,
    day,
    html_parts,
    labels,
    plain,
)

DEADLINE_FIELDS = (
    "deadline1",
    "dates_deadline1",
    "dates_deadline-2",
    "dates_deadline-3",
    "dates_deadline-4",
)
OPENING_FIELDS = tuple(f"dates_open-{n}" for n in range(1, 6))
# The heading Welcome Europe puts before the eligibility conditions in info_priories.
_ELIGIBILITY = re.compile(
    r"<span[^>]*>\s*<strong>\s*[EÉ]ligibilit[ée]\s*</strong>\s*</span>", re.IGNORECASE
)
_ITEM = re.compile(r"<li>(.*?)</li>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


class WelcomeEuropeSpider(JsonFeedSpider):
    """Every call of the export; the funder is the one each call names (info_responsible)."""

    name = "welcome_europe"
    default_base_url = "https://www.welcomeurope.com"
    feed_path: ClassVar[str] = "/wp-content/themes/welcomeurope/assets/json/calls-project-fr.json"
    funder = None  # an aggregator: each call states its own funder

    def parse_record(self, record: dict) -> dict:
        priorities, eligibility = self._split_priorities(record.get("info_priories"))
        amount = _line(record.get("info_amount"), "Montant de la subvention")
        return {
            "id": self.source_id(record["ID"]) if record.get("ID") else None,
            "source": self.name,
            "url": clean_url(record.get("permalink")),
            "title": plain(record.get("post_title")),
            "summary": html_parts(record.get("banner_chapeau"), priorities),
            "eligibility_text": html_parts(eligibility, record.get("info_info-regions")),
            "funder": plain(record.get("info_responsible")) or self.funder,
            "programme": plain(record.get("relations_programmes")),
            "language": "fr",
            "instrument": plain(record.get("info_categorie")),
            "opens_on": self._parse_opens_on(record),
            "deadlines": self._parse_deadlines(record),
            "total_budget": plain(record.get("banner_budget")),
            **self._parse_grant_size(amount),
            "cofinancing_rate_max": _line(record.get("info_amount"), "Taux de cofinancement"),
            "applicant_types": _split(record.get("filtres_beneficiaries")),
            "applicant_countries": self._parse_applicant_countries(record),
            "themes": _split(record.get("filtres_sectors")),
            "call_identifier": plain(record.get("info_references")),
        }

    def _parse_opens_on(self, record: dict) -> str | None:
        """The first opening (a call with several rounds lists one date per round)."""
        return next((day(record[f]) for f in OPENING_FIELDS if plain(record.get(f))), None)

    def _parse_deadlines(self, record: dict) -> list[str] | None:
        return labels([day(record.get(f)) for f in DEADLINE_FIELDS if plain(record.get(f))])

    def _parse_grant_size(self, text: str | None) -> dict[str, Any]:
        """'entre 750 000 et 1 million d'euro' -> 750,000 to 1,000,000; a misprint ('400 00') is left out."""
        if not text:
            return {}
        return amount_bounds(text)

    def _parse_applicant_countries(self, record: dict) -> list[str] | None:
        """The listed eligible countries ('Pays éligibles au programme : <ul><li>Ouganda</li>')."""
        return labels(
            [_TAGS.sub("", item) for item in _ITEM.findall(record.get("info_info-regions") or "")]
        )

    def _split_priorities(self, value: Any) -> tuple[str | None, str | None]:
        """info_priories holds objectives, priorities... and, last, the eligibility conditions."""
        if not isinstance(value, str) or not value.strip():
            return None, None
        parts = _ELIGIBILITY.split(value, maxsplit=1)
        if len(parts) == 1:
            return value.strip(), None
        return parts[0].strip() or None, parts[1].strip() or None


def _split(value: Any) -> list[str] | None:
    """'Citoyenneté &amp; Droits Humains;Coopération &amp; Développement' -> two labels."""
    return labels(html.unescape(value).split(";")) if isinstance(value, str) else None


def _line(value: Any, label: str) -> str | None:
    """The text after 'label :' in one <li> of an HTML list ('Taux de cofinancement : jusqu'à 90%')."""
    for item in _ITEM.findall(value or ""):
        text = plain(_TAGS.sub(" ", item)) or ""
        if text.lower().startswith(label.lower()):
            return text[len(label) :].lstrip(" :") or None
    return None
