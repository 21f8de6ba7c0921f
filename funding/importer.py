"""`funding import`: JSON Lines or CSV in the contract format, validated record by record, stored in batches."""

import csv
import gzip
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine
from sqlmodel import Session

from funding.records import RecordError, raw_hash, to_row, validate_record
from funding.store import finish_run, known_hashes, start_run, upsert_many

LIST_FIELDS = {"deadlines", "applicant_types", "applicant_countries", "intervention_zones", "themes"}
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

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged + self.rejected

    def count(self, outcome: str) -> None:
        name = {"insert": "inserted", "update": "updated", "noop": "unchanged"}[outcome]
        setattr(self, name, getattr(self, name) + 1)

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
    with _open(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, RecordError([("", f"not valid JSON ({exc.msg} at column {exc.colno})")])


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
                yield line, {k: v for k, v in ((k, _cell(k, v)) for k, v in row.items()) if v is not None}
            line = reader.line_num + 1


def import_file(
    engine: Engine,
    path: Path,
    *,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import one file; good records are stored, bad ones reported with their line and field."""
    report = ImportReport()
    with Session(engine, expire_on_commit=False) as session:
        run = start_run(session, "import", kind="file")
        session.commit()
        run_id, changed_by = run.id, f"import:{path.name}"
        batch: list[tuple[int, dict, str]] = []
        batch_ids: set[Any] = set()

        def flush() -> None:
            _store_batch(session, batch, report, path.name, run_id, changed_by)
            session.commit()
            if progress:
                progress(len(batch))
            batch.clear()
            batch_ids.clear()

        for line, record in read_records(path):
            if isinstance(record, RecordError):
                report.rejected += 1
                report.rejections.append(Rejection(path.name, line, str(record)))
                continue
            record_id = record.get("id") if isinstance(record, dict) else None
            if isinstance(record_id, str) and record_id in batch_ids:
                flush()
            batch_ids.add(record_id if isinstance(record_id, str) else None)
            batch.append((line, record, raw_hash(record)))
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
        counts = {"items_seen": report.total, "inserted": report.inserted, "updated": report.updated,
                  "unchanged": report.unchanged, "rejected": report.rejected}  # fmt: skip
        finish_run(session, run, counts=counts, message=str(path))
        session.commit()
    return report


def _store_batch(
    session: Session,
    batch: list[tuple[int, Any, str]],
    report: ImportReport,
    file: str,
    run_id: int | None,
    changed_by: str,
) -> None:
    ids = [r.get("id") for _, r, _ in batch if isinstance(r, dict) and isinstance(r.get("id"), str)]
    known = known_hashes(session, ids)
    rows, hashes = [], []
    for line, record, digest in batch:
        stored = known.get(record.get("id")) if isinstance(record, dict) else None
        if stored is not None and stored[0] == digest:
            report.unchanged += 1
            continue
        try:
            rows.append(to_row(validate_record(record)))
            hashes.append(digest)
        except RecordError as exc:
            report.rejected += 1
            report.rejections.append(Rejection(file, line, str(exc)))
    for outcome in upsert_many(
        session, rows, raw_hashes=hashes, changed_by=changed_by, source_run_id=run_id
    ):
        report.count(outcome)


def count_records(path: Path) -> int:
    """How many lines a file has, for the progress bar."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        return sum(1 for _ in handle)
