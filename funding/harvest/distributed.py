"""One crawl shared by several crawler processes through Redis (scrapy-redis); no Scrapy import.

`funding crawl --distributed` opens the source's run and its Redis keys, starts worker processes
(`scrapy crawl NAME` with the scrapy-redis scheduler and duplicate filter), waits for them and
closes the run with the counts every worker added. `funding crawl-worker NAME` joins a crawl
another machine started. The queue lives in Redis, not in a worker: a stopped worker's requests
are popped by the others; a worker stopped gracefully (SIGINT/SIGTERM) finishes what it took.
"""

import json
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from funding.harvest.crawl import PROJECT_ROOT, CrawlOutcome, crawl_command, crawl_environment
from funding.settings import get_settings
from funding.store.models import SourceRun

PREFIX = "funding:crawl:"


def crawl_key(name: str) -> str:
    """The Redis key prefix of one source's shared crawl."""
    return PREFIX + name


def redis_client(url: str | None = None) -> Any:
    import redis

    return redis.Redis.from_url(url or get_settings().redis_url, decode_responses=True)


def worker_settings(name: str, redis_url: str | None = None) -> list[str]:
    """The `-s` options that put a crawl's scheduler and duplicate filter in Redis."""
    key = crawl_key(name)
    options = {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_PERSIST": "True",  # a worker that stops must not clear the shared queue
        "SCHEDULER_QUEUE_KEY": f"{key}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{key}:dupefilter",
        "REDIS_URL": redis_url or get_settings().redis_url,
        "FUNDING_SHARED_CRAWL": key,
        "EXTENSIONS": json.dumps({"crawlers.distributed.SharedCrawl": 500}),
    }
    return [arg for item in options.items() for arg in ("-s", "=".join(item))]


@dataclass
class SharedCrawl:
    """A source's crawl spread over worker processes: its run, its Redis keys, its workers."""

    engine: Engine
    name: str
    run_id: int
    redis_url: str
    processes: list[subprocess.Popen] = field(default_factory=list)

    @classmethod
    def open(cls, engine: Engine, name: str, *, redis_url: str | None = None) -> "SharedCrawl":
        """Clear what an earlier crawl of the source left in Redis and open its run."""
        from funding.store.opportunities import start_run

        redis_url = redis_url or get_settings().redis_url
        client = redis_client(redis_url)
        key = crawl_key(name)
        client.delete(*[f"{key}:{part}" for part in _PARTS])
        with Session(engine, expire_on_commit=False) as session:
            run = start_run(session, name)
            session.commit()
        client.set(f"{key}:run", run.id)
        return cls(engine, name, run.id, redis_url)

    def start_worker(
        self,
        *,
        base_url: str | None = None,
        limit: int | None = None,
        extra: list[str] = (),
        env: dict[str, str] | None = None,
        quiet: bool = True,
    ) -> subprocess.Popen:
        """One more crawler process on this machine."""
        process = worker_process(
            self.name,
            base_url=base_url,
            limit=limit,
            extra=extra,
            env=env,
            redis_url=self.redis_url,
            quiet=quiet,
        )
        self.processes.append(process)
        return process

    def wait(self, timeout: float | None = None) -> list[int]:
        deadline = None if timeout is None else time.monotonic() + timeout
        codes = []
        for process in self.processes:
            left = None if deadline is None else max(0.1, deadline - time.monotonic())
            codes.append(process.wait(left))
        return codes

    def pages_by_worker(self) -> dict[str, int]:
        """Requests each worker downloaded, by worker id."""
        pages = redis_client(self.redis_url).hgetall(f"{crawl_key(self.name)}:pages")
        return {worker: int(count) for worker, count in pages.items()}

    def close(self, codes: list[int] | None = None) -> CrawlOutcome:
        """Record the run from every worker's counts and problems; clear the Redis keys."""
        from funding.store.opportunities import finish_run

        client = redis_client(self.redis_url)
        key = crawl_key(self.name)
        counts = {k: int(v) for k, v in client.hgetall(f"{key}:counts").items()}
        problems = list(dict.fromkeys(client.lrange(f"{key}:problems", 0, -1)))
        if counts.get("items_seen", 0) == 0:
            problems.append("no items returned")
        if codes and all(code != 0 for code in codes) and not problems:
            problems.append(f"every worker failed (exit status {codes[0]})")
        rows = counts.get("fill_rows", 0)
        fill = {k[5:]: round(int(v) / rows, 3) for k, v in counts.items() if k.startswith("fill:")}
        with Session(self.engine, expire_on_commit=False) as session:
            run = session.get(SourceRun, self.run_id)
            finish_run(
                session,
                run,
                counts=counts,
                status="failed" if problems else "ok",
                message="; ".join(problems) or None,
                errors=counts.get("errors", 0),
                fill_rates=fill if rows else None,
            )
            session.commit()
        client.delete(*[f"{key}:{part}" for part in _PARTS])
        return CrawlOutcome(self.name, run.status, run.message, run)


_PARTS = ("requests", "dupefilter", "workers", "busy", "counts", "problems", "pages", "run")


def worker_process(
    name: str,
    *,
    base_url: str | None = None,
    limit: int | None = None,
    extra: list[str] = (),
    env: dict[str, str] | None = None,
    redis_url: str | None = None,
    quiet: bool = False,
) -> subprocess.Popen:
    """Start `scrapy crawl NAME` as a worker of the source's shared crawl."""
    command = crawl_command(name, base_url=base_url, limit=limit)
    command += worker_settings(name, redis_url) + list(extra)
    output = subprocess.DEVNULL if quiet else None
    return subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env={**crawl_environment(), **(env or {})},
        stdout=output,
        stderr=output,
    )


def crawl(
    engine: Engine,
    name: str,
    *,
    workers: int = 2,
    base_url: str | None = None,
    limit: int | None = None,
    quiet: bool = False,
) -> CrawlOutcome:
    """Crawl one source with several worker processes sharing its queue; one run for them all."""
    shared = SharedCrawl.open(engine, name)
    for _ in range(workers):
        shared.start_worker(base_url=base_url, limit=limit, quiet=quiet)
    return shared.close(shared.wait())


def join(name: str, *, base_url: str | None = None, quiet: bool = False) -> int:
    """Run one worker in a crawl another machine opened (`funding crawl-worker`); its exit status."""
    if redis_client().get(f"{crawl_key(name)}:run") is None:
        raise LookupError(f"no shared crawl of {name} is open in Redis")
    return worker_process(name, base_url=base_url, quiet=quiet).wait()
