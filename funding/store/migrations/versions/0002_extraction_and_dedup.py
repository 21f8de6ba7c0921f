"""extraction and dedup

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 11:19:59.064844

Values extracted from an opportunity's own text (the staff review queue), merges of the same call
listed by several sources, and opportunity.merged_into. The column is added and dropped with plain
ALTER TABLE on SQLite too: rebuilding the opportunity table would drop the full-text triggers.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import funding.store.models

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "extraction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.String(length=255), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("snippet", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("extracted_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_extraction_opportunity_id", "extraction", ["opportunity_id"], unique=False)
    op.create_index(
        "ix_extraction_status_confidence", "extraction", ["status", "confidence"], unique=False
    )

    op.create_table(
        "merge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("keep_id", sa.String(length=255), nullable=False),
        sa.Column("duplicate_id", sa.String(length=255), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=True),
        sa.Column("moved_sources", sa.JSON(), nullable=True),
        sa.Column("filled_fields", sa.JSON(), nullable=True),
        sa.Column("created_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.Column("merged_at", funding.store.models.UTCDateTime(), nullable=True),
        sa.Column("merged_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("undone_at", funding.store.models.UTCDateTime(), nullable=True),
        sa.Column("undone_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_merge_duplicate_id", "merge", ["duplicate_id"], unique=False)
    op.create_index("ix_merge_keep_id", "merge", ["keep_id"], unique=False)
    op.create_index("ix_merge_status", "merge", ["status"], unique=False)

    op.add_column("opportunity", sa.Column("merged_into", sa.String(length=255), nullable=True))
    op.create_index("ix_opportunity_merged_into", "opportunity", ["merged_into"], unique=False)
    op.add_column("opportunity", sa.Column("inferred_fields", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_index("ix_opportunity_merged_into", table_name="opportunity")
    for column in ("merged_into", "inferred_fields"):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(
                f"ALTER TABLE opportunity DROP COLUMN {column}"
            )  # SQLite >= 3.35, no rebuild
        else:
            op.drop_column("opportunity", column)

    op.drop_index("ix_merge_status", table_name="merge")
    op.drop_index("ix_merge_keep_id", table_name="merge")
    op.drop_index("ix_merge_duplicate_id", table_name="merge")
    op.drop_table("merge")
    op.drop_index("ix_extraction_status_confidence", table_name="extraction")
    op.drop_index("ix_extraction_opportunity_id", table_name="extraction")
    op.drop_table("extraction")
