"""`funding db copy`: a SQLite installation moves to PostgreSQL with every row of every table."""

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlmodel import Session, SQLModel, func

from funding.cli import main
from funding.store.db import make_engine
from funding.store.models import (
    AwardOrganisation,
    AwardParticipation,
    AwardProject,
    CallReport,
    Delivery,
    Embedding,
    Extraction,
    HiddenCall,
    Merge,
    Opportunity,
    Partnership,
    PartnershipMember,
    Source,
    SourceRun,
    Subscriber,
    WatchedCall,
)
from funding.store.opportunities import (
    edit_opportunity,
    field_history,
    search_ids,
    start_run,
    store_record,
)

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def _fill(engine) -> None:
    """One row or more in every table: history, watchlists, subscribers, the ledger."""
    with Session(engine, expire_on_commit=False) as session:
        run = start_run(session, "eu_sedia")
        for n in range(5):
            store_record(
                session,
                {
                    "id": f"eu_sedia:t{n}",
                    "title": f"Eau potable et sécurité {n}",
                    "url": f"https://example.org/{n}",
                    "source": "eu_sedia",
                    "deadlines": ["2026-12-01"],
                },
                source_run_id=run.id,
            )
        store_record(
            session,
            {
                "id": "eu_sedia:t0",
                "title": "Eau potable (amended)",
                "url": "https://example.org/0",
                "source": "eu_sedia",
            },
        )
        edit_opportunity(session, "eu_sedia:t1", {"title": "Edited by staff"}, by="alice")
        partnership = Partnership(
            name="WASH", profile={"partners": []}, created_at=NOW, updated_at=NOW
        )
        session.add(partnership)
        session.flush()
        session.add_all(
            [
                HiddenCall(
                    partnership_id=partnership.id, opportunity_id="eu_sedia:t2", hidden_at=NOW
                ),
                WatchedCall(
                    partnership_id=partnership.id,
                    opportunity_id="eu_sedia:t3",
                    stage="preparing",
                    created_at=NOW,
                    updated_at=NOW,
                ),
                CallReport(opportunity_id="eu_sedia:t4", message="deadline moved", created_at=NOW),
                Extraction(
                    opportunity_id="eu_sedia:t4",
                    field="min_partners",
                    value=2,
                    snippet="two",
                    confidence=0.9,
                    method="rule",
                    extracted_at=NOW,
                ),
                Merge(
                    keep_id="eu_sedia:t3",
                    duplicate_id="eu_sedia:t4",
                    status="suggested",
                    created_at=NOW,
                ),
                Embedding(key="k" * 64, model="test", vector=bytes(range(16))),
                PartnershipMember(
                    partnership_id=partnership.id, email="a@example.org", added_at=NOW
                ),
                AwardProject(
                    id="cordis:101112877", source="cordis", title="BLUE CONNECT", raw_hash="h"
                ),
                AwardOrganisation(
                    id=1,
                    source="cordis",
                    source_id="999",
                    name="Université de Genève",
                    name_key="universite de geneve",
                    country="CH",
                    raw_hash="h",
                ),
                AwardParticipation(project_id="cordis:101112877", organisation_id=1, raw_hash="h"),
            ]
        )
        subscriber = Subscriber(
            email="a@example.org", partnership_id=partnership.id, created_at=NOW
        )
        session.add(subscriber)
        session.flush()
        session.add(
            Delivery(
                subscriber_id=subscriber.id,
                kind="digest",
                period="2026-W48",
                status="sent",
                item_ids=["eu_sedia:t0"],
                created_at=NOW,
                sent_at=NOW,
            )
        )
        session.commit()


def _dump(engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {
            table.name: sorted(
                (tuple(repr(v) for v in row) for row in connection.execute(select(table))), key=str
            )
            for table in SQLModel.metadata.sorted_tables
        }


def test_every_row_of_every_table_arrives(tmp_path, backend_url, monkeypatch):
    source_url = f"sqlite:///{tmp_path / 'installation.db'}"
    source = make_engine(source_url)
    from funding.store.db import upgrade

    upgrade(source)
    _fill(source)
    result = CliRunner().invoke(
        main, ["db", "copy", "--from", source_url, "--to", backend_url, "--batch-size", "2"]
    )
    assert result.exit_code == 0, result.output
    target = make_engine(backend_url)
    before, after = _dump(source), _dump(target)
    assert set(before) == set(after)
    empty = [
        name for name, rows in before.items() if not rows
    ]  # the award index is a cache, rebuilt on demand
    assert not [
        n for n in empty if n not in ("sign_in_attempt", "staff_alert", "award_index_cache")
    ], empty
    for name in before:
        assert after[name] == before[name], name
    with Session(target) as session:
        assert [c.field for c in field_history(session, "eu_sedia:t1")] == ["title"]
        assert session.get(Opportunity, "eu_sedia:t1").edited_fields == ["title"]
        assert set(search_ids(session, "securite")) == {f"eu_sedia:t{n}" for n in (2, 3, 4)}
        # ids continue after the copied ones (PostgreSQL sequences moved on)
        session.add(SourceRun(source="eu_sedia", started_at=NOW))
        session.add(Source(name="new", created_at=NOW))
        session.commit()
        assert session.exec(select(func.count()).select_from(SourceRun)).one()[0] == 2
    again = CliRunner().invoke(main, ["db", "copy", "--from", source_url, "--to", backend_url])
    assert again.exit_code == 1 and "not empty" in again.output
    source.dispose()
    target.dispose()


def test_same_database_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    result = CliRunner().invoke(main, ["db", "copy", "--from", url, "--to", url])
    assert result.exit_code == 1 and "same database" in result.output


@pytest.fixture(autouse=True)
def _no_snapshot(monkeypatch):
    monkeypatch.setenv("FUNDING_LOAD_SNAPSHOT", "false")
