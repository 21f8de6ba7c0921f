"""The store pipeline without a network: one SourceRun per crawl, items validated and upserted."""

import json
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import DropItem
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler
from sqlalchemy import text
from sqlmodel import Session, select

from crawlers.pipelines import StorePipeline
from crawlers.spiders.eu_sedia import EuSediaSpider
from funding.store.db import get_engine
from funding.store.models import Opportunity, SourceRun
from funding.store.opportunities import field_history

PAGE = Path(__file__).resolve().parents[1] / "files" / "eu_sedia" / "search_page2.json"


def _items(spider) -> list[dict]:
    request = Request("http://127.0.0.1:9/search", meta={"page": 2, "read": 10})
    response = TextResponse(request.url, request=request, body=PAGE.read_bytes(), encoding="utf-8")
    return [x for x in spider.parse(response) if isinstance(x, dict)]


@pytest.fixture
def crawl(database_url):
    """A crawler, its spider and an opened pipeline, as Scrapy wires them."""
    crawler = get_crawler(EuSediaSpider)
    crawler.spider = EuSediaSpider.from_crawler(crawler, base_url="http://127.0.0.1:9")
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    return crawler, pipeline


def _close(crawler, pipeline, reason="finished"):
    crawler.spider.closed(reason)
    pipeline.spider_closed(crawler.spider, reason)
    with Session(get_engine()) as session:
        return session.exec(select(SourceRun).order_by(SourceRun.id.desc())).first()


def test_items_are_stored_and_counted(crawl, caplog):
    crawler, pipeline = crawl
    for item in _items(crawler.spider):
        assert pipeline.process_item(item) is item
        crawler.stats.inc_value("item_scraped_count")
    with caplog.at_level("INFO"):
        run = _close(crawler, pipeline)
    # the line the crawl benchmark and operators read
    assert "eu_sedia run ok: 2 items seen, 2 inserted, 0 updated, 0 unchanged, 0 rejected" in (
        caplog.text
    )
    assert (run.source, run.status, run.message) == ("eu_sedia", "ok", None)
    assert (run.items_seen, run.inserted, run.updated, run.unchanged) == (2, 2, 0, 0)
    with Session(get_engine()) as session:
        stored = session.get(Opportunity, "eu_sedia:erc-2026-poc")
        assert stored.source_status == "closed" and stored.instrument == "grant"
        assert stored.extra["expected_grants"] == 400


def test_changed_item_is_an_update_with_history(crawl):
    crawler, pipeline = crawl
    first, second = _items(crawler.spider)
    pipeline.process_item(first)
    pipeline.process_item({**first, "title": "Strategic Nature Projects (amended)"})
    pipeline.process_item(second)
    pipeline.process_item(second)
    _close(crawler, pipeline)  # stores the last batch
    assert pipeline.run.report.counts() == {
        "items_seen": 4,
        "inserted": 2,
        "updated": 1,
        "unchanged": 1,
        "rejected": 0,
    }
    with Session(get_engine()) as session:
        changes = field_history(session, first["id"])
        assert [(c.field, c.changed_by, c.source_run_id) for c in changes] == [
            ("title", "eu_sedia", pipeline.run.run_id)
        ]


def test_invalid_item_is_dropped_with_its_reason(crawl):
    crawler, pipeline = crawl
    item = {**_items(crawler.spider)[0], "title": None, "deadlines": ["someday"]}
    with pytest.raises(DropItem) as dropped:
        pipeline.process_item(item)
    message = str(dropped.value)
    assert message.startswith("eu_sedia: rejected eu_sedia:life-2026-strat-nat-snap-two-stage (")
    assert "title: is empty" in message and "deadlines[0]: 'someday' is not a date" in message
    crawler.stats.inc_value("item_dropped_count")
    run = _close(crawler, pipeline)
    assert (run.status, run.items_seen, run.rejected, run.inserted) == ("ok", 1, 1, 0)


def test_no_items_fails_the_run(crawl):
    crawler, pipeline = crawl
    run = _close(crawler, pipeline)
    assert (run.status, run.message) == ("failed", "no items returned")


def test_closing_early_fails_the_run(crawl):
    crawler, pipeline = crawl
    pipeline.process_item(_items(crawler.spider)[0])
    crawler.stats.inc_value("item_scraped_count")
    run = _close(crawler, pipeline, reason="shutdown")
    assert (run.status, run.message, run.inserted) == ("failed", "closed early (shutdown)", 1)


def test_item_round_trips_through_json(crawl):
    """A spider yields plain JSON: `scrapy crawl -o items.jsonl` can feed `funding import`."""
    crawler, _ = crawl
    for item in _items(crawler.spider):
        assert json.loads(json.dumps(item)) == item


def test_a_batch_that_cannot_be_stored_fails_the_run_and_keeps_what_was_stored(crawl):
    crawler, pipeline = crawl
    first, second = _items(crawler.spider)
    pipeline.process_item(first)
    pipeline.run.flush()
    with Session(get_engine()) as session:  # the database loses a table the store writes to
        session.exec(text("DROP TABLE opportunity_source"))
        session.commit()
    pipeline.process_item(second)
    crawler.stats.inc_value("item_scraped_count", 2)
    run = _close(crawler, pipeline)
    assert run.status == "failed" and run.inserted == 1
    assert run.message.startswith("storing a batch of items failed: ")
    assert "opportunity_source" in run.message
    with Session(get_engine()) as session:
        assert session.get(Opportunity, first["id"]) is not None
        assert session.get(Opportunity, second["id"]) is None


def test_a_batch_that_fails_while_the_crawl_goes_on_still_fails_the_run(crawl):
    """A batch collected during the crawl (a slow machine passes COMMIT_AFTER between two items)
    that failed must fail the run at its end, not escape from process_item and be forgotten."""
    crawler, pipeline = crawl
    pipeline.run.max_wait = -1.0  # every item is a batch of its own
    first, second = _items(crawler.spider)
    pipeline.process_item(first)
    with Session(get_engine()) as session:
        session.exec(text("DROP TABLE opportunity_source"))
        session.commit()
    assert pipeline.process_item(second) is second
    crawler.stats.inc_value("item_scraped_count", 2)
    run = _close(crawler, pipeline)
    assert run.status == "failed" and run.inserted == 1
    assert run.message.startswith("storing a batch of items failed: ")
    assert "opportunity_source" in run.message
