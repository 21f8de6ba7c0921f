"""The ADEME AGIR spider on its recorded `ListeDispositifs` answer: parsed once, one test per field."""

import pytest

from crawlers.spiders.ademe_agir import AdemeAgirSpider
from funding.contracts.records import to_row, validate_record
from tests.crawlers.feed_checks import BASE, check_item, parse_file

spider = AdemeAgirSpider(base_url=BASE)
items = parse_file(spider, "ademe_agir", "ademe_agir_data.json")
by_id = {item["id"]: item for item in items}
ecodesign = by_id["ademe_agir:1ed7d411"]
biomass = by_id["ademe_agir:1ec8f1be"]


def test_every_scheme_once():
    assert len(items) == 5 == len(by_id)


def test_url_loses_the_stray_space():
    assert ecodesign["url"] == (
        "https://agirpourlatransition.ademe.fr/entreprises/aides-financieres/2023/"
        "investissements-decoconception-ameliorer-performance-environnementale"
    )


def test_title():
    assert biomass["title"] == "Biomasse Chaleur pour l’Industrie du Bois (BCIB)"


def test_summary_keeps_html():
    assert biomass["summary"].startswith("<p>Cet appel à projets vise à accompagner")
    assert "<li>" in biomass["summary"]


def test_dates():
    assert (biomass["opens_on"], biomass["deadlines"]) == ("2022-12-26", ["2023-02-27"])
    assert (ecodesign["opens_on"], ecodesign["deadlines"]) == ("2023-01-01", ["2023-12-31"])


def test_applicant_types_are_agir_labels():
    assert ecodesign["applicant_types"] == [
        "Entreprise",
        "Collectivités et secteur public",
        "Association",
    ]
    assert biomass["applicant_types"] == ["Entreprise"]
    assert to_row(validate_record(biomass))["applicant_types"] == ["company"]


def test_themes():
    assert biomass["themes"] == ["Energie", "Bois, biomasse énergie"]


def test_national_coverage_is_france():
    assert ecodesign["intervention_zones"] == ["France"]


def test_funder_language_and_type():
    assert (ecodesign["funder"], ecodesign["language"]) == ("ADEME", "fr")
    assert (biomass["scheme_type"], ecodesign["scheme_type"]) == ("AAP", "GAG")
    assert "instrument" not in ecodesign  # the feed does not say


@pytest.mark.parametrize("item", items, ids=lambda item: item["id"])
def test_invariants(item):
    check_item(item, "ademe_agir")


def test_ids_are_stable():
    again = parse_file(
        AdemeAgirSpider(base_url="https://elsewhere.example"), "ademe_agir", "ademe_agir_data.json"
    )
    assert [i["id"] for i in again] == [i["id"] for i in items]
