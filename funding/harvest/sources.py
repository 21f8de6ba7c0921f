"""The declared sources (crawlers/sources.toml): read, checked, and named precisely when wrong.

Every source has a table there: the Python spiders (kind "spider") and the configured ones (kind
"rss", "json" or "html"), which the one `configured` spider crawls from their declaration alone.
"""

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from funding.contracts.fields import CONTRACT_FIELDS
from funding.errors import FundingError
from funding.settings import get_settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SOURCES_FILE = PROJECT_ROOT / "crawlers" / "sources.toml"
SPIDERS = PROJECT_ROOT / "crawlers" / "spiders"

KINDS = ("spider", "rss", "json", "html")
CONFIGURED_SPIDER = "configured"  # crawlers/spiders/configured.py crawls every non-spider kind
SCHEDULES = ("hourly", "daily", "weekly", "monthly")
FIELD_NAMES = set(CONTRACT_FIELDS) - {"source"}
TRANSFORMS = {"first", "join", "re", "strip_html", "format"}

_COMMON_KEYS = {"kind", "enabled", "schedule", "unverified", "note"}
_KEYS = {
    "spider": _COMMON_KEYS,
    "rss": _COMMON_KEYS | {"url", "urls", "fields", "defaults", "allow_empty"},
    "json": _COMMON_KEYS
    | {"url", "urls", "items", "fields", "defaults", "next_page", "build_id_from", "allow_empty"},
    "html": _COMMON_KEYS
    | {"url", "urls", "listing", "next_page", "fields", "defaults", "allow_empty"},
}
_LOCATOR = {"rss": "path", "json": "path", "html": "css"}
_WHAT = {
    "rss": "an element name of the feed item (title, description, content:encoded, link/@href)",
    "json": "a dotted path in the item (grant.name, financers.0.name)",
    "html": "a CSS selector string",
}
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_CRON_FIELD = re.compile(r"[\d*/,\-A-Za-z?]+")


class SourcesError(FundingError):
    """sources.toml is unreadable or a declaration is wrong; the message names file, source and key."""


@dataclass(frozen=True)
class FieldSpec:
    """Where one contract field is read (a CSS selector or a path) and how the value is tidied."""

    locator: str
    first: bool = False
    join: str | None = None
    regex: str | None = None
    strip_html: bool = False
    format: str | None = None


@dataclass(frozen=True)
class SourceDeclaration:
    name: str
    kind: str
    enabled: bool = True
    schedule: str = "daily"
    unverified: bool = False
    note: str | None = None
    urls: tuple[str, ...] = ()
    items: str | None = None
    listing: str | None = None
    next_page: str | None = None
    build_id_from: str | None = None
    allow_empty: bool = False
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)

    @property
    def configured(self) -> bool:
        """Crawled by the generic `configured` spider from this declaration (no Python of its own)."""
        return self.kind != "spider"

    @property
    def spider(self) -> str:
        """The Scrapy spider that crawls this source."""
        return CONFIGURED_SPIDER if self.configured else self.name


def sources_file() -> Path:
    """FUNDING_SOURCES_FILE, else the project's crawlers/sources.toml."""
    return get_settings().sources_file or SOURCES_FILE


def load_sources(
    path: Path | None = None, *, spiders: Path | None = SPIDERS
) -> dict[str, SourceDeclaration]:
    """Every declaration of the file, in file order; SourcesError on the first mistake found.

    `spiders` is the folder a kind = "spider" source must have its file in (None: not checked).
    """
    path = Path(path or sources_file())
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise SourcesError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path.name}: not valid TOML: {exc}") from None
    sources = {}
    for name, table in data.items():
        sources[name] = _declaration(path.name, name, table, spiders)
    return sources


def get_source(name: str, path: Path | None = None) -> SourceDeclaration:
    sources = load_sources(path)
    if name not in sources:
        raise SourcesError(f"no source {name!r} in {path or sources_file()}")
    return sources[name]


def _declaration(file: str, name: str, table: Any, spiders: Path | None) -> SourceDeclaration:
    def fail(key: str | None, problem: str) -> SourcesError:
        return SourcesError(f"{file}: [{name}]{' ' + key if key else ''}: {problem}")

    if not isinstance(table, dict):
        raise fail(None, "expected a table ([name] followed by its keys)")
    if not _NAME.fullmatch(name):
        raise fail(
            None, "a source name is lower-case letters, digits and _, starting with a letter"
        )
    if name == CONFIGURED_SPIDER:
        raise fail(None, "'configured' is the generic spider's own name; choose another")
    kind = table.get("kind")
    if kind not in KINDS:
        raise fail("kind", f"expected one of {', '.join(KINDS)}, got {kind!r}")
    unknown = sorted(set(table) - _KEYS[kind])
    if unknown:
        raise fail(
            unknown[0], f"unknown key for kind {kind!r} (allowed: {', '.join(sorted(_KEYS[kind]))})"
        )
    unverified = _bool(table, "unverified", False, fail)
    values: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "unverified": unverified,
        "enabled": _bool(table, "enabled", not unverified, fail),
        "schedule": _schedule(table.get("schedule", "daily"), fail),
        "note": _string(table, "note", fail),
    }
    spider_file = spiders / f"{name}.py" if spiders is not None else None
    if kind == "spider":
        if spider_file is not None and not spider_file.is_file():
            raise fail("kind", f"no spider file crawlers/spiders/{name}.py")
        return SourceDeclaration(**values)
    if spider_file is not None and spider_file.is_file():
        raise fail("kind", f'crawlers/spiders/{name}.py exists: declare it kind = "spider"')
    values["urls"] = _urls(table, fail)
    values["allow_empty"] = _bool(table, "allow_empty", False, fail)
    values["next_page"] = _string(table, "next_page", fail)
    values["fields"] = _fields(kind, table.get("fields", {}), fail)
    values["defaults"] = _defaults(table.get("defaults", {}), fail)
    if kind == "json":
        values["items"] = _string(table, "items", fail)
        values["build_id_from"] = _string(table, "build_id_from", fail)
        if values["build_id_from"] and not any("{buildId}" in u for u in values["urls"]):
            raise fail("build_id_from", "the url has no {buildId} to fill in")
    if kind == "html":
        values["listing"] = _string(table, "listing", fail, required=True)
        _check_css(values["listing"], "listing", fail)
        if values["next_page"]:
            _check_css(values["next_page"], "next_page", fail)
    missing = [f for f in ("title",) if f not in values["fields"]]
    if kind in ("json", "html") and missing:
        raise fail("fields.title", "is required (the contract needs a title)")
    if kind == "json" and "url" not in values["fields"]:
        raise fail("fields.url", "is required for a json source (a path, or a path with format)")
    return SourceDeclaration(**values)


def _bool(table: dict, key: str, default: bool, fail) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise fail(key, f"expected true or false, got {value!r}")
    return value


def _string(table: dict, key: str, fail, *, required: bool = False) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            raise fail(key, "is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise fail(key, f"expected a non-empty string, got {value!r}")
    return value.strip()


def _schedule(value: Any, fail) -> str:
    if isinstance(value, str):
        text = value.strip()
        if text in SCHEDULES:
            return text
        parts = text.split()
        if len(parts) == 5 and all(_CRON_FIELD.fullmatch(p) for p in parts):
            return text
    raise fail(
        "schedule",
        f'expected {", ".join(SCHEDULES)} or a cron string such as "0 5 * * *", got {value!r}',
    )


def _urls(table: dict, fail) -> tuple[str, ...]:
    if "url" in table and "urls" in table:
        raise fail("urls", "give url or urls, not both")
    value = table.get("urls", [table["url"]] if "url" in table else None)
    key = "urls" if "urls" in table else "url"
    if not value:
        raise fail("url", "is required (where the crawl starts)")
    if isinstance(value, str) or not isinstance(value, list):
        raise fail(key, f"expected a list of URLs, got {value!r}")
    for url in value:
        if not isinstance(url, str) or not re.match(r"https?://[^\s/]+", url):
            raise fail(key, f"{url!r} is not an absolute http(s) URL")
    return tuple(value)


def _fields(kind: str, table: Any, fail) -> dict[str, FieldSpec]:
    if not isinstance(table, dict):
        raise fail("fields", "expected a table of contract field = locator")
    specs = {}
    for name, value in table.items():
        key = f"fields.{name}"
        if name not in FIELD_NAMES:
            raise fail(key, f"not a contract field (one of: {', '.join(sorted(FIELD_NAMES))})")
        specs[name] = _field(kind, key, value, fail)
    return specs


def _field(kind: str, key: str, value: Any, fail) -> FieldSpec:
    locator_key = _LOCATOR[kind]
    if isinstance(value, str):
        value = {locator_key: value}
    if not isinstance(value, dict):
        raise fail(key, f"expected {_WHAT[kind]}")
    locator = value.get(locator_key)
    if not isinstance(locator, str) or not locator.strip():
        raise fail(key, f"expected {_WHAT[kind]}" + (f' as {locator_key} = "..."' if value else ""))
    unknown = sorted(set(value) - TRANSFORMS - {locator_key})
    if unknown:
        raise fail(
            f"{key}.{unknown[0]}", f"unknown option (allowed: {', '.join(sorted(TRANSFORMS))})"
        )
    if kind == "html":
        _check_css(locator, key, fail)
    regex = value.get("re")
    if regex is not None:
        try:
            compiled = re.compile(regex)
        except (re.error, TypeError) as exc:
            raise fail(f"{key}.re", f"not a regular expression: {exc}") from None
        if compiled.groups > 1:
            raise fail(f"{key}.re", "use at most one (group): it is the value kept")
    for option in ("first", "strip_html"):
        if not isinstance(value.get(option, False), bool):
            raise fail(f"{key}.{option}", "expected true or false")
    for option in ("join", "format"):
        if option in value and not isinstance(value[option], str):
            raise fail(f"{key}.{option}", "expected a string")
    if "format" in value and "{}" not in value["format"]:
        raise fail(f"{key}.format", "expected a template with {} where the value goes")
    return FieldSpec(
        locator=locator.strip(),
        first=value.get("first", False),
        join=value.get("join"),
        regex=regex,
        strip_html=value.get("strip_html", False),
        format=value.get("format"),
    )


def _defaults(table: Any, fail) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise fail("defaults", "expected a table of contract field = value")
    for name, value in table.items():
        if name not in FIELD_NAMES - {"id", "url", "title"}:
            raise fail(f"defaults.{name}", "not a contract field that can have a default")
        if not isinstance(value, str | int | float | bool | list):
            raise fail(f"defaults.{name}", f"expected a value, got {value!r}")
    return dict(table)


def _check_css(selector: str, key: str, fail) -> None:
    """Refuse a selector parsel cannot read (its ::text and ::attr(name) included), if parsel is here."""
    try:
        from cssselect import ExpressionError, SelectorSyntaxError
        from parsel.csstranslator import HTMLTranslator
    except ImportError:  # pragma: no cover - parsel comes with Scrapy
        return
    try:
        HTMLTranslator().css_to_xpath(selector)
    except (SelectorSyntaxError, ExpressionError) as exc:
        raise fail(key, f"{selector!r} is not a valid CSS selector ({exc})") from None
