"""StorePipeline: items validated, normalised and stored by funding/, one SourceRun per crawl.

Thin on purpose: the contract (funding.contracts.records) and the write path (funding.store.opportunities) live in the
domain, so a spider and `funding import` store a record exactly the same way. Items are validated
here (an invalid one is dropped at once, with its reason); valid ones are normalised and stored in
batches by a writer process (funding.ingest.background), while Scrapy goes on parsing. Reading missing
fields from the text and merging duplicates (funding.enrich.enrichment) runs after the crawl, in
`funding crawl`, across every source crawled: it keeps the crawl process fast.
"""

import gc
import time
from collections import deque
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem
from sqlmodel import Session

from crawlers.spiders.base import crawl_problems
from funding.contracts.records import OpportunityRecord, RecordError, raw_hash, validate_record
from funding.ingest.background import Background
from funding.store.db import get_engine, upgrade
from funding.store.health import FillCounter
from funding.store.models import SourceRun, utcnow
from funding.store.opportunities import (
    OUTCOME_COUNTS,
    finish_run,
    start_run,
    store_batch,
    sync_fulltext,
)

# Items per transaction, and the longest a validated item waits to be stored (seconds).
COMMIT_EVERY = 100
COMMIT_AFTER = 2.0
# Batches handed to the writer and not stored yet; beyond this the crawl waits for the writer.
IN_FLIGHT = 4
# Batches stored in the crawl process before the writer process starts (it costs a second of CPU
# to start, which a small crawl does not repay).
WRITER_AFTER = 5


class StorePipeline:
    """Open a SourceRun at start, upsert valid items in short transactions, close the run."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.session: Session | None = None
        self.run_id: int | None = None
        self.seen_at = utcnow()
        self.pending: list[tuple[OpportunityRecord, str]] = []
        self.pending_ids: set[str] = set()
        self.writer = Background(start_after=WRITER_AFTER)
        self.jobs: deque = deque()
        self.database_url = ""
        self.last_commit = time.monotonic()
        self.failures: list[str] = []  # batches that failed while the crawl went on
        self.counts = dict.fromkeys(
            ("items_seen", "inserted", "updated", "unchanged", "rejected"), 0
        )
        self.fill = FillCounter()
        self.shared_seen = self.shared_rejected = 0  # what a shared crawl was told already
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
        self.database_url = engine.url.render_as_string(hide_password=False)
        self.session = Session(engine, expire_on_commit=False)
        self.seen_at = utcnow()
        if self.shared:  # a worker of a shared crawl: the run is the one `funding crawl` opened
            self.run_id = int(self.redis.get(f"{self.shared}:run"))
            return
        kind = getattr(self.crawler.spider, "source_kind", "spider")
        run = start_run(self.session, self.name, kind=kind)
        self.session.commit()
        self.run_id = run.id

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """Validate now (an invalid item is dropped with its reason); store in the next batch."""
        self.counts["items_seen"] += 1
        try:
            record = validate_record(item)
        except RecordError as exc:
            self.counts["rejected"] += 1
            where = item.get("url") if isinstance(item, dict) else None
            ident = item.get("id") if isinstance(item, dict) else None
            raise DropItem(f"{self.name}: rejected {ident or 'an item'} ({where}): {exc}") from None
        if record.id in self.pending_ids:
            self._flush()
        self.pending.append((record, raw_hash(item)))
        self.pending_ids.add(record.id)
        if len(self.pending) >= COMMIT_EVERY or time.monotonic() - self.last_commit > COMMIT_AFTER:
            self._flush()
        return item

    def _flush(self) -> None:
        self._submit()
        try:
            self._collect()
        except Exception as exc:  # noqa: BLE001 - the run fails at its end with this reason
            self.failures.append(f"storing a batch of items failed: {exc}")

    def _submit(self) -> None:
        """Hand the waiting items to the writer as one batch, stored in one short transaction."""
        if self.pending:
            job = self.writer.submit(
                store_batch,
                self.database_url,
                self.pending,
                changed_by=self.name,
                source_run_id=self.run_id,
                seen_at=self.seen_at,
            )
            self.jobs.append(job)
        self.pending, self.pending_ids = [], set()
        self.last_commit = time.monotonic()

    def _collect(self, *, everything: bool = False) -> None:
        """Count the batches the writer has stored; wait for the oldest while too many are in
        flight, or for all of them. A batch that failed raises here (its items are not stored)."""
        while self.jobs and (everything or len(self.jobs) > IN_FLIGHT or self.jobs[0].done()):
            stored = self.jobs.popleft().result()
            for outcome, fields in stored:
                self.counts[OUTCOME_COUNTS[outcome]] += 1
                self.fill.add(fields)
            if self.shared:
                self._share(stored)

    def _share(self, stored: list[tuple[str, dict]]) -> None:
        """Add this batch to the shared crawl's counts (items seen and rejected included)."""
        fill = FillCounter()
        added = {OUTCOME_COUNTS[o]: 0 for o in OUTCOME_COUNTS}
        for outcome, fields in stored:
            added[OUTCOME_COUNTS[outcome]] += 1
            fill.add(fields)
        added["items_seen"] = self.counts["items_seen"] - self.shared_seen
        added["rejected"] = self.counts["rejected"] - self.shared_rejected
        self.shared_seen, self.shared_rejected = self.counts["items_seen"], self.counts["rejected"]
        added["fill_rows"] = fill.rows
        added.update({f"fill:{key}": count for key, count in fill.filled.items()})
        with self.redis.pipeline() as batch:
            for key, value in added.items():
                if value:
                    batch.hincrby(f"{self.shared}:counts", key, value)
            batch.execute()

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Record the run as 'ok', or 'failed' with what went wrong (see base.crawl_problems)."""
        if self.session is None or self.run_id is None:
            return
        problems = getattr(spider, "problems", None)
        if problems is None:
            problems = crawl_problems(
                self.crawler.stats, reason, allow_empty=getattr(spider, "allow_empty", False)
            )
        skipped = getattr(spider, "skipped", None)
        try:
            problems = [*problems, *self._store_the_rest()]
            sync_fulltext(self.session)
            self.session.commit()
            if self.shared:
                self._share([])  # rejected items after the last batch
                self._share_end(problems)
                return
            run = self.session.get(SourceRun, self.run_id)
            finish_run(
                self.session,
                run,
                counts=self.counts,
                status="failed" if problems else "skipped" if skipped else "ok",
                message="; ".join(problems) or skipped or None,
                errors=crawl_errors(self.crawler.stats),
                fill_rates=self.fill.rates(),
            )
            self.session.commit()
        finally:
            self.session.close()
        spider.logger.info("%s run %s: %s", self.name, run.status, _summary(self.counts))

    def _store_the_rest(self) -> list[str]:
        """Store the last batch and wait for the writer; what failed, as problems of the run."""
        failures, self.failures = self.failures, []
        self._submit()
        while self.jobs:
            try:
                self._collect(everything=True)
            except Exception as exc:  # noqa: BLE001 - the run must still be recorded, as failed
                failures.append(f"storing a batch of items failed: {exc}")
        self.writer.close()
        return failures

    def _share_end(self, problems: list[str]) -> None:
        """A worker's problems, but not those of the shared crawl as a whole: the coordinator
        judges "no items returned", and a worker stopped on purpose left its requests to others."""
        crawl_wide = ("no items returned", "closed early (shutdown)")
        mine = [p for p in problems if p not in crawl_wide]
        with self.redis.pipeline() as batch:
            if mine:
                batch.rpush(f"{self.shared}:problems", *mine)
            errors = crawl_errors(self.crawler.stats)
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


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[k]} {k.replace('_', ' ')}" for k in counts)
