"""Scale: where SQLite stops being enough. Concurrent writers and search latency, SQLite vs PostgreSQL.

For K = 1, 2, 4, 8 writer processes (each upserting batches of 100 records made from the bundled
snapshot with new ids, one short transaction per batch, as a crawl does) for a fixed time, on a
SQLite file and on a fresh PostgreSQL schema, it reports the rows stored per second, the batches
that failed (e.g. "database is locked") and the batch latency, and, from one more process, the
latency of a full-text search (funding.store.opportunities.search_ids) while the writers run (K = 0: no writer).

Rows are validated and normalised (records.to_row(validate_record(r))) once, before the writers
start, so the numbers measure the database, not the 0.5 ms per item of validation a crawl adds.

--enrich: each writer enriches every batch it stored (funding.enrich.enrichment: extraction, then the merge
of cross-source duplicates involving those calls), as `funding crawl` does after a crawl; every
writer lists the snapshot's calls under a source of its own, so the batches are near-duplicates
of each other and of the prefilled calls. A failed batch is then a failed store or enrichment;
the table adds the enrichments' p95 and the review rows or history entries found twice.

Usage: python -m benchmarks.scale_benchmark [--quick] [--seconds 15] [--prefill 20000]
       [--writers 1,2,4,8] [--postgres-url postgresql://postgres@127.0.0.1:5432/test] [--no-postgres]
       [--no-sqlite] [--postgres-revision 0009] [--enrich]
       python -m benchmarks.scale_benchmark --fulltext [--rows 1200]
--fulltext measures only what PostgreSQL's generated full-text column costs an insert: one writer
stores the same new rows with 0006's functions (revision 0009), with 0010's, and with the column
dropped, and reports rows/s and the server's CPU per row (read from /proc when PostgreSQL runs on
this machine).
The PostgreSQL URL defaults to FUNDING_TEST_DATABASE_URL; a schema of its own is created through
?options=-csearch_path%3D<schema> and dropped at the end.
"""

import argparse
import gzip
import json
import math
import multiprocessing as mp
import os
import platform
import sys
import tempfile
import time
import traceback
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from funding.contracts.records import to_row, validate_record
from funding.ingest.snapshot import SNAPSHOT
from funding.store.db import make_engine, upgrade
from funding.store.opportunities import count_opportunities, search_ids, sync_fulltext, upsert_many

BATCH = 100
QUERIES = [
    "eau",
    "climat",
    "innovation",
    "santé",
    "agriculture durable",
    "formation",
    "énergie",
    "women",
    "research",
    "education",
    "biodiversité",
    "numérique",
]


def base_rows() -> list[dict]:
    """The snapshot's records, validated and normalised once."""
    with gzip.open(SNAPSHOT, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    return [to_row(validate_record(r)) for r in records]


def batch_of(rows: list[dict], tag: str, start: int) -> list[dict]:
    """BATCH rows with new ids (tag + counter): every upsert is a first insert, history included."""
    return [
        {
            **rows[(start + j) % len(rows)],
            "id": f"{rows[(start + j) % len(rows)]['id']}~{tag}{start + j}",
        }
        for j in range(BATCH)
    ]


def write_batch(session: Session, rows: list[dict]) -> None:
    upsert_many(session, rows, changed_by="benchmark")
    sync_fulltext(session)  # the FTS5 queue is indexed in the writer's transaction (no-op on PG)
    session.commit()


def writer(
    url: str,
    rows: list[dict],
    tag: str,
    start_at: float,
    stop_at: float,
    out,
    enriching: bool = False,
) -> None:
    from funding.enrich.enrichment import enrich

    engine = make_engine(url)
    stored, errors, latencies, messages, enrichments = 0, 0, [], [], []
    counter = 0
    while time.time() < start_at:
        time.sleep(0.005)
    with Session(engine, expire_on_commit=False) as session:
        while time.time() < stop_at:
            batch = batch_of(rows, tag, counter)
            if enriching:  # the same calls, listed by this writer's own source
                batch = [{**row, "source": f"bench-{tag.rstrip('-')}"} for row in batch]
            counter += BATCH
            began = time.perf_counter()
            try:
                write_batch(session, batch)
                stored += len(batch)
                if enriching:
                    enriched = time.perf_counter()
                    enrich(session, [row["id"] for row in batch])
                    enrichments.append(time.perf_counter() - enriched)
            except Exception as exc:  # noqa: BLE001 - counted and reported
                session.rollback()
                errors += 1
                if len(messages) < 3:
                    messages.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}")
            latencies.append(time.perf_counter() - began)
    engine.dispose()
    out.put(("writer", stored, errors, latencies, messages, enrichments))


def reader(url: str, start_at: float, stop_at: float, out) -> None:
    engine = make_engine(url)
    latencies, errors, messages, i = [], 0, [], 0
    while time.time() < start_at:
        time.sleep(0.005)
    while time.time() < stop_at:
        query = QUERIES[i % len(QUERIES)]
        i += 1
        began = time.perf_counter()
        try:
            with Session(engine) as session:
                search_ids(session, query, limit=50)
                session.commit()  # search_ids may index queued rows on SQLite
        except Exception as exc:  # noqa: BLE001
            errors += 1
            if len(messages) < 3:
                messages.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}")
        latencies.append(time.perf_counter() - began)
        time.sleep(0.05)  # a user, not a flood: about 15-20 searches a second at most
    engine.dispose()
    out.put(("reader", len(latencies), errors, latencies, messages, []))


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def twice(url: str) -> int:
    """Review rows and history entries found twice (must be 0): extractions, suggestions, fills."""
    groups = [
        "extraction GROUP BY opportunity_id, field, value_key",
        "merge WHERE status = 'suggested' GROUP BY keep_id, duplicate_id",
        "field_change WHERE changed_by = 'extract' GROUP BY opportunity_id, field",
    ]
    queries = [f"SELECT count(*) FROM (SELECT 1 FROM {g} HAVING count(*) > 1) AS t" for g in groups]
    engine = make_engine(url)
    with engine.connect() as connection:
        found = sum(connection.execute(text(q)).scalar() for q in queries)
    engine.dispose()
    return found


def phase(
    url: str, rows: list[dict], k: int, seconds: float, run_tag: str, enriching: bool = False
) -> dict:
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    start_at = time.time() + 1.5  # every process connected before the clock starts
    stop_at = start_at + seconds
    procs = [
        ctx.Process(
            target=writer,
            args=(url, rows, f"{run_tag}k{k}w{w}-", start_at, stop_at, out, enriching),
        )
        for w in range(k)
    ]
    procs.append(ctx.Process(target=reader, args=(url, start_at, stop_at, out)))
    for p in procs:
        p.start()
    results = [out.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    writers = [r for r in results if r[0] == "writer"]
    (read,) = [r for r in results if r[0] == "reader"]
    batch_lat = [x for r in writers for x in r[3]]
    enrich_lat = [x for r in writers for x in r[5]]
    return {
        "enrich_p95": pct(enrich_lat, 0.95),
        "twice": twice(url) if enriching else 0,
        "k": k,
        "rows_s": sum(r[1] for r in writers) / seconds,
        "errors": sum(r[2] for r in writers),
        "batches": len(batch_lat),
        "batch_p50": pct(batch_lat, 0.5),
        "batch_p95": pct(batch_lat, 0.95),
        "batch_max": max(batch_lat) if batch_lat else float("nan"),
        "searches": read[1],
        "search_errors": read[2],
        "search_p50": pct(read[3], 0.5),
        "search_p95": pct(read[3], 0.95),
        "search_max": max(read[3]) if read[3] else float("nan"),
        "messages": [m for r in results for m in r[4]][:3],
    }


def prefill(url: str, rows: list[dict], count: int, revision: str = "head") -> float:
    engine = make_engine(url)
    upgrade(engine, revision)
    began = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        for start in range(0, count, BATCH):
            write_batch(session, batch_of(rows, "pre", start)[: count - start])
    elapsed = time.perf_counter() - began
    with Session(engine) as session:
        total = count_opportunities(session)
    engine.dispose()
    print(
        f"  prefilled {total} opportunities in {elapsed:.1f} s ({count / elapsed:,.0f} rows/s, one writer)"
    )
    return elapsed


def run_backend(name: str, url: str, rows: list[dict], args) -> list[dict]:
    print(f"\n== {name}: prefill {args.prefill}, then {args.seconds:.0f} s per K ==", flush=True)
    prefill(url, rows, args.prefill, args.postgres_revision if name == "PostgreSQL" else "head")
    results = []
    tag = uuid.uuid4().hex[:4]
    for k in [0, *args.writers]:
        r = phase(url, rows, k, args.seconds, tag, args.enrich)
        r["backend"] = name
        results.append(r)
        print(
            f"  K={k}: {r['rows_s']:,.0f} rows/s, {r['errors']} failed batches, batch p95 "
            f"{r['batch_p95'] * 1000:.0f} ms, search p50/p95 {r['search_p50'] * 1000:.0f}/"
            f"{r['search_p95'] * 1000:.0f} ms ({r['search_errors']} errors)",
            flush=True,
        )
        for message in r["messages"]:
            print(f"     ! {message}")
    engine = make_engine(url)
    with Session(engine) as session:
        print(f"  {count_opportunities(session)} opportunities at the end")
    engine.dispose()
    return results


PREVIOUS_FULLTEXT = "0009"  # the last revision computing opportunity.fulltext with 0006's functions


def _backend_cpu(pid: int) -> float | None:
    """Seconds of CPU the PostgreSQL backend has used (None when it is not on this machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fulltext_cost(base: str, rows: list[dict], count: int) -> None:
    """One writer, `count` new rows in batches of BATCH, on a fresh schema per variant."""
    print(f"\n== PostgreSQL insert cost of the full-text column: {count} new rows, one writer ==")
    variants = [
        (f"0006's functions (revision {PREVIOUS_FULLTEXT})", PREVIOUS_FULLTEXT, False),
        ("0010's functions (head)", "head", False),
        ("no full-text column", "head", True),
    ]
    for label, revision, drop in variants:
        schema = f"scale_{uuid.uuid4().hex[:10]}"
        admin = make_engine(base)
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        sep = "&" if "?" in base else "?"
        engine = make_engine(f"{base}{sep}options=-csearch_path%3D{schema}")
        try:
            upgrade(engine, revision)
            with engine.connect() as connection:
                if drop:
                    connection.execute(text("ALTER TABLE opportunity DROP COLUMN fulltext"))
                pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
                connection.commit()
                with Session(bind=connection, expire_on_commit=False) as session:
                    cpu, began = _backend_cpu(pid), time.perf_counter()
                    for start in range(0, count, BATCH):
                        write_batch(session, batch_of(rows, "ft", start)[: count - start])
                    elapsed, cpu_after = time.perf_counter() - began, _backend_cpu(pid)
                document = ""
                if not drop:  # the document function alone, over the rows just stored
                    doc_cpu, doc_began = _backend_cpu(pid), time.perf_counter()
                    connection.execute(
                        text(
                            "SELECT sum(length(funding_document(title, summary_plain, eligibility_plain)))"
                            " FROM opportunity"
                        )
                    ).scalar()
                    doc_wall, doc_after = time.perf_counter() - doc_began, _backend_cpu(pid)
                    doc = (doc_after - doc_cpu) if doc_cpu is not None else doc_wall
                    document = f", funding_document alone {doc / count * 1000:.2f} ms/row"
                connection.rollback()
            server = (
                f", server CPU {(cpu_after - cpu) / count * 1000:.2f} ms/row"
                if cpu is not None
                else ""
            )
            print(f"  {label}: {count / elapsed:,.0f} rows/s{server}{document}", flush=True)
        finally:
            engine.dispose()
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            admin.dispose()


def ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value * 1000:,.0f}"  # NaN: no writer


def table(results: list[dict], enriching: bool = False) -> str:
    extra = " enrich p95 (ms) | found twice |" if enriching else ""
    lines = [
        "| database | writers K | rows/s (total) | failed batches | batch p50 / p95 / max (ms) "
        "| search p50 / p95 / max (ms) | search errors |" + extra,
        "|---|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if enriching else ""),
    ]
    for r in results:
        more = f" {ms(r['enrich_p95'])} | {r['twice']} |" if enriching else ""
        lines.append(
            f"| {r['backend']} | {r['k']} | {r['rows_s']:,.0f} | {r['errors']} / {r['batches']} | "
            f"{ms(r['batch_p50'])} / {ms(r['batch_p95'])} / {ms(r['batch_max'])} | "
            f"{ms(r['search_p50'])} / {ms(r['search_p95'])} / {ms(r['search_max'])} | "
            f"{r['search_errors']} / {r['searches']} |" + more
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about one minute in all")
    parser.add_argument("--seconds", type=float, help="per writer count (default 15; quick: 4)")
    parser.add_argument(
        "--prefill", type=int, help="opportunities stored first (20000; quick: 3000)"
    )
    parser.add_argument("--writers", default="1,2,4,8")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "FUNDING_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument(
        "--postgres-revision",
        default="head",
        help=f"migrate PostgreSQL only this far (e.g. {PREVIOUS_FULLTEXT}: before 0010)",
    )
    parser.add_argument(
        "--fulltext",
        action="store_true",
        help="only the insert cost of PostgreSQL's full-text column, before and after 0010",
    )
    parser.add_argument("--rows", type=int, default=1200, help="rows stored per --fulltext variant")
    parser.add_argument(
        "--enrich",
        action="store_true",
        help="each writer enriches what it stored, on near-duplicate data",
    )
    args = parser.parse_args()
    if args.fulltext:
        fulltext_cost(args.postgres_url, base_rows(), args.rows)
        return
    args.seconds = args.seconds or (4.0 if args.quick else 15.0)
    args.prefill = args.prefill if args.prefill is not None else (3_000 if args.quick else 20_000)
    args.writers = [int(k) for k in args.writers.split(",")]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
        f"load average {load:.2f}; batches of {BATCH}, one transaction each"
    )
    rows = base_rows()
    results: list[dict] = []
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            results += run_backend("SQLite", f"sqlite:///{Path(tmp) / 'scale.db'}", rows, args)
    if not args.no_postgres:
        schema = f"scale_{uuid.uuid4().hex[:10]}"
        base = args.postgres_url
        admin = make_engine(base)
        try:
            with admin.begin() as connection:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
            sep = "&" if "?" in base else "?"
            url = f"{base}{sep}options=-csearch_path%3D{schema}"
            results += run_backend("PostgreSQL", url, rows, args)
        except Exception:  # noqa: BLE001 - SQLite numbers are still worth printing
            traceback.print_exc()
            print("PostgreSQL part failed (is it running? --no-postgres skips it)", file=sys.stderr)
        finally:
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            admin.dispose()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"\nload average at the end {load:.2f}; search = one search_ids (limit 50) while K "
        "writers run; 'failed batches' = exceptions (e.g. database is locked) / batches tried\n"
    )
    print(table(results, args.enrich))


if __name__ == "__main__":
    main()
