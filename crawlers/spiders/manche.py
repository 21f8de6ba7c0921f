"""Département de la Manche: its guide des aides as a feed in Aides-territoires field names
(`{count, aides: [...]}`, one answer).

Endpoint unverified; check with `funding sources check manche`.
"""

from typing import Any, ClassVar

from crawlers.spiders._aides_territoires_fields import aid_fields
from crawlers.spiders._json_feed import JsonFeedSpider, plain


class MancheSpider(JsonFeedSpider):
    """Every aid of the feed; the Département funds them all."""

    name = "manche"
    default_base_url = "https://www.manche.fr"
    feed_path: ClassVar[str] = "/guide-des-aides/api/aides"
    funder = "Département de la Manche"

    def records(self, data: Any) -> list:
        aids = (data.get("aides") if isinstance(data, dict) else None) or []
        count = data.get("count") if isinstance(data, dict) else None
        if isinstance(count, int) and count > len(aids):
            self.logger.warning("the feed counts %s aids but lists %s", count, len(aids))
        return aids

    def parse_record(self, record: dict) -> dict:
        return {
            **aid_fields(record),
            "id": self.source_id(record.get("id")) if record.get("id") is not None else None,
            "source": self.name,
            "funder": self.funder,
            "language": "fr",
            "destinations": [plain(d) for d in record.get("destinations") or ()] or None,
        }
