"""The grants.gov spider on recorded API answers (parsed once, one test per field), then real
crawls against the loopback mirror: search paging, one fetch per hit, an error inside an HTTP 200."""

import json
from datetime import date
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import TextResponse
from sqlmodel import Session, select

from crawlers.spiders.grants_gov import (
    DETAIL_URL,
    FETCH_PATH,
    SEARCH_PATH,
    GrantsGovSpider,
    _us_date,
)
from funding.contracts.records import to_row, validate_record
from funding.store.db import get_engine
from funding.store.models import SourceRun
from funding.store.opportunities import get_opportunity, opportunities_by_source
from tests.crawlers.mirror import Reply

FILES = Path(__file__).resolve().parents[1] / "files" / "grants_gov"
BASE = "http://127.0.0.1:9"
NONPROFIT = (
    "Nonprofits having a 501(c)(3) status with the IRS, other than institutions of higher education"
)


def _json(name: str) -> dict:
    return json.loads((FILES / name).read_text("utf-8"))


def _response(path: str, body: bytes, meta: dict) -> TextResponse:
    request = Request(f"{BASE}{path}", method="POST", meta=meta)
    return TextResponse(url=request.url, request=request, body=body, encoding="utf-8")


def _search(number: int, start: int) -> list:
    body = (FILES / f"search_page{number}.json").read_bytes()
    return list(spider.parse(_response(SEARCH_PATH, body, {"start": start, "page": number})))


def _fetch(hit: dict) -> list:
    body = (FILES / f"opportunity_{hit['id']}.json").read_bytes()
    return list(spider.parse_opportunity(_response(FETCH_PATH, body, {"hit": hit})))


spider = GrantsGovSpider(base_url=BASE)
page1 = _search(1, 0)
page2 = _search(2, 10)
fetches = [r for r in page1 + page2 if r.url.endswith(FETCH_PATH)]
items = [item for r in fetches for item in _fetch(r.meta["hit"])]
by_id = {item["id"]: item for item in items}


def opportunity(number: int) -> dict:
    return by_id[f"grants_gov:{number}"]


def test_every_opportunity_once():
    assert len(items) == 12 and len(by_id) == 12


def test_id_and_url():
    item = opportunity(345738)
    assert item["id"] == "grants_gov:345738"
    assert item["url"] == "https://www.grants.gov/search-results-detail/345738"


def test_title():
    assert opportunity(318376)["title"].startswith("New Partnerships Initiative (NPI)")


def test_summary_and_eligibility_text_are_empty_in_the_data():
    assert opportunity(345738)["summary"] is None
    assert opportunity(345738)["eligibility_text"] is None
    item = spider.parse_item(
        {"id": "1"}, {"synopsis": {"synopsisDesc": "<p>Aims</p>", "applicantEligibilityDesc": "US"}}
    )
    assert (item["summary"], item["eligibility_text"]) == ("<p>Aims</p>", "US")


def test_deadlines_are_month_first():
    assert opportunity(275168)["deadlines"] == ["2025-03-12"]
    assert opportunity(331065)["deadlines"] == ["2025-12-15"]


def test_deadline_falls_back_to_the_close_date():
    item = spider.parse_item({"id": "1", "closeDate": "04/05/2026"}, {"synopsis": {}})
    assert item["deadlines"] == ["2026-04-05"]


def test_opens_on():
    assert opportunity(275168)["opens_on"] is None  # the data hold no opening date
    item = spider.parse_item({"id": "1", "openDate": "01/02/2026"}, {"synopsis": {}})
    assert item["opens_on"] == "2026-01-02"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("03/12/2025", "2025-03-12"),
        ("3/2/2025", "2025-03-02"),
        ("2025-03-12", "2025-03-12"),
        ("Mar 12, 2025 12:00:00 AM EDT", "2025-03-12"),
        ("", None),
        (None, None),
        ("13/45/2025", None),
    ],
)
def test_us_dates(value, expected):
    assert _us_date(value) == expected


def test_amounts():
    item = opportunity(345738)
    assert (item["amount_min"], item["amount_max"], item["total_budget"]) == (3e6, 5.75e6, 2.875e7)
    floor_only = opportunity(324456)
    assert (floor_only["amount_min"], floor_only["amount_max"]) == (1.5e7, None)


def test_zero_or_empty_amounts_are_unknown():
    zeros = opportunity(350363)  # ceiling, floor and total all "0"
    assert zeros["amount_min"] is zeros["amount_max"] is zeros["total_budget"] is None
    assert opportunity(275168)["amount_min"] is None  # floor "0"
    assert opportunity(332894)["amount_max"] is None  # ceiling ""


def test_applicant_types_are_the_descriptions():
    assert opportunity(341289)["applicant_types"] == ["Small businesses"]
    assert NONPROFIT in opportunity(327212)["applicant_types"]
    assert len(opportunity(345738)["applicant_types"]) == 14


def test_bare_applicant_codes_are_named():
    synopsis = {"applicantTypes": [{"id": "12"}, {"id": "22", "description": ""}, "23"]}
    item = spider.parse_item({"id": "1"}, {"synopsis": synopsis})
    assert item["applicant_types"] == ["Nonprofit 501(c)(3)", "For-profit", "Small business"]


def test_applicant_types_map_to_canonical_ones():
    row = to_row(validate_record(opportunity(332894)))
    assert set(row["applicant_types"]) == {"individual", "ngo", "company", "sme", "education"}


def test_status():
    assert opportunity(275168)["status"] == "open"
    forecast = spider.parse_item({"id": "1", "oppStatus": "forecasted"}, {})
    assert forecast["status"] == "forthcoming"


def test_funder():
    assert opportunity(275168)["funder"] is None  # the data name no agency
    named = spider.parse_item({"id": "1", "agencyCode": "HHS-CDC"}, {"synopsis": {}})
    assert named["funder"] == "HHS-CDC"
    item = spider.parse_item({"id": "1"}, {"synopsis": {"agencyName": "Agency for X"}})
    assert item["funder"] == "Agency for X"


def test_cost_sharing_is_a_boolean():
    assert opportunity(275168)["cost_sharing"] is None
    for value, expected in ((True, True), ("No", False), ("", None)):
        item = spider.parse_item({"id": "1"}, {"synopsis": {"costSharing": value}})
        assert item["cost_sharing"] is expected


def test_themes_are_the_funding_categories():
    assert opportunity(327212)["themes"] == ["education", "science"]


def test_constant_fields():
    item = opportunity(275168)
    assert (item["currency"], item["language"], item["instrument"]) == ("USD", "en", "grant")
    assert item["source"] == "grants_gov"


@pytest.mark.parametrize("item", items, ids=lambda item: item["id"])
def test_invariants(item):
    number = item["id"].removeprefix("grants_gov:")
    assert number.isdigit() and item["url"] == f"{DETAIL_URL}{number}"
    data = _json(f"opportunity_{number}.json")["data"]
    assert spider.parse_item({"id": number, "oppStatus": "posted"}, data) == item  # stable
    assert item["deadlines"] and date.fromisoformat(item["deadlines"][0])
    if item["opens_on"]:
        assert all(d >= item["opens_on"] for d in item["deadlines"])
    for field in ("amount_min", "amount_max", "total_budget"):
        assert item[field] is None or item[field] > 0
    row = to_row(validate_record(item))
    assert row["currency"] == "USD" and row["instrument"] == "grant"
    assert row["applicant_types"]  # every grants.gov applicant label is in the vocabulary


def test_search_body():
    body = json.loads(spider.search_request(0).body)
    assert body == {
        "rows": 100,
        "startRecordNum": 0,
        "keyword": "",
        "oppStatuses": "forecasted|posted",
    }
    narrowed = GrantsGovSpider(base_url=BASE, eligibilities="12|13", agencies="HHS", keyword="food")
    body = json.loads(narrowed.search_request(0).body)
    assert (body["eligibilities"], body["agencies"], body["keyword"]) == ("12|13", "HHS", "food")


def test_paging_by_start_record():
    searches = [r for r in page1 if r.url.endswith(SEARCH_PATH)]
    assert len(searches) == 1 and json.loads(searches[0].body)["startRecordNum"] == 10
    assert not [r for r in page2 if r.url.endswith(SEARCH_PATH)]
    assert [json.loads(r.body) for r in fetches][:1] == [{"opportunityId": 275168}]


def test_an_errorcode_inside_a_200_is_an_error():
    errors = GrantsGovSpider(base_url=BASE)
    body = b'{"errorcode": 1, "msg": "Invalid oppStatuses", "data": {}}'
    assert list(errors.parse(_response(SEARCH_PATH, body, {"start": 0, "page": 1}))) == []
    assert errors.failures == ["grants.gov search2 errorcode 1: Invalid oppStatuses"]


# Real crawls ---------------------------------------------------------------------------------


def _serve(mirror, *, error: dict | None = None) -> None:
    def search(request):
        if error:
            return Reply(body=json.dumps(error).encode())
        body = json.loads(request.body)
        assert body["oppStatuses"] == "forecasted|posted"
        number = 1 + body["startRecordNum"] // 10
        return Reply(body=(FILES / f"search_page{number}.json").read_bytes())

    def fetch(request):
        number = json.loads(request.body)["opportunityId"]
        return Reply(body=(FILES / f"opportunity_{number}.json").read_bytes())

    mirror.route("POST", SEARCH_PATH, search)
    mirror.route("POST", FETCH_PATH, fetch)


def _runs() -> list[SourceRun]:
    with Session(get_engine()) as session:
        return list(session.exec(select(SourceRun).order_by(SourceRun.id)))


def _stored() -> set[str]:
    with Session(get_engine()) as session:
        return {o.id for o in opportunities_by_source(session, "grants_gov")}


def _counts(run: SourceRun) -> tuple[int, ...]:
    return (run.items_seen, run.inserted, run.updated, run.unchanged, run.rejected)


def test_crawl_stores_every_opportunity_then_sees_them_unchanged(mirror, scrapy_crawl):
    _serve(mirror)
    first = scrapy_crawl("grants_gov", "-a", f"base_url={mirror.url}")
    assert first.returncode == 0, first.stderr[-3000:]
    (run,) = _runs()
    assert (run.status, run.message, _counts(run)) == ("ok", None, (12, 12, 0, 0, 0))
    assert _stored() == set(by_id)
    with Session(get_engine()) as session:
        stored = get_opportunity(session, "grants_gov:345738")
    assert (stored.amount_min, stored.amount_max, stored.currency) == (3e6, 5.75e6, "USD")
    assert str(stored.deadline_first) == "2026-12-01"
    assert {"ngo", "company", "sme"} <= set(stored.applicant_types)
    starts = [json.loads(r.body)["startRecordNum"] for r in mirror.hits(SEARCH_PATH)]
    assert starts == [0, 10] and len(mirror.hits(FETCH_PATH)) == 12

    second = scrapy_crawl("grants_gov", "-a", f"base_url={mirror.url}")
    assert second.returncode == 0, second.stderr[-3000:]
    run = _runs()[-1]
    assert (run.status, _counts(run)) == ("ok", (12, 0, 0, 12, 0))


def test_an_errorcode_in_a_200_fails_the_run_with_its_message(mirror, scrapy_crawl):
    _serve(mirror, error={"errorcode": 1, "msg": "Invalid oppStatuses", "data": {}})
    result = scrapy_crawl("grants_gov", "-a", f"base_url={mirror.url}")
    (run,) = _runs()
    assert run.status == "failed", result.stderr[-3000:]
    assert run.message.startswith("grants.gov search2 errorcode 1: Invalid oppStatuses")
    assert _stored() == set() and not mirror.hits(FETCH_PATH)
