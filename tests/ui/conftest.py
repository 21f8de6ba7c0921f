"""UI fixtures: the bundled snapshot loaded once per session, copied into each test's folder."""

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from funding.access.auth import hash_password
from funding.ingest.snapshot import prepare_database
from funding.settings import get_settings
from funding.store.copy import copy_database
from funding.store.db import get_engine, make_engine
from tests.conftest import BACKENDS, postgres_schema
from tests.digests.conftest import smtp  # noqa: F401  (a real SMTP server on 127.0.0.1)

APP = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")
PROFILES = Path(__file__).resolve().parents[2] / "benchmarks" / "matching" / "profiles"
AS_OF = "2026-03-01"
STAFF_PASSWORD = "correct horse battery staple"
STAFF_HASH = hash_password(STAFF_PASSWORD)
LEAD = "lea@example.org"  # a project lead signed in by e-mail link


@pytest.fixture(scope="session")
def snapshot_db(tmp_path_factory) -> Path:
    """A migrated database holding the bundled snapshot (enriched), built once."""
    path = tmp_path_factory.mktemp("snapshot") / "snapshot.db"
    engine = make_engine(f"sqlite:///{path}")
    prepare_database(engine, load=True)
    engine.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(params=BACKENDS)
def ui_db(request, snapshot_db, tmp_path, monkeypatch) -> Iterator[str]:
    """This test's own copy of the snapshot database, set as FUNDING_DATABASE_URL: an SQLite file,
    or (when FUNDING_TEST_DATABASE_URL is set) a PostgreSQL schema of its own filled by
    `funding db copy`'s code from the snapshot file."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            path = tmp_path / "ui.db"
            shutil.copy(snapshot_db, path)
            url = f"sqlite:///{path}"
        else:
            url = stack.enter_context(postgres_schema("ui"))
            copy_database(f"sqlite:///{snapshot_db}", url)
        monkeypatch.setenv("FUNDING_DATABASE_URL", url)
        monkeypatch.setenv("FUNDING_TODAY", AS_OF)
        monkeypatch.setenv("FUNDING_STAFF_USERS", f"alice={STAFF_HASH}")
        get_settings.cache_clear()
        get_engine.cache_clear()
        try:
            yield url
        finally:
            get_engine().dispose()  # no pooled connection may outlive the schema
            get_engine.cache_clear()
            get_settings.cache_clear()


def make_app(page: str | None = None, *, lead: str | None = None, **query) -> AppTest:
    """The app, run once (on a page when given, e.g. 'views/watchlist.py'), with a project lead
    signed in when `lead` is an address."""
    at = AppTest.from_file(APP, default_timeout=60)
    if lead:
        at.session_state["lead_email"] = lead
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def sign_in(at: AppTest, password: str = STAFF_PASSWORD, user: str = "alice") -> AppTest:
    """Fill and send the sign-in form."""
    at.text_input(key="sign_in_user").input(user)
    at.text_input(key="sign_in_password").input(password)
    submit = next(b for b in at.button if b.label in ("Connexion", "Sign in"))
    return submit.click().run()


def tables(at) -> list[list[dict[str, str]]]:
    """The tables drawn by ui.common.table, as rows of {column: text}; a link's address is in
    row["→ column"]."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__()
            self.head, self.rows, self.cell, self.href = [], [], None, None

        def handle_starttag(self, tag, attrs):
            if tag in ("th", "td"):
                self.cell, self.href = "", None
            elif tag == "tr" and self.head:
                self.rows.append([])
            elif tag == "a":
                self.href = dict(attrs)["href"]
            elif tag == "br" and self.cell is not None:
                self.cell += "\n"

        def handle_data(self, data):
            if self.cell is not None:
                self.cell += data

        def handle_endtag(self, tag):
            if tag == "th":
                self.head.append(self.cell)
            elif tag == "td":
                self.rows[-1].append((self.cell, self.href))
            if tag in ("th", "td"):
                self.cell = None

    found = []
    for element in at.markdown:
        if element.value.startswith("<table"):
            reader = Reader()
            reader.feed(element.value)
            rows = []
            for cells in reader.rows:
                row = {h: text for h, (text, _) in zip(reader.head, cells)}
                row |= {f"→ {h}": href for h, (_, href) in zip(reader.head, cells) if href}
                rows.append(row)
            found.append(rows)
    return found
