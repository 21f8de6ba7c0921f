"""Enrichment after storing: values read from the text (with evidence), then cross-source merges."""

from sqlmodel import Session, select

from funding.enrich.enrichment import enrich
from funding.store.models import Extraction, Opportunity
from funding.store.opportunities import store_record

CALL = {
    "id": "eu_sedia:life-2026-sap-nat-nature",
    "source": "eu_sedia",
    "url": "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/life-2026-sap-nat-nature",
    "title": "Nature and Biodiversity",
    "funder": "European Commission",
    "deadlines": ["2026-09-22"],
    "eligibility_text": "The EU contribution covers up to 60% of the eligible costs. "
    "Proposals must be submitted by a consortium of at least three partners.",
}
SAME_CALL_ELSEWHERE = {
    **CALL,
    "id": "welcome_europe:life-nature",
    "source": "welcome_europe",
    "url": "https://www.welcomeurope.com/life-nature",
    "eligibility_text": None,
    "summary": "Associations et PME peuvent candidater.",
}


def test_enrich_fills_from_text_and_merges_the_same_call(engine):
    with Session(engine, expire_on_commit=False) as session:
        store_record(session, CALL)
        store_record(session, SAME_CALL_ELSEWHERE)
        session.commit()
        report = enrich(session, [CALL["id"], SAME_CALL_ELSEWHERE["id"]])
        assert report.examined == 2 and report.merged == 1
        kept = session.get(Opportunity, CALL["id"])
        assert kept.cofinancing_rate_max == 0.6
        assert (kept.partnership_required, kept.min_partners) == (True, 3)
        assert session.get(Opportunity, SAME_CALL_ELSEWHERE["id"]).merged_into == CALL["id"]
        evidence = session.exec(
            select(Extraction).where(
                Extraction.opportunity_id == CALL["id"], Extraction.field == "cofinancing_rate_max"
            )
        ).one()
        assert "up to 60%" in evidence.snippet and evidence.status == "accepted"


def test_enrich_twice_changes_nothing(engine):
    with Session(engine, expire_on_commit=False) as session:
        store_record(session, CALL)
        session.commit()
        first = enrich(session, [CALL["id"]])
        again = enrich(session, [CALL["id"]])
        assert first.proposed > 0 and again.proposed == 0 and again.filled == 0
