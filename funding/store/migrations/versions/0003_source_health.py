"""source health

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:00:00.000000

Per run: how long it took, how many errors it met, the fill rate of the key fields (deadlines,
applicant types, amount) and the flags it earned (funding/store/health.py). Plain ALTER TABLE to add;
a batch (table rebuild) to drop on SQLite, where source_run has no triggers to lose.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = ("duration_seconds", "errors", "fill_rates", "flags")


def upgrade() -> None:
    op.add_column("source_run", sa.Column("duration_seconds", sa.Float(), nullable=True))
    op.add_column(
        "source_run", sa.Column("errors", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("source_run", sa.Column("fill_rates", sa.JSON(), nullable=True))
    op.add_column("source_run", sa.Column("flags", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source_run") as batch:
        for column in reversed(COLUMNS):
            batch.drop_column(column)
