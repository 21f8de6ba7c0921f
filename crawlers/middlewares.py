"""Middlewares shared by every spider: the item limit, polite retries, a cache that revalidates."""

import logging
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.httpcache import HttpCacheMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.utils.asyncio import sleep
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import defer, error

logger = logging.getLogger(__name__)


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


class PoliteRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, but after the wait a funder asks for (Retry-After), else an exponential backoff.

    While a site waits, every request to it waits too (an asynchronous pause, the reactor keeps
    running). A request that still fails is reported to the spider in words, so the run's message
    says what happened ("timed out after 120 s (3 attempts)").
    """

    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        self.max_retry_after = settings.getfloat("RETRY_AFTER_MAX", 300.0)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        self.resume_at: dict[str, float] = {}  # site (download slot) -> when it may be asked again

    async def process_request(self, request: Request) -> None:
        """Hold a request to a site that asked us to wait, until the wait is over."""
        remaining = self.resume_at.get(self._site(request), 0.0) - time.monotonic()
        if remaining > 0:
            await sleep(remaining)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        status = status_words(response.status)
        retry = self._retry(request, status)
        if retry is None:
            self._give_up(request, f"the funder answered HTTP {status}")
            return response
        self._pause(request, retry, f"funder answered {status}", self._retry_after(response))
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if request.meta.get("dont_retry", False) or not isinstance(
            exception, self.exceptions_to_retry
        ):
            return None
        words = failure_words(exception, request)
        retry = self._retry(request, exception)
        if retry is None:
            self._give_up(request, words)
            return None
        self._pause(request, retry, words, None)
        return retry

    def _pause(self, request: Request, retry: Request, words: str, asked: float | None) -> None:
        attempt = retry.meta["retry_times"]
        if asked is not None:
            wait = min(asked, self.max_retry_after)
            how = (
                "as asked (Retry-After)"
                if wait == asked
                else (f"not the {asked:g} s asked: RETRY_AFTER_MAX is {self.max_retry_after:g} s")
            )
        else:
            wait = min(self.backoff_base * 2 ** (attempt - 1), self.backoff_max)
            how = f"before attempt {attempt + 1}"
        site = self._site(request)
        self.resume_at[site] = max(self.resume_at.get(site, 0.0), time.monotonic() + wait)
        logger.warning(
            "%s: %s; waiting %s s %s",
            request.url,
            words,
            f"{wait:g}",
            how,
            extra={"spider": self.crawler.spider},
        )

    def _give_up(self, request: Request, words: str) -> None:
        attempts = request.meta.get("retry_times", 0) + 1
        reason = f"{request.url}: {words} ({attempts} attempt{'s' if attempts > 1 else ''})"
        spider = self.crawler.spider
        if hasattr(spider, "fail"):
            spider.fail(reason)
        else:
            logger.error(reason, extra={"spider": spider})

    def _retry_after(self, response: Response) -> float | None:
        """Seconds the funder asked us to wait: Retry-After as a number or an HTTP date."""
        value = response.headers.get(b"Retry-After")
        if not value:
            return None
        text = value.decode("latin-1").strip()
        try:
            return max(0.0, float(text))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())

    def _site(self, request: Request) -> str:
        engine = getattr(self.crawler, "engine", None)
        if engine is not None and engine.downloader is not None:
            return engine.downloader.get_slot_key(request)
        return urlparse_cached(request).hostname or ""


def status_words(status: int) -> str:
    """429 -> '429 Too Many Requests' (Scrapy's own table lacks 429)."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def failure_words(exception: BaseException, request: Request) -> str:
    """A download failure as a person would say it."""
    cause = _twisted_cause(exception)
    if cause is not None:
        return failure_words(cause, request)
    if isinstance(exception, DownloadTimeoutError | TimeoutError | defer.TimeoutError):
        timeout = request.meta.get("download_timeout")
        return f"timed out after {timeout:g} s" if timeout else "timed out"
    if isinstance(exception, DownloadConnectionRefusedError | error.ConnectionRefusedError):
        return "could not connect (connection refused)"
    if isinstance(exception, CannotResolveHostError | error.DNSLookupError):
        return "could not find the server (DNS lookup failed)"
    if isinstance(exception, ResponseDataLossError | error.ConnectionLost | error.ConnectionDone):
        return "the connection closed before the whole answer arrived"
    detail = str(exception).strip()
    return f"download failed ({type(exception).__name__}{': ' + detail if detail else ''})"


def _twisted_cause(exception: BaseException) -> BaseException | None:
    """What lies under Scrapy's DownloadFailedError: Twisted's ResponseFailed names its reasons."""
    if not isinstance(exception, DownloadFailedError):
        return None
    cause = exception.__cause__
    for reason in getattr(cause, "reasons", None) or ():
        if isinstance(getattr(reason, "value", None), BaseException):
            return reason.value
    return cause if isinstance(cause, BaseException) and cause is not exception else None


class RevalidatingCachePolicy(RFC2616Policy):
    """RFC 2616 caching, but every crawl asks the funder again (conditionally) and sees its errors.

    Scrapy's policy treats a page as fresh for a tenth of its age since Last-Modified (a feed
    untouched for 100 days would not be asked again for 10), and answers a 5xx with the cached copy.
    Here a stored page is always revalidated with If-None-Match / If-Modified-Since (a 304 costs
    no body), and only a 304 brings the stored copy back.
    """

    def is_cached_response_fresh(self, cachedresponse: Response, request: Request) -> bool:
        self._set_conditional_validators(request, cachedresponse)
        return False

    def is_cached_response_valid(
        self, cachedresponse: Response, response: Response, request: Request
    ) -> bool:
        return response.status == 304


class RevalidatingCacheMiddleware(HttpCacheMiddleware):
    """Scrapy's HTTP cache, where a stored copy stands in for the funder only after its 304.

    Scrapy's middleware answers a timeout, a refused or a lost connection with the stored copy
    before the retry middleware sees the error: a funder that is down looked healthy and every
    record it once listed counted as seen. Here the error goes on to the retries and the run's
    message; a copy revalidated by a 304 is flagged "revalidated" (see FreshItemsMiddleware).
    """

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        cached = request.meta.get("cached_response")
        answer = super().process_response(request, response)
        if cached is not None and answer is cached and response.status == 304:
            answer.flags.append(REVALIDATED)
        return answer

    def process_exception(
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | Response | None:
        request.meta.pop("cached_response", None)
        return None


REVALIDATED = "revalidated"


class FreshItemsMiddleware(BaseSpiderMiddleware):
    """Only what the funder served, or confirmed with a 304, is stored and counted as seen.

    A stored copy the funder did not confirm (a cache policy that answers without asking, an
    error answered from the cache) would move every record's last-seen date although the funder
    said nothing: its items are dropped and the run fails saying so.
    """

    def __init__(self, crawler: Any):
        super().__init__(crawler)
        self.stale = 0

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        if response is None or "cached" not in response.flags or REVALIDATED in response.flags:
            return item
        self.stale += 1
        self.crawler.stats.inc_value("funding/stale_items")
        spider = self.crawler.spider
        if self.stale == 1 and hasattr(spider, "fail"):
            spider.fail(
                f"{response.url}: answered from a stored copy the funder did not confirm; "
                "its items are not counted as seen"
            )
        return None


class LoopAwareRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirects, but a loop or too many hops fails the run naming the URL.

    Scrapy drops a redirect back to a URL already asked (duplicate filter) or beyond
    REDIRECT_MAX_TIMES with a debug line only, and the run then said "no items returned".
    """

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        spider = self.crawler.spider
        if redirected.url in chain:
            loop = " -> ".join([*chain[chain.index(redirected.url) :], redirected.url])
            self._fail(spider, f"redirect loop at {redirected.url} ({loop})")
            raise IgnoreRequest("redirect loop")
        try:
            return super()._redirect(redirected, request, reason)
        except IgnoreRequest:
            self._fail(
                spider,
                f"{chain[0]}: more than {self.max_redirect_times} redirects "
                f"(the last to {redirected.url})",
            )
            raise

    def _fail(self, spider: Any, reason: str) -> None:
        if hasattr(spider, "fail"):
            spider.fail(reason)
        else:
            logger.error(reason, extra={"spider": spider})
