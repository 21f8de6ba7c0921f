"""The Welcome Europe spider on its recorded WordPress export: parsed once, one test per field."""

import pytest

from crawlers.spiders.welcome_europe import WelcomeEuropeSpider
from funding.contracts.records import to_row, validate_record
from tests.crawlers.feed_checks import BASE, check_item, parse_file

spider = WelcomeEuropeSpider(base_url=BASE)
items = parse_file(spider, "welcome_europe", "welcom_europe_data.json")
by_id = {item["id"]: item for item in items}
uganda = by_id["welcome_europe:42534"]
smp = by_id["welcome_europe:42487"]


def test_every_call_once():
    assert len(items) == 2 == len(by_id)


def test_url_and_title():
    assert smp["url"].startswith("https://www.welcomeurope.com/smp-ecologisation-des-pme")
    assert uganda["title"].startswith("Programme thématique sur les droits de l'homme")


def test_summary_leaves_eligibility_to_its_field():
    assert uganda["summary"].startswith("Programme thématique sur les droits de l’homme")
    assert "Priorité 1 : renforcer le plaidoyer" in uganda["summary"]
    assert "personne morale à but non lucratif" not in uganda["summary"]
    assert "<li>Être une personne morale à but non lucratif</li>" in uganda["eligibility_text"]


def test_dates():
    assert (uganda["opens_on"], uganda["deadlines"]) == ("20221020", ["20230112"])
    row = to_row(validate_record(smp))
    assert (row["opens_on"].isoformat(), row["deadlines"]) == ("2022-11-08", ["2023-02-14"])


def test_budget_as_given():
    assert uganda["total_budget"] == "3 530 000 euros"
    assert to_row(validate_record(smp))["total_budget"] == 6_000_000


def test_grant_size():
    assert (smp["amount_min"], smp["amount_max"]) == (750_000, 1_000_000)
    assert (uganda["amount_min"], uganda["amount_max"]) == (None, 600_000)  # '400 00' is a misprint


def test_cofinancing_rate():
    assert smp["cofinancing_rate_max"] == "jusqu'à 90% du total des coûts éligibles"
    assert to_row(validate_record(uganda))["cofinancing_rate_max"] == 0.95


def test_applicant_types_decode_entities():
    assert smp["applicant_types"] == [
        "Administration état & entité affiliée",
        "Collectivité Territoriale & Entité Affiliée",
        "Grande Entreprise (> 250 Salarié.es)",
        "Pme & Start-Up (< 249 Salarié.es)",
    ]
    assert "ngo" in to_row(validate_record(uganda))["applicant_types"]


def test_countries_themes_programme():
    assert uganda["applicant_countries"] == ["Ouganda"]
    assert smp["applicant_countries"] is None
    assert uganda["themes"] == ["Citoyenneté & Droits Humains", "Coopération & Développement"]
    assert smp["programme"] == "SMP - Programme du Marché Unique - 2021-2027"


def test_funder_instrument_language_reference():
    assert (uganda["funder"], uganda["language"]) == ("Commission européenne", "fr")
    assert smp["instrument"] == "Appel à propositions"
    assert uganda["call_identifier"] == "EuropeAid/175511/DD/ACT/UG"


@pytest.mark.parametrize("item", items, ids=lambda item: item["id"])
def test_invariants(item):
    check_item(item, "welcome_europe")
