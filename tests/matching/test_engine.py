"""The one ranking, on SQLite and PostgreSQL: candidates, filtering, order, JSON shape, more-like-this."""

from datetime import date

import pytest

from funding.matching import match, more_like_this
from funding.store import store_record

AS_OF = date(2026, 3, 1)
PROFILE = {
    "name": "WASH Sénégal",
    "partners": [
        {"name": "Eau Solidaire", "type": "association", "country": "FR", "role": "lead"},
        {"name": "HydroPME", "type": "PME", "country": "FR"},
    ],
    "project": "Accès à l'eau potable et assainissement dans des villages du Sénégal.",
    "themes": ["eau", "assainissement"],
    "keywords": ["forages"],
    "intervention_countries": ["SN"],
}
RECORDS = [
    {"id": "t:wash", "url": "https://example.org/1", "title": "Water and sanitation in West Africa",
     "summary": "Drinking water, sanitation and hygiene (WASH) for rural communities.",
     "applicant_types": ["NGO", "SME"], "intervention_zones": ["West Africa"],
     "deadlines": ["2026-09-30"], "instrument": "grant"},
    {"id": "t:eau", "url": "https://example.org/2", "title": "Appel à projets eau et assainissement",
     "summary": "Financer des forages et latrines.", "deadlines": ["2026-06-30"]},
    {"id": "t:companies", "url": "https://example.org/3", "title": "Sobriété en eau des entreprises",
     "summary": "Réduire les prélèvements d'eau.", "applicant_types": ["Entreprises"],
     "deadlines": ["2026-12-31"]},
    {"id": "t:closed", "url": "https://example.org/4", "title": "Eau potable : appel clos",
     "summary": "Assainissement et eau potable.", "applicant_types": ["Associations"],
     "deadlines": ["2025-01-31"]},
    {"id": "t:culture", "url": "https://example.org/5", "title": "Soutien aux festivals de musique",
     "summary": "Culture et spectacle vivant.", "applicant_types": ["Associations"],
     "recurrence": "permanent"},
    {"id": "t:wash-2025", "url": "https://example.org/6", "title": "Water and sanitation in West Africa 2025",
     "summary": "Drinking water, sanitation and hygiene (WASH) for rural communities.",
     "deadlines": ["2025-09-30"]},
]  # fmt: skip


@pytest.fixture
def stored(session):
    for record in RECORDS:
        store_record(session, record)
    session.commit()
    return session


def test_match_filters_ineligible_and_ranks_relevant_first(stored):
    found = match(stored, PROFILE, as_of=AS_OF)
    ids = [m.opportunity.id for m in found]
    assert ids[0] == "t:wash"
    assert "t:eau" in ids
    assert "t:companies" not in ids and "t:closed" not in ids and "t:wash-2025" not in ids
    assert "t:culture" not in ids  # no word of the profile: not a candidate
    unknown = next(m for m in found if m.opportunity.id == "t:eau")
    assert unknown.verdict == "to_verify"
    assert any(c.criterion == "applicant_type" and c.result == "unknown" for c in unknown.criteria)


def test_include_ineligible_shows_the_failing_criterion(stored):
    found = {
        m.opportunity.id: m for m in match(stored, PROFILE, as_of=AS_OF, include_ineligible=True)
    }
    assert found["t:companies"].verdict == "ineligible"
    failing = [c for c in found["t:companies"].criteria if c.result == "fail"]
    assert failing[0].criterion == "applicant_type" and failing[0].evidence == "Entreprises"
    assert found["t:closed"].verdict == "ineligible"


def test_leaving_ineligible_calls_out_early_changes_nothing(stored):
    """Ineligible calls are dropped before their explanations are written: the same result as
    explaining everything and filtering afterwards."""
    every = match(stored, PROFILE, as_of=AS_OF, include_ineligible=True, limit=100)
    kept = match(stored, PROFILE, as_of=AS_OF, limit=100)
    assert [m.to_dict() for m in kept] == [m.to_dict() for m in every if m.verdict != "ineligible"]
    assert any(m.verdict == "ineligible" for m in every)


def test_json_shape_and_stable_ranking(stored):
    first = [m.to_dict() for m in match(stored, PROFILE, as_of=AS_OF, lang="en")]
    second = [m.to_dict() for m in match(stored, PROFILE, as_of=AS_OF, lang="en")]
    assert first == second
    top = first[0]
    for key in (
        "id",
        "url",
        "title",
        "funder",
        "score",
        "verdict",
        "status",
        "next_deadline",
        "criteria",
    ):
        assert key in top
    assert 0 <= top["score"] <= 100
    assert top["next_deadline"] == "2026-09-30"
    assert all(
        set(c) >= {"criterion", "result", "explanation", "evidence"} for c in top["criteria"]
    )
    assert all(c["explanation"] for m in first for c in m["criteria"])
    location = next(c for c in top["criteria"] if c["criterion"] == "project_location")
    assert location["result"] == "pass" and location["evidence"] == "West Africa"


def test_more_like_this_finds_the_other_edition(stored):
    similar = more_like_this(stored, "t:wash", limit=3)
    assert similar[0].opportunity.id == "t:wash-2025" and similar[0].same_call
    with pytest.raises(KeyError):
        more_like_this(stored, "t:nope", limit=3)


def test_more_like_this_sends_its_rarest_words_within_a_budget(stored, monkeypatch):
    """The query sends the title's words, rarest first, then the themes' words, as long as the
    calls they are found in fit SIMILAR_POSTINGS; with only common words, the least common one."""
    from funding.matching import engine
    from funding.matching.relevance import document_frequencies
    from funding.models import Opportunity

    query = engine._query_of(stored.get(Opportunity, "t:wash"))
    every = engine.similar_terms(stored, query)
    assert every[:4] == ["water", "sanitation", "west", "africa"]  # the title first
    assert {"eau", "assainissement"} <= set(every)  # then the themes' words (French too)
    counts, _ = document_frequencies(stored, query.terms)
    assert all(counts[w] > 0 for w in every)
    assert not [w for w in query.terms if counts.get(w, 0) and w not in every]  # all fit here
    monkeypatch.setattr(engine, "SIMILAR_POSTINGS", 5)
    few = engine.similar_terms(stored, query)
    assert few[0] == "water" and set(few) < set(every) and sum(counts[w] for w in few) <= 5
    assert more_like_this(stored, "t:wash", limit=3)[0].opportunity.id == "t:wash-2025"
    monkeypatch.setattr(engine, "SIMILAR_POSTINGS", 0)
    [word] = engine.similar_terms(stored, query)
    assert counts[word] == min(counts[w] for w in every)
