"""Faults a funder's server can throw, each served by the loopback mirror to a real crawl process.

Every fault is crawled after a good crawl: the run must say in words what went wrong, and what
the good crawl stored must stay exactly as it was.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest
from sqlalchemy import inspect, text

from funding.store.copy import copy_database
from funding.store.db import get_engine
from funding.store.models import SourceRun
from tests.crawlers.conftest import FAST, ROOT
from tests.crawlers.feed_checks import FILES
from tests.crawlers.mirror import Mirror, Reply
from tests.faults import FAULTS

FEED = "/api/aides/"  # Drôme's feed: two pages, followed through `next`
PAGES = {n: (FILES / "drome" / f"page{n}.json").read_bytes() for n in ("1", "2")}
QUICK = ["-s", "RETRY_TIMES=1", "-s", "DOWNLOAD_TIMEOUT=2"]
KEPT_AS_IS = {"source_run", "alembic_version"}
SEEN = {"last_seen_at", "seen_at"}  # a crawl that sees a record again moves these, nothing else


def _serve(mirror, page1=None, page2=None) -> None:
    """Drôme's two pages by ?page=; a Reply (or a responder) replaces a page to make a fault."""

    def answer(request):
        number = request.query.get("page", ["1"])[0]
        fault = page1 if number == "1" else page2
        if fault is None:
            return Reply(body=PAGES[number])
        return fault(request) if callable(fault) else fault

    mirror.route("GET", FEED, answer)


def _crawl(scrapy_crawl, mirror, *args: str):
    return scrapy_crawl("drome", "-a", f"base_url={mirror.url}", *QUICK, *args)


def _database(ignore: set[str] = frozenset()) -> dict[str, list[tuple]]:
    """Every stored row of every table but the run log (less the `ignore` columns), sorted."""
    engine = get_engine()
    found = inspect(engine)
    tables = sorted(set(found.get_table_names()) - KEPT_AS_IS)
    stored = {}
    with engine.connect() as connection:
        for table in tables:
            if table.startswith("opportunity_fts_"):
                continue
            columns = [c["name"] for c in found.get_columns(table) if c["name"] not in ignore]
            names = ", ".join(f'"{c}"' for c in columns)
            rows = connection.execute(text(f'SELECT {names} FROM "{table}"'))
            stored[table] = sorted(map(tuple, rows), key=repr)
    return stored


def _last_run() -> SourceRun:
    from sqlmodel import Session, select

    with Session(get_engine()) as session:
        return session.exec(select(SourceRun).order_by(SourceRun.id.desc())).first()  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def crawled_once(tmp_path_factory):
    """A database after one good crawl of Drôme, made once and copied for each test."""
    folder = tmp_path_factory.mktemp("good")
    mirror = Mirror().start()
    try:
        _serve(mirror)
        env = {
            **os.environ,
            "FUNDING_DATABASE_URL": f"sqlite:///{folder / 'good.db'}",
            "FUNDING_DATA_DIR": str(folder),
        }
        command = [sys.executable, "-m", "scrapy", "crawl", "drome", "-a", f"base_url={mirror.url}"]
        good = subprocess.run(
            command + FAST,
            check=False,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        mirror.stop()
    assert good.returncode == 0 and "drome run ok" in good.stderr, good.stderr[-3000:]
    return folder / "good.db"


@pytest.fixture
def stored(crawled_once, database_url, mirror):
    """This test's database as the good crawl left it; the mirror serves Drôme's good pages."""
    get_engine().dispose()
    if database_url.startswith("sqlite:"):
        target = database_url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):  # SQLite in WAL mode keeps recent pages beside the file
            if os.path.exists(f"{crawled_once}{suffix}"):
                shutil.copy(f"{crawled_once}{suffix}", f"{target}{suffix}")
    else:  # PostgreSQL: the same rows, copied as `funding db copy` does
        copy_database(f"sqlite:///{crawled_once}", database_url)
    _serve(mirror)
    assert _last_run().status == "ok"
    return _database()


def _assert_failed_and_untouched(result, stored, *reasons: str) -> SourceRun:
    run = _last_run()
    now = _database()
    before = {row[0]: row for row in stored["opportunity"]}
    after = {row[0]: row for row in now["opportunity"]}
    FAULTS.harvest(
        str(get_engine().url),
        "drome",
        reasons[0],
        run.status == "failed",
        all(reason in (run.message or "") for reason in reasons),
        len(set(before) - set(after)),
        sum(1 for key, row in before.items() if key in after and after[key] != row),
    )
    assert (run.source, run.status) == ("drome", "failed"), result.stderr[-3000:]
    for reason in reasons:
        assert reason in run.message, run.message
    assert run.finished_at is not None and run.items_seen == 0
    assert now == stored
    return run


def test_server_error_is_retried_then_named(mirror, scrapy_crawl, stored):
    _serve(mirror, page1=Reply(500, b'{"detail": "internal error"}'))
    result = _crawl(scrapy_crawl, mirror)
    run = _assert_failed_and_untouched(
        result,
        stored,
        "the funder answered HTTP 500 Internal Server Error (2 attempts)",
        "no items returned",
    )
    assert run.message.startswith(f"{mirror.url}{FEED}")
    assert len(mirror.hits(FEED)) == 2  # one request, one retry


def test_too_many_requests_waits_as_asked_then_succeeds(mirror, scrapy_crawl, stored):
    answers = iter([Reply(429, b"slow down", "text/plain", {"Retry-After": "1"})])
    _serve(mirror, page1=lambda _r: next(answers, None) or Reply(body=PAGES["1"]))
    result = _crawl(scrapy_crawl, mirror)
    run = _last_run()
    assert (run.status, run.message, run.unchanged) == ("ok", None, 3), result.stderr[-3000:]
    first, retry = mirror.hits(FEED)[:2]
    assert 0.9 <= retry.at - first.at < 3
    assert (
        "funder answered 429 Too Many Requests; waiting 1 s as asked (Retry-After)" in result.stderr
    )


def test_retry_after_longer_than_the_cap_is_cut(mirror, scrapy_crawl, stored):
    _serve(mirror, page1=Reply(429, b"", "text/plain", {"Retry-After": "3600"}))
    result = _crawl(scrapy_crawl, mirror, "-s", "RETRY_AFTER_MAX=0.5", "-s", "RETRY_TIMES=1")
    _assert_failed_and_untouched(result, stored, "HTTP 429 Too Many Requests (2 attempts)")
    assert "waiting 0.5 s not the 3600 s asked" in result.stderr
    first, retry = mirror.hits(FEED)
    assert 0.4 <= retry.at - first.at < 3


def test_timeout_is_named_with_its_limit(mirror, scrapy_crawl, stored):
    _serve(mirror, page1=Reply(body=PAGES["1"], delay=2.5))
    result = _crawl(scrapy_crawl, mirror, "-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=0")
    _assert_failed_and_untouched(
        result, stored, f"{mirror.url}{FEED}: timed out after 1 s (1 attempt)"
    )


def test_truncated_json_is_named(mirror, scrapy_crawl, stored):
    _serve(mirror, page1=Reply(body=PAGES["1"][:4096]))
    result = _crawl(scrapy_crawl, mirror)
    _assert_failed_and_untouched(result, stored, "the JSON is cut off (truncated at byte 4 096)")


def test_html_instead_of_json_is_named(mirror, scrapy_crawl, stored):
    page = b"<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>"
    _serve(mirror, page1=Reply(body=page, content_type="text/html; charset=utf-8"))
    result = _crawl(scrapy_crawl, mirror)
    _assert_failed_and_untouched(result, stored, "expected JSON, got an HTML page (text/html)")


def test_empty_listing_fails_and_keeps_what_was_stored(mirror, scrapy_crawl, stored):
    empty = json.dumps({"count": 0, "next": None, "previous": None, "results": []}).encode()
    _serve(mirror, page1=Reply(body=empty))
    result = _crawl(scrapy_crawl, mirror)
    _assert_failed_and_untouched(result, stored, "no items returned")


def _double_encoded(body: bytes) -> bytes:
    """UTF-8 read as Windows-1252 and written out as UTF-8 again: 'é' becomes 'Ã©'."""
    wrong = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in body)
    return wrong.encode("utf-8")


@pytest.mark.parametrize(
    "body, content_type, said",
    [
        (
            PAGES["1"].decode("utf-8").encode("cp1252"),
            "application/json; charset=utf-8",
            "the answer is not UTF-8 although JSON must be; read as cp1252",
        ),
        (PAGES["1"], "application/json; charset=iso-8859-1", None),
        (
            _double_encoded(PAGES["1"]),
            "application/json; charset=utf-8",
            "mended text garbled by a wrong encoding",
        ),
    ],
    ids=["windows-1252 sent as utf-8", "utf-8 sent as latin-1", "double-encoded utf-8"],
)
def test_wrong_encoding_is_read_right(mirror, scrapy_crawl, stored, body, content_type, said):
    """Read right, the same records come back unchanged; the log says what was mended."""
    before = _database(ignore=SEEN)
    _serve(mirror, page1=Reply(body=body, content_type=content_type))
    result = _crawl(scrapy_crawl, mirror)
    run = _last_run()
    assert (run.status, run.message) == ("ok", None), result.stderr[-3000:]
    assert (run.items_seen, run.unchanged, run.updated) == (3, 3, 0)
    if said:
        assert said in result.stderr
    assert _database(ignore=SEEN) == before


def test_server_error_is_not_hidden_by_the_http_cache(mirror, scrapy_crawl, tmp_path, monkeypatch):
    """With the cache on, a 500 must fail the run, not quietly replay yesterday's page."""
    monkeypatch.setenv("FUNDING_HTTPCACHE_DIR", str(tmp_path / "cache"))
    cached = [
        "-a",
        f"base_url={mirror.url}",
        *QUICK,
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "AUTOTHROTTLE_ENABLED=0",
        "-s",
        "RETRY_BACKOFF_BASE=0",
    ]
    _serve(mirror)
    assert scrapy_crawl("drome", *cached, fast=False).returncode == 0
    stored = _database()
    _serve(mirror, page1=Reply(500, b"{}"))
    result = scrapy_crawl("drome", *cached, fast=False)
    _assert_failed_and_untouched(result, stored, "HTTP 500 Internal Server Error (2 attempts)")


def test_funding_crawl_runs_the_others_when_one_fails(mirror, database_url):
    """`funding crawl drome eu_sedia`: the EU portal fails, Drôme is stored, exit status 1."""
    _serve(mirror)
    mirror.route("POST", "/search-api/prod/rest/search", Reply(503, b"{}"))
    env = {
        **os.environ,
        "FUNDING_CRAWL_BASE_URLS": json.dumps({"drome": mirror.url, "eu_sedia": mirror.url}),
        "FUNDING_CRAWL_DELAY": "0",
        "FUNDING_CRAWL_AUTOTHROTTLE": "false",
        "FUNDING_HTTPCACHE_ENABLED": "false",
        "FUNDING_CRAWL_RETRY_TIMES": "0",
    }
    result = subprocess.run(
        [sys.executable, "-m", "funding.cli", "crawl", "eu_sedia", "drome"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    assert "eu_sedia: failed" in result.stdout and "HTTP 503 Service Unavailable" in result.stdout
    assert "drome: ok, 3 items: 3 inserted" in result.stdout
    assert "failed: eu_sedia" in result.stderr
    assert {r[0] for r in _database()["opportunity"]} == {"drome:162", "drome:338", "drome:650"}


@pytest.mark.parametrize("hops", [1, 2], ids=["to itself", "through another page"])
def test_a_redirect_loop_is_named(mirror, scrapy_crawl, stored, hops):
    first = f"{mirror.url}{FEED}"
    other = f"{mirror.url}/moved/"
    _serve(mirror, page1=Reply(302, b"", "text/plain", location=first if hops == 1 else other))
    mirror.route("GET", "/moved/", Reply(302, b"", "text/plain", location=first))
    result = _crawl(scrapy_crawl, mirror)
    run = _assert_failed_and_untouched(result, stored, f"redirect loop at {first}")
    assert "no items returned" in run.message  # the loop is named first, then what it caused


def test_a_nul_character_is_stripped_and_its_batch_kept(mirror, scrapy_crawl, stored):
    """PostgreSQL refuses NUL in text: the whole batch failed with an autoflush hint."""
    page = json.loads(PAGES["1"])
    page["results"][0]["name"] = "Aide\u0000 aux projets"
    _serve(mirror, page1=Reply(body=json.dumps(page).encode()))
    result = _crawl(scrapy_crawl, mirror)
    run = _last_run()
    assert (run.status, run.message) == ("ok", None), result.stderr[-3000:]
    assert (run.items_seen, run.updated + run.unchanged, run.rejected) == (3, 3, 0)
    titles = [row for row in _database()["opportunity"] if "Aide aux projets" in repr(row)]
    assert titles and "\x00" not in repr(_database())
