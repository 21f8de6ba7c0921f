"""past awards: funded projects, their organisations and participations

Revision ID: 0015_i15
Revises: 0014_i12
Create Date: 2026-12-02 12:30:00

Three new tables, nothing else changes: award_project (a funded project, by '<source>:<id>'),
award_organisation (one per source id; same_as links one found under another source by name and
place) and award_participation (an organisation in a project in one role, and its contribution).
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_i15"
down_revision = "0014_i12"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "award_project",
        sa.Column("id", sa.String(length=255), primary_key=True),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("acronym", sa.Text()),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("objective", sa.Text()),
        sa.Column("topic", sa.String(length=255)),
        sa.Column("topic_title", sa.Text()),
        sa.Column("call", sa.String(length=255)),
        sa.Column("programme", sa.String(length=100)),
        sa.Column("scheme", sa.String(length=100)),
        sa.Column("start_date", sa.Date()),
        sa.Column("end_date", sa.Date()),
        sa.Column("total_cost", sa.Float()),
        sa.Column("eu_contribution", sa.Float()),
        sa.Column("url", sa.Text()),
        sa.Column("raw_hash", sa.String(length=64), nullable=False),
    )
    op.create_index("ix_award_project_source", "award_project", ["source"])
    op.create_index("ix_award_project_topic", "award_project", ["topic"])
    op.create_table(
        "award_organisation",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_key", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=20)),
        sa.Column("sme", sa.Boolean()),
        sa.Column("country", sa.String(length=2)),
        sa.Column("city", sa.Text()),
        sa.Column("region", sa.String(length=10)),
        sa.Column("same_as", sa.Integer()),
        sa.Column("raw_hash", sa.String(length=64), nullable=False),
        sa.UniqueConstraint("source", "source_id", name="uq_award_organisation_source_id"),
    )
    op.create_index(
        "ix_award_organisation_name_place", "award_organisation", ["name_key", "country"]
    )
    op.create_index("ix_award_organisation_country", "award_organisation", ["country"])
    op.create_index("ix_award_organisation_region", "award_organisation", ["region"])
    op.create_table(
        "award_participation",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.String(length=255), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=30)),
        sa.Column("contribution", sa.Float()),
        sa.Column("raw_hash", sa.String(length=64), nullable=False),
        sa.UniqueConstraint("project_id", "organisation_id", "role", name="uq_award_participation"),
    )
    op.create_index("ix_award_participation_project_id", "award_participation", ["project_id"])
    op.create_index(
        "ix_award_participation_organisation_id", "award_participation", ["organisation_id"]
    )


def downgrade() -> None:
    op.drop_table("award_participation")
    op.drop_table("award_organisation")
    op.drop_table("award_project")
