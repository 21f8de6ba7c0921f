"""PostgreSQL's full-text document: migration 0010 computes it faster, and exactly as 0006 did.

Only PostgreSQL has these functions (SQLite indexes with FTS5): the test needs
FUNDING_TEST_DATABASE_URL, as CI sets it.
"""

import gzip
import json
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text
from sqlmodel import Session

from funding.contracts.records import to_row, validate_record
from funding.ingest.snapshot import SNAPSHOT
from funding.store.db import alembic_config, current_revision, make_engine, upgrade
from funding.store.opportunities import search_ids

BEFORE = "0009"  # the last revision computing the document with 0006's functions
TRICKY = [
    "ÀÁÂÃÄÅĀ ÇĆČ ÈÉÊËĒĖĘ ÌÍÎÏĪ ÑŃ ÒÓÔÕÖØŌ ÙÚÛÜŪ ÝŸ Ž Š Ł Œuvre Æther",
    "àáâãäåā çćč èéêëēėę ìíîïī ññ òóôõöøō ùúûüū ýÿ ž š ł œ æ",
    "l’eau d‘été `quoted` 'plain' co-financement 3 530 000 € 80 %",
    "ΣΟΦΟΣ ΟΔΟΣ İstanbul Straße ﬁnance ĄŚ ŻÓŁW naïve café",
    "",
]


def _snapshot_fields() -> list[tuple[str | None, str | None, str | None]]:
    with gzip.open(SNAPSHOT, "rt", encoding="utf-8") as handle:
        rows = [to_row(validate_record(json.loads(line))) for line in handle]
    fields = [(r["title"], r.get("summary_plain"), r.get("eligibility_plain")) for r in rows]
    fields += [(t, t.lower(), t.upper()) for t in TRICKY] + [("Titre seul", None, None)]
    return fields


def _documents(connection, fields) -> list[str]:
    titles, summaries, eligibilities = (list(column) for column in zip(*fields, strict=True))
    found = connection.execute(
        text(
            "SELECT funding_document(t, s, e)::text FROM unnest(CAST(:t AS text[]), "
            "CAST(:s AS text[]), CAST(:e AS text[])) WITH ORDINALITY AS x(t, s, e, n) ORDER BY n"
        ),
        {"t": titles, "s": summaries, "e": eligibilities},
    )
    return found.scalars().all()


def _folds(connection, values) -> list[str | None]:
    return (
        connection.execute(
            text(
                "SELECT funding_fold(v) FROM unnest(CAST(:v AS text[])) WITH ORDINALITY AS x(v, n) "
                "ORDER BY n"
            ),
            {"v": values},
        )
        .scalars()
        .all()
    )


def _insert(connection, id_: str, title: str, summary: str | None) -> None:
    connection.execute(
        text(
            "INSERT INTO opportunity (id, url, title, summary_plain, first_seen_at, last_seen_at,"
            " last_changed_at, content_hash) VALUES (:id, 'https://x.org', :title, :summary, "
            ":t, :t, :t, 'h')"
        ),
        {"id": id_, "title": title, "summary": summary, "t": datetime(2026, 1, 5, tzinfo=UTC)},
    )


def test_0010_computes_the_same_documents_and_keeps_the_stored_ones(postgres_url):
    fields = _snapshot_fields()
    texts = [v for row in fields for v in row] + [" ".join(TRICKY), None]
    engine = make_engine(postgres_url)
    upgrade(engine, BEFORE)
    with engine.begin() as connection:
        before = _documents(connection, fields)
        folded = _folds(connection, texts)
        _insert(connection, "old:1", "Accès à l'eau potable", "Forages au Sahel, Œuvres d’art")

    upgrade(engine, "0010")
    assert current_revision(engine) == "0010"
    with engine.begin() as connection:
        assert _folds(connection, texts) == folded
        after = _documents(connection, fields)
        assert len(after) == len(fields) > 500
        assert [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b] == []
        # The row stored under 0009 needs no recomputing; a row stored now gets the same document.
        _insert(connection, "new:1", "Accès à l'eau potable", "Forages au Sahel, Œuvres d’art")
        stored = dict(connection.execute(text("SELECT id, fulltext::text FROM opportunity")).all())
        assert stored["old:1"] == stored["new:1"] != ""
    with Session(engine) as session:
        assert search_ids(session, "oeuvre acces sahel") == ["new:1", "old:1"]

    command.downgrade(alembic_config(engine), BEFORE)  # back to 0006's functions, same documents
    with engine.begin() as connection:
        assert _documents(connection, fields) == before
        left = connection.execute(
            text(
                "SELECT count(*) FROM pg_proc WHERE proname = 'funding_document_folded' "
                "AND pronamespace = current_schema()::regnamespace"
            )
        )
        assert left.scalar() == 0
    engine.dispose()


def test_0012_cuts_words_as_sqlite_does(postgres_url):
    """The 'simple' words of a field are cut at every character that is neither a letter nor a
    digit, as FTS5 does: both databases count the same calls for a word."""
    engine = make_engine(postgres_url)
    upgrade(engine, "0011")
    with engine.begin() as connection:
        _insert(connection, "old:1", "HIV/AIDS prevention", "Santé (VIH/sida) – co-design")
    upgrade(engine)
    with engine.begin() as connection:
        words = connection.execute(
            text("SELECT fulltext FROM opportunity WHERE id = 'old:1'")
        ).scalar()
    weighted = {  # the 'simple' words, weights A-C (the stems are weight D, unchanged)
        w.split(":")[0].strip("'")
        for w in words.split()
        if any(c in w.split(":", 1)[1] for c in "ABC")
    }
    assert {"hiv", "aids", "vih", "sida", "co", "design"} <= weighted
    assert "hiv/aids" not in weighted  # the row stored before 0012 was computed again
