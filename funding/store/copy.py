"""Copy a whole installation from one database to another (SQLite to PostgreSQL, or back).

Generic over SQLModel.metadata: every table, parents before children, streamed in batches in
primary-key order, ids kept as they are (history and the delivery ledger point at them). The
target is migrated to the same schema first and must be empty; afterwards PostgreSQL's id
sequences are moved past the copied ids and the full-text index is brought up to date.
"""

from collections.abc import Callable

from sqlalchemy import Engine, func, inspect, select, text
from sqlmodel import Session, SQLModel

import funding.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from funding.store.db import current_revision, make_engine, normalize_url, upgrade
from funding.store.opportunities import sync_fulltext


class CopyError(Exception):
    """The copy cannot start: same database, or a target that already holds data."""


def copy_database(
    source_url: str,
    target_url: str,
    *,
    batch_size: int = 2000,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Copy every table's rows; returns rows copied per table."""
    if normalize_url(source_url) == normalize_url(target_url):
        raise CopyError("--from and --to are the same database")
    source, target = make_engine(source_url), make_engine(target_url)
    try:
        return copy_engines(source, target, batch_size=batch_size, progress=progress)
    finally:
        source.dispose()
        target.dispose()


def copy_engines(
    source: Engine,
    target: Engine,
    *,
    batch_size: int = 2000,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    upgrade(source)  # both at the same (newest) schema: the same tables and columns
    upgrade(target)
    if current_revision(source) != current_revision(target):
        raise CopyError("source and target schemas differ after migrating both")
    tables = SQLModel.metadata.sorted_tables  # parents first (foreign keys)
    with target.connect() as connection:
        full = [
            t.name
            for t in tables
            if connection.execute(select(func.count()).select_from(t)).scalar()
        ]
    if full:
        raise CopyError(f"the target database is not empty ({', '.join(full)}): use an empty one")
    copied = {}
    with source.connect() as reading, target.connect() as writing:
        for table in tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = reading.execution_options(yield_per=batch_size).execute(
                select(table).order_by(*order)
            )
            count = 0
            for chunk in rows.partitions(batch_size):
                writing.execute(table.insert(), [dict(row._mapping) for row in chunk])
                writing.commit()  # short transactions: other writers are never held up long
                count += len(chunk)
            copied[table.name] = count
            if progress:
                progress(f"{table.name}: {count} rows")
        _reset_sequences(writing, tables)
        writing.commit()
    with Session(target) as session:
        sync_fulltext(session)  # SQLite target: the copied rows were queued for the FTS5 index
        session.commit()
    return copied


def _reset_sequences(connection, tables) -> None:
    """PostgreSQL: the next id of every serial column follows the largest id copied."""
    if connection.dialect.name != "postgresql":
        return
    names = set(inspect(connection).get_table_names())
    for table in tables:
        if table.name not in names:
            continue
        for column in table.primary_key.columns:
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
            ).scalar()
            if sequence:
                connection.execute(
                    text(
                        f'SELECT setval(:s, coalesce((SELECT max("{column.name}") FROM '
                        f'"{table.name}"), 0) + 1, false)'
                    ),
                    {"s": sequence},
                )
