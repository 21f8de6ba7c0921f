"""The Drôme spider on its recorded `count/next/results` answer: parsed once, one test per field."""

import pytest
from scrapy import Request

from crawlers.spiders.drome import DromeSpider
from funding.contracts.records import to_row, validate_record
from tests.crawlers.feed_checks import BASE, check_item, parse_file

spider = DromeSpider(base_url=BASE)
items = parse_file(spider, "drome", "departement_drome_data.json")
by_id = {item["id"]: item for item in items}
local_food = by_id["drome:162"]
canteens = by_id["drome:338"]


def test_every_aid_once_and_no_next_page():
    assert len(items) == 3 == len(by_id)
    assert set(by_id) == {"drome:162", "drome:338", "drome:650"}


def test_next_link_is_followed():
    page1 = parse_file(spider, "drome", "page1.json")
    (request,) = [r for r in page1 if isinstance(r, Request)]
    assert request.url == f"{BASE}/api/aides/?page=2" and request.meta["page"] == 2
    assert not [r for r in parse_file(spider, "drome", "page2.json") if isinstance(r, Request)]


def test_url_and_title():
    assert local_food["url"] == (
        "https://collectivites.ladrome.fr/service/developpement-dune-alimentation-de-proximite/"
    )
    assert local_food["title"] == "Développement d’une alimentation de proximité"


def test_summary_keeps_html():
    assert local_food["summary"].startswith("OPÉRATIONS CONCERNÉES<br><p>Actions favorisant")


def test_funder_is_the_named_financer():
    assert local_food["funder"] == "Chambre d’agriculture de la Drôme"
    assert canteens["funder"] == "Conseil Départemental de la Drôme"


def test_applicant_types():
    assert local_food["applicant_types"] == [
        "Communes",
        "Intercommunalités / Pays",
        "Associations",
        "Particuliers",
    ]
    row = to_row(validate_record(local_food))
    assert row["applicant_types"] == ["local_authority", "ngo", "individual"]


def test_instrument_and_recurrence():
    assert (local_food["instrument"], local_food["recurrence"]) == (
        "Ingénierie technique",
        "Permanente",
    )
    row = to_row(validate_record(local_food))
    assert (row["instrument"], row["recurrence"]) == ("technical_assistance", "permanent")


def test_zone_themes_and_no_dates():
    assert local_food["intervention_zones"] == ["Drôme"]
    assert local_food["themes"] == ["Alimentation"]
    assert local_food["deadlines"] is None and local_food["opens_on"] is None


@pytest.mark.parametrize("item", items, ids=lambda item: item["id"])
def test_invariants(item):
    check_item(item, "drome")
