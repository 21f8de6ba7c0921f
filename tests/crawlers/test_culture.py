"""The Ministère de la Culture spider on its recorded answer: odd spacing mended, one test per field."""

import pytest

from crawlers.spiders.culture import CultureSpider
from funding.contracts.records import to_row, validate_record
from tests.crawlers.feed_checks import BASE, check_item, parse_file

spider = CultureSpider(base_url=BASE)
items = parse_file(spider, "culture", "ministere_de_la_culture_data.json")
by_id = {item["id"]: item for item in items}
artwork = by_id["culture:303980"]
culturepro = by_id["culture:315790"]
mayotte = by_id["culture:315795"]


def test_every_record_once():
    assert len(items) == 3 == len(by_id)


def test_url_loses_its_spaces():
    assert artwork["url"] == (
        "https://www.culture.gouv.fr/Demarches-en-ligne/Par-type-de-demarche/"
        "Declaration-renouvellement/Declaration-1-immeuble-1-aeuvre"
    )


def test_links_in_the_text_are_mended():
    assert "https://www.culture.gouv.fr/Thematiques" in culturepro["summary"]
    assert "https: //" not in culturepro["summary"]


def test_spaced_timestamp_becomes_a_day():
    assert artwork["source_updated_on"] == "2022-07-28"


def test_title_and_summary():
    assert culturepro["title"] == "CulturePro"
    assert mayotte["summary"].startswith("<p style='text-align:left;'>Le Parc Naturel Marin")


def test_deadline_as_written():
    assert culturepro["deadlines"] == ["15 avril 2022"]
    assert to_row(validate_record(mayotte))["deadlines"] == ["2022-08-15"]
    assert artwork["deadlines"] is None


def test_applicant_types():
    assert mayotte["applicant_types"] == "Associations, Entreprises privées, Particuliers"
    assert to_row(validate_record(mayotte))["applicant_types"] == ["ngo", "company", "individual"]


def test_amounts():
    assert culturepro["total_budget"] == "2.200.000 € à répartir entre les bénéficiaires"
    assert "amount_max" not in culturepro
    assert (mayotte["amount_min"], mayotte["amount_max"], mayotte["currency"]) == (
        3000.0,
        None,
        "EUR",
    )
    assert not {"amount_min", "total_budget"} & artwork.keys()


def test_zones_and_themes():
    assert artwork["intervention_zones"] == ["France entière"]
    assert mayotte["intervention_zones"] == ["Mayotte"]
    assert mayotte["themes"] == ["Développement durable", "Pratiques culturelles"]


def test_instrument_funder_language():
    assert culturepro["instrument"] == "Appels à projets & candidatures"
    assert artwork["instrument"] is None
    assert (artwork["funder"], artwork["language"]) == ("Ministère de la Culture", "fr")
    assert artwork["application_url"].startswith("https://mesdemarches.culture.gouv.fr/")


@pytest.mark.parametrize("item", items, ids=lambda item: item["id"])
def test_invariants(item):
    check_item(item, "culture")
