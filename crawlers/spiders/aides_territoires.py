"""Aides-territoires: every published aid from the French national aggregator's API.

Interface (shared/sources.md): a personal token sent as X-AUTH-TOKEN to POST /api/connexion/
returns {"token": JWT}; then GET /api/aids/?page=N&itemsPerPage=100 with `Authorization: Bearer
<JWT>` answers {count, previous, next, results}, followed through `next` until it is null.
No token configured (FUNDING_AIDES_TERRITOIRES_TOKEN) = the spider is skipped, not failed: it
sends nothing, says why, and sets `skipped` for the store pipeline to record.
"""

import html
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar
from urllib.parse import urlencode, urljoin, urlparse

import scrapy
from scrapy.http import Response

from crawlers.spiders.base import FundingSpider
from funding.settings import get_settings

TOKEN_VARIABLE = "FUNDING_AIDES_TERRITOIRES_TOKEN"
SKIPPED = f"{TOKEN_VARIABLE} is not set: aides_territoires skipped"
CONNEXION_PATH = "/api/connexion/"
AIDS_PATH = "/api/aids/"
PUBLIC_SITE = "https://aides-territoires.beta.gouv.fr"
# Search filters of /api/aids/ a crawl may narrow to (`-a organization_type_slugs=association`);
# a comma-separated value is sent as repeated parameters.
FILTERS = (
    "keyword",
    "organization_type_slugs",
    "perimeter_id",
    "category_slugs",
    "aid_type_slugs",
    "call_for_projects_only",
    "apply_before",
    "published_after",
)
MAX_PAGES = 500  # 50,000 aids: far above the ~5,000 the site lists


def configured_token() -> str | None:
    """The personal API token, from funding settings (or the environment until settings has it)."""
    token = getattr(get_settings(), "aides_territoires_token", None) or os.environ.get(
        TOKEN_VARIABLE
    )
    return token.strip() if token and token.strip() else None


class AidesTerritoiresSpider(FundingSpider):
    """Exchange the token for a JWT, then read every page of /api/aids/ through `next`."""

    name = "aides_territoires"
    default_base_url = "https://aides-territoires.beta.gouv.fr"
    items_per_page: ClassVar[int] = 100
    filter_names = FILTERS

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.jwt: str | None = None
        self.token: str | None = None
        self.skipped: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "AidesTerritoiresSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.token = configured_token()
        if spider.token is None:
            spider.skipped = SKIPPED
            spider.allow_empty = True  # nothing to crawl is not a failure here
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.skipped:
            self.logger.warning(self.skipped)
            return
        yield self.token_request()

    def token_request(self) -> scrapy.Request:
        """The token exchange; never cached, and a refusal is handled here, not retried."""
        return scrapy.Request(
            f"{self.base_url}{CONNEXION_PATH}",
            method="POST",
            headers={"X-AUTH-TOKEN": self.token, "Accept": "application/json"},
            meta={"dont_cache": True, "handle_httpstatus_list": [401, 403]},
            callback=self.parse_token,
            dont_filter=True,
        )

    def aids_request(self, url: str, page: int) -> scrapy.Request:
        return scrapy.Request(
            url,
            headers={"Authorization": f"Bearer {self.jwt}", "Accept": "application/json"},
            meta={"page": page},
            callback=self.parse,
        )

    def first_page_url(self) -> str:
        params: list[tuple[str, str]] = [("page", "1"), ("itemsPerPage", str(self.items_per_page))]
        for key, value in self.filters.items():
            params.extend((key, part.strip()) for part in str(value).split(",") if part.strip())
        return f"{self.base_url}{AIDS_PATH}?{urlencode(params)}"

    def parse_token(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request]:
        if response.status in (401, 403):
            self.fail(
                f"Aides-territoires refused the token exchange (HTTP {response.status}): "
                f"check {TOKEN_VARIABLE}"
            )
            return
        data = self.json(response)
        if data is None:
            return
        try:
            self.jwt = data["token"]
        except (KeyError, TypeError):
            self.fail(f"the token exchange answered no token: {response.text[:200]!r}")
            return
        yield self.aids_request(self.first_page_url(), 1)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[dict | scrapy.Request]:
        data = self.json(response)
        if data is None:
            return
        for aid in data.get("results") or []:
            yield self.parse_aid(aid)
        page = response.meta.get("page", 1)
        following = data.get("next")
        if following and page < MAX_PAGES:
            yield self.aids_request(self._on_base(following), page + 1)
        elif following:
            self.fail(f"stopped at page {page} of {data.get('count')} aids")

    def parse_aid(self, aid: dict) -> dict:
        slug = _text(aid.get("slug")) or _text(aid.get("id"))
        lower, upper = (
            _rate(aid.get("subvention_rate_lower_bound")),
            _rate(aid.get("subvention_rate_upper_bound")),
        )
        return {
            "id": self.source_id(slug) if slug else None,
            "source": self.name,
            "url": self._parse_url(aid, slug),
            "title": self._parse_title(aid),
            "summary": _text(aid.get("description")),
            "eligibility_text": _text(aid.get("eligibility")),
            "funder": self._parse_funder(aid),
            "language": "fr",
            "instrument": self._parse_instrument(aid),
            "opens_on": _text(aid.get("start_date")),
            "deadlines": self._parse_deadlines(aid),
            "recurrence": _text(aid.get("recurrence")),
            "currency": "EUR",
            "cofinancing_rate_max": upper,
            "applicant_types": _names(aid.get("targeted_audiences")),
            "intervention_zones": self._parse_intervention_zones(aid),
            "themes": _names(aid.get("categories")),
            "cofinancing_rate_min": lower,
            "aid_types": _names(aid.get("aid_types")),
            "destinations": _names(aid.get("destinations")),
            "mobilization_steps": _names(aid.get("mobilization_steps")),
            "is_call_for_project": aid.get("is_call_for_project"),
            "loan_amount": aid.get("loan_amount") or None,
            "origin_url": _text(aid.get("origin_url")),
            "application_url": _text(aid.get("application_url")),
            "date_updated": _text(aid.get("date_updated")),
        }

    def _parse_url(self, aid: dict, slug: str | None) -> str | None:
        """The aid's public page on the site (the API's `url` is relative)."""
        url = _text(aid.get("url"))
        if url:
            return urljoin(PUBLIC_SITE + "/", url)
        return f"{PUBLIC_SITE}/aides/{slug}/" if slug else None

    def _parse_title(self, aid: dict) -> str | None:
        """Some funders' feeds leave HTML entities (&rsquo;) in names."""
        name = _text(aid.get("name"))
        return html.unescape(name) if name else None

    def _parse_funder(self, aid: dict) -> str | None:
        return ", ".join(_names(aid.get("financers")) or []) or None

    def _parse_instrument(self, aid: dict) -> str | None:
        """The first aid type (Subvention, Prêt...); funding/ maps it, the others stay as extras."""
        types = _names(aid.get("aid_types"))
        return types[0] if types else None

    def _parse_deadlines(self, aid: dict) -> list[str] | None:
        deadline = _text(aid.get("submission_deadline"))
        return [deadline] if deadline else None

    def _parse_intervention_zones(self, aid: dict) -> list[str] | None:
        perimeter = aid.get("perimeter")
        return _names(perimeter if isinstance(perimeter, list) else [perimeter])

    def _on_base(self, url: str) -> str:
        """`next` names the public host; keep its path and query on the crawled base URL."""
        parts = urlparse(url)
        return f"{self.base_url}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None


def _names(values: Any) -> list[str] | None:
    """A list of labels; an entry may be a bare label or an object with a name."""
    if not isinstance(values, list):
        return None
    names = []
    for value in values:
        name = _text(value.get("name") if isinstance(value, dict) else value)
        if name and name not in names:
            names.append(name)
    return names or None


def _rate(value: Any) -> float | None:
    """A subvention rate in percent (80) as a share (0.8); 0 or nothing is unknown."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number / 100 if 0 < number <= 100 else None
