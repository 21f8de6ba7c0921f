"""Helpers for the French funder feed tests: parse a recorded file once, check what every item owes."""

from datetime import date
from pathlib import Path

from scrapy import Request
from scrapy.http import TextResponse

from funding.contracts.records import to_row, validate_record
from funding.normalize import parse_date

FILES = Path(__file__).resolve().parents[1] / "files"
BASE = "http://127.0.0.1:9"


def parse_file(spider, *parts: str, url: str | None = None) -> list:
    """Everything the spider yields for one recorded answer (items and follow-up requests)."""
    request = Request(url or f"{BASE}{spider.feed_path}", meta={"page": 1})
    body = FILES.joinpath(*parts).read_bytes()
    return list(spider.parse(TextResponse(url=request.url, request=request, body=body)))


def check_item(item: dict, name: str) -> None:
    """The invariants every stored item of a feed meets."""
    assert item["id"].startswith(f"{name}:") and item["id"] != f"{name}:"
    assert item["source"] == name
    assert item["url"].startswith("https://") and " " not in item["url"]
    assert item["title"] and item["title"] == item["title"].strip()
    opens = parse_date(item.get("opens_on"))
    deadlines = [parse_date(d) for d in item.get("deadlines") or ()]
    assert all(isinstance(d, date) for d in deadlines)
    if opens:
        assert all(d >= opens for d in deadlines)
    row = to_row(validate_record(item))
    for field in ("amount_min", "amount_max", "total_budget"):
        assert row[field] is None or row[field] > 0
    if row["amount_min"] and row["amount_max"]:
        assert row["amount_min"] <= row["amount_max"]
    assert row["language"] in ("fr", "en")
