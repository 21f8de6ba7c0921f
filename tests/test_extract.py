"""Extraction from a call's own text: real sentences from the snapshot, French and English."""

import csv
import gzip
import json
from datetime import UTC, datetime
from importlib.resources import files

import pytest
from sqlmodel import select

from funding.enrich.extract import (
    apply_extractions,
    country_groups,
    country_names,
    expand_zone,
    extract,
    split_sentences,
)
from funding.store.models import Extraction as ExtractionRow
from funding.store.models import FieldChange, Opportunity
from funding.store.opportunities import edit_opportunity, store_record

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)

# eu_sedia:cerv-2026-citizens-town-tt (eligibility_text, blocks glued without spaces)
TOWN_TWINNING = (
    "Conditions1. Admissibility conditions: Proposal page limit and layoutdescribed in the call "
    "document.Proposal page limits and layout: described in Part B of the Application Form available "
    "in the Submission System.2. Eligible countriesdescribed in the call document.3. Other eligibility "
    "conditionsdescribed in the call document.Publication of the call: 28/04/2026.Deadline for "
    "submitting applications: 23/09/2026 17:00 (Brussels time).Evaluation period: October 2026 - "
    "February 2027.Information to applicants: March 2027."
)
# eu_sedia:cerv-2026-daphne-children (eligibility_text)
DAPHNE = (
    "Publication of the call: July, 8 2026.Deadline for submitting applications: November, 3 2026 "
    "17:00 (Brussels time).Evaluation period: November 2026 - May 2027."
)
# eu_sedia:life-2026-cet-renewhc (eligibility_text)
LIFE_RENEWHC = (
    "Specific consortium requirements: Proposals must be submitted by at least 3 applicants "
    "(beneficiaries; not affiliated entities) from 3 different eligible countries. The Commission "
    "considers that proposals requesting a contribution from the EU of up to EUR 2 million would "
    "allow the specific objectives to be addressed appropriately."
)
# eu_sedia:horizon-cl5-2027-01-d1-13 (eligibility_text)
HORIZON_CONSORTIUM = (
    "The following additional eligibility criteria apply: The consortium must include as beneficiary "
    "or associated partner at least three independent legal entities established in three different "
    "low or lower/upper-middle-income countries."
)
# eu_sedia:life-2026-ngo-og-sga (summary)
LIFE_OPERATING = (
    "Operating grants are always mono-beneficiary grants supporting the annual activities of an "
    "organisation."
)
# eu_sedia:horizon-cl5-2027-01-d1-11 (eligibility_text)
HORIZON_RATE = "The funding rate is up to 50% of the eligible costs."
# eu_sedia:horizon-cl5-2027-02-d3-24 (eligibility_text)
HORIZON_CHINA = (
    "entities established in an eligible country but which are directly or indirectly controlled by "
    "China or by a legal entity established in China are not eligible to participate in the action."
)
# mission_transition:aide-investissement-corse (amount_text, an extra field)
CORSE_AMOUNT = "Jusqu'à 30% des dépenses éligibles, dans un maximum de 200 000 €"
# iledefrance:821 (summary)
IDF_SUBVENTION = "Une subvention jusqu'à 500 000 euros."
# aides_territoires:eff7-se-faire-accompagner-dans-les-projets-damenag (summary)
CEREMA = (
    "Les candidatures doivent être déposées     avant le 18 mai 2022    pour la première vague."
)
# aides_territoires:4b1d-developper-un-projet-denergie-renouvelable-ou (summary)
SDEC = (
    "Le SDEC ENERGIE étudie, finance en partie (mobilisation d'autres aides financières), construit "
    "et exploite l'installation, en partenariat avec la collectivité."
)
# aides_territoires:0cdc-humaniser-les-centres-dhebergement (summary)
ANAH_PER_PLACE = (
    "L'aide de l'Anah est au maximum de 15 000 € par place d'hébergement en Île-de-France, et de "
    "10 000 € dans les autres régions."
)


def record(**fields):
    return {"id": "test:1", "title": "Appel à projets", "url": "https://example.org/1", **fields}


def found(data) -> dict[str, tuple]:
    return {e.field: (e.value, e.confidence, e.method) for e in extract(data)}


# Sentences ----------------------------------------------------------------------------------


def test_sentences_split_glued_eu_blocks():
    texts = [s.text for s in split_sentences(TOWN_TWINNING)]
    assert "Deadline for submitting applications: 23/09/2026 17:00 (Brussels time)." in texts
    assert "Publication of the call: 28/04/2026." in texts
    assert any(t.startswith("Admissibility conditions: Proposal page limit") for t in texts)


def test_sentences_keep_decimals_and_dashes_inside_a_sentence():
    texts = [
        s.text
        for s in split_sentences(
            "An EU contribution of EUR 2.5 million. Evaluation: October 2026 - February 2027."
        )
    ]
    assert texts == [
        "An EU contribution of EUR 2.5 million.",
        "Evaluation: October 2026 - February 2027.",
    ]


# Deadlines ----------------------------------------------------------------------------------


def test_deadline_from_glued_eu_text_ignores_publication_date():
    assert found(record(eligibility_text=TOWN_TWINNING))["deadlines"][:2] == (["2026-09-23"], 0.9)


def test_deadline_month_first_written_out():
    assert found(record(eligibility_text=DAPHNE))["deadlines"][0] == ["2026-11-03"]


@pytest.mark.parametrize(
    ("sentence", "expected", "confidence"),
    [
        ("Date limite de dépôt : 31 mars 2026.", ["2026-03-31"], 0.9),
        ("Deadline: 15 April 2026.", ["2026-04-15"], 0.9),
        ("Les dossiers sont à déposer avant le 15/04/2026.", ["2026-04-15"], 0.8),
        (CEREMA, ["2022-05-18"], 0.8),
    ],
)
def test_deadline_phrasings(sentence, expected, confidence):
    assert found(record(summary=sentence))["deadlines"][:2] == (expected, confidence)


def test_stated_deadline_is_never_overwritten():
    assert "deadlines" not in found(
        record(summary="Date limite : 31 mars 2026.", deadlines=["2026-04-30"])
    )


# Partnership --------------------------------------------------------------------------------


def test_at_least_three_applicants():
    result = found(record(eligibility_text=LIFE_RENEWHC))
    assert result["partnership_required"][:2] == (True, 0.9)
    assert result["min_partners"][:2] == (3, 0.9)


def test_consortium_of_three_independent_legal_entities():
    result = found(record(eligibility_text=HORIZON_CONSORTIUM))
    assert result["min_partners"][0] == 3
    assert result["partnership_required"][0] is True


@pytest.mark.parametrize(
    ("sentence", "required", "partners", "confidence"),
    [
        ("Le projet doit associer au moins 2 partenaires.", True, 2, 0.9),
        ("Consortium with a minimum of 3 partners.", True, 3, 0.9),
        ("Proposals may be submitted by single applicants only.", False, None, 0.8),
        (LIFE_OPERATING, False, None, 0.8),
        (SDEC, True, None, 0.5),
    ],
)
def test_partnership_phrasings(sentence, required, partners, confidence):
    result = found(record(summary=sentence))
    assert result["partnership_required"][:2] == (required, confidence)
    assert result.get("min_partners", (None,))[0] == partners


@pytest.mark.parametrize(
    "sentence",
    [
        # bpifrance (summary): the funder's own partner, no requirement on applicants
        "Ce prêt est proposé par la Région en partenariat avec Bpifrance.",
        "Un appel à projets lancé en partenariat avec l'ADEME et la Banque des Territoires.",
        "The prize is run in partnership with the European Commission.",
    ],
)
def test_a_funder_named_as_partner_is_no_partnership_requirement(sentence):
    assert "partnership_required" not in found(record(summary=sentence))


def test_single_applicants_or_consortia_says_nothing():
    assert "partnership_required" not in found(
        record(summary="Proposals can be submitted by single applicants or by consortia.")
    )


# Rates and amounts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "rate", "confidence"),
    [
        (HORIZON_RATE, 0.5, 0.85),
        ("Grants cover up to 60 % of eligible costs.", 0.6, 0.8),
        ("Le taux d'aide maximum de 50 % s'applique.", 0.5, 0.85),
        ("Un cofinancement de 80 % est possible.", 0.8, 0.85),
    ],
)
def test_cofinancing_rate(sentence, rate, confidence):
    assert found(record(summary=sentence))["cofinancing_rate_max"][:2] == (rate, confidence)


def test_percent_without_a_funding_cue_is_no_rate():
    # aides_territoires:5186-programme-oreca (summary)
    text = "Ces bâtiments représentent à eux seuls 280 millions de m2 et sont responsables de 12% des GES."
    assert "cofinancing_rate_max" not in found(record(summary=text))


def test_eu_contribution_range():
    text = "The Commission estimates that an EU contribution of between EUR 2 and 4 million would allow these outcomes to be addressed appropriately."
    result = found(record(summary=text))
    assert (result["amount_min"][0], result["amount_max"][0]) == (2_000_000, 4_000_000)
    assert result["currency"][0] == "EUR"


def test_eu_contribution_ceiling():
    result = found(record(eligibility_text=LIFE_RENEWHC))
    assert result["amount_max"][:2] == (2_000_000, 0.8)
    assert "amount_min" not in result


def test_per_project_ceiling_is_told_from_the_total_budget():
    result = found(
        record(summary="Subvention jusqu'à 50 000 € par projet. Le budget total de l'appel : 2 M€.")
    )
    assert result["amount_max"][:2] == (50_000, 0.85)
    assert result["total_budget"][:2] == (2_000_000, 0.85)


@pytest.mark.parametrize(
    ("data", "amount", "confidence"),
    [
        (record(summary="La subvention est plafonnée à 30 000 €."), 30_000, 0.8),
        (record(summary=IDF_SUBVENTION), 500_000, 0.8),
        (record(amount_text=CORSE_AMOUNT), 200_000, 0.75),
    ],
)
def test_amount_ceilings(data, amount, confidence):
    assert found(data)["amount_max"][:2] == (amount, confidence)


def test_amount_per_place_is_not_an_amount_per_project():
    assert "amount_max" not in found(record(summary=ANAH_PER_PLACE))


def test_stated_amount_blocks_amount_extraction():
    assert "amount_max" not in found(record(summary=IDF_SUBVENTION, amount_max=400000))


# Applicant types ----------------------------------------------------------------------------


def test_open_to_ngos_and_smes():
    assert found(record(summary="The call is open to NGOs and SMEs."))["applicant_types"][:2] == (
        ["ngo", "sme"],
        0.8,
    )


def test_negation_is_not_added_and_is_noted():
    result = found(
        record(
            summary="Cet appel est ouvert aux associations. Les entreprises ne sont pas éligibles."
        )
    )
    assert result["applicant_types"][0] == ["ngo"]
    assert result["applicant_types_excluded"][0] == ["company"]


def test_negation_alone_gives_no_applicant_types():
    result = found(record(summary="Les entreprises ne sont pas éligibles."))
    assert "applicant_types" not in result
    assert result["applicant_types_excluded"][0] == ["company"]


def test_no_eligibility_cue_no_applicant_types():
    # aides_territoires:1f1b-service-gratuit-urbanvitaliz (summary): names actors, says nothing of who applies
    text = "en partenariat avec l'ensemble des acteurs du territoire (Ademe, Établissements Publics Fonciers, Agences d'urbanisme)."
    assert "applicant_types" not in found(record(summary=text))


# Geography ----------------------------------------------------------------------------------


def test_country_vocabulary_covers_un_members_in_both_languages():
    rows = list(
        csv.DictReader((files("funding") / "vocabularies" / "countries.csv").open(encoding="utf-8"))
    )
    codes = {r["code"] for r in rows}
    assert len(codes) >= 193
    for language in ("en", "fr"):
        assert {r["code"] for r in rows if r["language"] == language} == codes
    names = country_names()
    assert (
        names["cote d ivoire"] == "CI"
        and names["etats unis"] == "US"
        and names["allemagne"] == "DE"
    )


def test_country_groups():
    groups = country_groups()
    assert len(groups["EU"]) == 27 and "GR" in groups["EU"] and "GB" not in groups["EU"]
    assert len(groups["ECOWAS"]) == 15 and "CV" in groups["ECOWAS"]
    assert groups["G5SAHEL"] == {"BF", "ML", "MR", "NE", "TD"} < groups["SAHEL"]  # the belt
    assert len(groups["LDC"]) == 44 and "HT" in groups["LDC"]
    assert expand_zone("FR") == {"FR"}


def test_applicants_and_zones_in_french():
    text = (
        "Les candidats doivent être établis dans un pays d'Afrique de l'Ouest. "
        "Les projets doivent être mis en œuvre au Sénégal, au Mali ou au Niger."
    )
    result = found(record(summary=text))
    assert result["applicant_countries"][:2] == (["ECOWAS"], 0.8)
    assert result["intervention_zones"][:2] == (["SN", "ML", "NE"], 0.75)


def test_applicants_in_an_eu_member_state():
    result = found(
        record(summary="Applicants must be legal entities established in an EU Member State.")
    )
    assert result["applicant_countries"][0] == ["EU"]


def test_excluded_country_is_not_a_value():
    assert "applicant_countries" not in found(record(eligibility_text=HORIZON_CHINA))


def test_country_named_without_a_cue_is_no_value():
    assert found(record(summary="La France compte environ 300 000 ponts.")) == {}


def test_region_is_not_its_country():
    text = "Les projets doivent être réalisés en Île-de-France."
    assert found(record(summary=text))["intervention_zones"][0] == ["FR-IDF"]  # not France


def test_whole_snapshot_runs_and_stays_modest(snapshot_records):
    extractions = [e for r in snapshot_records for e in extract(r)]
    assert all(0 < e.confidence <= 1 and e.snippet for e in extractions)
    fields = {e.field for e in extractions}
    assert {"partnership_required", "min_partners", "cofinancing_rate_max", "amount_max"} <= fields
    assert len(extractions) < 3 * len(snapshot_records)


@pytest.fixture(scope="module")
def snapshot_records():
    path = files("funding") / "data" / "snapshot.jsonl.gz"
    with gzip.open(str(path), "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


# Store --------------------------------------------------------------------------------------


def _stored(session, **fields):
    store_record(session, record(source="test", **fields), now=NOW)
    return session.get(Opportunity, "test:1")


def test_apply_fills_confident_values_with_history(session):
    opportunity = _stored(session, summary=LIFE_RENEWHC + " " + SDEC)
    rows = apply_extractions(session, opportunity, extract(opportunity), now=NOW)
    by_field = {r.field: r for r in rows}
    assert opportunity.min_partners == 3 and opportunity.partnership_required is True
    assert opportunity.amount_max == 2_000_000 and opportunity.currency == "EUR"
    assert by_field["min_partners"].status == "accepted" and by_field["min_partners"].applied
    history = {
        c.field: c
        for c in session.exec(select(FieldChange).where(FieldChange.changed_by == "extract"))
    }
    assert set(history) == {"partnership_required", "min_partners", "amount_max", "currency"}
    assert history["min_partners"].old_value is None and history["min_partners"].new_value == 3
    session.commit()
    stored = session.exec(select(ExtractionRow).order_by(ExtractionRow.id)).all()
    assert [(r.field, r.status) for r in stored] == [(r.field, r.status) for r in rows]


def test_apply_keeps_low_confidence_as_proposed(session):
    opportunity = _stored(session, summary=SDEC)
    rows = apply_extractions(session, opportunity, extract(opportunity), now=NOW)
    assert [(r.field, r.value, r.confidence, r.status) for r in rows] == [
        ("partnership_required", True, 0.5, "proposed")
    ]
    assert opportunity.partnership_required is None
    assert session.exec(select(FieldChange).where(FieldChange.changed_by == "extract")).all() == []


def test_apply_threshold_is_a_parameter(session):
    opportunity = _stored(session, summary=SDEC)
    apply_extractions(session, opportunity, extract(opportunity), min_confidence=0.5, now=NOW)
    assert opportunity.partnership_required is True


def test_apply_leaves_staff_edits_and_is_idempotent(session):
    opportunity = _stored(session, summary=LIFE_RENEWHC)
    edit_opportunity(session, "test:1", {"min_partners": None}, by="anna", now=NOW)
    first = apply_extractions(session, opportunity, extract(opportunity), now=NOW)
    assert opportunity.min_partners is None and opportunity.partnership_required is True
    assert {r.field: r.status for r in first}["min_partners"] == "proposed"
    assert apply_extractions(session, opportunity, extract(opportunity), now=NOW) == []


def test_a_value_the_source_states_later_wins(session):
    opportunity = _stored(session, summary=LIFE_RENEWHC)
    apply_extractions(session, opportunity, extract(opportunity), now=NOW)
    assert opportunity.amount_max == 2_000_000
    store_record(
        session, record(source="test", summary=LIFE_RENEWHC, amount_max=1_500_000), now=NOW
    )
    assert session.get(Opportunity, "test:1").amount_max == 1_500_000


def test_rejected_value_is_not_filled_again(session):
    opportunity = _stored(session, summary=LIFE_RENEWHC)
    rows = apply_extractions(
        session, opportunity, extract(opportunity), min_confidence=0.99, now=NOW
    )
    for row in rows:
        row.status = "rejected"
    session.flush()
    again = apply_extractions(session, opportunity, extract(opportunity), now=NOW)
    assert again == [] and opportunity.min_partners is None


# Who may apply, where: what the text limits, not what it restricts or adds ------------------

# eu_sedia:horizon-cl6-2026-01-circbio-03 and 100 more EU topics (eligibility_text)
CHINA_RESTRICTION = (
    'For additional information please see "Restrictions on the participation of legal entities '
    'established in China" found in General Annex B of the General Annexes.'
)
# eu_sedia:horizon-hlth-2027-01-disease-06 (eligibility_text)
US_OPENING = (
    "In recognition of the opening of the US National Institutes of Health programmes to European "
    "researchers, legal entities established in the US are eligible for Union funding."
)
# eu_sedia:horizon-cl4-2027-01-mat-prod-47 (eligibility_text)
LIMITED_TO = (
    "In order to achieve the expected outcomes, and safeguard the Union's strategic assets, "
    "interests, autonomy, or security, participation is limited to legal entities established in "
    "Member States, Norway and Iceland."
)


def test_a_restriction_or_an_opening_is_not_where_applicants_must_be():
    """The China restriction made 108 EU topics 'for Chinese applicants only' (every partnership
    failed them): a place named to restrict or to add is no limit on who may apply."""
    assert "applicant_countries" not in found(record(eligibility_text=CHINA_RESTRICTION))
    assert "applicant_countries" not in found(record(eligibility_text=US_OPENING))
    value, confidence, _ = found(record(eligibility_text=LIMITED_TO))["applicant_countries"]
    assert value == ["EU", "NO", "IS"] and confidence >= 0.7


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("L'aide est ouverte aux communes et EPCI uniquement.", ["local_authority"]),
        ("Appel réservé aux collectivités territoriales.", ["local_authority"]),
        ("Seules les associations peuvent candidater.", ["ngo"]),
        ("This call is only open to SMEs.", ["sme"]),
    ],
)
def test_only_these_may_apply(sentence, expected):
    value, confidence, _ = found(record(eligibility_text=sentence))["applicant_types"]
    assert value == expected and confidence >= 0.7


@pytest.mark.parametrize(
    ("sentence", "field", "expected"),
    [
        (
            "Les associations établies en Haute-Savoie peuvent candidater.",
            "applicant_countries",
            ["FR-74"],
        ),
        ("Les projets doivent se dérouler en Île-de-France.", "intervention_zones", ["FR-IDF"]),
        ("Projects must take place in Benin.", "intervention_zones", ["BJ"]),
    ],
)
def test_places_below_a_country_are_read_from_the_text(sentence, field, expected):
    assert found(record(eligibility_text=sentence))[field][0] == expected
