"""FundingSpider: what every source spider shares (base URL, ids, item limit, empty-crawl check).

A spider yields plain dicts in the opportunity contract format
(funding/contracts/opportunity.schema.json); crawlers.pipelines.StorePipeline validates and stores
them. Raw source words are fine: funding/ normalises dates, amounts, statuses and instruments.
"""

import json
import re
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

MAX_FAILURES = 5  # distinct reasons kept in a run's message; the rest are counted
# Bytes a UTF-8 continuation can be, once read as Windows-1252 or Latin-1.
_CONT = (
    "[\\u0080-\\u00bf\\u0152\\u0153\\u0160\\u0161\\u0178\\u017d\\u017e\\u0192\\u02c6\\u02dc"
    "\\u2013\\u2014\\u2018-\\u201e\\u2020-\\u2022\\u2026\\u2030\\u2039\\u203a\\u20ac\\u2122]"
)
# UTF-8 read as Windows-1252: 'Ã©' for 'é', 'â€™' for '’', 'Â«' for '«' (never right in French).
_MOJIBAKE = re.compile(f"[\\u00c2\\u00c3\\u00c5\\u00e2]{_CONT}")
_UTF8_SEQUENCE = re.compile(
    f"[\\u00c2-\\u00df]{_CONT}|[\\u00e0-\\u00ef]{_CONT}{{2}}|[\\u00f0-\\u00f4]{_CONT}{{3}}"
)


class FundingSpider(scrapy.Spider):
    """Base of every source spider; `name` must equal the file stem (crawlers/spiders/<name>.py)."""

    #: Where the source lives; `-a base_url=...` or the setting <NAME>_BASE_URL replace it.
    default_base_url: ClassVar[str] = ""
    #: Who runs the calls, for items that do not say.
    funder: ClassVar[str | None] = None
    #: True for a source that may have nothing open; otherwise an empty crawl is a failure.
    allow_empty: ClassVar[bool] = False
    #: Search filters a crawl may narrow to (`-a keyword=water`), kept in `filters`.
    filter_names: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("name")
        stem = cls.__module__.rsplit(".", 1)[-1]
        if name is not None and name != stem:
            raise TypeError(
                f"spider {cls.__name__}: name {name!r} must equal its file stem {stem!r}"
            )

    def __init__(
        self, *args: Any, base_url: str | None = None, limit: int | str | None = None, **kwargs: Any
    ):
        filters = {k: kwargs.pop(k) for k in self.filter_names if kwargs.get(k) not in (None, "")}
        super().__init__(*args, **kwargs)
        self.filters: dict[str, Any] = filters
        self.base_url = base_url.rstrip("/") if base_url else None
        self.limit = _positive(limit)
        self.problems: list[str] | None = None
        self.failures: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "FundingSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.base_url is None:
            configured = crawler.settings.get(f"{spider.name.upper()}_BASE_URL")
            spider.base_url = (configured or cls.default_base_url).rstrip("/")
        if not spider.base_url:
            raise ValueError(f"spider {spider.name}: no default_base_url and no base_url given")
        return spider

    def source_id(self, value: Any) -> str:
        """The stable opportunity id: '<spider name>:<id at the source>'."""
        return f"{self.name}:{str(value).strip()}"

    def fail(self, reason: str) -> None:
        """Log an error and make `reason` one of the first problems the run records."""
        if reason not in self.failures:
            self.failures.append(reason)
        self.logger.error("%s: %s", self.name, reason)

    def json(self, response: Response) -> Any:
        """The answer's JSON, or None after failing the run with what is wrong with it, in words."""
        body = response.body
        kind = response.headers.get(b"Content-Type", b"").decode("latin-1").split(";")[0].strip()
        start = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if not start:
            self.fail(f"{response.url}: expected JSON, got an empty answer")
            return None
        if "html" in kind or start.startswith((b"<!doctype html", b"<html")):
            self.fail(f"{response.url}: expected JSON, got an HTML page ({kind or 'no type'})")
            return None
        if start.startswith(b"<"):
            self.fail(f"{response.url}: expected JSON, got XML or markup ({kind or 'no type'})")
            return None
        text = self._json_text(response)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
                self.fail(
                    f"{response.url}: the JSON is cut off (truncated at byte {_bytes(len(body))})"
                )
            else:
                self.fail(
                    f"{response.url}: not valid JSON ({exc.msg} at line {exc.lineno} "
                    f"column {exc.colno})"
                )
            return None
        if _MOJIBAKE.search(text):
            data = self._mend(data, response.url)
        return data

    def _json_text(self, response: Response) -> str:
        """JSON is UTF-8 (RFC 8259): read it so whatever the header says; else as declared, flagged."""
        body = response.body
        try:
            return body.decode(json.detect_encoding(body)).lstrip("\ufeff")
        except UnicodeDecodeError:
            pass
        declared = getattr(response, "encoding", None) or "utf-8"
        fallback = declared if declared.replace("-", "").lower() not in ("utf8",) else "cp1252"
        try:
            text = body.decode(fallback)
        except (UnicodeDecodeError, LookupError):
            fallback, text = "latin-1", body.decode("latin-1")
        self.logger.warning(
            "%s: the answer is not UTF-8 although JSON must be; read as %s", response.url, fallback
        )
        self.crawler.stats.inc_value("funding/json_not_utf8")
        return text

    def _mend(self, value: Any, url: str) -> Any:
        """Mend text that was UTF-8 read as Windows-1252 ('CrÃ©ation' -> 'Création'), flagged."""
        if isinstance(value, str):
            if not _MOJIBAKE.search(value):
                return value
            mended = _UTF8_SEQUENCE.sub(_as_utf8, value)
            stats = self.crawler.stats
            stats.inc_value("funding/mojibake_mended")
            if _MOJIBAKE.search(mended):
                stats.inc_value("funding/mojibake_left")
                self.logger.warning("%s: text still looks garbled: %r", url, mended[:80])
            elif stats.get_value("funding/mojibake_mended") == 1:
                self.logger.warning(
                    "%s: mended text garbled by a wrong encoding (UTF-8 read as Windows-1252): "
                    "%r -> %r",
                    url,
                    value[:60],
                    mended[:60],
                )
            return mended
        if isinstance(value, list):
            return [self._mend(v, url) for v in value]
        if isinstance(value, dict):
            return {k: self._mend(v, url) for k, v in value.items()}
        return value

    def closed(self, reason: str) -> None:
        """Decide once whether the crawl went wrong; the store pipeline records the same verdict."""
        found = crawl_problems(self.crawler.stats, reason, allow_empty=self.allow_empty)
        self.problems = _first_failures(self.failures) + found
        for problem in found:
            self.logger.error("%s crawl failed: %s", self.name, problem)


def crawl_problems(stats: StatsCollector, reason: str, *, allow_empty: bool = False) -> list[str]:
    """What makes a crawl a failure: an abnormal close, HTTP errors, logged errors, or no items."""
    value = stats.get_stats()
    problems = []
    if reason != "finished":
        problems.append(f"closed early ({reason})")
    seen = value.get("item_scraped_count", 0) + value.get("item_dropped_count", 0)
    if seen == 0 and not allow_empty:
        problems.append("no items returned")
    statuses = sorted(
        (key.rsplit("/", 1)[-1], count)
        for key, count in value.items()
        if key.startswith("httperror/response_ignored_status_count/")
    )
    if statuses:
        problems.append("HTTP " + ", ".join(f"{code} ({count}x)" for code, count in statuses))
    if value.get("robotstxt/forbidden"):
        problems.append(f"robots.txt forbids {value['robotstxt/forbidden']} request(s)")
    if value.get("retry/max_reached"):
        problems.append(f"{value['retry/max_reached']} request(s) failed after retries")
    if value.get("log_count/ERROR"):
        problems.append(f"{value['log_count/ERROR']} error(s) logged")
    return problems


def _first_failures(failures: list[str]) -> list[str]:
    """The first few failure reasons, and how many more there were."""
    if len(failures) <= MAX_FAILURES:
        return list(failures)
    return failures[:MAX_FAILURES] + [f"and {len(failures) - MAX_FAILURES} more failure(s)"]


def _as_utf8(match: re.Match) -> str:
    """One garbled character back to itself, when its bytes are valid UTF-8."""
    text = match.group()
    for wrong in ("cp1252", "latin-1"):
        try:
            return text.encode(wrong).decode("utf-8")
        except UnicodeError:
            continue
    return text


def _bytes(count: int) -> str:
    """4096 -> '4 096', as French and SI write it."""
    return f"{count:,}".replace(",", " ")


def _positive(value: int | str | None) -> int | None:
    if value is None or value == "":
        return None
    number = int(value)
    if number < 1:
        raise ValueError(f"limit must be a positive number of items, not {value!r}")
    return number
