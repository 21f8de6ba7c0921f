"""Crawl throughput on a loopback mirror: the full store pipeline next to bare Scrapy, in one run.

The mirror serves Drôme's recorded feed (tests/files/drome) repeated with new ids: N aids on DRF
pages of 50 followed through `next`. Drôme has listing pages only (no detail pages), so every
request is a listing page. Measured, each a real `scrapy crawl drome` process with the project
settings, delays and AutoThrottle off, 16 requests at a time:
(a) items stored per second with the StorePipeline into an empty SQLite database, migrated
    beforehand as an installation is (`funding db upgrade`): a crawl does not create the schema;
(b) bare Scrapy parsing the same pages with ITEM_PIPELINES={} and no database;
(c) a crawl with the HTTP cache on, then a re-crawl of the unchanged mirror: requests, answers
    and body bytes the mirror sent.
Rates are items per second of process wall time, start-up included for both (Scrapy's own
elapsed time stops before the pipeline's close, where enrichment runs, so it would flatter (a)).
Usage: python -m benchmarks.crawl_benchmark [--items 2000] [--page-size 50]
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.crawlers.mirror import Mirror, Reply

FEED = "/api/aides/"
FAST = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=0",
    "-s",
    "CONCURRENT_REQUESTS=16",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "-s",
    "RETRY_BACKOFF_BASE=0",
    "-s",
    "LOG_LEVEL=INFO",
]


def make_pages(count: int, size: int) -> dict[str, bytes]:
    """Drôme's recorded aids repeated with new ids and names, as DRF pages 1..n."""
    real = []
    for n in ("1", "2"):
        real += json.loads((ROOT / "tests/files/drome" / f"page{n}.json").read_text("utf-8"))[
            "results"
        ]
    aids = []
    for i in range(count):
        aid = dict(real[i % len(real)])
        aid["id"] = 100_000 + i
        aid["slug"] = f"{aid.get('slug') or 'aide'}-{i}"
        aid["name"] = f"{aid.get('name') or 'Aide'} ({i})"
        aids.append(aid)
    chunks = [aids[i : i + size] for i in range(0, count, size)] or [[]]
    pages = {}
    for number, chunk in enumerate(chunks, start=1):
        following = f"{FEED}?page={number + 1}" if number < len(chunks) else None
        body = {"count": count, "next": following, "previous": None, "results": chunk}
        pages[str(number)] = json.dumps(body, ensure_ascii=False).encode()
    return pages


def crawl(mirror: Mirror, env: dict[str, str], *settings: str) -> tuple[float, dict, str]:
    """One `scrapy crawl drome`; its wall time, its final stats (numbers) and its log."""
    command = [sys.executable, "-m", "scrapy", "crawl", "drome", "-a", f"base_url={mirror.url}"]
    started = time.perf_counter()
    result = subprocess.run(
        [*command, *FAST, *settings],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"crawl failed ({result.returncode}):\n{result.stderr[-4000:]}")
    stats = {k: float(v) for k, v in re.findall(r"'([\w/.\- ]+)': ([\d.]+)[,}]", result.stderr)}
    return wall, stats, result.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument(
        "--no-enrich", action="store_true", help="leave out the enrichment that follows the crawl"
    )
    args = parser.parse_args()

    pages = make_pages(args.items, args.page_size)
    mirror = Mirror().start()
    mirror.route("GET", FEED, lambda r: Reply(body=pages[r.query.get("page", ["1"])[0]]))
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        base = {k: v for k, v in os.environ.items() if not k.startswith("FUNDING_")}
        env = {
            **base,
            "FUNDING_DATA_DIR": folder,
            "FUNDING_LOAD_SNAPSHOT": "false",
            "FUNDING_DATABASE_URL": f"sqlite:///{folder}/bench.db",
            "FUNDING_HTTPCACHE_DIR": f"{folder}/cache",
        }
        no_cache = ["-s", "HTTPCACHE_ENABLED=0"]
        migrate = [sys.executable, "-m", "funding.cli", "db", "upgrade"]
        subprocess.run(migrate, cwd=ROOT, env=env, check=True, capture_output=True)

        wall, stats, log = crawl(mirror, env, *no_cache)
        stored = re.search(r"drome run (\w+): (\d+) items seen, (\d+) inserted", log)
        assert stored and stored.group(1) == "ok" and int(stored.group(3)) == args.items, log[
            -3000:
        ]
        full = args.items / wall
        rows.append(
            ("(a) full pipeline, SQLite", args.items, stats["elapsed_time_seconds"], wall, full)
        )
        # What `funding crawl` does next, outside the crawl process: extraction and deduplication.
        enrich = [sys.executable, "-m", "funding.cli", "enrich"]
        started = time.perf_counter()
        if not args.no_enrich:
            subprocess.run(enrich, cwd=ROOT, env=env, check=True, capture_output=True)
        enriched = time.perf_counter() - started

        wall, stats, log = crawl(mirror, env, *no_cache, "-s", "ITEM_PIPELINES={}")
        assert int(stats["item_scraped_count"]) == args.items, log[-3000:]
        bare = args.items / wall
        rows.append(
            ("(b) bare Scrapy, no pipeline", args.items, stats["elapsed_time_seconds"], wall, bare)
        )

        env["FUNDING_DATABASE_URL"] = f"sqlite:///{folder}/cached.db"
        crawl(mirror, env, "-s", "HTTPCACHE_ENABLED=1")
        before = len(mirror.requests)
        wall, stats, log = crawl(mirror, env, "-s", "HTTPCACHE_ENABLED=1")
        again = mirror.requests[before:]
        unchanged = re.search(r"drome run (\w+): .*?(\d+) unchanged", log)

    first_pages = len(pages)
    kinds = Counter(
        ("robots.txt" if r.path == "/robots.txt" else "listing page", r.status) for r in again
    )
    print(f"# Crawl benchmark: {args.items} items, {first_pages} listing pages of {args.page_size}")
    print(
        f"\n{platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs; Drôme spider (listing pages only: the source has no detail pages)\n"
    )
    print("| crawl | items | Scrapy elapsed (s) | process wall time (s) | items/s (wall) |")
    print("|---|---:|---:|---:|---:|")
    for name, items, seconds, wall, rate in rows:
        print(f"| {name} | {items} | {seconds:.2f} | {wall:.2f} | {rate:,.0f} |")
    print(f"\nFull pipeline / bare Scrapy: **{full / bare:.0%}** (target: at least 50 %)\n")
    print(
        f"Then `funding enrich` over the {args.items} stored items (what `funding crawl` runs after "
        f"the crawls): {enriched:.1f} s; crawl and enrichment together: "
        f"{args.items / (args.items / full + enriched):,.0f} items/s.\n"
    )
    print("Re-crawl of the unchanged mirror, HTTP cache on (conditional requests):\n")
    print("| request | answer | count | body bytes sent |")
    print("|---|---:|---:|---:|")
    for (kind, status), count in sorted(kinds.items()):
        sent = sum(
            r.sent
            for r in again
            if r.status == status
            and ("robots.txt" if r.path == "/robots.txt" else "listing page") == kind
        )
        print(f"| {kind} | {status} | {count} | {sent} |")
    conditional = sum(1 for r in again if r.headers.get("If-None-Match"))
    print(
        f"\n{len(again)} requests ({conditional} conditional), "
        f"{sum(r.sent for r in again)} body bytes; the first crawl took {first_pages + 1} "
        f"requests and {sum(len(b) for b in pages.values())} bytes. Run: "
        f"{unchanged.group(1) if unchanged else '?'}, "
        f"{unchanged.group(2) if unchanged else '?'} unchanged."
    )
    mirror.stop()


if __name__ == "__main__":
    main()
