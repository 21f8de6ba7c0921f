"""FundingSpider: what every source spider shares (base URL, ids, item limit, empty-crawl check).

A spider yields plain dicts in the opportunity contract format
(funding/contracts/opportunity.schema.json); crawlers.pipelines.StorePipeline validates and stores
them. Raw source words are fine: funding/ normalises dates, amounts, statuses and instruments.
"""

from typing import Any, ClassVar

import scrapy
from scrapy.statscollectors import StatsCollector


class FundingSpider(scrapy.Spider):
    """Base of every source spider; `name` must equal the file stem (crawlers/spiders/<name>.py)."""

    #: Where the source lives; `-a base_url=...` or the setting <NAME>_BASE_URL replace it.
    default_base_url: ClassVar[str] = ""
    #: Who runs the calls, for items that do not say.
    funder: ClassVar[str | None] = None
    #: True for a source that may have nothing open; otherwise an empty crawl is a failure.
    allow_empty: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("name")
        stem = cls.__module__.rsplit(".", 1)[-1]
        if name is not None and name != stem:
            raise TypeError(
                f"spider {cls.__name__}: name {name!r} must equal its file stem {stem!r}"
            )

    def __init__(
        self, *args: Any, base_url: str | None = None, limit: int | str | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.base_url = base_url.rstrip("/") if base_url else None
        self.limit = _positive(limit)
        self.problems: list[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "FundingSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.base_url is None:
            configured = crawler.settings.get(f"{spider.name.upper()}_BASE_URL")
            spider.base_url = (configured or cls.default_base_url).rstrip("/")
        if not spider.base_url:
            raise ValueError(f"spider {spider.name}: no default_base_url and no base_url given")
        return spider

    def source_id(self, value: Any) -> str:
        """The stable opportunity id: '<spider name>:<id at the source>'."""
        return f"{self.name}:{str(value).strip()}"

    def closed(self, reason: str) -> None:
        """Decide once whether the crawl went wrong; the store pipeline records the same verdict."""
        self.problems = crawl_problems(self.crawler.stats, reason, allow_empty=self.allow_empty)
        for problem in self.problems:
            self.logger.error("%s crawl failed: %s", self.name, problem)


def crawl_problems(stats: StatsCollector, reason: str, *, allow_empty: bool = False) -> list[str]:
    """What makes a crawl a failure: an abnormal close, HTTP errors, logged errors, or no items."""
    value = stats.get_stats()
    problems = []
    if reason != "finished":
        problems.append(f"closed early ({reason})")
    seen = value.get("item_scraped_count", 0) + value.get("item_dropped_count", 0)
    if seen == 0 and not allow_empty:
        problems.append("no items returned")
    statuses = sorted(
        (key.rsplit("/", 1)[-1], count)
        for key, count in value.items()
        if key.startswith("httperror/response_ignored_status_count/")
    )
    if statuses:
        problems.append("HTTP " + ", ".join(f"{code} ({count}x)" for code, count in statuses))
    if value.get("retry/max_reached"):
        problems.append(f"{value['retry/max_reached']} request(s) failed after retries")
    if value.get("log_count/ERROR"):
        problems.append(f"{value['log_count/ERROR']} error(s) logged")
    return problems


def _positive(value: int | str | None) -> int | None:
    if value is None or value == "":
        return None
    number = int(value)
    if number < 1:
        raise ValueError(f"limit must be a positive number of items, not {value!r}")
    return number
