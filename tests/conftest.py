"""Shared fixtures: a migrated database on SQLite, and on PostgreSQL when FUNDING_TEST_DATABASE_URL is set."""

import json
import os
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, func, select

from funding.settings import get_settings
from funding.store.db import make_engine, upgrade

FILES = Path(__file__).parent / "files"
POSTGRES_URL = os.environ.get("FUNDING_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    """No test reads the developer's database or .env: everything lives in the test's folder."""
    for name in list(os.environ):
        if name.startswith("FUNDING_") and name != "FUNDING_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("FUNDING_DATA_DIR", str(tmp_path / "data"))
    # The embedding model is left out unless a test asks for it (the `embeddings` fixture): it
    # costs 50-150 ms a record, and most tests are about something else.
    monkeypatch.setenv("FUNDING_EMBEDDINGS", "false")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def embeddings(monkeypatch):
    """Semantic similarity on, as in production (FUNDING_EMBEDDINGS defaults to true)."""
    monkeypatch.setenv("FUNDING_EMBEDDINGS", "true")
    get_settings.cache_clear()


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path):
    """A migrated, empty database."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'test.db'}"
        else:
            url = stack.enter_context(postgres_schema())
        engine = make_engine(url)
        upgrade(engine)
        try:
            yield engine
        finally:
            engine.dispose()  # before the schema is dropped: no pooled connection left


@pytest.fixture
def session(engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def postgres_schema(prefix: str = "t"):
    """A new, empty schema in the test database and its URL; dropped afterwards with everything in
    it. A connection left inside a transaction on it would block the drop: lock_timeout makes that
    an error instead of a hung test run."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        # The schema named in the URL itself (libpq `options`), so every engine and every
        # subprocess (crawls, the CLI) given the URL works in that schema only.
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text("SET LOCAL lock_timeout = '30s'"))
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path, monkeypatch):
    """A database URL for commands run as a user would, set as FUNDING_DATABASE_URL: an SQLite file
    in the test's folder, or (when FUNDING_TEST_DATABASE_URL is set) a PostgreSQL schema of the
    test's own, named in the URL so subprocesses (crawls, the CLI, the scheduler) use it too.
    A test about the SQLite file itself says so: @pytest.mark.parametrize("database_url",
    ["sqlite"], indirect=True), with the reason beside it."""
    from funding.store.db import get_engine

    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'cli.db'}"
        else:
            url = stack.enter_context(postgres_schema())
        monkeypatch.setenv("FUNDING_DATABASE_URL", url)
        get_settings.cache_clear()
        get_engine.cache_clear()
        try:
            yield url
        finally:
            get_engine().dispose()  # before the schema is dropped: no pooled connection left
            get_engine.cache_clear()


def rows(session: Session, model) -> int:
    """How many rows a table holds."""
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def fault_table():
    """The fault suite's table (tests/faults.py): a fault test adds its row, pytest prints it."""
    from tests.faults import FAULTS

    return FAULTS


def pytest_sessionfinish(session) -> None:
    """On a pytest-xdist worker: hand this worker's fault counts to the main process."""
    from tests.faults import FAULTS

    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["faults"] = json.dumps(FAULTS.dump())


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """In the main process: add a finished worker's fault counts to the table printed below."""
    from tests.faults import FAULTS

    dumped = getattr(node, "workeroutput", {}).get("faults")
    if dumped:
        FAULTS.merge(json.loads(dumped))


def pytest_terminal_summary(terminalreporter) -> None:
    from tests.faults import FAULTS

    lines = FAULTS.lines()
    if lines:
        terminalreporter.section("fault suite")
        for line in lines:
            terminalreporter.write_line(line)


# The longest tests start first, so that no worker is left running them alone at the end
# (measured: the browser journeys take 30-60 s each, the subprocess-heavy crawl and CLI tests
# 8-22 s; started last, they added minutes of one idle core to the run).
SLOW_FIRST = (
    "tests/ui/test_browser.py",
    "tests/test_funder_text_safety.py",
    "tests/scale/",
    "tests/crawlers/test_crawl_cli.py",
    "tests/crawlers/test_distributed.py",
    "tests/crawlers/test_faults.py",
    "tests/crawlers/test_dead_funder.py",
    "tests/crawlers/test_crawl_end_to_end.py",
    "tests/matching/test_cli.py",
    "tests/matching/test_one_list.py",
    "tests/test_cli.py",
)


def pytest_collection_modifyitems(session, config, items) -> None:
    def rank(item) -> int:
        path = item.nodeid.split("::")[0]
        return next(
            (i for i, slow in enumerate(SLOW_FIRST) if path.startswith(slow)), len(SLOW_FIRST)
        )

    items.sort(key=rank)  # stable: the order inside each group stays the collection order
