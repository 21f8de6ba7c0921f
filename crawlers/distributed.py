"""SharedCrawl: keeps a worker of a shared crawl (funding.harvest.distributed) open while others still work.

With scrapy-redis a worker whose queue looks empty would close while another worker is still
parsing a page whose links are about to be queued. Each worker publishes a heartbeat and whether
it is busy; an idle worker stays while the shared queue holds requests or a live worker is busy.
A worker that stops leaves the busy set at once; one that dies is ignored after STALE seconds.
"""

import os
import socket
import time
import uuid
from typing import Any

from scrapy import signals
from scrapy.core.engine import ExecutionEngine
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet import task

from funding.harvest.distributed import redis_client

BEAT = 0.5  # seconds between heartbeats
STALE = 10.0  # a worker silent this long is gone


class SharedCrawl:
    def __init__(self, crawler: Any, key: str):
        self.crawler = crawler
        self.key = key
        self.redis = redis_client(crawler.settings.get("REDIS_URL"))
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.loop: task.LoopingCall | None = None
        # Scrapy looks for work (and asks spider_idle again) every 5 s by default: a shared crawl's
        # workers look every second, or a worker waiting for another's links would idle 5 s each.
        ExecutionEngine._SLOT_HEARTBEAT_INTERVAL = 1.0
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.idle, signal=signals.spider_idle)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "SharedCrawl":
        key = crawler.settings.get("FUNDING_SHARED_CRAWL")
        if not key:
            raise NotConfigured("not a shared crawl")
        return cls(crawler, key)

    def opened(self, spider: Any) -> None:
        self.loop = task.LoopingCall(self.beat)
        self.loop.start(BEAT)

    def beat(self) -> None:
        engine = self.crawler.engine
        busy = engine is not None and engine.spider is not None and not engine.spider_is_idle()
        with self.redis.pipeline() as batch:
            batch.hset(f"{self.key}:workers", self.worker, time.time())
            batch.hset(f"{self.key}:busy", self.worker, int(busy))
            batch.execute()

    def idle(self, spider: Any) -> None:
        """Stay open while the shared crawl still has work, in Redis or in another worker."""
        if self.redis.zcard(f"{self.key}:requests"):
            raise DontCloseSpider
        now = time.time()
        beats = self.redis.hgetall(f"{self.key}:workers")
        busy = self.redis.hgetall(f"{self.key}:busy")
        for worker, beat in beats.items():
            if worker != self.worker and now - float(beat) < STALE and busy.get(worker) == "1":
                raise DontCloseSpider

    def closed(self, spider: Any, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        pages = self.crawler.stats.get_value("downloader/request_count", 0)
        with self.redis.pipeline() as batch:
            batch.hdel(f"{self.key}:workers", self.worker)
            batch.hdel(f"{self.key}:busy", self.worker)
            batch.hset(f"{self.key}:pages", self.worker, pages)
            batch.execute()
