"""people and deliveries

Revision ID: 0004
Revises: 0003
Partnerships (saved profiles), hidden and watched calls, user reports, subscribers, the
digest delivery ledger and staff sign-in attempts.

Create Date: 2026-11-26 12:16:47.231017
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import funding.store.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.String(length=255), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("reporter", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.Column("resolved_at", funding.store.models.UTCDateTime(), nullable=True),
        sa.Column("resolved_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("call_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_call_report_opportunity_id"), ["opportunity_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_call_report_status"), ["status"], unique=False)

    op.create_table(
        "partnership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("owner_email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
        sa.Column("created_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.Column("updated_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("partnership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partnership_owner_email"), ["owner_email"], unique=False
        )

    op.create_table(
        "sign_in_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("at", funding.store.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sign_in_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_attempt_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sign_in_attempt_username"), ["username"], unique=False)

    op.create_table(
        "hidden_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.String(length=255), nullable=False),
        sa.Column("hidden_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("partnership_id", "opportunity_id"),
    )
    with op.batch_alter_table("hidden_call", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hidden_call_opportunity_id"), ["opportunity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_hidden_call_partnership_id"), ["partnership_id"], unique=False
        )

    op.create_table(
        "subscriber",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("frequency", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("paused_reason", sa.Text(), nullable=True),
        sa.Column("created_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.Column("confirmed_at", funding.store.models.UTCDateTime(), nullable=True),
        sa.Column("last_digest_at", funding.store.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subscriber_partnership_id"), ["partnership_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_subscriber_status"), ["status"], unique=False)

    op.create_table(
        "watched_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.String(length=255), nullable=False),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.Column("updated_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("partnership_id", "opportunity_id"),
    )
    with op.batch_alter_table("watched_call", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_watched_call_opportunity_id"), ["opportunity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_watched_call_partnership_id"), ["partnership_id"], unique=False
        )

    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("claimed_at", funding.store.models.UTCDateTime(), nullable=True),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("item_ids", sa.JSON(), nullable=True),
        sa.Column("created_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.Column("sent_at", funding.store.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscriber.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subscriber_id", "kind", "period"),
    )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delivery_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_delivery_subscriber_id"), ["subscriber_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_subscriber_id"))
        batch_op.drop_index(batch_op.f("ix_delivery_status"))

    op.drop_table("delivery")
    with op.batch_alter_table("watched_call", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_watched_call_partnership_id"))
        batch_op.drop_index(batch_op.f("ix_watched_call_opportunity_id"))

    op.drop_table("watched_call")
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscriber_status"))
        batch_op.drop_index(batch_op.f("ix_subscriber_partnership_id"))

    op.drop_table("subscriber")
    with op.batch_alter_table("hidden_call", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hidden_call_partnership_id"))
        batch_op.drop_index(batch_op.f("ix_hidden_call_opportunity_id"))

    op.drop_table("hidden_call")
    with op.batch_alter_table("sign_in_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_attempt_username"))
        batch_op.drop_index(batch_op.f("ix_sign_in_attempt_at"))

    op.drop_table("sign_in_attempt")
    with op.batch_alter_table("partnership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partnership_owner_email"))

    op.drop_table("partnership")
    with op.batch_alter_table("call_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_report_status"))
        batch_op.drop_index(batch_op.f("ix_call_report_opportunity_id"))

    op.drop_table("call_report")
