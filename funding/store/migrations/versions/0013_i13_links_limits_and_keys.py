"""links, sign-in limits and unique keys

Revision ID: 0013_i13
Revises: 0012
Create Date: 2026-12-02 09:00:00

- subscriber.link_key: a random key per subscriber that its links carry (filled for existing
  rows; links made before it are checked against the row's creation time instead);
- subscriber and partnership ids are never reused on SQLite (AUTOINCREMENT: the tables are
  rebuilt, with their rows; PostgreSQL sequences never reuse an id);
- sign_in_attempt.client and .locked: who tried, for the per-client sign-in limits, and whether
  the attempt was refused without checking (then it is no failure of its own);
- extraction.value_key and a unique (opportunity_id, field, value_key): existing duplicates are
  removed first, keeping a row staff decided on, else the oldest;
- merge: a pair is suggested at most once (a partial unique index), duplicates removed first;
- opportunity.first_run_id: the run that first stored a call (unknown for existing rows).
"""

import hashlib
import secrets

import orjson
import sqlalchemy as sa
from alembic import op

revision = "0013_i13"
down_revision = "0012"
branch_labels = None
depends_on = None

SUGGESTED = sa.text("status = 'suggested'")


def _value_key(value: object) -> str:
    """As funding.store.models.value_key: a digest of the value's canonical JSON."""
    encoded = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    return hashlib.blake2b(encoded, digest_size=16).hexdigest()


def _link_keys(bind) -> None:
    rows = bind.execute(sa.text("SELECT id FROM subscriber WHERE link_key IS NULL")).all()
    if rows:
        bind.execute(
            sa.text("UPDATE subscriber SET link_key = :key WHERE id = :id"),
            [{"id": row[0], "key": secrets.token_urlsafe(12)} for row in rows],
        )


def _extraction_keys(bind) -> None:
    """Fill value_key, then keep one row per (call, field, value): a decided one, else the oldest."""
    rows = bind.execute(
        sa.text("SELECT id, opportunity_id, field, value, status FROM extraction ORDER BY id")
    ).all()
    kept: dict[tuple, tuple[int, str]] = {}
    keys, extra = [], []
    for row_id, opportunity_id, field, value, status in rows:
        decoded = orjson.loads(value) if isinstance(value, str | bytes) else value
        key = _value_key(decoded)
        keys.append({"id": row_id, "key": key})
        group = (opportunity_id, field, key)
        if group not in kept:
            kept[group] = (row_id, status)
        elif kept[group][1] == "proposed" and status != "proposed":
            extra.append(kept[group][0])
            kept[group] = (row_id, status)
        else:
            extra.append(row_id)
    if keys:
        bind.execute(sa.text("UPDATE extraction SET value_key = :key WHERE id = :id"), keys)
    for start in range(0, len(extra), 500):
        bind.execute(
            sa.text("DELETE FROM extraction WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": extra[start : start + 500]},
        )


def _one_suggestion_per_pair(bind) -> None:
    bind.execute(
        sa.text(
            "DELETE FROM merge WHERE status = 'suggested' AND id NOT IN (SELECT min(id) FROM merge "
            "WHERE status = 'suggested' GROUP BY keep_id, duplicate_id)"
        )
    )


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    with op.batch_alter_table("subscriber") as batch:
        batch.add_column(sa.Column("link_key", sa.String(length=32), nullable=True))
    _link_keys(bind)
    # SQLite: the tables are rebuilt (the migration runs with foreign keys off, see env.py).
    autoincrement = {"recreate": "always", "table_kwargs": {"sqlite_autoincrement": True}}
    with op.batch_alter_table("subscriber", **(autoincrement if sqlite else {})) as batch:
        batch.alter_column("link_key", existing_type=sa.String(length=32), nullable=False)
    if sqlite:
        with op.batch_alter_table("partnership", **autoincrement):
            pass

    with op.batch_alter_table("sign_in_attempt") as batch:
        batch.add_column(sa.Column("client", sa.String(length=100), nullable=True))
        batch.add_column(
            sa.Column("locked", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_index("ix_sign_in_attempt_client", ["client"], unique=False)

    with op.batch_alter_table("extraction") as batch:
        batch.add_column(sa.Column("value_key", sa.String(length=32), nullable=True))
    _extraction_keys(bind)
    with op.batch_alter_table("extraction") as batch:
        batch.alter_column("value_key", existing_type=sa.String(length=32), nullable=False)
        batch.create_unique_constraint(
            "uq_extraction_value", ["opportunity_id", "field", "value_key"]
        )

    _one_suggestion_per_pair(bind)
    op.create_index(
        "uq_merge_suggested_pair",
        "merge",
        ["keep_id", "duplicate_id"],
        unique=True,
        sqlite_where=SUGGESTED,
        postgresql_where=SUGGESTED,
    )

    op.add_column("opportunity", sa.Column("first_run_id", sa.Integer(), nullable=True))
    op.create_index("ix_opportunity_first_run_id", "opportunity", ["first_run_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_opportunity_first_run_id", table_name="opportunity")
    # In place (SQLite 3.35+ too): rebuilding opportunity would drop its full-text triggers.
    op.execute("ALTER TABLE opportunity DROP COLUMN first_run_id")
    op.drop_index("uq_merge_suggested_pair", table_name="merge")
    with op.batch_alter_table("extraction") as batch:
        batch.drop_constraint("uq_extraction_value", type_="unique")
        batch.drop_column("value_key")
    with op.batch_alter_table("sign_in_attempt") as batch:
        batch.drop_index("ix_sign_in_attempt_client")
        batch.drop_column("locked")
        batch.drop_column("client")
    with op.batch_alter_table("subscriber") as batch:
        batch.drop_column("link_key")
