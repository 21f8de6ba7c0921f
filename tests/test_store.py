"""The one upsert path: insert, update with field history, noop, protected staff edits; the queries."""

from datetime import UTC, date, datetime, timedelta

import pytest

from funding.contracts.records import to_row, validate_record
from funding.store.models import FieldChange, Opportunity
from funding.store.opportunities import (
    changed_since,
    edit_opportunity,
    field_history,
    get_opportunity,
    opportunities_by_source,
    release_edit,
    search_ids,
    sources_of,
    stats,
    store_record,
    upsert,
)
from tests.conftest import rows

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=7)
T2 = T1 + timedelta(days=7)

LIFE = {
    "id": "eu_sedia:life-2026-sap-env-circular",
    "source": "eu_sedia",
    "url": "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/life-2026-sap-env-circular",
    "title": "Circular Economy and Quality of Life",
    "summary": "<p>Projects on <b>waste</b> prevention and water reuse.</p>",
    "eligibility_text": "Legal entities established in EU Member States; NGOs and SMEs eligible.",
    "funder": "European Commission",
    "instrument": "Subvention",
    "deadlines": ["2026-09-17"],
    "amount_max": "3 530 000 €",
    "applicant_types": ["Associations", "PME"],
}


def row(**changes):
    return to_row(validate_record({**LIFE, **changes}))


def test_insert_then_noop(session):
    assert upsert(session, row(), now=T0) == "insert"
    assert upsert(session, row(), now=T1) == "noop"
    session.commit()
    stored = get_opportunity(session, LIFE["id"])
    assert stored.first_seen_at == T0
    assert stored.last_changed_at == T0
    assert stored.instrument == "grant" and stored.instrument_raw == "Subvention"
    assert stored.applicant_types == ["ngo", "sme"]
    assert stored.applicant_types_raw == ["Associations", "PME"]
    assert stored.amount_max == 3_530_000 and stored.currency == "EUR"
    assert stored.summary_plain == "Projects on waste prevention and water reuse."
    assert field_history(session, LIFE["id"]) == []


def test_update_records_each_changed_field(session):
    upsert(session, row(), now=T0)
    outcome = upsert(
        session, row(deadlines=["2026-10-01"], amount_max=4_000_000), now=T1, changed_by="eu_sedia"
    )
    session.commit()
    assert outcome == "update"
    changes = {c.field: (c.old_value, c.new_value) for c in field_history(session, LIFE["id"])}
    assert changes == {
        "deadlines": (["2026-09-17"], ["2026-10-01"]),
        "amount_max": (3_530_000, 4_000_000),
    }
    stored = get_opportunity(session, LIFE["id"])
    assert stored.deadline_last == date(2026, 10, 1)
    assert stored.last_changed_at == T1 and stored.first_seen_at == T0
    assert all(
        c.changed_by == "eu_sedia" and c.changed_at == T1
        for c in field_history(session, LIFE["id"])
    )


def test_staff_edit_survives_later_updates(session):
    upsert(session, row(), now=T0)
    edit_opportunity(session, LIFE["id"], {"deadlines": ["2026-12-15"]}, by="alice", now=T1)
    session.commit()
    outcome = upsert(session, row(deadlines=["2026-10-01"], title="Circular Economy"), now=T2)
    session.commit()
    stored = get_opportunity(session, LIFE["id"])
    assert outcome == "update"
    assert stored.deadlines == ["2026-12-15"] and stored.deadline_last == date(2026, 12, 15)
    assert stored.title == "Circular Economy"
    assert stored.edited_fields == ["deadlines"]
    who = [(c.field, c.changed_by) for c in field_history(session, LIFE["id"])]
    assert who == [("deadlines", "staff:alice"), ("title", "import")]


def test_update_touching_only_protected_fields_is_noop(session):
    upsert(session, row(), now=T0)
    edit_opportunity(session, LIFE["id"], {"amount_max": 1000}, by="alice", now=T1)
    assert upsert(session, row(amount_max=2000), now=T2) == "noop"
    assert get_opportunity(session, LIFE["id"]).amount_max == 1000


def test_released_edit_is_updated_again(session):
    upsert(session, row(), now=T0)
    edit_opportunity(session, LIFE["id"], {"amount_max": 1000}, by="alice", now=T1)
    release_edit(session, LIFE["id"], "amount_max")
    assert upsert(session, row(), now=T2) == "update"
    assert get_opportunity(session, LIFE["id"]).amount_max == 3_530_000


def test_edit_rejects_unknown_field(session):
    upsert(session, row(), now=T0)
    with pytest.raises(ValueError, match="not an editable field: colour"):
        edit_opportunity(session, LIFE["id"], {"colour": "red"}, by="alice")


def test_crawl_sighting_moves_last_seen_but_import_does_not(session):
    upsert(session, row(), now=T0)
    upsert(session, row(), now=T1)
    assert get_opportunity(session, LIFE["id"]).last_seen_at == T0
    upsert(session, row(), now=T2, seen_at=T2)
    session.commit()
    stored = get_opportunity(session, LIFE["id"])
    assert stored.last_seen_at == T2 and stored.last_changed_at == T0
    assert [s.last_seen_at for s in sources_of(session, LIFE["id"])] == [T2]


def test_times_come_back_in_utc(session):
    paris = datetime(2026, 3, 1, 10, 0, tzinfo=UTC).astimezone()
    upsert(session, row(), now=paris)
    session.commit()
    session.expire_all()
    stored = get_opportunity(session, LIFE["id"])
    assert stored.first_seen_at.tzinfo is not None
    assert stored.first_seen_at == paris


def test_queries_by_source_and_change_date(session):
    upsert(session, row(), now=T0)
    upsert(
        session,
        row(id="aides_territoires:eau", source="aides_territoires", title="Eau potable"),
        now=T1,
    )
    session.commit()
    assert [o.id for o in opportunities_by_source(session, "aides_territoires")] == [
        "aides_territoires:eau"
    ]
    assert [o.id for o in changed_since(session, T1)] == ["aides_territoires:eau"]
    assert len(changed_since(session, T0)) == 2


def test_full_text_search_over_title_summary_and_eligibility(session):
    upsert(session, row(), now=T0)
    upsert(
        session,
        row(
            id="x:2",
            title="Assainissement en Afrique de l'Ouest",
            summary="Accès à l'eau",
            eligibility_text="Associations françaises",
        ),
        now=T0,
    )
    upsert(
        session,
        row(id="x:3", title="Prix de l'innovation", summary=None, eligibility_text=None),
        now=T0,
    )
    session.commit()
    assert search_ids(session, "waste") == [LIFE["id"]]
    assert search_ids(session, "SMEs") == [LIFE["id"]]
    assert search_ids(session, "assainissement afrique") == ["x:2"]
    assert search_ids(session, "associations") == ["x:2"]
    assert search_ids(session, "nothing-like-this") == []
    assert search_ids(session, "  ") == []


def test_full_text_follows_updates(session):
    upsert(session, row(), now=T0)
    upsert(session, row(title="Biodiversity action", summary="Protecting wetlands"), now=T1)
    session.commit()
    assert search_ids(session, "wetlands") == [LIFE["id"]]
    assert search_ids(session, "waste") == []


def test_stats_counts_status_as_of_a_day(session):
    upsert(session, row(), now=T0)
    upsert(session, row(id="x:perm", deadlines=None, recurrence="Permanente"), now=T0)
    upsert(session, row(id="x:none", deadlines=None), now=T0)
    session.commit()
    counts = stats(session, as_of=date(2026, 11, 26))
    assert counts["status"] == {"closed": 1, "open": 1, "unknown": 1}
    assert stats(session, as_of=date(2026, 5, 1))["status"]["open"] == 2
    assert counts["instrument"] == {"grant": 3}
    assert counts["source"] == {"eu_sedia": 3}


def test_store_record_validates(session):
    from funding.contracts.records import RecordError

    with pytest.raises(RecordError, match=r"deadlines\[0\]: '31/02/2026' is not a date"):
        store_record(session, {**LIFE, "deadlines": ["31/02/2026"]})
    assert session.get(Opportunity, LIFE["id"]) is None
    assert rows(session, FieldChange) == 0


def test_inferred_field_stays_when_the_source_states_nothing(session):
    from funding.enrich.extract import Extraction, apply_extractions

    upsert(session, row(amount_max=None), now=T0)
    stored = get_opportunity(session, LIFE["id"])
    evidence = Extraction("cofinancing_rate_max", 0.6, "up to 60 % of eligible costs", 0.9, "test")
    apply_extractions(session, stored, [evidence], now=T1)
    assert stored.cofinancing_rate_max == 0.6 and stored.inferred_fields == ["cofinancing_rate_max"]
    upsert(session, row(amount_max=None, title="Circular Economy"), now=T2)
    assert get_opportunity(session, LIFE["id"]).cofinancing_rate_max == 0.6
    upsert(
        session, row(amount_max=None, title="Circular Economy", cofinancing_rate_max="50 %"), now=T2
    )
    stored = get_opportunity(session, LIFE["id"])
    assert stored.cofinancing_rate_max == 0.5 and stored.inferred_fields is None


def test_migrations_are_numbered_and_the_quick_head_check_agrees_with_alembic():
    """funding.db skips Alembic when the database is at the newest NNNN_*.py revision."""
    from alembic.script import ScriptDirectory

    from funding.store.db import MIGRATIONS, _head_revision

    scripts = ScriptDirectory(str(MIGRATIONS))
    for script in scripts.walk_revisions():
        assert script.path.rsplit("/", 1)[1].startswith(f"{script.revision}_")
    assert _head_revision() == scripts.get_current_head()
