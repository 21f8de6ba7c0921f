"""A funder that hangs, is down or drops the connection after a good crawl, with the HTTP cache on.

Scrapy's HttpCacheMiddleware answers download errors with the stored copy (before the retry
middleware sees them): the run looked healthy and every record's last-seen date moved. Here each
fault is served to a real crawl of a spider with recorded responses, with and without robots.txt in
the cache: the run must fail with the real reason, count no item as seen, and leave every stored
row (last-seen dates included) as the good crawl left it.
"""

import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from funding.store.copy import copy_database
from funding.store.db import get_engine
from tests.crawlers.conftest import ROOT, load_pages
from tests.crawlers.mirror import Mirror, Reply
from tests.crawlers.test_faults import _database, _last_run

GRANTS = ROOT / "tests" / "files" / "grants_gov"
SEDIA_SEARCH = "/search-api/prod/rest/search"
GRANTS_SEARCH, GRANTS_FETCH = "/v1/api/search2", "/v1/api/fetchOpportunity"
CRAWL = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=0",
    "-s",
    "RETRY_BACKOFF_BASE=0",
    "-s",
    "RETRY_TIMES=1",
    "-s",
    "DOWNLOAD_TIMEOUT=1",
]
# What the run must say, per fault (PoliteRetryMiddleware's words, with the attempts made).
REASONS = {
    "timeout": "timed out after 1 s (2 attempts)",
    "refused": "could not connect (connection refused) (2 attempts)",
    "reset": "the connection closed before the whole answer arrived (2 attempts)",
}
ITEMS = {"eu_sedia": 12, "grants_gov": 12}


def _sedia(mirror: Mirror, fault: Reply | None) -> None:
    pages = load_pages()

    def search(request):
        if fault is not None:
            return fault
        number = int(request.query["pageNumber"][0])
        page = pages[number - 1] if number <= len(pages) else {**pages[0], "results": []}
        return Reply(body=json.dumps(page).encode())

    mirror.route("POST", SEDIA_SEARCH, search)


def _grants(mirror: Mirror, fault: Reply | None) -> None:
    def search(request):
        number = 1 + json.loads(request.body)["startRecordNum"] // 10
        return fault or Reply(body=(GRANTS / f"search_page{number}.json").read_bytes())

    def fetch(request):
        number = json.loads(request.body)["opportunityId"]
        return fault or Reply(body=(GRANTS / f"opportunity_{number}.json").read_bytes())

    mirror.route("POST", GRANTS_SEARCH, search)
    mirror.route("POST", GRANTS_FETCH, fetch)


SERVE = {"eu_sedia": _sedia, "grants_gov": _grants}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(name: str, port: int, env: dict[str, str]) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        name,
        "-a",
        f"base_url=http://127.0.0.1:{port}",
        *CRAWL,
    ]
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def good_crawls(tmp_path_factory):
    """Per spider: the database and the HTTP cache one good crawl left, and the port it used (the
    cache is keyed by URL, so every later crawl must ask the same address)."""
    made = {}
    for name, serve in SERVE.items():
        folder = tmp_path_factory.mktemp(name)
        port = _free_port()
        mirror = Mirror(port).start()
        try:
            serve(mirror, None)
            env = {
                **os.environ,
                "FUNDING_DATABASE_URL": f"sqlite:///{folder / 'good.db'}",
                "FUNDING_DATA_DIR": str(folder),
                "FUNDING_HTTPCACHE_DIR": str(folder / "cache"),
            }
            good = _run(name, port, env)
        finally:
            mirror.stop()
        assert good.returncode == 0 and f"{name} run ok" in good.stderr, good.stderr[-3000:]
        made[name] = (folder, port)
    return made


def _cached_robots(cache: Path) -> list[Path]:
    """The cache entries of robots.txt (Scrapy's filesystem storage: one folder per request)."""
    return [
        meta.parent
        for meta in cache.rglob("meta")
        if b"/robots.txt" in gzip.decompress(meta.read_bytes())
    ]  # HTTPCACHE_GZIP


@pytest.fixture
def after_good_crawl(good_crawls, database_url, tmp_path):
    """prepare(spider, robots_cached) -> (cache dir, port): the good crawl's rows in this test's
    database and a copy of its cache, with or without robots.txt."""
    get_engine().dispose()

    def prepare(name: str, robots_cached: bool) -> tuple[Path, int]:
        folder, port = good_crawls[name]
        if database_url.startswith("sqlite:"):
            target = database_url.removeprefix("sqlite:///")
            for suffix in ("", "-wal", "-shm"):
                if (folder / f"good.db{suffix}").exists():
                    shutil.copy(folder / f"good.db{suffix}", f"{target}{suffix}")
        else:
            copy_database(f"sqlite:///{folder / 'good.db'}", database_url)
        cache = tmp_path / "cache"
        shutil.copytree(folder / "cache", cache)
        robots = _cached_robots(cache)
        assert robots, "the good crawl cached robots.txt"
        if not robots_cached:
            for entry in robots:
                shutil.rmtree(entry)
        return cache, port

    return prepare


def _last_seen() -> dict[str, dict]:
    """Last-seen dates of every opportunity and every (opportunity, source) sighting."""
    with get_engine().connect() as connection:
        return {
            table: dict(connection.execute(text(f"SELECT {key}, last_seen_at FROM {table}")).all())
            for table, key in (
                ("opportunity", "id"),
                ("opportunity_source", "opportunity_id || ' ' || source"),
            )
        }


def _lost_and_moved(before: dict[str, dict], after: dict[str, dict]) -> tuple[int, int]:
    """Records the fault crawl lost, and rows whose last-seen date it moved."""
    lost = len(set(before["opportunity"]) - set(after["opportunity"]))
    moved = sum(
        1
        for table, seen in before.items()
        for key, at in seen.items()
        if key in after[table] and after[table][key] != at
    )
    return lost, moved


def _fault_crawl(name: str, fault: str, cache: Path, port: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "FUNDING_HTTPCACHE_DIR": str(cache)}
    if fault == "refused":  # nothing listens at the funder's address any more
        return _run(name, port, env)
    mirror = Mirror(port).start()
    try:
        reply = Reply(delay=2.5) if fault == "timeout" else Reply(reset=True)
        SERVE[name](mirror, reply)
        return _run(name, port, env)
    finally:
        mirror.stop()


@pytest.mark.parametrize("robots_cached", [True, False], ids=["robots cached", "robots not cached"])
@pytest.mark.parametrize("fault", list(REASONS))
@pytest.mark.parametrize("name", list(SERVE))
def test_a_dead_funder_is_never_healthy(
    name, fault, robots_cached, after_good_crawl, fault_table, database_url
):
    cache, port = after_good_crawl(name, robots_cached)
    stored, before = _database(), _last_seen()
    assert len(before["opportunity"]) == ITEMS[name]
    result = _fault_crawl(name, fault, cache, port)
    run = _last_run()
    verdict_right = run.source == name and run.status == "failed" and bool(run.flags)
    reason_right = REASONS[fault] in (run.message or "")
    now = _database()
    lost, moved = _lost_and_moved(before, _last_seen())
    tried = f"{fault} ({'' if robots_cached else 'no '}robots.txt cached)"
    fault_table.harvest(database_url, name, tried, verdict_right, reason_right, lost, moved)
    assert verdict_right, (run.status, run.message, result.stderr[-3000:])
    assert reason_right, run.message
    assert run.items_seen == 0 and run.unchanged == 0
    assert now == stored  # nothing lost, nothing changed, no last-seen date moved


def test_items_of_a_copy_the_funder_did_not_confirm_are_not_seen():
    """Whatever cache policy is set, items parsed from an unconfirmed stored copy are dropped and
    the run fails; a copy revalidated by a 304, or a fresh answer, passes."""
    from scrapy.http import TextResponse
    from scrapy.utils.test import get_crawler

    from crawlers.middlewares import REVALIDATED, FreshItemsMiddleware
    from crawlers.spiders.drome import DromeSpider

    crawler = get_crawler(DromeSpider)
    crawler.spider = DromeSpider.from_crawler(crawler, base_url="http://127.0.0.1:9")
    middleware = FreshItemsMiddleware(crawler)
    stale = TextResponse("http://127.0.0.1:9/api", body=b"{}", flags=["cached"])
    confirmed = TextResponse("http://127.0.0.1:9/api", body=b"{}", flags=["cached", REVALIDATED])
    fresh = TextResponse("http://127.0.0.1:9/api", body=b"{}")
    assert middleware.get_processed_item({"id": "a"}, stale) is None
    assert middleware.get_processed_item({"id": "b"}, confirmed) == {"id": "b"}
    assert middleware.get_processed_item({"id": "c"}, fresh) == {"id": "c"}
    assert crawler.stats.get_value("funding/stale_items") == 1
    assert "stored copy the funder did not confirm" in crawler.spider.failures[0]
