"""Cross-source deduplication: candidates, merge and unmerge round trip, redirects, auto-merge."""

from datetime import UTC, datetime

from sqlmodel import select

from funding.contracts.records import to_row, validate_record
from funding.enrich.dedup import (
    auto_merge,
    find_duplicates,
    merge,
    resolve_ids,
    unmerge,
)
from funding.store.models import FieldChange, Merge, Opportunity, OpportunitySource
from funding.store.opportunities import edit_opportunity, sources_of, store_record, upsert_many

T0 = datetime(2026, 5, 1, 12, tzinfo=UTC)
T1 = datetime(2026, 5, 2, 12, tzinfo=UTC)
T2 = datetime(2026, 5, 3, 12, tzinfo=UTC)

# eu_sedia:life-2026-sap-nat-nature, and the same call as a French aggregator would list it.
LIFE_NATURE = {
    "id": "eu_sedia:life-2026-sap-nat-nature",
    "source": "eu_sedia",
    "url": "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/life-2026-sap-nat-nature",
    "title": "Nature and Biodiversity",
    "funder": "European Commission",
    "programme": "LIFE",
    "deadlines": ["2026-09-22"],
    "language": "en",
}
LIFE_NATURE_ELSEWHERE = {
    "id": "welcome:life-nature-2026",
    "source": "welcome",
    "url": "https://example.org/life-nature-2026",
    "title": "Nature and biodiversity",
    "funder": "European Commission",
    "deadlines": ["2026-09-22"],
    "amount_max": 4000000,
    "cofinancing_rate_max": 0.6,
    "applicant_types": ["NGO", "SME"],
    "language": "en",
    "summary": "LIFE standard action projects for nature and biodiversity.",
}
# eu_sedia:life-2026-strat-clima-sip-two-stage and eu_sedia:life-2026-ta-pp-clima-sip: related LIFE
# topics with different deadlines, not the same call.
LIFE_SIP = {
    "id": "eu_sedia:life-2026-strat-clima-sip-two-stage",
    "source": "eu_sedia",
    "url": "https://example.org/sip",
    "title": "Strategic Integrated Projects - Climate Action",
    "funder": "European Commission",
    "deadlines": ["2026-09-03"],
}
LIFE_SIP_TA = {
    "id": "other:life-ta-clima-sip",
    "source": "other",
    "url": "https://example.org/ta",
    "title": "Strategic Integrated Projects - Climate Action (technical assistance)",
    "funder": "European Commission",
    "deadlines": ["2026-09-22"],
}


def _store(session, *records, now=T0):
    for data in records:
        store_record(session, dict(data), seen_at=now, now=now)
    session.flush()


def _snapshot(session, *ids):
    """Everything a merge may touch, for comparing before and after."""
    state = {}
    for oid in ids:
        o = session.get(Opportunity, oid)
        session.refresh(o)
        state[oid] = {c: getattr(o, c) for c in Opportunity.model_fields}
        state[oid]["sources"] = sorted((s.id, s.source) for s in sources_of(session, oid))
    return state


def test_find_duplicates_ranks_the_same_call_first(session):
    _store(session, LIFE_NATURE, LIFE_NATURE_ELSEWHERE, LIFE_SIP, LIFE_SIP_TA)
    found = find_duplicates(session, "eu_sedia:life-2026-sap-nat-nature")
    assert [c.opportunity_id for c in found] == ["welcome:life-nature-2026"]
    best = found[0]
    assert best.same_title and best.same_funder and best.same_deadline
    assert best.score == 100.0
    assert "same deadline 2026-09-22" in best.reasons


def test_different_deadline_counts_against(session):
    _store(session, LIFE_SIP, LIFE_SIP_TA)
    found = find_duplicates(session, LIFE_SIP["id"], min_score=0)
    assert len(found) == 1
    assert "different deadlines (2026-09-03 / 2026-09-22)" in found[0].reasons
    assert found[0].score < 75


def test_merge_and_unmerge_round_trip(session):
    _store(session, LIFE_NATURE, LIFE_NATURE_ELSEWHERE)
    edit_opportunity(session, LIFE_NATURE["id"], {"themes": ["nature"]}, by="anna", now=T0)
    keep, dup = LIFE_NATURE["id"], LIFE_NATURE_ELSEWHERE["id"]
    history_before = session.exec(select(FieldChange.id)).all()
    before = _snapshot(session, keep, dup)

    record = merge(session, keep, dup, by="anna", now=T1)
    kept = session.get(Opportunity, keep)
    assert sorted(s.source for s in sources_of(session, keep)) == ["eu_sedia", "welcome"]
    assert sources_of(session, dup) == []
    assert session.get(Opportunity, dup).merged_into == keep
    assert (kept.amount_max, kept.cofinancing_rate_max, kept.applicant_types) == (
        4000000,
        0.6,
        ["ngo", "sme"],
    )
    assert kept.summary_plain == "LIFE standard action projects for nature and biodiversity."
    assert kept.title == "Nature and Biodiversity" and kept.themes == [
        "nature"
    ]  # stated, edited: kept
    added = session.exec(select(FieldChange).where(FieldChange.changed_by == "merge:anna")).all()
    assert sorted(c.field for c in added) == sorted(
        ["amount_max", "cofinancing_rate_max", "applicant_types", "summary", "currency"]
    )
    assert (
        record.status == "merged" and record.merged_by == "anna" and len(record.moved_sources) == 1
    )

    undone = unmerge(session, record.id, by="bob", now=T2)
    assert undone.status == "unmerged" and undone.undone_by == "bob"
    assert _snapshot(session, keep, dup) == before
    reverted = session.exec(
        select(FieldChange).where(FieldChange.changed_by == "unmerge:bob")
    ).all()
    assert sorted((c.field, c.new_value) for c in reverted) == sorted(
        [
            ("amount_max", None),
            ("cofinancing_rate_max", None),
            ("applicant_types", None),
            ("summary", None),
            ("currency", None),
        ]
    )
    later = session.exec(select(FieldChange.id).where(FieldChange.id.not_in(history_before))).all()
    assert len(later) == 10


def test_unmerge_keeps_a_field_changed_since(session):
    _store(session, LIFE_NATURE, LIFE_NATURE_ELSEWHERE)
    record = merge(session, LIFE_NATURE["id"], LIFE_NATURE_ELSEWHERE["id"], by="anna", now=T1)
    edit_opportunity(session, LIFE_NATURE["id"], {"amount_max": 5000000}, by="anna", now=T1)
    unmerge(session, record.id, by="anna", now=T2)
    kept = session.get(Opportunity, LIFE_NATURE["id"])
    assert kept.amount_max == 5000000 and kept.cofinancing_rate_max is None


def test_later_sighting_of_a_merged_listing_fills_and_sights_the_kept_one(session):
    _store(session, LIFE_NATURE, LIFE_NATURE_ELSEWHERE)
    merge(session, LIFE_NATURE["id"], LIFE_NATURE_ELSEWHERE["id"], by="anna", now=T1)
    ids = [LIFE_NATURE_ELSEWHERE["id"], LIFE_NATURE["id"], "nowhere:1"]
    assert resolve_ids(session, ids) == {LIFE_NATURE_ELSEWHERE["id"]: LIFE_NATURE["id"]}
    assert resolve_ids(session, [LIFE_NATURE_ELSEWHERE["id"]]) == {
        LIFE_NATURE_ELSEWHERE["id"]: LIFE_NATURE["id"]
    }

    # The listing keeps its own row (what its source says); the kept call gets what it lacks.
    row = to_row(
        validate_record({**LIFE_NATURE_ELSEWHERE, "total_budget": 20000000, "title": "Nature"})
    )
    assert upsert_many(session, [row], seen_at=T2, now=T2, changed_by="welcome") == ["update"]
    kept = session.get(Opportunity, LIFE_NATURE["id"])
    assert kept.total_budget == 20000000 and kept.title == LIFE_NATURE["title"]
    assert "total_budget" in kept.inferred_fields
    assert session.get(Opportunity, LIFE_NATURE_ELSEWHERE["id"]).title == "Nature"
    welcome = session.exec(
        select(OpportunitySource).where(OpportunitySource.source == "welcome")
    ).one()
    assert (welcome.opportunity_id, welcome.last_seen_at) == (LIFE_NATURE["id"], T2)
    filled = session.exec(
        select(FieldChange).where(
            FieldChange.opportunity_id == LIFE_NATURE["id"], FieldChange.field == "total_budget"
        )
    ).one()
    assert (filled.old_value, filled.new_value, filled.changed_by) == (
        None,
        20000000,
        "merge:welcome",
    )


def test_merged_listing_is_hidden_from_lists_and_search(session):
    from datetime import date

    from funding.store.opportunities import list_opportunities, search_ids

    _store(session, LIFE_NATURE, LIFE_NATURE_ELSEWHERE)
    session.commit()
    assert sorted(search_ids(session, "nature biodiversity")) == sorted(
        [LIFE_NATURE["id"], LIFE_NATURE_ELSEWHERE["id"]]
    )
    merge(session, LIFE_NATURE["id"], LIFE_NATURE_ELSEWHERE["id"], by="anna", now=T1)
    session.commit()
    assert search_ids(session, "nature biodiversity") == [LIFE_NATURE["id"]]
    assert [o.id for o in list_opportunities(session, as_of=date(2026, 5, 1))] == [
        LIFE_NATURE["id"]
    ]


def test_resolve_follows_chains(session):
    third = {**LIFE_NATURE_ELSEWHERE, "id": "third:1", "source": "third"}
    _store(session, LIFE_NATURE, LIFE_NATURE_ELSEWHERE, third)
    merge(session, LIFE_NATURE_ELSEWHERE["id"], "third:1", by="anna", now=T1)
    merge(session, LIFE_NATURE["id"], LIFE_NATURE_ELSEWHERE["id"], by="anna", now=T1)
    assert resolve_ids(session, ["third:1", LIFE_NATURE["id"]]) == {"third:1": LIFE_NATURE["id"]}


def test_auto_merge_same_call_from_two_sources(session):
    _store(session, LIFE_NATURE, LIFE_SIP, LIFE_SIP_TA)
    _store(session, LIFE_NATURE_ELSEWHERE, now=T1)
    result = auto_merge(session, threshold=95, by="auto", now=T2)
    assert [(m.keep_id, m.duplicate_id, m.status) for m in result.merged] == [
        (LIFE_NATURE["id"], LIFE_NATURE_ELSEWHERE["id"], "merged")
    ]
    assert session.get(Opportunity, LIFE_NATURE_ELSEWHERE["id"]).merged_into == LIFE_NATURE["id"]
    assert session.get(Opportunity, LIFE_SIP_TA["id"]).merged_into is None
    assert session.get(Opportunity, LIFE_SIP["id"]).merged_into is None
    assert all(
        {m.keep_id, m.duplicate_id} != {LIFE_SIP["id"], LIFE_SIP_TA["id"]} for m in result.merged
    )
    # run again: nothing new to merge, nothing suggested twice
    again = auto_merge(session, threshold=95, by="auto", now=T2)
    assert again.merged == [] and again.suggested == []


def test_auto_merge_suggests_when_not_sure(session):
    close = {
        **LIFE_NATURE_ELSEWHERE,
        "title": "LIFE Nature and Biodiversity 2026 (standard action projects)",
    }
    _store(session, LIFE_NATURE)
    _store(session, close, now=T1)
    result = auto_merge(session, threshold=95, by="auto", now=T2)
    assert result.merged == []
    assert [(m.keep_id, m.duplicate_id, m.status) for m in result.suggested] == [
        (LIFE_NATURE["id"], close["id"], "suggested")
    ]
    assert session.get(Opportunity, close["id"]).merged_into is None
    # staff accept the suggestion: the same Merge row becomes the merge
    record = merge(session, LIFE_NATURE["id"], close["id"], by="anna", now=T2)
    assert record.id == result.suggested[0].id and record.status == "merged"
    assert len(session.exec(select(Merge)).all()) == 1


def test_no_merge_for_related_calls_with_different_deadlines(session):
    _store(session, LIFE_SIP, LIFE_SIP_TA)
    result = auto_merge(session, threshold=95, by="auto", now=T2)
    assert result.merged == [] and result.suggested == []
