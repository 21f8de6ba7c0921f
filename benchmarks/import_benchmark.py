"""Import throughput: 100,000 records made from the bundled snapshot (ids and dates varied).

Measures a first import, a re-import of the same file (all unchanged) and, as floors, a bare
sqlite3 executemany of the same normalised rows into a table of the same columns, then the same
with their text indexed by FTS5 as the store does, in one run.
Usage: python -m benchmarks.import_benchmark [--records 100000] [--database-url URL]
"""

import argparse
import gzip
import json
import platform
import sqlite3
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.schema import CreateTable

from funding.contracts.records import to_row, validate_record
from funding.ingest.importer import import_file
from funding.ingest.run import INDEX_EVERY
from funding.ingest.snapshot import SNAPSHOT
from funding.store.db import make_engine, upgrade
from funding.store.models import Opportunity


def make_records(count: int) -> list[dict]:
    """Real records with new ids and deadlines shifted by up to a year."""
    with gzip.open(SNAPSHOT, "rt", encoding="utf-8") as handle:
        real = [json.loads(line) for line in handle]
    records = []
    for i in range(count):
        record = dict(real[i % len(real)])
        record["id"] = f"{record['id']}~{i}"
        shift = timedelta(days=i % 365)
        if record.get("deadlines"):
            record["deadlines"] = [
                (date.fromisoformat(d) + shift).isoformat() if d[:4].isdigit() else d
                for d in record["deadlines"]
            ]
        records.append(record)
    return records


def bare_sqlite(rows: list[dict], path: Path) -> tuple[float, float]:
    """Seconds for a plain executemany of the rows into a table with the opportunity's columns,
    then for indexing them in FTS5 as the store does (the least a searchable import costs)."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    engine = make_engine(f"sqlite:///{path}")
    connection.execute(str(CreateTable(Opportunity.__table__).compile(engine)))
    columns = [c.name for c in Opportunity.__table__.columns]
    values = [
        tuple(
            json.dumps(row.get(c))
            if isinstance(row.get(c), list | dict)
            else (row.get(c).isoformat() if hasattr(row.get(c), "isoformat") else row.get(c))
            for c in columns
        )
        for row in rows
    ]
    sql = f"INSERT INTO opportunity ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    start = time.perf_counter()
    for i in range(0, len(values), 500):
        connection.executemany(sql, values[i : i + 500])
        connection.commit()
    elapsed = time.perf_counter() - start
    # The floor with search: the same rows indexed by FTS5 as the store indexes them (migration 0001).
    connection.execute(
        "CREATE VIRTUAL TABLE opportunity_fts USING fts5(title, summary_plain, eligibility_plain, "
        "content='opportunity', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')"
    )
    start = time.perf_counter()
    for i in range(0, len(values), INDEX_EVERY):
        connection.execute(
            "INSERT INTO opportunity_fts(rowid, title, summary_plain, eligibility_plain) "
            "SELECT rowid, title, summary_plain, eligibility_plain FROM opportunity "
            "WHERE rowid > ? AND rowid <= ?",
            (i, i + INDEX_EVERY),
        )
        connection.commit()
    indexing = time.perf_counter() - start
    connection.close()
    return elapsed, indexing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a new SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        records = make_records(args.records)
        source = folder / "records.jsonl"
        with source.open("w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        size_mb = source.stat().st_size / 1e6
        engine = make_engine(args.database_url or f"sqlite:///{folder / 'bench.db'}")
        upgrade(engine)

        start = time.perf_counter()
        first = import_file(engine, source)
        first_s = time.perf_counter() - start
        start = time.perf_counter()
        again = import_file(engine, source)
        again_s = time.perf_counter() - start
        assert first.inserted == args.records and again.unchanged == args.records, (first, again)

        rows = []
        for record in records:
            row = to_row(validate_record(record))
            rows.append(
                {
                    **row,
                    "first_seen_at": "2026-01-01",
                    "last_seen_at": "2026-01-01",
                    "last_changed_at": "2026-01-01",
                }
            )
        bare_s, fts_s = bare_sqlite(rows, folder / "bare.db")

    n = args.records
    print(f"# Import benchmark ({n:,} records, {size_mb:.0f} MB JSON Lines)")
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"database {engine.dialect.name}"
    )
    print()
    print("| run | seconds | records/s |")
    print("|---|---:|---:|")
    print(
        f"| first import (validate, normalise, insert, history, full-text index) | {first_s:.1f} | {n / first_s:,.0f} |"
    )
    print(f"| re-import, all unchanged | {again_s:.1f} | {n / again_s:,.0f} |")
    print(
        f"| bare sqlite3 executemany of the same rows (no FTS, no checks) | {bare_s:.1f} | {n / bare_s:,.0f} |"
    )
    both = bare_s + fts_s
    print(
        f"| the same, then FTS5 indexing of their text (the floor of a searchable import) | {both:.1f} | {n / both:,.0f} |"
    )
    print()
    print(f"re-import is {first_s / again_s:.1f}x faster than the first import")


if __name__ == "__main__":
    main()
