"""past awards: the stored partner-suggestion index

Revision ID: 0016_i15
Revises: 0015_i15
Create Date: 2026-12-02 17:10:00

One new table, nothing else changes: award_index_cache keeps the index of funded projects that
partner suggestions read (stems, their statistics, who took part), built after an awards import
and keyed by that import's run, so that the first query of a fresh process does not rebuild it.
"""

import sqlalchemy as sa
from alembic import op

import funding.store.models

revision = "0016_i15"
down_revision = "0015_i15"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "award_index_cache",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer()),
        sa.Column("built_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_award_index_cache_run_id", "award_index_cache", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_award_index_cache_run_id", table_name="award_index_cache")
    op.drop_table("award_index_cache")
