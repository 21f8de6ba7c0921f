"""listed call indexes

Revision ID: 0009
Revises: 0007
Indexes on listed calls (merged_into IS NULL) by arrival, change and deadline, so the staff
monitor's counts (new this week, changed, closing soon, new per week) and the public list's status
filter read an index instead of scanning 100,000 wide rows.

Create Date: 2026-11-26 15:00:00
"""

from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_opportunity_listed_first_seen": ["merged_into", "first_seen_at", "source"],
    "ix_opportunity_listed_changed": ["merged_into", "last_changed_at", "first_seen_at"],
    "ix_opportunity_listed_deadline": [
        "merged_into",
        "deadline_last",
        "deadline_first",
        "opens_on",
        "recurrence",
        "source_status",
        "id",
    ],
}


def upgrade() -> None:
    # Plain CREATE INDEX (no batch mode): the table is never copied.
    for name, columns in INDEXES.items():
        op.create_index(name, "opportunity", columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="opportunity")
