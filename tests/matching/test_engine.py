"""The one ranking, on SQLite and PostgreSQL: candidates, filtering, order, JSON shape, more-like-this."""

from datetime import date

import pytest

from funding.matching import match, more_like_this
from funding.store.opportunities import store_record

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
    {
        "id": "t:wash",
        "url": "https://example.org/1",
        "title": "Water and sanitation in West Africa",
        "summary": "Drinking water, sanitation and hygiene (WASH) for rural communities.",
        "applicant_types": ["NGO", "SME"],
        "intervention_zones": ["West Africa"],
        "deadlines": ["2026-09-30"],
        "instrument": "grant",
    },
    {
        "id": "t:eau",
        "url": "https://example.org/2",
        "title": "Appel à projets eau et assainissement",
        "summary": "Financer des forages et latrines.",
        "deadlines": ["2026-06-30"],
    },
    {
        "id": "t:companies",
        "url": "https://example.org/3",
        "title": "Sobriété en eau des entreprises",
        "summary": "Réduire les prélèvements d'eau.",
        "applicant_types": ["Entreprises"],
        "deadlines": ["2026-12-31"],
    },
    {
        "id": "t:closed",
        "url": "https://example.org/4",
        "title": "Eau potable : appel clos",
        "summary": "Assainissement et eau potable.",
        "applicant_types": ["Associations"],
        "deadlines": ["2025-01-31"],
    },
    {
        "id": "t:culture",
        "url": "https://example.org/5",
        "title": "Soutien aux festivals de musique",
        "summary": "Culture et spectacle vivant.",
        "applicant_types": ["Associations"],
        "recurrence": "permanent",
    },
    {
        "id": "t:wash-2025",
        "url": "https://example.org/6",
        "title": "Water and sanitation in West Africa 2025",
        "summary": "Drinking water, sanitation and hygiene (WASH) for rural communities.",
        "deadlines": ["2025-09-30"],
    },
]


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
    assert "t:closed" not in ids and "t:wash-2025" not in ids
    # only companies may apply: the SME partner carries the application, a partial fit
    carried = next(m for m in found if m.opportunity.id == "t:companies")
    assert carried.fit["carried_by"] == "HydroPME" and carried.score < found[0].score
    assert "t:culture" not in ids  # no word of the profile: not a candidate
    unknown = next(m for m in found if m.opportunity.id == "t:eau")
    assert unknown.verdict == "to_verify"
    assert any(c.criterion == "applicant_type" and c.result == "unknown" for c in unknown.criteria)


def test_include_ineligible_shows_the_failing_criterion(stored):
    found = {
        m.opportunity.id: m for m in match(stored, PROFILE, as_of=AS_OF, include_ineligible=True)
    }
    assert found["t:closed"].verdict == "ineligible"
    failing = [c for c in found["t:closed"].criteria if c.result == "fail"]
    assert failing[0].criterion == "timing" and "31 janvier 2025" in failing[0].explanation


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
    location = next(c for c in top["criteria"] if c["criterion"] == "territory")
    assert location["result"] == "pass" and location["evidence"] == "West Africa"
    assert top["fits"] is True and 0 < top["relevance"]["score"] <= 1


def test_more_like_this_finds_the_other_edition(stored):
    similar = more_like_this(stored, "t:wash", limit=3)
    assert similar[0].opportunity.id == "t:wash-2025" and similar[0].same_call
    with pytest.raises(KeyError):
        more_like_this(stored, "t:nope", limit=3)


def test_more_like_this_reads_the_call_as_a_query(stored):
    """A call's own title comes first in its query, then its themes and summary; the other
    edition shares the title, a call of another subject does not come first."""
    from funding.matching import engine

    [facts] = engine.load_facts(stored, ["t:wash"])
    query = engine.query_of_call(facts)
    title = [t.word for t in query.terms if t.source == "theme"]
    assert title == ["water", "sanitation", "west", "africa"]  # stop words left out
    assert query.terms[: len(title)] == tuple(t for t in query.terms if t.source == "theme")
    assert {"water", "sanitation"} <= set(query.retrieval)
    similar = more_like_this(stored, "t:wash", limit=5)
    assert similar[0].opportunity.id == "t:wash-2025"
    assert "t:culture" not in [s.opportunity.id for s in similar[:2]]
