"""Real crawls: `scrapy crawl eu_sedia` in its own process, over HTTP, against a loopback server."""

from sqlalchemy import func
from sqlmodel import Session, select

from funding.store.db import get_engine
from funding.store.models import Opportunity, OpportunitySource, SourceRun


def _runs() -> list[SourceRun]:
    with Session(get_engine()) as session:
        return list(session.exec(select(SourceRun).order_by(SourceRun.id)))


def _seen() -> dict[str, tuple]:
    with Session(get_engine()) as session:
        rows = session.exec(select(Opportunity))
        return {o.id: (o.first_seen_at, o.last_seen_at, o.last_changed_at) for o in rows}


def _counts(run: SourceRun) -> tuple[int, ...]:
    return (run.items_seen, run.inserted, run.updated, run.unchanged, run.rejected)


def _expected_ids(server) -> set[str]:
    return {
        "eu_sedia:" + r["metadata"]["identifier"][0].lower()
        for page in server.pages
        for r in page["results"]
    }


def test_crawl_stores_every_topic_once_then_sees_them_unchanged(sedia_server, scrapy_crawl):
    first = scrapy_crawl("eu_sedia", "-a", f"base_url={sedia_server.url}")
    assert first.returncode == 0, first.stderr[-3000:]
    assert set(_seen()) == _expected_ids(sedia_server)
    (run,) = _runs()
    assert (run.source, run.status, run.message) == ("eu_sedia", "ok", None)
    assert _counts(run) == (12, 12, 0, 0, 0)
    assert [r[1].rsplit("=", 1)[1] for r in sedia_server.searches()] == ["1", "2"]
    robots = [r for r in sedia_server.requests if r[1] == "/robots.txt"]
    assert robots and robots[0][2]["User-Agent"].startswith("FundingRadar/")
    before = _seen()

    second = scrapy_crawl("eu_sedia", "-a", f"base_url={sedia_server.url}")
    assert second.returncode == 0, second.stderr[-3000:]
    run = _runs()[-1]
    assert run.status == "ok" and _counts(run) == (12, 0, 0, 12, 0)
    after = _seen()
    for oid, (first_seen, last_seen, last_changed) in before.items():
        assert after[oid][0] == first_seen and after[oid][2] == last_changed
        assert after[oid][1] > last_seen
    with Session(get_engine()) as session:
        assert session.exec(select(func.count()).select_from(OpportunitySource)).one() == 12


def test_server_error_fails_the_run_and_keeps_what_was_stored(sedia_server, scrapy_crawl):
    assert scrapy_crawl("eu_sedia", "-a", f"base_url={sedia_server.url}").returncode == 0
    sedia_server.fail = True
    failed = scrapy_crawl("eu_sedia", "-a", f"base_url={sedia_server.url}")
    run = _runs()[-1]
    assert run.status == "failed", failed.stderr[-3000:]
    assert "no items returned" in run.message and "HTTP 500 (1x)" in run.message
    assert run.items_seen == 0 and run.finished_at is not None
    # the good crawl, then one request and 2 retries
    assert len(sedia_server.searches()) == 2 + 3, failed.stderr[-6000:]
    assert set(_seen()) == _expected_ids(sedia_server)


def test_limit_stops_after_n_items(sedia_server, scrapy_crawl):
    result = scrapy_crawl("eu_sedia", "-a", f"base_url={sedia_server.url}", "-a", "limit=3")
    run = _runs()[-1]
    assert (run.status, run.items_seen, run.inserted) == ("ok", 3, 3), result.stderr[-3000:]
    assert len(sedia_server.searches()) == 1


def test_http_cache_revalidates_with_etag(sedia_server, scrapy_crawl):
    """With the production cache on, a second crawl sends If-None-Match and accepts a 304."""
    sedia_server.etags = True
    url = f"base_url={sedia_server.url}"
    cached = ["-a", url, "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0"]
    assert scrapy_crawl("eu_sedia", *cached, fast=False).returncode == 0
    second = scrapy_crawl("eu_sedia", *cached, fast=False)
    assert second.returncode == 0, second.stderr[-3000:]
    revalidations = [r[2].get("If-None-Match") for r in sedia_server.searches()[2:]]
    assert revalidations == ['"page-1"', '"page-2"']
    run = _runs()[-1]
    assert (run.status, run.unchanged) == ("ok", 12)


def test_a_call_that_vanishes_is_kept_and_follows_its_deadline(sedia_server, scrapy_crawl):
    """Never deleted by a crawl: its last-seen date stops moving, its status comes from its dates."""
    from datetime import date

    from funding.views.presentation import opportunity_status

    assert scrapy_crawl("eu_sedia", "-a", f"base_url={sedia_server.url}").returncode == 0
    before = _seen()
    gone = sedia_server.pages[1]["results"].pop()
    gone_id = "eu_sedia:" + gone["metadata"]["identifier"][0].lower()
    sedia_server.pages[0]["totalResults"] -= 1
    assert scrapy_crawl("eu_sedia", "-a", f"base_url={sedia_server.url}").returncode == 0
    after = _seen()
    assert set(after) == set(before)
    assert after[gone_id] == before[gone_id]
    assert all(after[oid][1] > before[oid][1] for oid in after if oid != gone_id)
    with Session(get_engine()) as session:
        stored = session.get(Opportunity, gone_id)
        deadline = stored.deadline_last
        assert opportunity_status(stored, deadline) == "open"
        assert opportunity_status(stored, date.fromordinal(deadline.toordinal() + 1)) == "closed"
