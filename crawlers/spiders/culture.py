"""Ministère de la Culture: its online procedures and calls for projects (démarches et aides).

The feed has odd spacing inside dates and URLs ("2022-07-28T11: 40: 47+02: 00", "https: //www...");
both are mended here. Endpoint unverified; check with `funding sources check culture`.
"""

import re
from typing import Any, ClassVar

from crawlers.spiders._json_feed import (
    JsonFeedSpider,
    amount_bounds,
    clean_html_links,
    clean_url,
    day,
    html_parts,
    labels,
    plain,
)

# An amount shared out among the winners is the call's budget, not one award.
_SHARED = re.compile(r"répartir|enveloppe|budget", re.IGNORECASE)
_REGION_DASHES = re.compile(r"^[\s\-–]+|[\s\-–]+$")


class CultureSpider(JsonFeedSpider):
    """Every procedure and call of the feed; the Ministry runs them all."""

    name = "culture"
    default_base_url = "https://www.culture.gouv.fr"
    feed_path: ClassVar[str] = "/api/demarches-en-ligne/aides"
    funder = "Ministère de la Culture"

    def parse_record(self, record: dict) -> dict:
        deadline = day(record.get("deadline"))
        link = record.get("link") if isinstance(record.get("link"), dict) else {}
        return {
            "id": self.source_id(record["id"]) if record.get("id") is not None else None,
            "source": self.name,
            "url": clean_url(record.get("url")),
            "title": plain(record.get("title")) or plain(record.get("short_title")),
            "summary": clean_html_links(html_parts(record.get("summary"), record.get("body"))),
            "funder": self.funder,
            "language": "fr",
            "instrument": plain((record.get("type") or [None])[0]),
            "deadlines": [deadline] if deadline else None,
            "applicant_types": plain(record.get("public")),
            "intervention_zones": self._parse_intervention_zones(record),
            "themes": labels(record.get("eztag_theme")),
            **self._parse_amounts(record.get("amount")),
            "call_types": labels(record.get("type")),
            "application_url": clean_url(link.get("link")),
            "source_updated_on": day(record.get("modificationDate")),
        }

    def _parse_intervention_zones(self, record: dict) -> list[str] | None:
        """'- France entière -' -> 'France entière'; regions as the Ministry names them."""
        return labels([_REGION_DASHES.sub("", r) for r in record.get("eztag_region") or ()])

    def _parse_amounts(self, text: Any) -> dict[str, Any]:
        """'Min. 3.000 € par projet' is a floor per project; '2.200.000 € à répartir...' the budget."""
        if not isinstance(text, str) or not text.strip():
            return {}
        if _SHARED.search(text):
            return {"total_budget": text.strip()}
        return amount_bounds(text, currency=True)
