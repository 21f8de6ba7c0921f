"""Spider middlewares shared by every spider."""

from typing import Any

from scrapy import Request
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware


class ItemLimitMiddleware(BaseSpiderMiddleware):
    """`-a limit=N`: keep the first N items and follow no more pages; the crawl ends 'finished'.

    Used to try a source quickly (`funding crawl eu_sedia --limit 5`); requests already sent still
    complete, but what they yield is dropped.
    """

    def __init__(self, crawler: Any):
        super().__init__(crawler)
        self.items = 0

    def _limit(self) -> int | None:
        return getattr(self.crawler.spider, "limit", None)

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        limit = self._limit()
        if limit is None:
            return item
        self.items += 1
        return item if self.items <= limit else None

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        limit = self._limit()
        if limit is not None and self.items >= limit:
            return None
        return request
