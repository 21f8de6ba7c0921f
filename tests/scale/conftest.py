"""Scale fixtures: the bundled snapshot loaded once per backend, and database URLs per backend."""

import uuid

import pytest
from sqlalchemy import text

from funding.db import make_engine
from tests.conftest import BACKENDS, POSTGRES_URL


@pytest.fixture(params=BACKENDS)
def backend_url(request, tmp_path):
    """An empty database's URL (SQLite file, or a PostgreSQL schema named in `options`)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'scale.db'}"
        return
    schema = f"s_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def postgres_url(tmp_path):
    """A PostgreSQL schema of its own (skipped without FUNDING_TEST_DATABASE_URL)."""
    if not POSTGRES_URL:
        pytest.skip("FUNDING_TEST_DATABASE_URL is not set")
    schema = f"s_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()
