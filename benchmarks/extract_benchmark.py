"""Extraction throughput: `funding.enrich.extract.extract` over the 590 real records of the snapshot.

Records are validated and converted to rows first (not timed); then every row goes through
`extract`, best of a few repetitions, reported in records per second.
Usage: python -m benchmarks.extract_benchmark [--repeat 3] [--dump FILE]
`--dump FILE` writes every record's extractions as sorted JSON, to diff one version against another.
"""

import argparse
import gzip
import json
import platform
import time
from importlib.resources import as_file
from typing import Any

from funding.contracts.records import to_row, validate_record
from funding.enrich.extract import extract
from funding.ingest.snapshot import SNAPSHOT


def load_rows() -> list[dict[str, Any]]:
    with as_file(SNAPSHOT) as path, gzip.open(path, "rt", encoding="utf-8") as handle:
        return [to_row(validate_record(json.loads(line))) for line in handle if line.strip()]


def dump(rows: list[dict[str, Any]], path: str) -> None:
    """Every record's extractions, keyed by id, in a stable JSON form."""
    found = {row["id"]: [list(e) for e in extract(row)] for row in rows}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(found, handle, ensure_ascii=False, sort_keys=True, indent=1, default=str)
        handle.write("\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dump", metavar="FILE", help="write every record's extractions as JSON")
    args = parser.parse_args()

    rows = load_rows()
    if args.dump:
        dump(rows, args.dump)
    extract(rows[0])  # vocabularies and patterns loaded once, outside the timing
    best = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        for row in rows:
            extract(row)
        best = min(best, time.perf_counter() - started)
    print(f"python {platform.python_version()}, {len(rows)} records")
    print(
        f"extract: {best:.3f} s, {len(rows) / best:,.0f} records/s ({best / len(rows) * 1000:.2f} ms/record)"
    )


if __name__ == "__main__":
    main()
