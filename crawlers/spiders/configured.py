"""ConfiguredSpider: crawls a source declared in crawlers/sources.toml, with no Python of its own.

`scrapy crawl configured -a source=NAME` (or `funding crawl NAME`). Three kinds of declaration:
rss (RSS 2.0 or Atom items), json (a list of records at an `items` path, fields at dotted paths,
optionally behind a Next.js buildId) and html (a listing page of links, detail pages read with CSS
selectors). The run is recorded under the source's name, not "configured" (see `source_name`).
"""

import hashlib
import json
import re
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawlers.spiders.base import FundingSpider
from funding.contracts.fields import LIST_FIELDS
from funding.harvest.sources import FieldSpec, SourceDeclaration, get_source
from funding.normalize import html_to_text

MAX_PAGES = 50
_BUILD_ID = re.compile(r'"buildId"\s*:\s*"([^"]+)"')
_PREFIXED = re.compile(r"\b[A-Za-z_][\w.-]*:(?=[A-Za-z_])")  # content:encoded -> encoded
# What an RSS or Atom item states without any declaration; declared fields replace these.
FEED_FIELDS = {
    "title": FieldSpec("title", first=True),
    "url": FieldSpec("link/@href | link[not(@href)]", first=True),
    "summary": FieldSpec("description | summary | content", first=True),
    "themes": FieldSpec("category[not(@term)] | category/@term"),
}
FEED_ID = "guid | id"

Lookup = Callable[[str], list[Any]]


class ConfiguredSpider(FundingSpider):
    """One declaration of crawlers/sources.toml, crawled as its kind says."""

    name = "configured"

    def __init__(self, *args: Any, source: str | None = None, **kwargs: Any):
        if not source:
            raise ValueError(
                "spider configured: name the source, -a source=NAME (crawlers/sources.toml)"
            )
        declaration = get_source(source)
        if not declaration.configured:
            raise ValueError(f"source {source} has a spider of its own: scrapy crawl {source}")
        super().__init__(*args, **kwargs)
        self.declaration: SourceDeclaration = declaration
        self.source_name = declaration.name
        self.source_kind = declaration.kind
        self.allow_empty = declaration.allow_empty
        self.origins = {_origin(u) for u in (*declaration.urls, declaration.build_id_from) if u}
        if self.base_url is None:
            self.base_url = _origin(declaration.urls[0])
        self.detail_requests = 0

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "ConfiguredSpider":
        """The setting <SOURCE>_BASE_URL (FUNDING_CRAWL_BASE_URLS) applies as for any spider."""
        source = kwargs.get("source")
        if source and not kwargs.get("base_url"):
            kwargs["base_url"] = crawler.settings.get(f"{source.upper()}_BASE_URL") or None
        return super().from_crawler(crawler, *args, **kwargs)

    def source_id(self, value: Any) -> str:
        return f"{self.source_name}:{str(value).strip()}"

    def rebase(self, url: str) -> str:
        """A URL of the source's own site, moved to the base URL (a mirror) when one was given."""
        parts = urlsplit(url)
        if _origin(url) not in self.origins:
            return url
        base = urlsplit(self.base_url)
        return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))

    # Requests ------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self.first_requests():
            yield request

    def first_requests(self) -> Iterator[scrapy.Request]:
        declared = self.declaration
        if declared.build_id_from:
            yield scrapy.Request(self.rebase(declared.build_id_from), callback=self.parse_build_id)
            return
        callback = {"rss": self.parse_feed, "json": self.parse_json, "html": self.parse_listing}
        for url in declared.urls:
            yield self.request(url, callback[declared.kind])

    def request(self, url: str, callback: Callable, page: int = 1) -> scrapy.Request:
        accept = {
            "rss": "application/rss+xml, application/atom+xml, application/xml, */*",
            "json": "application/json",
        }.get(self.declaration.kind, "text/html")
        return scrapy.Request(
            self.rebase(url), callback=callback, headers={"Accept": accept}, meta={"page": page}
        )

    # RSS and Atom --------------------------------------------------------------------------

    def parse_feed(self, response: Response, **kwargs: Any) -> Iterator[dict]:
        feed = Selector(text=response.text, type="xml")
        feed.remove_namespaces()
        entries = feed.xpath("//item | //entry")
        if not entries:
            self.logger.warning("%s: no <item> or <entry> in %s", self.source_name, response.url)
        for entry in entries:
            lookup = _xml_lookup(entry)
            fields = {**FEED_FIELDS, **self.declaration.fields}
            item = self.build_item(lookup, fields, base=response.url)
            if item is None:
                continue
            if "id" not in self.declaration.fields:
                guid = next(iter(_texts(lookup(FEED_ID))), None) or item["url"]
                item["id"] = self.source_id(_digest(guid))
            yield item

    # JSON ----------------------------------------------------------------------------------

    def parse_build_id(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request]:
        """A Next.js site serves its data under /_next/data/<buildId>/: read the id from a page."""
        found = _BUILD_ID.search(response.text)
        if found is None:
            self.logger.error("%s: no buildId in %s", self.source_name, response.url)
            return
        for url in self.declaration.urls:
            yield self.request(url.replace("{buildId}", found.group(1)), self.parse_json)

    def parse_json(self, response: Response, **kwargs: Any) -> Iterator[dict | scrapy.Request]:
        data = json.loads(response.body.decode("utf-8-sig"))
        declared = self.declaration
        records = json_path(data, declared.items) if declared.items else data
        if isinstance(records, dict):
            records = [records]
        if not isinstance(records, list):
            self.logger.error("%s: no list at items path %r", self.source_name, declared.items)
            return
        for record in records:
            if not isinstance(record, dict):
                continue
            item = self.build_item(
                lambda path, r=record: _flat(json_path(r, path)), declared.fields, base=response.url
            )
            if item is not None:
                if "id" not in declared.fields:
                    item["id"] = self.source_id(_digest(_path_and_query(item["url"])))
                yield item
        link = _flat(json_path(data, declared.next_page)) if declared.next_page else []
        page = response.meta.get("page", 1)
        if link and isinstance(link[0], str) and page < MAX_PAGES and not self._limit_reached():
            yield self.request(response.urljoin(link[0]), self.parse_json, page + 1)

    # HTML ----------------------------------------------------------------------------------

    def parse_listing(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request]:
        declared = self.declaration
        links = _hrefs(response.css(declared.listing))
        if not links:
            self.logger.warning(
                "%s: the listing selector %r matched no link in %s",
                self.source_name,
                declared.listing,
                response.url,
            )
        for link in links:
            if self._limit_reached():
                return
            self.detail_requests += 1
            yield self.request(response.urljoin(link), self.parse_detail)
        page = response.meta.get("page", 1)
        following = _hrefs(response.css(declared.next_page)) if declared.next_page else []
        if following and page < MAX_PAGES:
            yield self.request(response.urljoin(following[0]), self.parse_listing, page + 1)

    def parse_detail(self, response: Response, **kwargs: Any) -> Iterator[dict]:
        item = self.build_item(
            _css_lookup(response), self.declaration.fields, base=response.url, page=True
        )
        if item is None:
            return
        if "id" not in self.declaration.fields:
            item["id"] = self.source_id(_digest(_path_and_query(response.url)))
        yield item

    # Items ---------------------------------------------------------------------------------

    def build_item(
        self, lookup: Lookup, fields: dict[str, FieldSpec], *, base: str, page: bool = False
    ) -> dict | None:
        """A contract dict: the declaration's defaults, then every field found; None without a URL.

        Relative URLs are read against `base`; `page`: the item is the page at `base` itself.
        """
        item: dict[str, Any] = {"source": self.source_name, **self.declaration.defaults}
        for name, spec in fields.items():
            value = tidy(name, spec, lookup(spec.locator))
            if value is not None:
                item[name] = value
        if page and not item.get("url"):
            item["url"] = base
        if isinstance(item.get("url"), str):
            item["url"] = urljoin(base, item["url"])
        if not item.get("url"):
            self.logger.warning("%s: an item without a URL was skipped", self.source_name)
            return None
        if "id" in item:
            item["id"] = self.source_id(item["id"])
        return item

    def _limit_reached(self) -> bool:
        return self.limit is not None and self.detail_requests >= self.limit


def tidy(name: str, spec: FieldSpec, raw: list[Any]) -> Any:
    """The values found for a field, cleaned as its declaration says; None when nothing is left.

    In order: HTML to text (strip_html), whitespace, `join` (the values into one text), `re`
    (every match, its group if it has one), `format`; then `first`, a list for list fields, or the
    values joined by a space.
    """
    values: list[Any] = []
    for value in raw:
        if value is None or isinstance(value, dict | list):
            continue
        if isinstance(value, str):
            value = html_to_text(value) if spec.strip_html else value
            value = value.strip() if value.lstrip().startswith("<") else " ".join(value.split())
        if value != "":
            values.append(value)
    if spec.join is not None and values:
        values = [spec.join.join(str(v) for v in values)]
    if spec.regex is not None:
        pattern = re.compile(spec.regex, re.IGNORECASE)
        values = [
            (m.group(1) if pattern.groups else m.group(0)).strip()
            for v in values
            for m in pattern.finditer(str(v))
        ]
    if spec.format is not None:
        values = [spec.format.replace("{}", str(v)) for v in values]
    values = [v for v in values if v != ""]
    if not values:
        return None
    if spec.first:
        return values[0]
    if name in LIST_FIELDS:
        return list(dict.fromkeys(str(v) for v in values))
    if len(values) == 1:
        return values[0]
    return " ".join(str(v) for v in values)


def json_path(data: Any, path: str | None) -> Any:
    """'a.b.0.c' in nested JSON; a name applied to a list is applied to each of its elements."""
    if not path:
        return data
    current: list[Any] = [data]
    mapped = False
    for part in path.split("."):
        found = []
        for value in current:
            if isinstance(value, dict) and part in value:
                found.append(value[part])
            elif isinstance(value, list):
                if part.lstrip("-").isdigit():
                    index = int(part)
                    if -len(value) <= index < len(value):
                        found.append(value[index])
                else:
                    mapped = True
                    found.extend(v[part] for v in value if isinstance(v, dict) and part in v)
        current = found
    if mapped:
        return current
    return current[0] if current else None


def _flat(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        out = []
        for v in value:
            out.extend(v if isinstance(v, list) else [v])
        return out
    return [value]


def _xml_lookup(entry: Selector) -> Lookup:
    def lookup(locator: str) -> list[Any]:
        return [_node_text(node) for node in entry.xpath(_PREFIXED.sub("", locator))]

    return lookup


def _css_lookup(response: Response) -> Lookup:
    def lookup(locator: str) -> list[Any]:
        return [
            node.root if isinstance(node.root, str) else node.get()
            for node in response.css(locator)
        ]

    return lookup


def _node_text(node: Selector) -> str:
    """An attribute or text node as it is; an element as all its text (CDATA included)."""
    if isinstance(node.root, str):
        return node.root
    return "".join(node.xpath(".//text()").getall())


def _texts(values: list[Any]) -> list[str]:
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _hrefs(nodes: Any) -> list[str]:
    """Links from what a selector matched: ::attr(href) values, <a> elements, or the <a> inside."""
    links = []
    for node in nodes:
        if isinstance(node.root, str):
            href = node.root
        else:
            href = node.attrib.get("href") or node.css("a::attr(href)").get()
        if href and href.strip() and href.strip() not in links:
            links.append(href.strip())
    return links


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _path_and_query(url: str) -> str:
    """What identifies a page on its site, whichever host (the site or a mirror) served it."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _digest(value: str) -> str:
    return hashlib.sha1(value.strip().encode()).hexdigest()[:16]
