"""Distributed crawling (issue 7): several `scrapy crawl eu_sedia` processes share one crawl through Redis.

The loopback mirror answers the recorded EU pages cut into PAGES pages of two topics (the spider
follows page N to page N+1 until totalResults are read), and logs every request it gets, so each
search page can be counted. Each test uses a Redis key prefix of its own, deleted afterwards.

Limit (not tested, by design of scrapy-redis): a worker pops a request from the Redis queue before
downloading it. A worker stopped gracefully (SIGTERM/SIGINT) finishes its in-flight requests and
the links they yield go back to Redis for the others, which is what is tested here. A worker that
is killed outright (SIGKILL, a lost machine) loses its in-flight requests, and the items it had not
stored yet (a batch is stored every 2 s). For eu_sedia, whose pages are chained, the rest of the
crawl is lost with them: the other workers stop once the killed worker's heartbeat is stale
(crawlers/distributed.STALE, 10 s). Measured by hand: SIGKILL while page 2 of 6 was in flight left
pages 3-6 unfetched; the run was 'failed' ("no items returned") only because nothing had been
counted yet, a worker killed later would leave an 'ok' run with fewer items.
"""

import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import Session, select

from funding.harvest import distributed
from funding.ingest.exporter import export
from funding.store.db import get_engine, make_engine, upgrade
from funding.store.models import Opportunity, OpportunitySource, SourceRun
from tests.crawlers.conftest import FAST, ROOT, SEARCH_PATH, load_pages
from tests.crawlers.mirror import Reply, Request

PAGES = 6  # 12 recorded topics, 2 a page
WAIT = 60  # seconds a crawl may take at most


@pytest.fixture
def redis_prefix(monkeypatch):
    """A key prefix of this test's own in Redis (funding.harvest.distributed.PREFIX), its keys deleted after."""
    try:
        client = distributed.redis_client("redis://127.0.0.1:6379/0")
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure to reach Redis
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at 127.0.0.1:6379 is unreachable in CI: {exc}")
        pytest.skip(f"Redis at 127.0.0.1:6379 is unreachable ({exc}); CI is not 'true'")
    prefix = f"funding:test:{uuid.uuid4().hex[:12]}:"
    monkeypatch.setattr(distributed, "PREFIX", prefix)
    yield prefix
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


class Search:
    """The SEDIA search answered from the recorded topics, PAGES pages, optionally slowly."""

    def __init__(self, delay: float = 0.0):
        topics = [r for page in load_pages() for r in page["results"]]
        size = -(-len(topics) // PAGES)
        template = load_pages()[0]
        self.pages = [
            {
                **template,
                "totalResults": len(topics),
                "pageSize": size,
                "pageNumber": n + 1,
                "results": topics[n * size : (n + 1) * size],
            }
            for n in range(PAGES)
        ]
        self.ids = {"eu_sedia:" + t["metadata"]["identifier"][0].lower() for t in topics}
        self.delay = delay

    def __call__(self, request: Request) -> Reply:
        number = int(request.query["pageNumber"][0])
        page = (
            self.pages[number - 1]
            if number <= len(self.pages)
            else {**self.pages[0], "results": []}
        )
        return Reply(body=json.dumps(page).encode(), delay=self.delay)


def _page_numbers(mirror, since: int = 0) -> Counter:
    hits = [r for r in mirror.requests[since:] if r.method == "POST" and r.path == SEARCH_PATH]
    return Counter(int(r.query["pageNumber"][0]) for r in hits)


def _log_file(tmp_path: Path, name: str) -> list[str]:
    return ["-s", f"LOG_FILE={tmp_path / name}", "-s", "LOG_LEVEL=INFO"]


def _logs(tmp_path: Path) -> str:
    return "\n".join(
        f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(tmp_path.glob("*.log"))
    )


def _content(url: str) -> tuple[str, list[dict], int]:
    """The export (contract format) and every stored column but dates and run ids, by id."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            out = io.StringIO()
            export(session, out)
            rows = [
                {
                    k: v
                    for k, v in o.model_dump().items()
                    if not k.endswith("_at") and "run" not in k
                }
                for o in session.exec(select(Opportunity).order_by(Opportunity.id))
            ]
            links = len(session.exec(select(OpportunitySource)).all())
        return out.getvalue(), rows, links
    finally:
        engine.dispose()


def _counts(run: SourceRun) -> tuple[int, ...]:
    return (run.items_seen, run.inserted, run.updated, run.unchanged, run.rejected)


def test_two_workers_share_one_crawl_like_a_single_process(
    mirror, redis_prefix, database_url, tmp_path
):
    search = Search()
    mirror.route("POST", SEARCH_PATH, search)
    engine = get_engine()
    upgrade(engine)

    shared = distributed.SharedCrawl.open(engine, "eu_sedia")
    assert shared.redis_url and distributed.crawl_key("eu_sedia").startswith(redis_prefix)
    for n in (1, 2):
        shared.start_worker(base_url=mirror.url, extra=FAST + _log_file(tmp_path, f"worker{n}.log"))
    codes = shared.wait(WAIT)
    pages = shared.pages_by_worker()
    outcome = shared.close(codes)

    assert codes == [0, 0], _logs(tmp_path)
    assert _page_numbers(mirror) == Counter(range(1, PAGES + 1)), _logs(tmp_path)
    assert len(pages) == 2 and sum(pages.values()) == len(mirror.requests)
    assert (outcome.status, outcome.message) == ("ok", None), _logs(tmp_path)
    with Session(engine) as session:
        (run,) = session.exec(select(SourceRun)).all()
        assert (run.source, run.status, run.id) == ("eu_sedia", "ok", shared.run_id)
        assert _counts(run) == (12, 12, 0, 0, 0) and run.finished_at is not None
        assert {o.id for o in session.exec(select(Opportunity))} == search.ids
    assert not distributed.redis_client().keys(redis_prefix + "*")  # close() cleared the crawl

    # The same crawl by one ordinary process, into a database of its own.
    single_url = f"sqlite:///{tmp_path / 'single.db'}"
    before = len(mirror.requests)
    single = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "eu_sedia",
            "-a",
            f"base_url={mirror.url}",
            *FAST,
        ],
        cwd=ROOT,
        env={**os.environ, "FUNDING_DATABASE_URL": single_url},
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )
    assert single.returncode == 0, single.stderr[-3000:]
    assert _page_numbers(mirror, before) == Counter(range(1, PAGES + 1))
    with Session(alone := make_engine(single_url)) as session:
        (single_run,) = session.exec(select(SourceRun)).all()
        assert single_run.status == "ok" and _counts(single_run) == _counts(run)
    alone.dispose()

    shared_export, shared_rows, shared_links = _content(database_url)
    single_export, single_rows, single_links = _content(single_url)
    assert len(shared_rows) == 12 and shared_links == 12
    assert shared_export == single_export
    assert shared_rows == single_rows
    assert shared_links == single_links


def test_a_worker_stopped_gracefully_leaves_the_rest_of_the_crawl_to_another(
    mirror, redis_prefix, database_url, tmp_path
):
    """Worker A takes pages 1 and 2 and is sent SIGTERM while page 2 is in flight: it finishes the
    page, whose link to page 3 goes to Redis, and closes; worker B, started then, crawls the rest."""
    search = Search(delay=0.8)
    mirror.route("POST", SEARCH_PATH, search)
    engine = get_engine()
    upgrade(engine)

    shared = distributed.SharedCrawl.open(engine, "eu_sedia")
    first = shared.start_worker(base_url=mirror.url, extra=FAST + _log_file(tmp_path, "a.log"))
    deadline = time.monotonic() + 20
    while not _page_numbers(mirror)[2]:
        assert first.poll() is None and time.monotonic() < deadline, _logs(tmp_path)
        time.sleep(0.05)
    first.send_signal(signal.SIGTERM)  # page 2 is being answered (0.8 s)
    second = shared.start_worker(base_url=mirror.url, extra=FAST + _log_file(tmp_path, "b.log"))
    assert first.wait(20) == 0, _logs(tmp_path)
    codes = shared.wait(WAIT)
    pages = shared.pages_by_worker()
    outcome = shared.close(codes)

    assert codes == [0, 0], _logs(tmp_path)
    assert _page_numbers(mirror) == Counter(range(1, PAGES + 1)), _logs(tmp_path)
    by_pid = {int(worker.split(":")[1]): count for worker, count in pages.items()}
    # robots.txt and pages 1-2 by A; robots.txt and pages 3-6 by B (its page 1 is a duplicate).
    assert by_pid == {first.pid: 3, second.pid: 1 + PAGES - 2}, _logs(tmp_path)
    assert (outcome.status, outcome.message) == ("ok", None), _logs(tmp_path)
    with Session(engine) as session:
        (run,) = session.exec(select(SourceRun)).all()
        assert run.status == "ok" and _counts(run) == (12, 12, 0, 0, 0)
        assert {o.id for o in session.exec(select(Opportunity))} == search.ids
        assert len(session.exec(select(OpportunitySource)).all()) == 12
