"""Speed of `match` against 1,000, 10,000 and 100,000 opportunities, next to one FTS5 BM25 top-50
query, and what the embeddings cost.

    .venv/bin/python -m benchmarks.matching.speed [--sizes 1000 10000 100000] [--runs 21] [--embed 60]

The databases are made from the snapshot by varying ids and dates, imported with
funding.ingest.importer.import_file and given the snapshot's embeddings (kept under /tmp between runs).
A profile's own text is embedded once and kept (funding.enrich.embeddings.embed_query): the table times
the engine with its query vector known, and says apart what embedding a new profile costs. --embed
N times the model on N snapshot calls, one at a time, on one core (enrichment's cost per record).
Prints markdown tables.
"""

import argparse
import gzip
import json
import statistics
import time
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path

from sqlmodel import Session

from benchmarks.matching.common import bm25, profiles
from funding.enrich import embeddings
from funding.ingest.importer import import_file
from funding.ingest.snapshot import load_embeddings
from funding.matching import match
from funding.matching.profile import parse_profile
from funding.matching.query import build_query
from funding.store.db import make_engine, upgrade
from funding.store.opportunities import count_opportunities, sync_fulltext

AS_OF = date(2026, 3, 1)


def _shift(value: str, days: int) -> str:
    return (date.fromisoformat(value) + timedelta(days=days)).isoformat()


def build(size: int, path: Path | None = None) -> Path:
    """A database of `size` opportunities: snapshot records with new ids and shifted dates."""
    path = path or Path(f"/tmp/funding_match_speed_{size}.db")
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with Session(engine) as session:
        if count_opportunities(session) >= size:
            return path
    source = files("funding") / "data" / "snapshot.jsonl.gz"
    with gzip.open(str(source), "rt", encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    data = path.with_suffix(".jsonl")
    with data.open("w", encoding="utf-8") as out:
        for k in range(size):
            record = dict(records[k % len(records)])
            copy = k // len(records)
            if copy:
                record["id"] = f"{record['id']}~{copy}"
                days = 7 * (copy % 80) - 280
                if record.get("deadlines"):
                    record["deadlines"] = [_shift(d, days) for d in record["deadlines"]]
                if record.get("opens_on"):
                    record["opens_on"] = _shift(record["opens_on"], days)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    import_file(engine, data, batch_size=2000)
    with Session(engine) as session:
        sync_fulltext(session)
        session.commit()
        load_embeddings(session)
        embeddings.embed_calls(session)  # the copies share the snapshot's texts: nothing to compute
    return path


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def measure(path: Path, runs: int) -> tuple[tuple[float, float], tuple[float, float]]:
    engine = make_engine(f"sqlite:///{path}")
    chosen = list(profiles().values())
    ours, base = [], []
    with Session(engine) as session:
        for p in chosen:  # warm the page cache and the vocabularies
            match(session, p, as_of=AS_OF, limit=50)
            bm25(session, p, limit=50)
        for i in range(runs):
            p = chosen[i % len(chosen)]
            t = time.perf_counter()
            bm25(session, p, limit=50)
            base.append(time.perf_counter() - t)
            t = time.perf_counter()
            match(session, p, as_of=AS_OF, limit=50)
            ours.append(time.perf_counter() - t)
    engine.dispose()
    return _percentiles(ours), _percentiles(base)


def embedding_costs(count: int) -> None:
    """The model's cost: per call text at enrichment (one at a time), per new profile."""
    source = files("funding") / "data" / "snapshot.jsonl.gz"
    with gzip.open(str(source), "rt", encoding="utf-8") as f:
        records = [json.loads(line) for _, line in zip(range(count), f, strict=False)]
    texts = [embeddings.call_text(r["title"], r.get("summary")) for r in records]
    embeddings.embed_passages(texts[:1])  # load the model
    timings = []
    for text in texts:
        t = time.perf_counter()
        embeddings.embed_passages([text])
        timings.append(time.perf_counter() - t)
    queries = []
    for profile in profiles().values():
        text = build_query(parse_profile(profile)).semantic_text
        t = time.perf_counter()
        embeddings._QUERIES.pop(text, None)
        embeddings.embed_query(text)
        queries.append(time.perf_counter() - t)
    (c50, c95), (q50, q95) = _percentiles(timings), _percentiles(queries)
    print("\n| embedding | p50 (ms) | p95 (ms) |\n|---|---:|---:|")
    print(f"| a call's text at enrichment ({count} calls, one core) | {c50:.1f} | {c95:.1f} |")
    print(f"| a new profile's text (then kept) | {q50:.1f} | {q95:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000, 100000])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument(
        "--embed", type=int, default=60, help="calls to time the model on (0: none)"
    )
    args = parser.parse_args()
    if args.embed:
        embedding_costs(args.embed)
    print(
        "| opportunities | match p50 (ms) | match p95 (ms) | FTS5 BM25 top-50 p50 (ms) | BM25 p95 (ms) | ratio p50 |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        (m50, m95), (b50, b95) = measure(build(size), args.runs)
        print(
            f"| {size:,} | {m50:.1f} | {m95:.1f} | {b50:.1f} | {b95:.1f} | {m50 / b50:.1f}x |",
            flush=True,
        )


if __name__ == "__main__":
    main()
