"""Polite defaults for every crawl, each one an operator can change through a FUNDING_... variable.

The values come from funding.settings (FUNDING_CRAWL_DELAY, FUNDING_CRAWL_CONTACT,
FUNDING_HTTPCACHE_ENABLED...); `-s NAME=value` on the scrapy command line still wins, which is
how tests switch the delays off.
"""

from importlib import metadata

from funding import __version__
from funding.settings import get_settings

_settings = get_settings()


def _contact() -> str | None:
    """Where a site's operator can reach us: FUNDING_CRAWL_CONTACT, else the project's home page."""
    if _settings.crawl_contact:
        return _settings.crawl_contact
    try:
        meta = metadata.metadata("funding-radar")
    except metadata.PackageNotFoundError:
        return None
    for entry in meta.get_all("Project-URL") or ():
        return entry.split(",", 1)[-1].strip()
    return meta.get("Home-page")


BOT_NAME = "funding_radar"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

_contact_url = _contact()
USER_AGENT = f"FundingRadar/{__version__}" + (f" (+{_contact_url})" if _contact_url else "")
ROBOTSTXT_OBEY = True

DOWNLOAD_DELAY = _settings.crawl_delay
CONCURRENT_REQUESTS_PER_DOMAIN = _settings.crawl_concurrency_per_domain
DOWNLOAD_TIMEOUT = _settings.crawl_timeout
AUTOTHROTTLE_ENABLED = _settings.crawl_autothrottle
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

RETRY_ENABLED = True
RETRY_TIMES = _settings.crawl_retry_times
# 429 and 5xx are retried after the funder's Retry-After (at most RETRY_AFTER_MAX seconds), else
# after RETRY_BACKOFF_BASE * 2^(attempt-1) seconds (at most RETRY_BACKOFF_MAX); the site waits meanwhile.
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
RETRY_AFTER_MAX = _settings.crawl_max_retry_after
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 60.0
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"  # the spider logs the failure itself, in words (middlewares.py)
CLOSESPIDER_ERRORCOUNT = _settings.crawl_close_on_errors

# Conditional requests: a stored response is revalidated with If-None-Match / If-Modified-Since.
HTTPCACHE_ENABLED = _settings.httpcache_enabled
HTTPCACHE_POLICY = "crawlers.middlewares.RevalidatingCachePolicy"  # always asks, never stale
HTTPCACHE_DIR = str(_settings.httpcache_dir or _settings.data_dir / "httpcache")
HTTPCACHE_GZIP = True

TELNETCONSOLE_ENABLED = False  # no control port on a crawl machine
REMOTE_CONTROL_ENABLED = False  # Scrapy 2.19's HTTP control port, likewise
LOG_LEVEL = _settings.crawl_log_level
LOG_FORMATTER = "crawlers.logformatter.FundingLogFormatter"
FEED_EXPORT_ENCODING = "utf-8"

SPIDER_MIDDLEWARES = {
    "crawlers.middlewares.FreshItemsMiddleware": 940,
    "crawlers.middlewares.ItemLimitMiddleware": 950,
}
# A stored copy stands in for the funder only after a 304 (never on a timeout or a refused or
# lost connection, as Scrapy's own cache middleware does): middlewares.RevalidatingCacheMiddleware.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.PoliteRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": None,
    "crawlers.middlewares.RevalidatingCacheMiddleware": 900,
    # A redirect loop fails the run with its URL (Scrapy drops it silently).
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawlers.middlewares.LoopAwareRedirectMiddleware": 600,
}
ITEM_PIPELINES = {"crawlers.pipelines.StorePipeline": 500}

# FUNDING_CRAWL_BASE_URLS='{"eu_sedia": "http://mirror"}' sets EU_SEDIA_BASE_URL (spiders/base.py).
for _name, _url in _settings.crawl_base_urls.items():
    globals()[f"{_name.upper()}_BASE_URL"] = _url
