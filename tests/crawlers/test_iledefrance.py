"""The Île-de-France guide des aides spider on its recorded answer: parsed once, one test per field."""

import pytest

from crawlers.spiders.iledefrance import PAGE_URL, IledefranceSpider
from tests.crawlers.feed_checks import BASE, check_item, parse_file

spider = IledefranceSpider(base_url=BASE)
items = parse_file(spider, "iledefrance", "ile_de_france_data.json")
by_id = {item["id"]: item for item in items}
radios = by_id["iledefrance:Sy2cc9WqE"]
youth = by_id["iledefrance:Skxo55-5N"]
sport = by_id["iledefrance:S1Xj5qb5N"]


def test_every_aid_once():
    assert len(items) == 3 == len(by_id)


def test_url_from_reference():
    assert youth["url"] == f"{PAGE_URL}Skxo55-5N"


def test_title():
    assert radios["title"] == "Soutien régional aux radios locales d’Île-de-France"


def test_summary_joins_lead_aim_and_notes():
    assert youth["summary"].startswith("Cet appel à projets vise à soutenir les structures")
    assert "La Région Île-de-France finance la construction" in youth["summary"]
    assert "<br>" in youth["summary"]


def test_placeholders_are_left_out():
    assert "A DEFIN" not in sport["summary"]


def test_eligibility_text():
    assert youth["eligibility_text"].startswith("- les associations relevant de la loi de 1901")
    assert "50 % maximum de la dépense subventionnable" in youth["eligibility_text"]


def test_campaign_dates_are_french_days():
    """'2019-06-02T22:00:00.000Z' is midnight on 3 June in Paris."""
    assert (youth["opens_on"], youth["deadlines"]) == ("2019-06-03", ["2019-07-08"])
    assert (radios["opens_on"], radios["deadlines"]) == (None, None)


def test_applicant_types_and_themes():
    assert radios["applicant_types"] == ["Associations"]
    assert sport["themes"] == ["Sport", "Handicap"]


def test_funder_and_language():
    assert (radios["funder"], radios["language"]) == ("Région Île-de-France", "fr")


@pytest.mark.parametrize("item", items, ids=lambda item: item["id"])
def test_invariants(item):
    check_item(item, "iledefrance")
