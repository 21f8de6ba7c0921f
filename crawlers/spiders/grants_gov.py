"""Grants.gov: every posted and forecasted US federal opportunity, from the public REST API.

Interface (shared/sources.md): POST /v1/api/search2 with a JSON body (rows, startRecordNum,
keyword, oppStatuses...) answers {errorcode, msg, data: {hitCount, oppHits}}; then POST
/v1/api/fetchOpportunity {"opportunityId": N} for each hit answers `data.synopsis`. Errors can
come inside an HTTP 200: a non-zero `errorcode` fails the run with the API's `msg`.
"""

import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response

from crawlers.spiders.base import FundingSpider

SEARCH_PATH = "/v1/api/search2"
FETCH_PATH = "/v1/api/fetchOpportunity"
DETAIL_URL = "https://www.grants.gov/search-results-detail/"
OPP_STATUSES = "forecasted|posted"
# Search filters a crawl may narrow to (`-a eligibilities=12|13`), sent as given.
FILTERS = ("keyword", "eligibilities", "agencies", "fundingCategories")
STATUSES = {"posted": "open", "forecasted": "forthcoming", "closed": "closed", "archived": "closed"}
# Applicant type codes (shared/sources.md), for an answer that gives ids without descriptions.
APPLICANT_TYPES = {
    "00": "State",
    "01": "County",
    "02": "City/township",
    "04": "Special district",
    "05": "School district",
    "06": "Public higher education",
    "07": "Federally recognised tribes",
    "08": "Public housing",
    "11": "Other tribal",
    "12": "Nonprofit 501(c)(3)",
    "13": "Nonprofit without 501(c)(3)",
    "20": "Private higher education",
    "21": "Individuals",
    "22": "For-profit",
    "23": "Small business",
    "25": "Others (see text)",
    "99": "Unrestricted",
}
TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0"}
MAX_PAGES = 200


class GrantsGovSpider(FundingSpider):
    """Page through search2 by startRecordNum until hitCount, fetching each opportunity."""

    name = "grants_gov"
    default_base_url = "https://api.grants.gov"
    rows: ClassVar[int] = 100
    filter_names = FILTERS

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.search_request(0)

    def search_request(self, start: int, page: int = 1) -> scrapy.Request:
        body = {
            "rows": self.rows,
            "startRecordNum": start,
            "keyword": self.filters.get("keyword", ""),
            "oppStatuses": OPP_STATUSES,
            **{key: value for key, value in self.filters.items() if key != "keyword"},
        }
        return self._post(SEARCH_PATH, body, self.parse, {"start": start, "page": page})

    def fetch_request(self, hit: dict) -> scrapy.Request:
        return self._post(
            FETCH_PATH, {"opportunityId": int(hit["id"])}, self.parse_opportunity, {"hit": hit}
        )

    def _post(self, path: str, body: dict, callback: Any, meta: dict) -> scrapy.Request:
        return scrapy.Request(
            f"{self.base_url}{path}",
            method="POST",
            body=json.dumps(body, sort_keys=True),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            meta=meta,
            callback=callback,
        )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request]:
        data = self._data(response, "search2")
        if data is None:
            return
        hits = data.get("oppHits") or []
        for hit in hits:
            if str(hit.get("id") or "").strip().isdigit():
                yield self.fetch_request(hit)
            else:
                self.logger.warning("search hit without a numeric id: %r", hit)
        start, page = response.meta["start"], response.meta["page"]
        read, total = start + len(hits), int(data.get("hitCount") or 0)
        if hits and read < total and page < MAX_PAGES:
            yield self.search_request(read, page + 1)
        elif read < total:
            self.fail(f"stopped at search page {page} with {read} of {total} opportunities read")

    def parse_opportunity(self, response: Response, **kwargs: Any) -> Iterator[dict]:
        data = self._data(response, "fetchOpportunity")
        if data is not None:
            yield self.parse_item(response.meta["hit"], data)

    def parse_item(self, hit: dict, data: dict) -> dict:
        """One opportunity from its search hit and its fetchOpportunity `data`."""
        synopsis = data.get("synopsis") or data.get("forecast") or {}
        opportunity_id = str(hit.get("id") or data.get("id")).strip()
        return {
            "id": self.source_id(opportunity_id),
            "source": self.name,
            "url": f"{DETAIL_URL}{opportunity_id}",
            "title": _text(data.get("opportunityTitle")) or _text(hit.get("title")),
            "summary": _text(synopsis.get("synopsisDesc")) or _text(synopsis.get("forecastDesc")),
            "eligibility_text": _text(synopsis.get("applicantEligibilityDesc")),
            "funder": self._parse_funder(hit, synopsis),
            "language": "en",
            "instrument": "grant",
            "status": STATUSES.get(str(hit.get("oppStatus") or "").lower()),
            "opens_on": self._parse_opens_on(hit, synopsis),
            "deadlines": self._parse_deadlines(hit, synopsis),
            "currency": "USD",
            "amount_min": _amount(synopsis.get("awardFloor")),
            "amount_max": _amount(synopsis.get("awardCeiling")),
            "total_budget": _amount(synopsis.get("estimatedFunding")),
            "applicant_types": self._parse_applicant_types(synopsis),
            "themes": self._parse_themes(synopsis),
            "cost_sharing": _boolean(synopsis.get("costSharing")),
            "opportunity_number": _text(hit.get("number")) or _text(data.get("opportunityNumber")),
            "agency_code": _text(hit.get("agencyCode")) or _text(synopsis.get("agencyCode")),
        }

    def _parse_funder(self, hit: dict, synopsis: dict) -> str | None:
        return (
            _text(synopsis.get("agencyName"))
            or _text(hit.get("agency"))
            or _text(hit.get("agencyCode"))
            or _text(synopsis.get("agencyCode"))
        )

    def _parse_opens_on(self, hit: dict, synopsis: dict) -> str | None:
        return _us_date(hit.get("openDate")) or _us_date(synopsis.get("postingDate"))

    def _parse_deadlines(self, hit: dict, synopsis: dict) -> list[str] | None:
        """The synopsis' response date, else the hit's close date (grants.gov writes MM/DD/YYYY)."""
        deadline = (
            _us_date(synopsis.get("responseDate"))
            or _us_date(synopsis.get("estApplicationResponseDate"))
            or _us_date(hit.get("closeDate"))
        )
        return [deadline] if deadline else None

    def _parse_applicant_types(self, synopsis: dict) -> list[str] | None:
        """Each type's own description; a bare code is named from shared/sources.md's list."""
        words = []
        for entry in synopsis.get("applicantTypes") or []:
            if isinstance(entry, dict):
                word = _text(entry.get("description")) or APPLICANT_TYPES.get(
                    str(entry.get("id") or "").strip()
                )
            else:
                word = APPLICANT_TYPES.get(str(entry).strip())
            if word and word not in words:
                words.append(word)
        return words or None

    def _parse_themes(self, synopsis: dict) -> list[str] | None:
        words = []
        for entry in synopsis.get("fundingActivityCategories") or []:
            word = _text(entry.get("description")) if isinstance(entry, dict) else _text(entry)
            if word and word not in words:
                words.append(word)
        return words or None

    def _data(self, response: Response, call: str) -> dict | None:
        """The answer's `data`, or None after failing the run on an error inside an HTTP 200."""
        answer = self.json(response)
        if answer is None:
            return None
        if not isinstance(answer, dict):
            self.fail(f"{response.url}: {call} answered JSON without an object: {answer!r:.200}")
            return None
        code = answer.get("errorcode")
        if code not in (0, "0", None):
            self.fail(f"grants.gov {call} errorcode {code}: {answer.get('msg')}")
            return None
        return answer.get("data") or {}


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None


def _amount(value: Any) -> float | None:
    """'500000', 500000 or '$500,000' -> 500000.0; 0, '' and 'none' are not stated."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(re.sub(r"[$,\s]", "", str(value)))
    except ValueError:
        return None
    return number if number > 0 else None


def _us_date(value: Any) -> str | None:
    """grants.gov dates are month first: '03/12/2025' or 'Mar 12, 2025 ...' -> '2025-03-12'."""
    text = _text(value)
    if text is None:
        return None
    match = re.match(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if match:
        month, day, year = (int(g) for g in match.groups())
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return None
    match = re.match(r"(\d{4}-\d{2}-\d{2})", text)
    if match:
        return match.group(1)
    match = re.match(r"([A-Z][a-z]{2}) (\d{1,2}), (\d{4})", text)
    if match:
        return datetime.strptime(" ".join(match.groups()), "%b %d %Y").date().isoformat()
    return None


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = (_text(value) or "").lower()
    return True if text in TRUE_WORDS else False if text in FALSE_WORDS else None
