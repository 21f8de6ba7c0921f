"""Alembic environment: runs on the engine handed over by funding.db.upgrade (or the configured one)."""

from alembic import context
from sqlmodel import SQLModel

import funding.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from funding.db import get_engine

config = context.config
engine = config.attributes.get("engine") or get_engine()

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
