"""Département de la Drôme: aids for local authorities, a DRF-style `count/next/results` API in
Aides-territoires field names, followed page by page through `next`.

Endpoint unverified; check with `funding sources check drome`.
"""

from typing import Any, ClassVar

from crawlers.spiders._aides_territoires_fields import aid_fields
from crawlers.spiders._json_feed import JsonFeedSpider


class DromeSpider(JsonFeedSpider):
    """Every aid of every page; the financer a record names wins over the Département."""

    name = "drome"
    default_base_url = "https://collectivites.ladrome.fr"
    feed_path: ClassVar[str] = "/api/aides/"
    funder = "Département de la Drôme"

    def records(self, data: Any) -> list:
        return (data.get("results") if isinstance(data, dict) else None) or []

    def next_page(self, data: Any) -> str | None:
        return data.get("next") if isinstance(data, dict) else None

    def parse_record(self, record: dict) -> dict:
        fields = aid_fields(record)
        return {
            **fields,
            "id": self.source_id(record.get("id")) if record.get("id") is not None else None,
            "source": self.name,
            "funder": fields["funder"] or self.funder,
            "language": "fr",
        }
