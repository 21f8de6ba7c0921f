"""Engines and sessions: SQLite in WAL mode by default, any SQLAlchemy URL (PostgreSQL) by setting."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from funding.settings import get_settings

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def _json(value: object) -> str:
    return orjson.dumps(value).decode()


def normalize_url(url: str) -> str:
    """Accept plain postgresql:// URLs and pick the psycopg 3 driver for them."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str | None = None) -> Engine:
    """A new engine; SQLite gets WAL, a busy timeout and foreign keys on every connection."""
    url = normalize_url(url or get_settings().resolved_database_url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, json_serializer=_json)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False}, json_serializer=_json)
    busy_ms = get_settings().sqlite_busy_timeout_ms

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MB of page cache: large imports and indexes
        cursor.close()

    return engine


# Load once: one engine, and so one connection pool, per process (not a performance cache).
@cache
def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    return make_engine()


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def begin_write(session: Session) -> None:
    """Take SQLite's write lock before a read-then-write transaction reads (BEGIN IMMEDIATE).

    Writers then queue on the busy timeout instead of failing with "database is locked" when a
    transaction that read a stale snapshot tries to write, and what they read cannot change under
    them (no lost update). A no-op on PostgreSQL, and when the transaction already writes.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    dbapi_connection = connection.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


class TakingTurns:
    """A long job writing in many short transactions (enrichment) lets other writers in.

    SQLite's busy handler polls for the write lock every 100 ms or so: a job that commits and
    takes the lock again at once starves a waiting writer (a crawl's batch then failed with
    "database is locked" although no transaction was long). After HOLD seconds of holding the
    lock, the job steps aside for STEP_ASIDE seconds. PostgreSQL locks rows: no turns needed.
    """

    HOLD = 0.5
    STEP_ASIDE = 0.12

    def __init__(self, session: Session):
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self.held = 0.0

    @contextmanager
    def turn(self) -> Iterator[None]:
        """One write transaction of the job (begun and committed inside)."""
        started = time.monotonic()
        yield
        self.held += time.monotonic() - started
        if self.sqlite and self.held >= self.HOLD:
            time.sleep(self.STEP_ASIDE)
            self.held = 0.0


def alembic_config(engine: Engine) -> "Config":
    from alembic.config import Config  # imported on use: a crawl process starts faster

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine | None = None, revision: str = "head") -> None:
    """Bring the schema to the given Alembic revision (head by default)."""
    from alembic import command

    engine = engine or get_engine()
    if revision == "head" and current_revision(engine) == _head_revision():
        return
    command.upgrade(alembic_config(engine), revision)


def _head_revision() -> str:
    """The newest migration's revision id: `revision = "..."` in the last file by name
    (0003_source_health.py has "0003"; 0013_i13_links.py has "0013_i13")."""
    import re

    newest = max((MIGRATIONS / "versions").glob("[0-9]*_*.py"), key=lambda p: p.name)
    found = re.search(r'^revision = "([^"]+)"', newest.read_text(encoding="utf-8"), re.MULTILINE)
    return found.group(1) if found else newest.name.split("_", 1)[0]


def current_revision(engine: Engine | None = None) -> str | None:
    engine = engine or get_engine()
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
