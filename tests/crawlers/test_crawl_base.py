"""What every spider shares: names, base URLs, ids, the item limit, failure rules and settings."""

import importlib

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from crawlers.middlewares import ItemLimitMiddleware
from crawlers.spiders.base import FundingSpider, crawl_problems
from crawlers.spiders.eu_sedia import EuSediaSpider
from funding.harvest.crawl import spider_names
from funding.settings import get_settings


@pytest.mark.parametrize("name", spider_names())
def test_every_spider_is_named_after_its_file(name):
    module = importlib.import_module(f"crawlers.spiders.{name}")
    spiders = [
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, FundingSpider) and v.__module__ == module.__name__
    ]
    assert [s.name for s in spiders] == [name]
    assert spiders[0].default_base_url.startswith("https://")


def test_spider_list_leaves_out_helpers():
    names = spider_names()
    assert "eu_sedia" in names and "base" not in names and "__init__" not in names


def test_a_name_other_than_the_file_stem_is_refused():
    with pytest.raises(TypeError, match="must equal its file stem"):
        type("Wrong", (FundingSpider,), {"name": "wrong", "__module__": "crawlers.spiders.right"})


def _spider(settings=None, **kwargs):
    return EuSediaSpider.from_crawler(get_crawler(EuSediaSpider, settings or {}), **kwargs)


def test_base_url_from_argument_then_setting_then_default():
    assert _spider().base_url == "https://api.tech.ec.europa.eu"
    assert _spider({"EU_SEDIA_BASE_URL": "http://mirror/"}).base_url == "http://mirror"
    chosen = _spider({"EU_SEDIA_BASE_URL": "http://mirror"}, base_url="http://127.0.0.1:8/")
    assert chosen.base_url == "http://127.0.0.1:8"


def test_source_id():
    assert _spider().source_id(" erc-2026-poc ") == "eu_sedia:erc-2026-poc"


def test_limit_argument():
    assert _spider(limit="5").limit == 5 and _spider().limit is None
    with pytest.raises(ValueError, match="positive"):
        _spider(limit="0")


def test_item_limit_keeps_the_first_items_and_follows_no_more_pages():
    crawler = get_crawler(EuSediaSpider)
    crawler.spider = EuSediaSpider.from_crawler(crawler, limit=2)
    middleware = ItemLimitMiddleware.from_crawler(crawler)
    output = [{"id": "a"}, {"id": "b"}, Request("http://x/2"), {"id": "c"}]
    assert list(middleware.process_spider_output(None, output)) == output[:2]


class _Stats:
    def __init__(self, **values):
        self.values = values

    def get_stats(self):
        return self.values


def test_crawl_problems():
    assert crawl_problems(_Stats(item_scraped_count=3), "finished") == []
    assert crawl_problems(_Stats(), "finished") == ["no items returned"]
    assert crawl_problems(_Stats(), "finished", allow_empty=True) == []
    problems = crawl_problems(
        _Stats(
            **{
                "item_scraped_count": 10,
                "httperror/response_ignored_status_count/500": 1,
                "retry/max_reached": 1,
                "log_count/ERROR": 1,
            }
        ),
        "closespider_errorcount",
    )
    assert problems == [
        "closed early (closespider_errorcount)",
        "HTTP 500 (1x)",
        "1 request(s) failed after retries",
        "1 error(s) logged",
    ]


def _project_settings():
    import crawlers.settings

    get_settings.cache_clear()
    return importlib.reload(crawlers.settings)


def test_polite_defaults(tmp_path):
    settings = _project_settings()
    assert settings.ROBOTSTXT_OBEY is True and settings.AUTOTHROTTLE_ENABLED is True
    assert settings.DOWNLOAD_DELAY == 1 and settings.CONCURRENT_REQUESTS_PER_DOMAIN == 2
    assert settings.AUTOTHROTTLE_START_DELAY == 2 and settings.AUTOTHROTTLE_TARGET_CONCURRENCY == 1
    assert settings.HTTPCACHE_ENABLED is True
    assert settings.HTTPCACHE_POLICY == "crawlers.middlewares.RevalidatingCachePolicy"
    assert settings.HTTPCACHE_DIR == str(tmp_path / "data" / "httpcache")
    assert settings.USER_AGENT.startswith("FundingRadar/")
    assert settings.TELNETCONSOLE_ENABLED is False and settings.CLOSESPIDER_ERRORCOUNT == 10


def test_settings_from_funding_environment(monkeypatch):
    monkeypatch.setenv("FUNDING_CRAWL_DELAY", "5")
    monkeypatch.setenv("FUNDING_CRAWL_CONTACT", "mailto:radar@example.org")
    monkeypatch.setenv("FUNDING_HTTPCACHE_ENABLED", "false")
    monkeypatch.setenv("FUNDING_CRAWL_AUTOTHROTTLE", "0")
    monkeypatch.setenv("FUNDING_CRAWL_BASE_URLS", '{"eu_sedia": "http://mirror.example"}')
    settings = _project_settings()
    assert settings.DOWNLOAD_DELAY == 5 and settings.HTTPCACHE_ENABLED is False
    assert settings.AUTOTHROTTLE_ENABLED is False
    assert settings.USER_AGENT.endswith("(+mailto:radar@example.org)")
    assert settings.EU_SEDIA_BASE_URL == "http://mirror.example"
    monkeypatch.undo()
    _project_settings()
