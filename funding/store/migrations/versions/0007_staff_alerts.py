"""staff alerts

Revision ID: 0007
Revises: 0006
Alerts to staff (a source flagged, a subscriber's address rejected), sent once per key: the
delivery ledger needs a subscriber, these have none.

Create Date: 2026-11-26 14:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import funding.store.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("claimed_at", funding.store.models.UTCDateTime(), nullable=True),
        sa.Column("created_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.Column("sent_at", funding.store.models.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("staff_alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_alert_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("staff_alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_alert_status"))
    op.drop_table("staff_alert")
