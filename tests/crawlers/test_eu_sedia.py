"""The EU Funding & Tenders spider on recorded search pages: parsed once, one test per field."""

import email.parser
import email.policy
import json
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from scrapy import Request
from scrapy.http import TextResponse

from crawlers.spiders.eu_sedia import TOPIC_URL, EuSediaSpider
from funding.contracts.records import to_row, validate_record

FILES = Path(__file__).resolve().parents[1] / "files" / "eu_sedia"
BASE = "http://127.0.0.1:9"


def _response(number: int, read: int) -> TextResponse:
    body = (FILES / f"search_page{number}.json").read_bytes()
    request = Request(
        f"{BASE}/search?pageNumber={number}", method="POST", meta={"page": number, "read": read}
    )
    return TextResponse(url=request.url, request=request, body=body, encoding="utf-8")


spider = EuSediaSpider(base_url=BASE)
page1 = list(spider.parse(_response(1, 0)))
page2 = list(spider.parse(_response(2, 10)))
items = [x for x in page1 + page2 if isinstance(x, dict)]
by_id = {item["id"]: item for item in items}


def topic(identifier: str) -> dict:
    return by_id[f"eu_sedia:{identifier.lower()}"]


def _parts(request: Request) -> dict[str, tuple[str, object]]:
    """The multipart body read back by the standard library: name -> (content type, JSON value)."""
    head = f"Content-Type: {request.headers['Content-Type'].decode()}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
    assert message.is_multipart()
    return {
        part.get_param("name", header="content-disposition"): (
            part.get_content_type(),
            json.loads(part.get_payload(decode=True)),
        )
        for part in message.iter_parts()
    }


def test_every_topic_once():
    assert len(items) == 12 and len(by_id) == 12


def test_id():
    assert "eu_sedia:cerv-2026-char-liti-civic" in by_id
    assert "eu_sedia:europeaid/186661/dd/act/jm" in by_id


def test_url():
    assert topic("CERV-2026-CHAR-LITI-CIVIC")["url"] == f"{TOPIC_URL}cerv-2026-char-liti-civic"


def test_title():
    assert topic("CERV-2026-CHAR-LITI-CIVIC")["title"] == "Promoting an enabling civic space"


def test_status():
    assert topic("CERV-2026-CHAR-LITI-CIVIC")["status"] == "open"
    assert topic("HORIZON-CL6-2026-04-GOVERNANCE-01")["status"] == "forthcoming"
    assert topic("ERC-2026-POC")["status"] == "closed"


def test_deadlines():
    assert topic("CERV-2026-CHAR-LITI-CIVIC")["deadlines"] == ["2026-09-15"]
    assert topic("LIFE-2026-STRAT-NAT-SNAP-two-stage")["deadlines"] == ["2026-09-03", "2027-03-04"]


def test_opens_on():
    assert topic("ESF-2026-POW")["opens_on"] == "2026-04-30"
    assert topic("CERV-2026-CHAR-LITI-CIVIC")["opens_on"] is None


def test_amounts():
    cl5 = topic("HORIZON-CL5-2027-03-D5-03")
    assert (cl5["amount_min"], cl5["amount_max"], cl5["expected_grants"]) == (5e6, 7e6, 4)
    chips = topic("DIGITAL-JU-CHIPS-2026-AI1-SG")
    assert (chips["amount_min"], chips["amount_max"], chips["expected_grants"]) == (5e5, 1e6, 10)
    cerv = topic("CERV-2026-CHAR-LITI-CIVIC")
    assert cerv["amount_min"] is cerv["amount_max"] is cerv["expected_grants"] is None


def test_total_budget():
    assert topic("HORIZON-CL6-2026-04-GOVERNANCE-01")["total_budget"] == 60_000_000
    assert topic("HORIZON-CL5-2027-03-D5-03")["total_budget"] is None


def test_summary():
    assert topic("CERV-2026-CHAR-LITI-CIVIC")["summary"].startswith("Scope:Topic scope:Promoting")
    assert "<" in topic("HORIZON-CL3-2026-01-SSRI-01")["summary"]
    assert topic("EuropeAid/186661/DD/ACT/JM")["summary"] is None


def test_eligibility_text():
    assert topic("CERV-2026-CHAR-LITI-CIVIC")["eligibility_text"].startswith('">Conditions1.')
    assert topic("EuropeAid/186661/DD/ACT/JM")["eligibility_text"] is None


def test_programme():
    assert topic("CERV-2026-CHAR-LITI-CIVIC")["programme"] == "CERV"
    assert topic("ERC-2026-POC")["programme"] == "Horizon Europe"


def test_instrument():
    assert topic("CERV-2026-CHAR-LITI-CIVIC")["instrument"] == "CERV Project Grants"
    assert topic("EuropeAid/186661/DD/ACT/JM")["instrument"] == "grant"  # no typesOfAction: type 2


def test_themes_leave_out_topic_and_call_codes():
    assert topic("CERV-2026-CHAR-LITI-CIVIC")["themes"] == ["DigitalAgenda"]
    arctic = topic("EMFAF-2026-PIA-ARCTIC")["themes"]
    assert "Arctic Ocean" in arctic and not any(t.startswith("EMFAF-") for t in arctic)
    assert topic("ERC-2026-POC")["themes"] is None


def test_funder_language_and_call():
    cerv = topic("CERV-2026-CHAR-LITI-CIVIC")
    assert cerv["funder"] == "European Commission"
    assert (cerv["language"], cerv["source"]) == ("en", "eu_sedia")
    assert cerv["call_identifier"] == "CERV-2026-CHAR-LITI"
    assert topic("LIFE-2026-STRAT-NAT-SNAP-two-stage")["deadline_model"] == "two-stage"


@pytest.mark.parametrize("item", items, ids=lambda item: item["id"])
def test_invariants(item):
    assert item["id"].startswith("eu_sedia:") and item["id"] == item["id"].lower()
    assert item["url"].startswith("https://") and item["url"].endswith(item["id"].split(":", 1)[1])
    deadlines = item["deadlines"]
    assert deadlines and deadlines == sorted(deadlines)
    if item["opens_on"]:
        assert all(date.fromisoformat(d) >= date.fromisoformat(item["opens_on"]) for d in deadlines)
    if item["amount_min"] and item["amount_max"]:
        assert item["amount_min"] <= item["amount_max"]
    row = to_row(validate_record(item))
    assert row["instrument"] == "grant"  # funding/ knows every type of action in the sample
    assert row["source_status"] in ("open", "forthcoming", "closed")


def test_first_request_asks_for_open_and_forthcoming_topics():
    request = spider.search_request(1)
    url = urlparse(request.url)
    assert request.method == "POST" and url.path == "/search-api/prod/rest/search"
    assert parse_qs(url.query) == {
        "apiKey": ["SEDIA"],
        "text": ["***"],
        "pageSize": ["100"],
        "pageNumber": ["1"],
    }
    parts = _parts(request)
    assert list(parts) == ["query", "sort", "languages"]
    assert all(kind == "application/json" for kind, _ in parts.values())
    must = parts["query"][1]["bool"]["must"]
    assert {"terms": {"type": ["1", "2", "8"]}} in must
    assert {"terms": {"status": ["31094501", "31094502"]}} in must
    assert parts["sort"][1] == {"field": "startDate", "order": "DESC"}
    assert parts["languages"][1] == ["en"]


def test_paging_asks_for_page_two_with_the_same_body():
    requests = [x for x in page1 if isinstance(x, Request)]
    assert len(requests) == 1
    following = requests[0]
    assert parse_qs(urlparse(following.url).query)["pageNumber"] == ["2"]
    assert following.meta == {"page": 2, "read": 10}
    assert following.body == spider.search_request(1).body  # same query, same cache entry
    assert _parts(following)["languages"] == ("application/json", ["en"])


def test_paging_stops_once_every_result_is_read():
    assert not [x for x in page2 if isinstance(x, Request)]


def test_an_empty_page_before_the_total_stops_paging():
    response = _response(1, 0)
    data = json.loads(response.body)
    empty = response.replace(body=json.dumps({**data, "results": []}).encode())
    assert list(spider.parse(empty)) == []


def test_metadata_values_may_be_bare_or_empty():
    item = spider.parse_topic(
        {
            "metadata": {
                "identifier": "TOPIC-1",
                "title": ["A title"],
                "topicConditions": [""],
                "deadlineDate": ["2026-04-21T00:00:00.000+0000", "2026-04-21"],
            }
        }
    )
    assert item["id"] == "eu_sedia:topic-1" and item["eligibility_text"] is None
    assert item["deadlines"] == ["2026-04-21"]
