"""Territory: places and what holds them, the territory a call is limited to (its zones, its
title, its funder), and the territory rules on real calls (tests/files/matching/real_calls.jsonl)
and on calls of a Geneva commune and of Interreg France–Suisse written by hand (none recorded)."""

import json
from datetime import date
from pathlib import Path

import pytest

from funding.contracts.records import to_row, validate_record
from funding.matching import parse_profile
from funding.matching.facts import CallFacts
from funding.matching.query import project_places
from funding.matching.rules import applicant_type, check_all, partnership, territory, verdict
from funding.territory import places
from funding.territory.scope import call_scope, funder_scope

FILES = Path(__file__).parents[1] / "files" / "matching"
AS_OF = date(2022, 1, 1)


def real(record_id: str) -> CallFacts:
    """A real call as the store keeps it (validated and normalised as on import)."""
    for line in (FILES / "real_calls.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["id"] == record_id:
            row = to_row(validate_record(record))
            return CallFacts(
                **{k: v for k, v in row.items() if k in CallFacts.__dataclass_fields__}
            )
    raise KeyError(record_id)


def profile(**fields):
    data = {
        "name": "Recyclerie du Genevois",
        "partners": [
            {
                "name": "Asso Annemasse",
                "type": "association",
                "country": "FR",
                "postal_code": "74100",
                "role": "lead",
            },
            {"name": "Atelier Genève", "type": "association", "country": "CH", "canton": "GE"},
        ],
        "project": "Une recyclerie transfrontalière à Annemasse et Genève.",
        "intervention_countries": ["FR", "CH"],
    }
    data.update(fields)
    return parse_profile(data)


# Places ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Haute-Savoie", "FR-74"),
        ("74", "FR-74"),
        ("Seine-Saint-Denis (93)", "FR-93"),
        ("Île-de-France", "FR-IDF"),
        ("PACA", "FR-PAC"),
        ("canton de Genève", "CH-GE"),
        ("Genève", "CH-GE"),
        ("Annemasse", "FR-COM-74012"),
        ("Grand Genève", "GRAND-GENEVE"),
        ("Afrique de l'Ouest", "ECOWAS"),
        ("West Africa", "ECOWAS"),
        ("Sénégal", "SN"),
        ("pays les moins avancés", "LDC"),
        ("Union africaine", "AU"),
        ("Maroc", "MA"),
    ],
)
def test_a_place_word_in_french_or_english_names_one_place(word, expected):
    assert places.lookup(word)[0] == expected


def test_a_postal_code_names_its_communes_and_an_ambiguous_name_every_reading():
    assert "FR-COM-74012" in places.lookup("74100")  # Annemasse and its neighbours
    assert set(places.lookup("Jura")) == {"FR-39", "CH-JU"}
    assert places.lookup("Atlantide") == ()


def test_commune_within_intercommunality_within_departement_region_country_continent():
    annemasse = "FR-COM-74012"
    for outer in (
        "FR-EPCI-200011773",
        "FR-74",
        "FR-ARA",
        "FR",
        "EU",
        "CONT-EU",
        "GENEVOIS-FRANCAIS",
        "GRAND-GENEVE",
        "INTERREG-FR-CH",
    ):
        assert places.relation(outer, annemasse) == "inside", outer
    assert places.relation("FR-IDF", annemasse) == "outside"
    assert places.relation("FR-IDF", "FR") == "partial"  # a Région holds part of France
    assert places.relation("GRAND-GENEVE", "FR-74") == "partial"
    assert places.relation("INTERREG-FR-CH", "CH-GE") == "inside"
    assert places.relation("INTERREG-FR-CH", "CH-ZH") == "outside"
    assert places.relation("AU", "MA") == "inside" and places.relation("EU", "CH") == "outside"


def test_names_in_both_languages():
    assert places.name("CH-GE", "fr") == "Genève" and places.name("FR-74", "en") == "Haute-Savoie"
    assert places.name("ECOWAS", "en") == "West Africa (ECOWAS)"


# The territory a call is limited to ----------------------------------------------------------


@pytest.mark.parametrize(
    ("funder", "expected", "decides"),
    [
        ("Région Île-de-France", {"FR-IDF"}, True),
        ("Préfecture de Seine-Saint-Denis", {"FR-93"}, True),
        ("Conseil départemental du Morbihan", {"FR-56"}, True),
        ("Ville de Paris", {"FR-75C"}, True),
        ("Région Sud (PACA)", {"FR-PAC"}, True),
        (
            "Direction départementale des Territoires et de la Mer (DDTM) du Finistère",
            {"FR-29"},
            True,
        ),
        ("Communauté de communes Pays du Mont-blanc", {"FR-EPCI-200034882"}, True),
        ("Drôme Aménagement Habitat (DAH)", {"FR-26"}, True),
        ("ADEME", {"FR"}, True),
        ("Banque Publique d'Investissement France", {"FR"}, True),
        ("Ministère de l'Europe et des Affaires étrangères", {"FR"}, True),
        ("European Commission", {"EU+ASSOCIATED"}, False),
        ("Agence de l'Eau Rhône-Méditerranée-Corse", {"FR"}, True),
    ],
)
def test_a_funder_funds_its_own_territory_read_from_real_funder_names(funder, expected, decides):
    found = funder_scope(funder)
    assert set(found.places) == expected and found.decides is decides


def test_a_funder_name_that_says_no_place_says_nothing():
    assert funder_scope("Chambre de Commerce et de l'Industrie") is None
    assert funder_scope("Fondation Orange") is None


def test_stated_zones_come_before_the_title_and_the_funder():
    found = call_scope(("Seine-Saint-Denis (93)",), 0.9, "Région Île-de-France", "Un appel")
    assert found.places == {"FR-93"} and found.basis == "zones"
    titled = call_scope((), 0.9, "European Commission", "Renewable Energy Valleys in Africa")
    assert titled.places == {"CONT-AF"} and titled.basis == "title"


# The rules on real calls ----------------------------------------------------------------------


def test_a_region_call_fails_a_project_elsewhere_with_the_reason_in_both_languages():
    call = real("iledefrance:0f02094358b21fbd7ea4aeed20872b42")
    p = profile(intervention_places=["Haute-Savoie", "canton de Genève"])
    found = territory(call, p)
    assert found.result == "fail" and "Île-de-France" in found.explanation
    assert "Haute-Savoie" in found.explanation and "Genève" in found.explanation
    assert "takes place elsewhere" in territory(call, p, lang="en").explanation
    assert verdict(check_all(call, p, as_of=AS_OF)) == "ineligible"
    paris = profile(
        partners=[{"type": "association", "country": "FR", "department": "75"}],
        project="Accueil de jour à Paris.",
    )
    assert territory(call, paris).result == "pass" and territory(call, paris).local


def test_a_prefecture_call_is_for_its_departement():
    call = real("prefecture93:94c9d7b74332dd60ec67ba1039e98395")
    assert territory(call, profile()).result == "fail"
    local = profile(
        partners=[{"type": "association", "country": "FR", "postal_code": "93200"}],
        project=None,
        intervention_countries=[],
    )
    assert territory(call, local).result == "pass"


def test_a_project_given_only_by_country_is_narrowed_to_where_the_partners_are():
    p = profile(
        project=None,
        intervention_countries=["FR"],
        partners=[{"type": "association", "country": "FR", "region": "Auvergne-Rhône-Alpes"}],
    )
    where, inferred = project_places(p)
    assert where == {"FR-ARA"} and inferred
    found = territory(real("iledefrance:0f02094358b21fbd7ea4aeed20872b42"), p)
    assert found.result == "fail"  # not « votre région est-elle concernée ? »
    assert "d'après le siège des partenaires" in found.explanation


def test_a_geneva_commune_wants_a_geneva_applicant_and_says_which_partner_can_apply():
    call = CallFacts(
        id="t:geneve",
        title="Fonds de solidarité internationale",
        funder="Ville de Genève",
        applicant_types=["ngo"],
        applicant_types_raw=["Associations"],
    )
    found = territory(call, profile())
    assert found.result == "pass" and "Atelier Genève" in found.explanation
    french_only = profile(
        partners=[
            {
                "name": "Asso Annemasse",
                "type": "association",
                "country": "FR",
                "postal_code": "74100",
            }
        ]
    )
    assert territory(call, french_only).result == "fail"


def test_interreg_france_suisse_wants_a_partner_on_each_side():
    call = CallFacts(
        id="t:interreg",
        title="Appel à projets Interreg France-Suisse 2021-2027",
        funder="Région Bourgogne-Franche-Comté",
    )
    both = territory(call, profile())
    assert both.result == "pass" and "Asso Annemasse" in both.explanation
    assert "Atelier Genève" in both.explanation
    french_only = profile(
        partners=[
            {
                "name": "Asso Annemasse",
                "type": "association",
                "country": "FR",
                "postal_code": "74100",
            }
        ]
    )
    missing = territory(call, french_only)
    assert missing.result == "fail" and "Suisse" in missing.explanation
    zurich = profile(
        partners=[
            profile().partners[0].model_dump(),
            {"type": "ngo", "country": "CH", "canton": "ZH"},
        ]
    )
    assert territory(call, zurich).result == "fail"  # Zurich is outside the programme area


def test_a_call_titled_for_europe_fails_a_project_abroad():
    p = parse_profile(
        {
            "name": "Cuisson propre",
            "partners": [
                {"type": "ngo", "country": "FR"},
                {"type": "cooperative", "country": "CM"},
            ],
            "intervention_countries": ["CM"],
        }
    )
    assert territory(real("eu_sedia:LIFE-2026-CET-ENERPOV"), p).result == "fail"
    assert territory(real("eu_sedia:HORIZON-CL5-2027-02-D3-10"), p).result == "pass"


def test_a_region_named_in_the_opening_text_limits_the_call():
    call = real("mission_transition:ee480fbfd380")
    assert call.scope.places == {"FR-ARA"}
    occitanie = parse_profile(
        {"name": "x", "partners": [{"type": "sme", "country": "FR", "region": "Occitanie"}]}
    )
    assert territory(call, occitanie).result == "fail"


# Applicant rules on real sentences ------------------------------------------------------------


def test_communes_and_intercommunalities_only_exclude_an_ngo():
    call = real("aides_territoires:e342-copie-14h23-favoriser-laccessibilite-des-bati")
    found = applicant_type(call, profile())
    assert found.result == "fail" and "Communes" in found.evidence


def test_a_company_size_limit_read_from_the_text():
    call = real("mission_transition:a8d3144728f7")  # "TPE et PME de moins de 50 salariés"
    small = parse_profile(
        {
            "name": "x",
            "partners": [{"type": "PME", "country": "FR", "employees": 12, "role": "lead"}],
        }
    )
    large = parse_profile(
        {
            "name": "x",
            "partners": [{"type": "PME", "country": "FR", "employees": 180, "role": "lead"}],
        }
    )
    unsaid = parse_profile(
        {"name": "x", "partners": [{"type": "PME", "country": "FR", "role": "lead"}]}
    )
    assert applicant_type(call, small).result == "pass"
    found = applicant_type(call, large)
    assert found.result == "fail" and "moins de 50 salariés" in found.evidence
    assert applicant_type(call, unsaid).result == "unknown"  # unknown stays unknown


def test_outside_industry_excludes_an_industrial_company():
    call = real("mission_transition:17ccdb9aa3ce")  # "ACT - Pas à pas (hors industrie)"
    factory = parse_profile(
        {
            "name": "x",
            "partners": [
                {
                    "type": "entreprise",
                    "sector": "industrie électronique",
                    "country": "FR",
                    "role": "lead",
                }
            ],
        }
    )
    shop = parse_profile(
        {
            "name": "x",
            "partners": [
                {"type": "entreprise", "sector": "commerce", "country": "FR", "role": "lead"}
            ],
        }
    )
    assert applicant_type(call, factory).result == "fail"
    assert applicant_type(call, shop).result == "pass"


def test_three_entities_from_african_union_states_counted_against_the_consortium():
    call = real("eu_sedia:HORIZON-CL6-2027-02-FARM2FORK-02-two-stage")
    one = parse_profile(
        {
            "name": "x",
            "partners": [
                {"name": "AgriTech", "type": "startup", "country": "FR", "role": "lead"},
                {"name": "Coop Souss", "type": "association", "country": "MA"},
            ],
        }
    )
    found = partnership(call, one)
    assert found.result == "fail" and "African Union" in found.evidence  # never "✓ rempli"
    assert "il en manque 2" in found.explanation and "Coop Souss" in found.explanation
    three = parse_profile(
        {
            "name": "x",
            "partners": [
                {"type": "startup", "country": "FR"},
                {"type": "ngo", "country": "MA"},
                {"type": "ngo", "country": "SN"},
                {"type": "research", "country": "KE"},
            ],
        }
    )
    assert partnership(call, three).result == "pass"


def test_three_entities_from_three_member_states_counted_by_country():
    call = real("eu_sedia:HORIZON-WIDERA-2026-04-WIDENING-01")
    two_countries = parse_profile(
        {
            "name": "x",
            "partners": [
                {"type": "ngo", "country": "FR"},
                {"type": "sme", "country": "FR"},
                {"type": "research", "country": "IT"},
            ],
        }
    )
    assert partnership(call, two_countries).result == "fail"
    three_countries = parse_profile(
        {
            "name": "x",
            "partners": [
                {"type": "ngo", "country": "FR"},
                {"type": "sme", "country": "BE"},
                {"type": "research", "country": "IT"},
            ],
        }
    )
    assert partnership(call, three_countries).result == "pass"
