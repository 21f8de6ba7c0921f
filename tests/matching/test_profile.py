"""The profile contract: lenient on words, errors that name the field."""

import pytest

from funding.matching import ProfileError, parse_profile
from funding.matching.rules import partner_type


def test_a_malformed_profile_names_the_field():
    with pytest.raises(ProfileError) as error:
        parse_profile({"name": "X", "partners": [{"type": "ngo"}, {"country": "FR"}]})
    assert "partners[1].type: is required" in str(error.value)


def test_several_problems_are_all_reported():
    with pytest.raises(ProfileError) as error:
        parse_profile({"partners": [], "stage": "someday", "cofinancing_available": "150%"})
    message = str(error.value)
    assert "name: is required" in message
    assert "partners" in message and "stage" in message and "cofinancing_available" in message


def test_lenient_words_amounts_and_countries():
    p = parse_profile({
        "name": "X", "partners": [{"type": "ONG", "country": "Sénégal", "role": "chef de file"}],
        "amount_max": "150 000 €", "cofinancing_available": "20 %", "themes": "eau; santé",
        "stage": "pilote", "deadline_after": "1er juin 2026",
    })  # fmt: skip
    assert p.partners[0].country == "SN" and p.lead is p.partners[0]
    assert p.amount_max == 150_000 and p.cofinancing_available == 0.2
    assert p.themes == ["eau", "santé"] and p.stage == "pilot"


def test_unknown_country_is_an_error():
    with pytest.raises(ProfileError, match=r"partners\[0\]\.country"):
        parse_profile({"name": "X", "partners": [{"type": "ngo", "country": "Atlantis"}]})


@pytest.mark.parametrize(
    ("words", "canonical"),
    [("association", "ngo"), ("ONG", "ngo"), ("fondation", "foundation"), ("entreprise", "company"),
     ("PME", "sme"), ("start-up", "startup"), ("ESS", "social_enterprise"),
     ("collectivité", "local_authority"), ("NGO", "ngo"), ("small business", "sme"),
     ("assocation", "ngo")],
)  # fmt: skip
def test_partner_types_in_french_and_english_with_typos(words, canonical):
    p = parse_profile({"name": "X", "partners": [{"type": words}]})
    assert partner_type(p.partners[0]) == canonical
