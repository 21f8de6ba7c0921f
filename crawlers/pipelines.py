"""StorePipeline: a Scrapy adapter over funding.ingest.run.IngestRun, one SourceRun per crawl.

Thin on purpose: a spider's items go the way `funding import` stores a file (validate, skip
unchanged, normalise, upsert, count, close). Items are validated here, so an invalid one is dropped
at once with its reason; valid ones are stored in batches of COMMIT_EVERY, each in one short
transaction. Reading missing fields from the text and merging duplicates
(funding.enrich.enrichment) runs after the crawl, in `funding crawl`, across every source crawled:
it keeps the crawl process fast.
"""

import gc
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem

from crawlers.spiders.base import crawl_problems
from funding.contracts.records import RecordError, raw_hash, validate_record
from funding.ingest.run import IngestRun
from funding.store.db import get_engine, upgrade
from funding.store.models import utcnow

# Items per transaction, and the longest a validated item waits to be stored (seconds).
COMMIT_EVERY = 100
COMMIT_AFTER = 2.0


class StorePipeline:
    """Open an IngestRun at start, add valid items to it, close it with the crawl's problems."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.run: IngestRun | None = None
        self.shared_counts: dict[str, int] = {}  # what a shared crawl was told already
        # A bound method: Scrapy keeps signal receivers as weak references, a lambda would vanish.
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        # FUNDING_SHARED_CRAWL (funding.harvest.distributed): counts go to Redis, the run is closed there.
        self.shared = crawler.settings.get("FUNDING_SHARED_CRAWL")
        self.redis = None
        if self.shared:
            from funding.harvest.distributed import redis_client

            self.redis = redis_client(crawler.settings.get("REDIS_URL"))

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StorePipeline":
        return cls(crawler)

    @property
    def name(self) -> str:
        """The source a run is recorded under: the spider's `source_name` if any, else its name."""
        spider = self.crawler.spider
        return getattr(spider, "source_name", None) or spider.name

    def open_spider(self, spider: Any = None) -> None:
        # What is loaded by now (Scrapy, SQLAlchemy, pydantic, the vocabularies) lasts as long as
        # the crawl: kept out of the garbage collector's passes, which then cost what they cost
        # Scrapy alone; they took a fifth of a large crawl's time.
        gc.freeze()
        engine = get_engine()
        upgrade(engine)
        run_id = None
        if self.shared:  # a worker of a shared crawl: the run is the one `funding crawl` opened
            run_id = int(self.redis.get(f"{self.shared}:run"))
        self.run = IngestRun(
            engine,
            self.name,
            kind=getattr(self.crawler.spider, "source_kind", "spider"),
            seen_at=utcnow(),
            run_id=run_id,
            batch_size=COMMIT_EVERY,
            max_wait=COMMIT_AFTER,
            on_batch=(lambda _stored: self._share()) if self.shared else None,
        )

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """Validate now (an invalid item is dropped with its reason); store in the next batch."""
        try:
            record = validate_record(item)
        except RecordError as exc:
            where = item.get("url") if isinstance(item, dict) else None
            ident = item.get("id") if isinstance(item, dict) else None
            reason = f"{self.name}: rejected {ident or 'an item'} ({where}): {exc}"
            self.run.reject(None, reason)
            raise DropItem(reason) from None
        self.run.add(record, raw_hash(item))
        return item

    def _share(self) -> None:
        """Add what was counted since the last time to the shared crawl's counts in Redis."""
        counts = self.run.report.counts()
        counts["fill_rows"] = self.run.fill.rows
        counts.update({f"fill:{key}": n for key, n in self.run.fill.filled.items()})
        added = {key: n - self.shared_counts.get(key, 0) for key, n in counts.items()}
        self.shared_counts = counts
        with self.redis.pipeline() as batch:
            for key, value in added.items():
                if value:
                    batch.hincrby(f"{self.shared}:counts", key, value)
            batch.execute()

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Record the run as 'ok', or 'failed' with what went wrong (see base.crawl_problems)."""
        if self.run is None:
            return
        problems = getattr(spider, "problems", None)
        if problems is None:
            problems = crawl_problems(
                self.crawler.stats, reason, allow_empty=getattr(spider, "allow_empty", False)
            )
        errors = crawl_errors(self.crawler.stats)
        if self.shared:
            problems = [*problems, *self.run.store_the_rest()]
            self._share()
            self._share_end(problems, errors)
            return
        run = self.run.close(
            problems=problems, skipped=getattr(spider, "skipped", None), errors=errors
        )
        report = self.run.report
        spider.logger.info(
            "%s run %s: %d items seen, %s", self.name, run.status, report.total, report.summary()
        )

    def _share_end(self, problems: list[str], errors: int) -> None:
        """A worker's problems, but not those of the shared crawl as a whole: the coordinator
        judges "no items returned", and a worker stopped on purpose left its requests to others."""
        crawl_wide = ("no items returned", "closed early (shutdown)")
        mine = [p for p in problems if p not in crawl_wide]
        with self.redis.pipeline() as batch:
            if mine:
                batch.rpush(f"{self.shared}:problems", *mine)
            if errors:
                batch.hincrby(f"{self.shared}:counts", "errors", errors)
            batch.execute()


def crawl_errors(stats: Any) -> int:
    """Requests that failed (HTTP errors, retries exhausted) and exceptions raised while parsing."""
    value = stats.get_stats()
    return (
        value.get("httperror/response_ignored_count", 0)
        + value.get("retry/max_reached", 0)
        + sum(v for k, v in value.items() if k.startswith("spider_exceptions/"))
    )
