"""EU Funding & Tenders Portal: open and forthcoming topics from the SEDIA search API.

Interface (shared/sources.md): POST multipart/form-data (query, sort, languages, each JSON) to
/search-api/prod/rest/search?apiKey=SEDIA&text=***&pageSize=100&pageNumber=N; the answer is
{totalResults, pageNumber, pageSize, results: [{reference, url, language, metadata}]} and every
metadata value is a list.
"""

import json
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response

from crawlers.multipart import multipart_body
from crawlers.spiders.base import FundingSpider

SEARCH_PATH = "/search-api/prod/rest/search"
TOPIC_URL = (
    "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"
    "topic-details/"
)
# type 1 = grant topic, 2 = external-action call, 8 = cascade funding; all call for proposals.
TYPES = {"1": "grant", "2": "grant", "8": "grant"}
STATUSES = {"31094501": "forthcoming", "31094502": "open", "31094503": "closed"}
QUERY = {
    "bool": {
        "must": [
            {"terms": {"type": sorted(TYPES)}},
            {"terms": {"status": ["31094501", "31094502"]}},
        ]
    }
}
SORT = {"field": "startDate", "order": "DESC"}
LANGUAGES = ["en"]
# frameworkProgramme codes, as paired with programme names in the recorded topics.
PROGRAMMES = {
    "111111": "EU External Action - Prospect (RELEX-PROSPECT)",
    "43108390": "Horizon Europe",
    "43152860": "Digital Europe",
    "43251567": "Connecting Europe Facility",
    "43251589": "CERV",
    "43251814": "Creative Europe",
    "43252368": "ISF",
    "43252386": "Justice",
    "43252405": "LIFE",
    "43252433": "Pericles IV",
    "43252449": "RFCS",
    "43252476": "Single Market Programme",
    "43253967": "Renewable Energy FM",
    "43254019": "ESF+",
    "43298916": "Euratom",
    "43353764": "Erasmus+",
    "43392145": "EMFAF",
    "43637601": "Pilot Projects & Preparatory Actions",
    "44181033": "European Defence Fund",
    "44416173": "Interregional Innovation",
    "45532249": "EU Agencies",
    "46324255": "Technical assistance for ERDF, CF and JTF (ERDF-TA)",
}
MAX_PAGES = 200  # 20,000 topics: far above the ~1,000 open at any time


class EuSediaSpider(FundingSpider):
    """Every open or forthcoming topic, 100 per page, until totalResults are read."""

    name = "eu_sedia"
    default_base_url = "https://api.tech.ec.europa.eu"
    funder = "European Commission"
    page_size = 100

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.search_request(1)

    def search_request(self, page: int, read: int = 0) -> scrapy.Request:
        """The POST for one page; `read` is how many results the earlier pages held."""
        params = {"apiKey": "SEDIA", "text": "***", "pageSize": self.page_size, "pageNumber": page}
        body, content_type = multipart_body({"query": QUERY, "sort": SORT, "languages": LANGUAGES})
        return scrapy.Request(
            f"{self.base_url}{SEARCH_PATH}?{urlencode(params, safe='*')}",
            method="POST",
            body=body,
            headers={"Content-Type": content_type, "Accept": "application/json"},
            meta={"page": page, "read": read},
            callback=self.parse,
        )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[dict | scrapy.Request]:
        data = self.json(response)
        if data is None:
            return
        results = data.get("results") or []
        for result in results:
            yield self.parse_topic(result)
        page, read = response.meta["page"], response.meta["read"] + len(results)
        total = int(data.get("totalResults") or 0)
        if results and read < total and page < MAX_PAGES:
            yield self.search_request(page + 1, read)
        elif read < total:
            self.logger.error("stopped at page %s with %s of %s topics read", page, read, total)

    def parse_topic(self, result: dict) -> dict:
        meta = result.get("metadata") or {}
        identifier = _first(meta, "identifier")
        amounts = _budget_actions(meta)
        return {
            "id": self.source_id(identifier.lower()) if identifier else None,
            "source": self.name,
            "url": self._parse_url(identifier),
            "title": _first(meta, "title") or result.get("summary"),
            "summary": _first(meta, "descriptionByte"),
            "eligibility_text": _first(meta, "topicConditions"),
            "funder": self.funder,
            "programme": self._parse_programme(meta),
            "language": result.get("language") or "en",
            "instrument": self._parse_instrument(meta),
            "status": self._parse_status(meta),
            "opens_on": self._parse_opens_on(meta),
            "deadlines": self._parse_deadlines(meta),
            "amount_min": self._parse_amount_min(amounts),
            "amount_max": self._parse_amount_max(amounts),
            "total_budget": self._parse_total_budget(amounts),
            "themes": self._parse_themes(meta),
            "expected_grants": self._parse_expected_grants(amounts),
            "call_identifier": _first(meta, "callIdentifier"),
            "call_title": _first(meta, "callTitle"),
            "deadline_model": _first(meta, "deadlineModel"),
        }

    def _parse_url(self, identifier: str | None) -> str | None:
        """The topic's public page; the result's own `url` is a dead JSON file."""
        return f"{TOPIC_URL}{identifier.lower()}" if identifier else None

    def _parse_programme(self, meta: dict) -> str | None:
        code = _first(meta, "frameworkProgramme")
        return PROGRAMMES.get(code or "") or _first(meta, "callTitle") or code

    def _parse_instrument(self, meta: dict) -> str | None:
        """The type of action as the portal words it (funding/ maps it), else the document type."""
        return _first(meta, "typesOfAction") or TYPES.get(_first(meta, "type") or "")

    def _parse_status(self, meta: dict) -> str | None:
        return STATUSES.get(_first(meta, "status") or "")

    def _parse_opens_on(self, meta: dict) -> str | None:
        return _day(_first(meta, "startDate"))

    def _parse_deadlines(self, meta: dict) -> list[str] | None:
        """Every stage's deadline (a two-stage topic has two), sorted."""
        days = {_day(value) for value in _all(meta, "deadlineDate")} - {None}
        return sorted(days) or None

    def _parse_amount_min(self, actions: list[dict]) -> float | None:
        values = [a["minContribution"] for a in actions if _positive(a.get("minContribution"))]
        return min(values) if values else None

    def _parse_amount_max(self, actions: list[dict]) -> float | None:
        values = [a["maxContribution"] for a in actions if _positive(a.get("maxContribution"))]
        return max(values) if values else None

    def _parse_total_budget(self, actions: list[dict]) -> float | None:
        values = [
            v for a in actions for v in (a.get("budgetYearMap") or {}).values() if _positive(v)
        ]
        return sum(values) if values else None

    def _parse_expected_grants(self, actions: list[dict]) -> int | None:
        values = [a["expectedGrants"] for a in actions if _positive(a.get("expectedGrants"))]
        return sum(values) if values else None

    def _parse_themes(self, meta: dict) -> list[str] | None:
        """Keywords and cross-cutting priorities, without the topic and call codes listed there."""
        codes = {c.lower() for c in _all(meta, "identifier") + _all(meta, "callIdentifier")}
        themes: list[str] = []
        for word in _all(meta, "keywords") + _all(meta, "crossCuttingPriorities"):
            if word.lower() not in codes and word not in themes:
                themes.append(word)
        return themes or None


def _all(meta: dict, field: str) -> list[str]:
    """A metadata field's non-empty values (every value is a list; a bare value is tolerated)."""
    value = meta.get(field)
    values = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in values if v is not None and str(v).strip()]


def _first(meta: dict, field: str) -> str | None:
    values = _all(meta, field)
    return values[0] if values else None


def _day(value: str | None) -> str | None:
    """'2026-04-21T00:00:00.000+0000' -> '2026-04-21' (the portal's date is the day it states)."""
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z").date().isoformat()
    except ValueError:
        pass
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return value  # funding/ parses other formats, or rejects the item naming the field


def _budget_actions(meta: dict) -> list[dict]:
    """The actions of `budgetOverview` (a JSON string): contributions, grants, yearly budgets."""
    actions = []
    for text in _all(meta, "budgetOverview"):
        try:
            overview = json.loads(text)
        except json.JSONDecodeError:
            continue
        for entries in (overview.get("budgetTopicActionMap") or {}).values():
            actions.extend(e for e in entries or () if isinstance(e, dict))
    return actions


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0
