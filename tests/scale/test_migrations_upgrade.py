"""Alembic from an empty database and from the first release's schema, on SQLite and PostgreSQL."""

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text
from sqlmodel import Session

from funding.store.db import _head_revision, alembic_config, current_revision, make_engine, upgrade
from funding.store.models import Opportunity
from funding.store.opportunities import search_ids


def test_empty_database_to_head(backend_url):
    engine = make_engine(backend_url)
    upgrade(engine)
    assert current_revision(engine) == _head_revision()
    engine.dispose()


def test_release_schema_keeps_its_data(backend_url):
    engine = make_engine(backend_url)
    upgrade(engine, "0001")
    seen = datetime(2026, 1, 5, 8, 0)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO opportunity (id, url, title, summary_plain, first_seen_at, last_seen_at,"
                " last_changed_at, content_hash) VALUES (:id, 'https://x.org', :title, :summary, "
                ":t, :t, :t, 'h')"
            ),
            {
                "id": "old:1",
                "title": "Accès à l'eau potable",
                "summary": "Forages au Sahel",
                "t": seen,
            },
        )
        connection.execute(
            text(
                "INSERT INTO field_change (opportunity_id, field, changed_at, changed_by) "
                "VALUES ('old:1', 'title', :t, 'import')"
            ),
            {"t": seen},
        )
    upgrade(engine)
    assert current_revision(engine) == _head_revision()
    with Session(engine) as session:
        stored = session.get(Opportunity, "old:1")
        assert stored.title == "Accès à l'eau potable" and stored.merged_into is None
        assert stored.first_seen_at == seen.replace(tzinfo=UTC)
        assert session.execute(text("SELECT count(*) FROM field_change")).scalar() == 1
        assert search_ids(session, "acces eau") == ["old:1"]
        assert search_ids(session, "forage sahel") == ["old:1"]
    engine.dispose()


def test_i13_keeps_people_links_and_decisions(backend_url):
    """From 0010 with subscribers, deliveries, watched calls and duplicated review rows: the
    rebuilt tables keep every row and reference, duplicates leave the review queue, and the
    migration goes down and up again."""
    engine = make_engine(backend_url)
    upgrade(engine, "0010")
    t = datetime(2026, 1, 5, 8, 0)
    statements = [
        (
            "INSERT INTO partnership (id, name, profile, created_at, updated_at) VALUES "
            "(1, 'Eau', '{}', :t, :t), (2, 'Sol', '{}', :t, :t)"
        ),
        (
            "INSERT INTO subscriber (id, email, partnership_id, frequency, language, status, "
            "created_at) VALUES (1, 'a@x.org', 1, 'weekly', 'fr', 'active', :t), "
            "(2, 'b@x.org', 2, 'weekly', 'fr', 'pending', :t)"
        ),
        (
            "INSERT INTO delivery (subscriber_id, kind, period, status, attempts, created_at) "
            "VALUES (2, 'digest', 'w1', 'sent', 1, :t)"
        ),
        (
            "INSERT INTO watched_call (partnership_id, opportunity_id, stage, created_at, updated_at) "
            "VALUES (2, 'x:1', 'interested', :t, :t)"
        ),
        (
            "INSERT INTO extraction (opportunity_id, field, value, snippet, confidence, method, "
            "extracted_at, status, applied) VALUES "
            "('x:1', 'min_partners', '3', 's', 0.8, 'm', :t, 'proposed', false), "
            "('x:1', 'min_partners', '3', 's', 0.8, 'm', :t, 'rejected', false), "
            "('x:1', 'min_partners', '4', 's', 0.8, 'm', :t, 'proposed', false)"
        ),
        (
            "INSERT INTO merge (keep_id, duplicate_id, status, created_at) VALUES "
            "('x:1', 'x:2', 'suggested', :t), ('x:1', 'x:2', 'suggested', :t), "
            "('x:1', 'x:2', 'dismissed', :t)"
        ),
    ]
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), {"t": t})
    upgrade(engine)
    command.downgrade(alembic_config(engine), "0012")
    upgrade(engine)
    with engine.connect() as connection:

        def rows(sql: str) -> list[tuple]:
            return [tuple(r) for r in connection.execute(text(sql))]

        assert rows("SELECT id, email, partnership_id FROM subscriber ORDER BY id") == [
            (1, "a@x.org", 1),
            (2, "b@x.org", 2),
        ]
        keys = rows("SELECT link_key FROM subscriber")
        assert len({k for (k,) in keys}) == 2 and all(len(k) >= 16 for (k,) in keys)
        assert rows("SELECT subscriber_id FROM delivery") == [(2,)]
        assert rows("SELECT partnership_id FROM watched_call") == [(2,)]
        assert rows("SELECT CAST(value AS TEXT), status FROM extraction ORDER BY id") == [
            ("3", "rejected"),
            ("4", "proposed"),
        ]  # (staff's decision kept)
        assert rows("SELECT status FROM merge ORDER BY id") == [("suggested",), ("dismissed",)]
        if engine.dialect.name == "sqlite":
            assert rows("PRAGMA foreign_key_check") == []
            assert rows("PRAGMA foreign_keys") == [(1,)]  # back on for the engine's connections
    if engine.dialect.name != "sqlite":  # PostgreSQL's sequences never give an id twice
        engine.dispose()
        return
    with engine.begin() as connection:  # the last subscriber removed: its id is not given again
        connection.execute(text("DELETE FROM delivery"))
        connection.execute(text("DELETE FROM subscriber WHERE id = 2"))
        connection.execute(
            text(
                "INSERT INTO subscriber (email, link_key, partnership_id, frequency, language, "
                "status, created_at) VALUES ('c@x.org', 'k', 1, 'weekly', 'fr', 'pending', :t)"
            ),
            {"t": t},
        )
        found = connection.execute(text("SELECT id FROM subscriber WHERE email = 'c@x.org'"))
        assert found.scalar() == 3
    engine.dispose()


def test_migration_makes_owners_members(backend_url):
    engine = make_engine(backend_url)
    upgrade(engine, "0013_i13")
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO partnership (name, profile, owner_email, created_at, updated_at) "
                "VALUES ('A', '{}', :owner, :t, :t), ('B', '{}', NULL, :t, :t)"
            ),
            {"owner": "lea@example.org", "t": now},
        )
    upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT email FROM partnership_member")).all()
    assert rows == [("lea@example.org",)]
    command.downgrade(alembic_config(engine), "0013_i13")
    upgrade(engine)
    engine.dispose()
