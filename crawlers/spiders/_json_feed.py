"""JsonFeedSpider: what the French funders' JSON feeds share (one GET, a list of records, `next` links).

Also the small cleaners those feeds need: URLs and ISO dates with stray spaces ("https: //...",
"2022-07-28T11: 40: 47+02: 00"), HTML entities in titles and labels, UTC times read as the
French day they stand for.
"""

import html
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import scrapy
from scrapy.http import Response

from crawlers.spiders.base import FundingSpider
from funding.errors import NormalizationError
from funding.normalize import parse_amount_range

PARIS = ZoneInfo("Europe/Paris")
MAX_PAGES = 200
_ISO_WITH_SPACES = re.compile(r"\d{4}-\d{2}-\d{2}[T ][\d:.+\-Z ]+")
_SPACES = re.compile(r"\s+")
_SPACED_SCHEME = re.compile(r"\b(https?):\s+//", re.IGNORECASE)


class JsonFeedSpider(FundingSpider):
    """Fetch `feed_path` under the base URL, yield `parse_record` of each record, follow `next_page`."""

    #: Path (and query) of the feed under the base URL.
    feed_path: ClassVar[str] = ""

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.feed_request(f"{self.base_url}{self.feed_path}", 1)

    def feed_request(self, url: str, page: int) -> scrapy.Request:
        return scrapy.Request(
            url, headers={"Accept": "application/json"}, meta={"page": page}, callback=self.parse
        )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[dict | scrapy.Request]:
        data = self.json(response)
        if data is None:
            return
        for record in self.records(data):
            if isinstance(record, dict):
                yield self.parse_record(record)
        link = self.next_page(data)
        page = response.meta.get("page", 1)
        if link and page < MAX_PAGES:
            yield self.feed_request(response.urljoin(clean_url(link)), page + 1)
        elif link:
            self.logger.error("stopped at page %s, the feed still links to %s", page, link)

    def records(self, data: Any) -> Iterable[Any]:
        """The records of one answer; a feed that wraps them in an object overrides this."""
        return data if isinstance(data, list) else ()

    def next_page(self, data: Any) -> str | None:
        """The link to the next page, for paged feeds."""
        return None

    def parse_record(self, record: dict) -> dict:
        raise NotImplementedError


def clean_url(value: Any) -> str | None:
    """'https: //www.culture.gouv.fr/A b' -> 'https://www.culture.gouv.fr/Ab': a URL holds no spaces."""
    if not isinstance(value, str) or not value.strip():
        return None
    return _SPACES.sub("", value)


def clean_html_links(value: str | None) -> str | None:
    """Mend 'https: //' inside HTML text, so the links in a description work."""
    return _SPACED_SCHEME.sub(r"\1://", value) if value else value


def day(value: Any) -> str | None:
    """An ISO timestamp as the day it is in France ('2019-07-07T22:00:00.000Z' -> '2019-07-08').

    Stray spaces are removed first. Anything else is returned as the source wrote it: funding/
    reads French dates ('15 avril 2022') and compact ones ('20230112').
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if _ISO_WITH_SPACES.fullmatch(text):
        text = _SPACES.sub("", text[:10]) + "T" + _SPACES.sub("", text[11:])
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text[:10]
        if moment.tzinfo is not None:
            moment = moment.astimezone(PARIS)
        return moment.date().isoformat()
    return text


def plain(value: Any) -> str | None:
    """A title or label without HTML entities ('d&rsquo;un' -> 'd’un') or doubled spaces."""
    if not isinstance(value, str):
        return None
    return " ".join(html.unescape(value).split()) or None


def labels(values: Any) -> list[str] | None:
    """Non-empty labels of a list (entities decoded), in order, without repeats."""
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values or ():
        label = plain(value)
        if label and label not in out:
            out.append(label)
    return out or None


def html_parts(*parts: Any, separator: str = "\n") -> str | None:
    """Join the non-empty HTML fragments of a record (kept as HTML: funding/ makes the plain text)."""
    kept = [p.strip() for p in parts if isinstance(p, str) and p.strip()]
    return separator.join(kept) or None


def amount_bounds(text: str, *, currency: bool = False) -> dict[str, Any]:
    """The positive floor and ceiling of an amount text ('entre 750 000 et 1 million d'euro'), and
    its currency when asked; {} when the text reads as no amount."""
    try:
        low, high = parse_amount_range(text)
    except NormalizationError:
        return {}
    bounds: dict[str, Any] = {
        "amount_min": low.amount if low and low.amount > 0 else None,
        "amount_max": high.amount if high and high.amount > 0 else None,
    }
    if currency:
        bounds["currency"] = (low or high).currency if (low or high) else None
    return bounds
