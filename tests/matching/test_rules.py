"""Each criterion on its own, French and English wording, unknowns never a fail."""

from datetime import date

import pytest

from funding.matching import parse_profile
from funding.matching.facts import CallFacts
from funding.matching.rules import (
    amount,
    applicant_country,
    applicant_type,
    check_all,
    cofinancing,
    fails_early,
    instrument,
    partnership,
    territory,
    timing,
    verdict,
)
from funding.normalize import map_terms

AS_OF = date(2026, 3, 1)


def call(**fields):
    """A call as the rules read it (CallFacts): None for what is not given."""
    fields.setdefault("currency", "EUR")
    if "applicant_words" in fields:
        canonical, raw = map_terms("applicant_type", fields.pop("applicant_words"))
        fields.update(applicant_types=canonical, applicant_types_raw=raw)
    if fields.get("deadlines"):
        fields.setdefault("deadline_last", date.fromisoformat(fields["deadlines"][-1]))
    return CallFacts(**fields)


def profile(**fields):
    data = {
        "name": "Test",
        "partners": [
            {
                "name": "Asso",
                "type": "association",
                "country": "FR",
                "region": "Haute-Savoie",
                "role": "lead",
            },
            {"name": "PME", "type": "PME", "country": "FR", "region": "Rhône"},
        ],
    }
    data.update(fields)
    return parse_profile(data)


# Timing


def test_timing_next_deadline_passes_and_names_the_date():
    found = timing(call(deadlines=["2026-06-30"]), profile(), as_of=AS_OF)
    assert found.result == "pass" and "30 juin 2026" in found.explanation
    assert "30 juin 2026" in found.evidence and "2026-06-30" not in found.evidence
    english = timing(call(deadlines=["2026-06-30"]), profile(), as_of=AS_OF, lang="en")
    assert "30 June 2026" in english.explanation


def test_timing_closed_call_fails():
    assert timing(call(deadlines=["2025-12-31"]), profile(), as_of=AS_OF).result == "fail"


def test_timing_deadline_before_the_profile_deadline_after_fails():
    found = timing(
        call(deadlines=["2026-04-01"]), profile(deadline_after="2026-05-01"), as_of=AS_OF
    )
    assert found.result == "fail" and "1 mai 2026" in found.explanation


def test_timing_permanent_passes_and_unknown_is_not_a_fail():
    assert timing(call(recurrence="permanent"), profile(), as_of=AS_OF).result == "pass"
    assert timing(call(), profile(), as_of=AS_OF).result == "unknown"


def test_timing_forthcoming_call_is_kept_and_labelled():
    found = timing(
        call(deadlines=["2026-09-30"], opens_on=date(2026, 5, 1)), profile(), as_of=AS_OF, lang="en"
    )
    assert found.result == "pass" and "Forthcoming" in found.explanation


# Applicant type, per partner and role


@pytest.mark.parametrize(
    "words",
    [
        ["Associations"],
        ["Association loi 1901", "Communes"],
        ["NGO"],
        [
            "Nonprofits having a 501(c)(3) status with the IRS, other than institutions of higher education"
        ],
    ],
)
def test_applicant_type_ngo_lead_passes_in_french_and_english(words):
    found = applicant_type(call(applicant_words=words), profile())
    assert found.result == "pass"
    assert words[0] in found.evidence


def test_applicant_type_lead_not_eligible_another_partner_carries_the_application():
    found = applicant_type(call(applicant_words=["Entreprises"]), profile())
    assert found.result == "pass" and found.carried_by == "PME"
    assert "Asso" in found.explanation and "portée par PME" in found.explanation
    nobody = applicant_type(call(applicant_words=["Collectivités"]), profile())
    assert nobody.result == "fail" and nobody.carried_by is None


def test_applicant_type_co_applicant_not_eligible_is_explained():
    found = applicant_type(call(applicant_words=["Associations"]), profile())
    assert found.result == "pass" and "partenaires associés" in found.explanation


def test_applicant_type_without_a_declared_lead_any_partner_can_lead():
    p = profile(partners=[{"type": "association"}, {"type": "start-up"}])
    found = applicant_type(call(applicant_words=["Entreprises"]), p, lang="en")
    assert found.result == "pass" and "Possible lead" in found.explanation


def test_applicant_type_parent_hierarchy():
    startup_lead = profile(partners=[{"type": "start-up", "role": "lead"}])
    assert applicant_type(call(applicant_words=["Entreprises"]), startup_lead).result == "pass"
    assert applicant_type(call(applicant_words=["PME"]), startup_lead).result == "pass"
    large = profile(partners=[{"type": "grande entreprise", "role": "lead"}])
    assert applicant_type(call(applicant_words=["PME"]), large).result == "fail"
    coop = profile(partners=[{"type": "coopérative agricole", "role": "lead"}])
    assert (
        applicant_type(call(applicant_words=["Communes", "Intercommunalités"]), coop).result
        == "fail"
    )
    social = profile(partners=[{"type": "entreprise de l'ESS", "role": "lead"}])
    assert applicant_type(call(applicant_words=["Company"]), social).result == "pass"


def test_applicant_type_unknowns():
    assert applicant_type(call(), profile()).result == "unknown"
    assert applicant_type(call(applicant_words=["Tous publics"]), profile()).result == "pass"
    assert (
        applicant_type(call(applicant_words=["Communes", "Mutuelles du Jura"]), profile()).result
        == "unknown"
    )


# Where applicants are established


def test_applicant_country_groups_and_french_regions():
    p = profile()
    assert applicant_country(call(applicant_countries=["EU"]), p).result == "pass"
    assert applicant_country(call(applicant_countries=["Auvergne-Rhône-Alpes"]), p).result == "pass"
    found = applicant_country(call(applicant_countries=["Occitanie"]), p, lang="en")
    assert found.result == "fail" and "Occitanie" in found.evidence
    assert applicant_country(call(applicant_countries=["US"]), p).result == "fail"
    assert applicant_country(call(applicant_countries=["Atlantide"]), p).result == "unknown"
    assert applicant_country(call(), p) is None  # the call names none: territory is the question


# Territory (funding.territory; more on real records in test_territory.py)


def test_territory_of_stated_zones_against_the_project():
    p = profile(intervention_countries=["Sénégal"])
    assert territory(call(intervention_zones=["Afrique de l'Ouest"]), p).result == "pass"
    assert territory(call(intervention_zones=["West Africa"]), p).result == "pass"
    assert territory(call(intervention_zones=["pays les moins avancés"]), p).result == "pass"
    assert territory(call(intervention_zones=["G5 Sahel"]), p).result == "fail"
    assert territory(call(intervention_zones=["Sahel"]), p).result == "pass"  # the Sahel belt
    assert (
        territory(call(intervention_zones=["NE"]), profile(intervention_countries=["Sahel"])).result
        == "pass"
    )
    assert territory(call(), p).result == "unknown"


def test_territory_of_a_local_funder_decides_and_says_why():
    p = profile(intervention_places=["Haute-Savoie", "canton de Genève"])
    found = territory(call(funder="Région Île-de-France"), p)
    assert found.result == "fail"
    assert "Région Île-de-France" in found.explanation and "Haute-Savoie" in found.explanation
    english = territory(call(funder="Région Île-de-France"), p, lang="en")
    assert "lie outside it" in english.explanation
    local = territory(call(funder="Conseil départemental de la Haute-Savoie"), p)
    assert local.result == "pass" and local.local
    assert territory(call(funder="ADEME"), p).result == "pass"  # France: the French partner


# Partnership


def test_partnership_minimum_partners_and_several_countries():
    p = profile()
    assert partnership(call(min_partners=3), p).result == "fail"
    assert partnership(call(min_partners=2), p).result == "pass"
    assert partnership(call(partnership_required=True), p).result == "pass"
    text = "Proposals must be submitted by a consortium of at least two entities from different Member States."
    found = partnership(call(eligibility_plain=text), p, lang="en")
    assert found.result == "fail" and "different Member States" in found.evidence
    assert "1 missing" in found.explanation
    mixed = profile(partners=[{"type": "ngo", "country": "FR"}, {"type": "sme", "country": "BE"}])
    assert partnership(call(eligibility_plain=text), mixed).result == "pass"


def test_partnership_unstated_and_hinted():
    assert partnership(call(), profile()).result == "pass"
    hinted = call(
        eligibility_plain="Le projet doit être porté en partenariat avec des acteurs locaux."
    )
    assert partnership(hinted, profile()).result == "unknown"


# Money


def test_amount_range_against_the_call():
    p = profile(amount_min=50_000, amount_max=200_000)
    assert amount(call(amount_max=30_000), p).result == "fail"
    assert amount(call(amount_min=10_000, amount_max=100_000), p).result == "pass"
    assert amount(call(amount_min=300_000), p).result == "unknown"  # floor within 2x: to verify
    assert amount(call(amount_min=1_000_000), p).result == "fail"
    assert amount(call(), p).result == "unknown"
    assert amount(call(amount_max=30_000), profile()) is None
    found = amount(call(amount_max=30_000), p)
    assert "30\u202f000\xa0€" in found.explanation or "30 000 €" in found.explanation.replace(
        "\u202f", " "
    ).replace("\xa0", " ")


def test_cofinancing_gap_in_euros():
    p = profile(amount_max=100_000, cofinancing_available=0.1)
    found = cofinancing(call(cofinancing_rate_max=0.8), p)
    assert found.result == "fail"
    flat = found.explanation.replace("\u202f", " ").replace("\xa0", " ")
    assert "doivent apporter 20 000 €" in flat and "peuvent apporter 10 000 €" in flat
    assert "il manque 10 000 €" in flat
    assert cofinancing(call(cofinancing_rate_max=0.9), p).result == "pass"
    assert cofinancing(call(), p).result == "unknown"
    assert cofinancing(call(cofinancing_rate_max=0.8), profile()) is None


# Instrument


def test_instrument_wanted():
    p = profile(instruments=["subvention"])
    assert instrument(call(instrument="grant", instrument_raw="Subvention"), p).result == "pass"
    found = instrument(call(instrument="loan", instrument_raw="Prêt"), p, lang="en")
    assert found.result == "fail" and found.evidence == "Prêt"
    assert instrument(call(), p).result == "unknown"
    assert instrument(call(instrument="loan"), profile()) is None


# All together


def test_every_criterion_has_an_explanation_and_the_verdict_follows():
    p = profile(
        amount_min=1,
        amount_max=10,
        cofinancing_available=0.5,
        instruments=["grant"],
        intervention_countries=["FR"],
    )
    criteria = check_all(call(applicant_countries=["FR"]), p, as_of=AS_OF)
    assert {c.criterion for c in criteria} == {
        "timing",
        "applicant_type",
        "applicant_country",
        "territory",
        "partnership",
        "amount",
        "cofinancing",
        "instrument",
    }
    assert all(c.explanation for c in criteria)
    assert verdict(criteria) == "to_verify"
    closed = check_all(call(deadlines=["2020-01-01"]), p, as_of=AS_OF)
    assert verdict(closed) == "ineligible"


def test_unknown_amount_rate_and_instrument_do_not_make_a_call_doubtful():
    p = profile(amount_min=1, amount_max=10, cofinancing_available=0.5, instruments=["grant"])
    stated = call(
        deadlines=["2026-06-30"],
        applicant_words=["Associations"],
        funder="ADEME",
        partnership_required=False,
    )
    criteria = check_all(stated, p, as_of=AS_OF)
    assert {
        c.result for c in criteria if c.criterion in ("amount", "cofinancing", "instrument")
    } == {"unknown"}
    assert verdict(criteria) == "eligible"


def test_a_consortium_to_complete_is_not_ineligible():
    text = (
        "The following additional eligibility criteria apply: consortia must include at least "
        "three independent legal entities established in an African Union member state."
    )
    p = profile(
        partners=[
            {"type": "startup", "country": "FR", "role": "lead"},
            {"type": "association", "country": "MA"},
        ]
    )
    criteria = check_all(call(eligibility_plain=text), p, as_of=AS_OF)
    assert next(c for c in criteria if c.criterion == "partnership").result == "fail"
    assert verdict(criteria) == "to_complete"
    assert (
        verdict(check_all(call(eligibility_plain=text, deadlines=["2020-01-01"]), p, as_of=AS_OF))
        == "ineligible"
    )


# The early fail check (the engine leaves ineligible calls out before explaining them)

EARLY = (
    "timing",
    "applicant_type",
    "applicant_country",
    "territory",
    "amount",
    "cofinancing",
    "instrument",
)
EARLY_CALLS = [
    call(),
    call(deadlines=["2025-12-31"]),
    call(deadlines=["2026-04-01", "2026-09-30"]),
    call(recurrence="permanent"),
    call(applicant_words=["Entreprises"]),
    call(applicant_words=["Grandes entreprises"]),
    call(applicant_words=["Associations", "Collectivités"]),
    call(applicant_words=["Tous publics"]),
    call(applicant_words=["Ministères"], deadlines=["2026-06-30"]),
    call(applicant_types=["research"], applicant_types_raw=None),
    call(applicant_countries=["Sénégal"]),
    call(applicant_countries=["Auvergne-Rhône-Alpes"]),
    call(funder="Région Occitanie"),
    call(funder="Ville de Genève"),
    call(intervention_zones=["Île-de-France"], applicant_words=["Associations"]),
    call(applicant_countries=["EU member states"], amount_min=5_000_000),
    call(amount_max=5_000),
    call(amount_min=150_000, amount_max=2_000_000, currency="USD"),
    call(amount_min=300_000),
    call(amount_min=30_000, amount_max=80_000, currency="XXX"),
    call(cofinancing_rate_max=0.5),
    call(cofinancing_rate_max=0.9, instrument="loan"),
    call(instrument="grant", amount_max=60_000),
]
EARLY_PROFILES = [
    profile(),
    profile(
        amount_min=50_000, amount_max=100_000, cofinancing_available=0.2, instruments=["grant"]
    ),
    profile(amount_max=100_000, cofinancing_available=0.5, deadline_after="2026-05-01"),
    profile(cofinancing_available=0.3, instruments=["prêt"]),
    profile(
        partners=[
            {"name": "Asso", "type": "association", "country": "FR"},
            {"name": "Firm", "type": "grande entreprise", "country": "SN"},
        ]
    ),
    profile(
        partners=[
            {"name": "Firm", "type": "grande entreprise", "country": "DE", "role": "lead"},
            {"name": "Asso", "type": "ONG", "country": "SN"},
        ]
    ),
]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_fails_early_agrees_with_check_all(lang):
    verdicts = set()
    for p in EARLY_PROFILES:
        for c in EARLY_CALLS:
            criteria = check_all(c, p, as_of=AS_OF, lang=lang)
            first = next(
                (x.criterion for x in criteria if x.result == "fail" and x.criterion in EARLY), None
            )
            assert fails_early(c, p, as_of=AS_OF, lang=lang) == first
            verdicts.add(first)
    assert verdicts >= {None, *EARLY}  # every early criterion was seen failing
