"""The Manche spider on its recorded answer (Aides-territoires field names): parsed once."""

import pytest

from crawlers.spiders.manche import MancheSpider
from funding.contracts.records import to_row, validate_record
from tests.crawlers.feed_checks import BASE, check_item, parse_file

spider = MancheSpider(base_url=BASE)
items = parse_file(spider, "manche", "departement_manche_data.json")
by_id = {item["id"]: item for item in items}
d_day = by_id["manche:36027"]
parental = by_id["manche:36021"]
jbe = by_id["manche:30791"]


def test_every_aid_once():
    assert len(items) == 10 == len(by_id)


def test_title_decodes_entities():
    assert parental["title"] == (
        "Appel à projets pour une mise en place d’un centre parental d’une capacité de 20 places"
    )


def test_url():
    assert d_day["url"] == (
        "https://test.manche.fr/guide-des-aides/"
        "appel-a-projets-80eme-anniversaire-du-debarquement-en-normandie/"
    )
    assert jbe["application_url"] == "https://www.google.fr"


def test_empty_description_is_no_summary():
    assert parental["summary"] is None
    assert jbe["summary"] == "test, test2, test3,"


def test_eligibility_text():
    assert jbe["eligibility_text"].startswith("Lorem ipsum dolor sit amet")


def test_applicant_types():
    assert d_day["applicant_types"] == [
        "Communes",
        "EPCI à fiscalité propre",
        "Associations",
        "Particuliers",
        "Entreprises privées",
        "Établissements publics (écoles, bibliothèques…)",
    ]
    row = to_row(validate_record(d_day))
    assert set(row["applicant_types"]) >= {"ngo", "company", "local_authority"}


def test_aid_types_are_kept_as_given():
    assert jbe["instrument"] == "Contrat de territoire 2017-2021"
    assert jbe["aid_types"] == [
        "Contrat de territoire 2017-2021",
        "Contrat de territoire Manche 2022-2028",
    ]
    assert d_day["instrument"] is None


def test_recurrence_themes_destinations():
    assert d_day["recurrence"] == "Permanente"
    assert by_id["manche:30788"]["themes"] == ["Mobilités", "Biodiversité"]
    assert by_id["manche:30788"]["destinations"] == ["Dépenses d’investissement"]


def test_funder_and_language():
    assert (d_day["funder"], d_day["language"]) == ("Département de la Manche", "fr")


@pytest.mark.parametrize("item", items, ids=lambda item: item["id"])
def test_invariants(item):
    check_item(item, "manche")
