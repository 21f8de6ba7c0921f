"""partnership members (project-lead accounts)

Revision ID: 0014_i12
Revises: 0013_i13
Create Date: 2026-12-02 12:00:00

- partnership_member: the addresses that may see and change a partnership (staff see them all);
  each partnership's owner_email becomes its first member.
"""

import sqlalchemy as sa
from alembic import op

import funding.store.models

revision = "0014_i12"
down_revision = "0013_i13"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partnership_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("added_at", funding.store.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["partnership_id"], ["partnership.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("partnership_id", "email"),
    )
    with op.batch_alter_table("partnership_member") as batch:
        batch.create_index("ix_partnership_member_partnership_id", ["partnership_id"])
        batch.create_index("ix_partnership_member_email", ["email"])
    op.execute(
        "INSERT INTO partnership_member (partnership_id, email, added_at) "
        "SELECT id, owner_email, created_at FROM partnership WHERE owner_email IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("partnership_member") as batch:
        batch.drop_index("ix_partnership_member_email")
        batch.drop_index("ix_partnership_member_partnership_id")
    op.drop_table("partnership_member")
