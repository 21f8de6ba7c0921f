"""opportunity store

Revision ID: 0001
Revises:
Create Date: 2026-11-26 11:14:21.226006

Tables of the foundation, plus full-text search over title, summary and eligibility:
an FTS5 table fed in bulk from a queue that triggers fill on SQLite, a GIN expression index on
PostgreSQL.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import funding.store.models

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "field_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.String(length=255), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=True),
        sa.Column("changed_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("source_run_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("field_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_field_change_changed_at"), ["changed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_field_change_opportunity_id"), ["opportunity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_field_change_source_run_id"), ["source_run_id"], unique=False
        )

    op.create_table(
        "opportunity",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("summary_plain", sa.Text(), nullable=True),
        sa.Column("eligibility_text", sa.Text(), nullable=True),
        sa.Column("eligibility_plain", sa.Text(), nullable=True),
        sa.Column("funder", sa.Text(), nullable=True),
        sa.Column("programme", sa.Text(), nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("instrument", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("instrument_raw", sa.Text(), nullable=True),
        sa.Column("source_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("source_status_raw", sa.Text(), nullable=True),
        sa.Column("opens_on", sa.Date(), nullable=True),
        sa.Column("deadlines", sa.JSON(), nullable=True),
        sa.Column("deadline_first", sa.Date(), nullable=True),
        sa.Column("deadline_last", sa.Date(), nullable=True),
        sa.Column("recurrence", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("recurrence_raw", sa.Text(), nullable=True),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
        sa.Column("amount_min", sa.Float(), nullable=True),
        sa.Column("amount_max", sa.Float(), nullable=True),
        sa.Column("total_budget", sa.Float(), nullable=True),
        sa.Column("cofinancing_rate_max", sa.Float(), nullable=True),
        sa.Column("applicant_types", sa.JSON(), nullable=True),
        sa.Column("applicant_types_raw", sa.JSON(), nullable=True),
        sa.Column("applicant_countries", sa.JSON(), nullable=True),
        sa.Column("intervention_zones", sa.JSON(), nullable=True),
        sa.Column("themes", sa.JSON(), nullable=True),
        sa.Column("partnership_required", sa.Boolean(), nullable=True),
        sa.Column("min_partners", sa.Integer(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.Column("first_seen_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.Column("last_changed_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("raw_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("edited_fields", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.create_index("ix_opportunity_deadline_last", ["deadline_last"], unique=False)
        batch_op.create_index(batch_op.f("ix_opportunity_instrument"), ["instrument"], unique=False)
        batch_op.create_index("ix_opportunity_last_changed_at", ["last_changed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_opportunity_source"), ["source"], unique=False)

    op.create_table(
        "opportunity_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.String(length=255), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("first_seen_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("opportunity_id", "source"),
    )
    with op.batch_alter_table("opportunity_source", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opportunity_source_opportunity_id"), ["opportunity_id"], unique=False
        )

    op.create_table(
        "source",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "source_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("started_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.Column("finished_at", funding.store.models.UTCDateTime(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("items_seen", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("source_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_run_source"), ["source"], unique=False)

    _create_full_text_search()


FTS_COLUMNS = "title, summary_plain, eligibility_plain"
PG_DOCUMENT = (
    "to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(summary_plain, '') || ' ' "
    "|| coalesce(eligibility_plain, ''))"
)


def _create_full_text_search() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE opportunity_fts USING fts5({FTS_COLUMNS}, content='opportunity', "
            "content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')"
        )
        # Merge index segments less often: faster bulk indexing, same queries.
        op.execute("INSERT INTO opportunity_fts(opportunity_fts, rank) VALUES ('automerge', 16)")
        # Rows to (re)index: writers only queue them, funding.store.opportunities.sync_fulltext indexes the queue
        # in bulk (about twice as fast as indexing row by row in a trigger). A row's old text leaves
        # the index at once, unless it was still queued (then it was never indexed).
        op.execute("CREATE TABLE fulltext_queue (rid INTEGER PRIMARY KEY)")
        unindex = (
            f"INSERT INTO opportunity_fts(opportunity_fts, rowid, {FTS_COLUMNS}) "
            "SELECT 'delete', old.rowid, old.title, old.summary_plain, old.eligibility_plain "
            "WHERE NOT EXISTS (SELECT 1 FROM fulltext_queue WHERE rid = old.rowid);"
        )
        op.execute(
            "CREATE TRIGGER opportunity_fts_insert AFTER INSERT ON opportunity BEGIN "
            "INSERT OR IGNORE INTO fulltext_queue (rid) VALUES (new.rowid); END"
        )
        op.execute(
            f"CREATE TRIGGER opportunity_fts_update AFTER UPDATE OF {FTS_COLUMNS} ON opportunity "
            f"BEGIN {unindex} INSERT OR IGNORE INTO fulltext_queue (rid) VALUES (new.rowid); END"
        )
        op.execute(
            "CREATE TRIGGER opportunity_fts_delete AFTER DELETE ON opportunity BEGIN "
            f"{unindex} DELETE FROM fulltext_queue WHERE rid = old.rowid; END"
        )
    elif dialect == "postgresql":
        op.execute(
            f"CREATE INDEX ix_opportunity_fulltext ON opportunity USING gin (({PG_DOCUMENT}))"
        )


def _drop_full_text_search() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS opportunity_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS opportunity_fts")
        op.execute("DROP TABLE IF EXISTS fulltext_queue")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_opportunity_fulltext")


def downgrade() -> None:
    _drop_full_text_search()
    with op.batch_alter_table("source_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_run_source"))

    op.drop_table("source_run")
    op.drop_table("source")
    with op.batch_alter_table("opportunity_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunity_source_opportunity_id"))

    op.drop_table("opportunity_source")
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunity_source"))
        batch_op.drop_index("ix_opportunity_last_changed_at")
        batch_op.drop_index(batch_op.f("ix_opportunity_instrument"))
        batch_op.drop_index("ix_opportunity_deadline_last")

    op.drop_table("opportunity")
    with op.batch_alter_table("field_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_field_change_source_run_id"))
        batch_op.drop_index(batch_op.f("ix_field_change_opportunity_id"))
        batch_op.drop_index(batch_op.f("ix_field_change_changed_at"))

    op.drop_table("field_change")
