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
    p = parse_profile(
        {
            "name": "X",
            "partners": [{"type": "ONG", "country": "Sénégal", "role": "chef de file"}],
            "amount_max": "150 000 €",
            "cofinancing_available": "20 %",
            "themes": "eau; santé",
            "stage": "pilote",
            "deadline_after": "1er juin 2026",
        }
    )
    assert p.partners[0].country == "SN" and p.lead is p.partners[0]
    assert p.amount_max == 150_000 and p.cofinancing_available == 0.2
    assert p.themes == ["eau", "santé"] and p.stage == "pilot"


def test_unknown_country_is_an_error():
    with pytest.raises(ProfileError, match=r"partners\[0\]\.country"):
        parse_profile({"name": "X", "partners": [{"type": "ngo", "country": "Atlantis"}]})


@pytest.mark.parametrize(
    ("words", "canonical"),
    [
        ("association", "ngo"),
        ("ONG", "ngo"),
        ("fondation", "foundation"),
        ("entreprise", "company"),
        ("PME", "sme"),
        ("start-up", "startup"),
        ("ESS", "social_enterprise"),
        ("collectivité", "local_authority"),
        ("NGO", "ngo"),
        ("small business", "sme"),
        ("assocation", "ngo"),
    ],
)
def test_partner_types_in_french_and_english_with_typos(words, canonical):
    p = parse_profile({"name": "X", "partners": [{"type": words}]})
    assert partner_type(p.partners[0]) == canonical


def test_old_profiles_stay_valid_and_new_fields_are_described():
    """Backward compatible: every profile written for the old contract (the tuning set's, the dev
    set's) is valid under both schemas and parses; the new fields are in ours, with descriptions."""
    import glob
    import json
    from pathlib import Path

    import jsonschema

    root = Path(__file__).parents[2]
    ours = json.loads((root / "funding" / "contracts" / "profile.schema.json").read_text())
    shared = json.loads((root.parent / "shared" / "contracts" / "profile.schema.json").read_text())
    old = [
        *glob.glob(str(root.parent / "shared" / "eval" / "profiles" / "*.json")),
        *glob.glob(str(root / "benchmarks" / "matching" / "profiles" / "*.json")),
    ]
    assert len(old) >= 12
    for path in old:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        jsonschema.validate(data, ours)
        jsonschema.validate(data, shared)
        parse_profile(data)
    partner = ours["properties"]["partners"]["items"]["properties"]
    for name in ("department", "commune", "postal_code", "canton", "employees", "sector"):
        assert partner[name]["description"], name
    assert ours["properties"]["intervention_places"]["description"]
    new = {
        "name": "x",
        "partners": [
            {"type": "association", "country": "FR", "postal_code": "74100", "employees": 4}
        ],
        "intervention_places": ["Grand Genève"],
    }
    jsonschema.validate(new, ours)
    jsonschema.validate(new, shared)  # a reader of the shared contract still accepts it


def test_a_place_field_that_names_no_place_is_refused_with_its_field():
    with pytest.raises(ProfileError) as error:
        parse_profile(
            {
                "name": "x",
                "partners": [
                    {"type": "ngo", "country": "FR", "department": "Haute Savoy"},
                    {"type": "ngo", "country": "CH", "canton": "Genf"},
                    {"type": "ngo", "postal_code": "7410"},
                ],
            }
        )
    problems = dict(error.value.problems)
    assert "partners[0].department" in problems and "partners[2].postal_code" in problems
    assert "partners[1].canton" not in problems  # Genf: Geneva in German
    seat = (
        parse_profile({"name": "x", "partners": [{"type": "ngo", "country": "CH", "canton": "GE"}]})
        .partners[0]
        .seat
    )
    assert seat == {"CH-GE"}


def test_schema_errors_in_words_numbered_as_the_readme():
    """The README numbers partners as the file does (`partners[1].type`); the French message says
    which partner that is, the field, and why."""
    import pytest

    from funding.i18n import problem_text
    from funding.matching import ProfileError, parse_profile

    with pytest.raises(ProfileError) as caught:
        parse_profile({"name": "X", "partners": [{"type": "ngo"}, {"country": "FR"}]})
    (problem,) = caught.value.problems
    assert problem == ("partners[1].type", "is required")
    assert problem_text(*problem) == "partenaire 2 (partners[1]), champ type : obligatoire"
    assert problem_text(*problem, lang="en") == "partner 2 (partners[1]), field type: is required"
    assert problem_text("", "the file is nested more than 32 levels deep") == (
        "le fichier imbrique plus de 32 niveaux"
    )
    assert problem_text("amount_min", "'abc' is not an amount") == (
        "champ amount_min : 'abc' n'est pas un montant"
    )
