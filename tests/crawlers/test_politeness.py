"""Polite by default: the project's own settings (not the tests' overrides) and what a funder sees."""

import importlib
import re
from urllib.parse import urlparse

from sqlmodel import Session, select

from crawlers.spiders.drome import DromeSpider
from funding.settings import get_settings
from funding.store.db import get_engine
from funding.store.models import Opportunity, SourceRun
from tests.crawlers.feed_checks import FILES
from tests.crawlers.mirror import Reply

FEED = urlparse(DromeSpider.feed_path).path
PAGES = {n: (FILES / "drome" / f"page{n}.json").read_bytes() for n in ("1", "2")}
NO_DELAYS = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "RETRY_BACKOFF_BASE=0"]


def _project_settings():
    import crawlers.settings

    get_settings.cache_clear()
    return importlib.reload(crawlers.settings)


def _serve(mirror) -> None:
    mirror.route("GET", FEED, lambda r: Reply(body=PAGES[r.query.get("page", ["1"])[0]]))


def _runs() -> list[SourceRun]:
    with Session(get_engine()) as session:
        return list(session.exec(select(SourceRun).order_by(SourceRun.id)))


def _stats(stderr: str, name: str) -> int:
    found = re.search(rf"'{re.escape(name)}': (\d+)", stderr)
    return int(found.group(1)) if found else 0


def test_project_settings_are_polite(monkeypatch):
    monkeypatch.setenv("FUNDING_CRAWL_CONTACT", "mailto:radar@example.org")
    monkeypatch.setenv("FUNDING_CRAWL_MAX_RETRY_AFTER", "120")
    settings = _project_settings()
    assert settings.ROBOTSTXT_OBEY is True and settings.AUTOTHROTTLE_ENABLED is True
    assert re.fullmatch(r"FundingRadar/\S+ \(\+mailto:radar@example\.org\)", settings.USER_AGENT)
    assert {429, 500, 502, 503, 504} <= set(settings.RETRY_HTTP_CODES)
    assert settings.RETRY_AFTER_MAX == 120 and settings.RETRY_BACKOFF_BASE > 0
    assert settings.DOWNLOADER_MIDDLEWARES == {
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        "crawlers.middlewares.PoliteRetryMiddleware": 550,
        "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": None,
        "crawlers.middlewares.RevalidatingCacheMiddleware": 900,
        "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
        "crawlers.middlewares.LoopAwareRedirectMiddleware": 600,
    }
    assert "crawlers.middlewares.FreshItemsMiddleware" in settings.SPIDER_MIDDLEWARES
    assert settings.HTTPCACHE_ENABLED is True
    assert settings.HTTPCACHE_POLICY == "crawlers.middlewares.RevalidatingCachePolicy"
    monkeypatch.delenv("FUNDING_CRAWL_MAX_RETRY_AFTER")
    assert _project_settings().RETRY_AFTER_MAX == 300


def test_funder_sees_who_we_are(mirror, scrapy_crawl, monkeypatch):
    monkeypatch.setenv("FUNDING_CRAWL_CONTACT", "mailto:radar@example.org")
    _serve(mirror)
    result = scrapy_crawl("drome", "-a", f"base_url={mirror.url}")
    assert result.returncode == 0, result.stderr[-3000:]
    agents = {r.headers["User-Agent"] for r in mirror.requests}
    assert len(agents) == 1 and agents.pop().endswith("(+mailto:radar@example.org)")
    assert mirror.requests[0].path == "/robots.txt"


def test_robots_txt_that_disallows_the_feed_is_obeyed(mirror, scrapy_crawl):
    mirror.route(
        "GET",
        "/robots.txt",
        Reply(body=b"User-agent: *\nDisallow: /api/\n", content_type="text/plain"),
    )
    _serve(mirror)
    result = scrapy_crawl("drome", "-a", f"base_url={mirror.url}")
    assert mirror.hits(FEED) == []
    (run,) = _runs()
    assert run.status == "failed", result.stderr[-3000:]
    assert "robots.txt forbids 1 request(s)" in run.message and "no items returned" in run.message


def test_recrawl_with_the_cache_sends_conditional_requests(
    mirror, scrapy_crawl, tmp_path, monkeypatch
):
    """The second crawl of an unchanged source asks again for every page and receives no body."""
    monkeypatch.setenv("FUNDING_HTTPCACHE_DIR", str(tmp_path / "cache"))
    _serve(mirror)
    args = ["-a", f"base_url={mirror.url}", *NO_DELAYS]
    first = scrapy_crawl("drome", *args, fast=False)
    assert first.returncode == 0, first.stderr[-3000:]
    sent = len(mirror.requests)
    second = scrapy_crawl("drome", *args, fast=False)
    assert second.returncode == 0, second.stderr[-3000:]
    again = mirror.requests[sent:]
    assert [r.path for r in again] == ["/robots.txt", FEED, FEED]  # no more requests than before
    assert all(r.headers.get("If-None-Match") and r.headers.get("If-Modified-Since") for r in again)
    assert [r.status for r in again] == [304, 304, 304] and sum(r.sent for r in again) == 0
    assert _stats(second.stderr, "httpcache/revalidate") == 3
    run = _runs()[-1]
    assert (run.status, run.items_seen, run.unchanged) == ("ok", 3, 3)
    with Session(get_engine()) as session:
        assert len(session.exec(select(Opportunity.id)).all()) == 3
