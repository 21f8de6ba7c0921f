"""Alembic from an empty database and from the first release's schema, on SQLite and PostgreSQL."""

from datetime import UTC, datetime

from sqlalchemy import text
from sqlmodel import Session

from funding.db import _head_revision, current_revision, make_engine, upgrade
from funding.models import Opportunity
from funding.store import search_ids


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
            text("INSERT INTO field_change (opportunity_id, field, changed_at, changed_by) "
                 "VALUES ('old:1', 'title', :t, 'import')"), {"t": seen},
        )  # fmt: skip
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
