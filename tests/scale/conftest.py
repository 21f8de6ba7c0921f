"""Scale fixtures: the bundled snapshot loaded once per backend, and database URLs per backend."""

import pytest

from tests.conftest import BACKENDS, POSTGRES_URL, postgres_schema


@pytest.fixture(params=BACKENDS)
def backend_url(request, tmp_path):
    """An empty database's URL (SQLite file, or a PostgreSQL schema named in `options`)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'scale.db'}"
        return
    with postgres_schema("s") as url:
        yield url


@pytest.fixture
def postgres_url(tmp_path):
    """A PostgreSQL schema of its own (skipped without FUNDING_TEST_DATABASE_URL)."""
    if not POSTGRES_URL:
        pytest.skip("FUNDING_TEST_DATABASE_URL is not set")
    with postgres_schema("s") as url:
        yield url
