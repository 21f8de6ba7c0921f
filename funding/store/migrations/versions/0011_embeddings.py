"""embeddings

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 09:00:00

The meaning of each call's text as a vector, for the matching engine's semantic similarity: a table
of embeddings by the hash of the text they were computed from (a text is embedded once, however
often it is stored), and the key of its embedding on each opportunity. Filled at enrichment.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "embedding",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
    )
    # A plain ADD COLUMN (no batch mode): the opportunity table and its triggers stay as they are.
    op.add_column("opportunity", sa.Column("embedding_key", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("opportunity", "embedding_key")  # SQLite 3.35+: no rebuild, triggers kept
    op.drop_table("embedding")
