"""`funding import`: JSON Lines or CSV in the contract format, validated record by record, stored in batches."""

import csv
import gzip
import io
import json
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from sqlalchemy import Engine
from sqlmodel import Session

from funding.background import Background, can_run_in_parallel
from funding.records import RecordError, raw_hash, to_row, validate_record
from funding.store import (
    OUTCOME_COUNTS,
    finish_run,
    known_hashes,
    start_run,
    sync_fulltext,
    upsert_many,
)

LIST_FIELDS = {
    "deadlines",
    "applicant_types",
    "applicant_countries",
    "intervention_zones",
    "themes",
}
CONTRACT_TEXT = {
    "id", "source", "url", "title", "summary", "eligibility_text", "funder", "programme",
    "language", "instrument", "status", "opens_on", "recurrence", "currency", "amount_min",
    "amount_max", "total_budget", "cofinancing_rate_max", "partnership_required", "min_partners",
}  # fmt: skip


@dataclass
class Rejection:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: line {self.line}: {self.reason}"


@dataclass
class ImportReport:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    changed_ids: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged + self.rejected

    def count(self, outcome: str) -> None:
        name = OUTCOME_COUNTS[outcome]
        setattr(self, name, getattr(self, name) + 1)

    def reject(self, file: str, line: int, reason: str) -> None:
        self.rejected += 1
        self.rejections.append(Rejection(file, line, reason))

    def summary(self) -> str:
        return (
            f"{self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.rejected} rejected"
        )


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path), encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def _format_of(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    if suffixes and suffixes[-1] == ".csv":
        return "csv"
    if suffixes and suffixes[-1] in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    with _open(path) as handle:
        return "jsonl" if handle.read(1024).lstrip().startswith("{") else "csv"


def read_records(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, record or RecordError) for every record of a JSON Lines or CSV file."""
    if _format_of(path) == "csv":
        yield from _read_csv(path)
        return
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            if number == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")
            if not line.strip():
                continue
            try:
                yield number, orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield (
                    number,
                    RecordError([("", f"not valid JSON ({exc.msg} at column {exc.colno})")]),
                )


def _cell(name: str, value: str | None) -> Any:
    if value is None or value.strip() == "":
        return None
    if name in CONTRACT_TEXT:
        return value
    if name in LIST_FIELDS and not value.lstrip().startswith("["):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _read_csv(path: Path) -> Iterator[tuple[int, Any]]:
    with _open(path) as handle:
        reader = csv.DictReader(handle)
        line = reader.line_num + 1
        for row in reader:
            if None in row:
                yield line, RecordError([("", f"{len(row[None])} more cells than column names")])
            else:
                yield (
                    line,
                    {k: v for k, v in ((k, _cell(k, v)) for k, v in row.items()) if v is not None},
                )
            line = reader.line_num + 1


Item = tuple[int, Any, str]  # (line, record as read, digest of the record as read)

# Files larger than this are normalised in a worker process while the main one writes.
PARALLEL_FROM_BYTES = 2_000_000
# Full-text indexing runs in bulk every this many records (and at the end).
INDEX_EVERY = 5_000


def _batches(path: Path, size: int, report: ImportReport) -> Iterator[list[Item]]:
    """Batches of readable records, cut early so that no batch holds the same id twice."""
    batch: list[Item] = []
    ids: set[str] = set()
    for line, record in read_records(path):
        if isinstance(record, RecordError):
            report.reject(path.name, line, str(record))
            continue
        record_id = record.get("id") if isinstance(record, dict) else None
        if isinstance(record_id, str):
            if record_id in ids:
                yield batch
                batch, ids = [], set()
            ids.add(record_id)
        batch.append((line, record, raw_hash(record)))
        if len(batch) >= size:
            yield batch
            batch, ids = [], set()
    if batch:
        yield batch


def normalise_items(items: list[Item]) -> list[tuple[int, dict | str, str]]:
    """Validate and normalise records: (line, row or the reason it was rejected, digest)."""
    out: list[tuple[int, dict | str, str]] = []
    for line, record, digest in items:
        try:
            out.append((line, to_row(validate_record(record)), digest))
        except RecordError as exc:
            out.append((line, str(exc), digest))
    return out


def import_file(
    engine: Engine,
    path: Path,
    *,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
    parallel: bool | None = None,
) -> ImportReport:
    """Import one file; good records are stored, bad ones reported with their line and field.

    Unchanged records (same digest as stored) are counted and skipped before any work; the others
    are normalised (in a worker process for large files, while the previous batch is written) and
    stored in one short transaction per batch; full-text indexing runs in bulk every INDEX_EVERY.
    """
    report = ImportReport()
    if parallel is None:
        parallel = can_run_in_parallel() and path.stat().st_size >= PARALLEL_FROM_BYTES
    normaliser = Background(parallel)
    with Session(engine, expire_on_commit=False) as session:
        run = start_run(session, "import", kind="file")
        session.commit()
        changed_by = f"import:{path.name}"
        pending: deque = deque()
        unindexed = 0

        def write() -> None:
            nonlocal unindexed
            job, size = pending.popleft()
            _store(session, job.result() if job else [], report, path.name, run.id, changed_by)
            unindexed += size
            if unindexed >= INDEX_EVERY or not pending:
                sync_fulltext(session)
                unindexed = 0
            session.commit()
            if progress:
                progress(size)

        try:
            for batch in _batches(path, batch_size, report):
                todo = _unknown(session, batch, report)  # all unchanged: nothing to send
                job = normaliser.submit(normalise_items, todo) if todo else None
                pending.append((job, len(batch)))
                if len(pending) > 1:
                    write()
            while pending:
                write()
        finally:
            normaliser.close()
        counts = {"items_seen": report.total, "inserted": report.inserted, "updated": report.updated,
                  "unchanged": report.unchanged, "rejected": report.rejected}  # fmt: skip
        finish_run(session, run, counts=counts, message=str(path))
        session.commit()
    return report


def _unknown(session: Session, batch: list[Item], report: ImportReport) -> list[Item]:
    """The records of a batch that differ from what is stored, as received; the rest count as unchanged."""
    ids = [r.get("id") for _, r, _ in batch if isinstance(r, dict) and isinstance(r.get("id"), str)]
    known = known_hashes(session, ids)
    todo = []
    for item in batch:
        record, digest = item[1], item[2]
        stored = known.get(record.get("id")) if isinstance(record, dict) else None
        if stored is not None and stored[0] == digest:
            report.unchanged += 1
        else:
            todo.append(item)
    return todo


def _store(
    session: Session,
    results: list[tuple[int, dict | str, str]],
    report: ImportReport,
    file: str,
    run_id: int | None,
    changed_by: str,
) -> None:
    rows, hashes = [], []
    for line, row, digest in results:
        if isinstance(row, str):
            report.reject(file, line, row)
        else:
            rows.append(row)
            hashes.append(digest)
    outcomes = upsert_many(
        session, rows, raw_hashes=hashes, changed_by=changed_by, source_run_id=run_id
    )
    for row, outcome in zip(rows, outcomes, strict=True):
        report.count(outcome)
        if outcome != "noop":
            report.changed_ids.append(row["id"])


def count_records(path: Path) -> int:
    """How many lines a file has, for the progress bar."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        return sum(1 for _ in handle)
