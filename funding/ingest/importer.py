"""`funding import`: JSON Lines or CSV in the contract format, validated record by record, stored in batches."""

import csv
import gzip
import io
import itertools
import json
import re
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from sqlalchemy import Engine
from sqlmodel import Session

from funding.contracts.fields import CONTRACT_FIELDS, LIST_FIELDS
from funding.contracts.records import RecordError, raw_hash, to_row, validate_record
from funding.ingest.background import Background, can_run_in_parallel
from funding.store.opportunities import (
    OUTCOME_COUNTS,
    finish_run,
    known_hashes,
    start_run,
    sync_fulltext,
    upsert_many,
)

CONTRACT_TEXT = set(CONTRACT_FIELDS) - LIST_FIELDS  # fields that hold one value


@dataclass
class Rejection:
    file: str
    line: int | None  # None: the file as a whole (not a gzip file)
    reason: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}: {self.reason}"
        return f"{self.file}: line {self.line}: {self.reason}"


@dataclass
class ImportReport:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    changed_ids: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # read, but worth saying (repeated ids...)

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged + self.rejected

    def count(self, outcome: str) -> None:
        name = OUTCOME_COUNTS[outcome]
        setattr(self, name, getattr(self, name) + 1)

    def reject(self, file: str, line: int | None, reason: str) -> None:
        self.rejected += 1
        self.rejections.append(Rejection(file, line, reason))

    def summary(self) -> str:
        return (
            f"{self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.rejected} rejected"
        )


class FileProblem(RecordError):
    """The file itself cannot be read (further): not gzip, cut off; what came before is kept."""

    def __init__(self, reason: str, *, whole_file: bool = False):
        self.whole_file = whole_file
        super().__init__([("", reason)])


# What a damaged .gz raises while it is read: not gzip at all, cut off, or corrupt data.
_GZIP_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error)


def _gzip_problem(exc: Exception, started: bool) -> FileProblem:
    if isinstance(exc, gzip.BadGzipFile) and not started:
        return FileProblem(f"not a gzip file ({exc})", whole_file=True)
    if isinstance(exc, EOFError):
        return FileProblem(
            "the compressed file is cut off here; the lines after it could not be read"
        )
    return FileProblem(f"the compressed file is damaged here ({exc}); the rest could not be read")


def _open_bytes(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")


def _format_of(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    if suffixes and suffixes[-1] == ".csv":
        return "csv"
    if suffixes and suffixes[-1] in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    with _open_bytes(path) as handle:
        start = handle.read(1024).removeprefix(b"\xef\xbb\xbf").lstrip()
    return "jsonl" if start.startswith(b"{") else "csv"


def read_records(path: Path, notes: list[str] | None = None) -> Iterator[tuple[int | None, Any]]:
    """(line number, record or RecordError) for every record of a JSON Lines or CSV file.

    A damaged .gz ends the file with a FileProblem at the line where reading stopped (None: the
    file as a whole); `notes` receives what is worth saying about a file that was read.
    """
    line = 0
    try:
        reader = _read_csv(path, notes) if _format_of(path) == "csv" else _read_jsonl(path)
        for line, record in reader:
            yield line, record
    except _GZIP_ERRORS as exc:
        problem = _gzip_problem(exc, started=line > 0)
        yield (None if problem.whole_file else line + 1), problem


def _read_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    with _open_bytes(path) as handle:
        for number, line in enumerate(handle, start=1):
            if number == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")
            if not line.strip():
                continue
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                reason = f"not UTF-8 (byte 0x{line[exc.start]:02X} at column {exc.start + 1})"
                yield number, RecordError([("", f"{reason}: save the file as UTF-8")])
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


_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # a byte that was not UTF-8, kept by surrogateescape


def _not_utf8(row: dict[str, str | None]) -> RecordError | None:
    """The cells holding bytes that are not UTF-8, named (the rest of the file is fine)."""
    bad = []
    for name, value in row.items():
        found = _NOT_UTF8.search(value or "") if isinstance(value, str) else None
        if found:
            byte = ord(found.group()) - 0xDC00
            bad.append((name or "", f"not UTF-8 (byte 0x{byte:02X}): save the file as UTF-8"))
    return RecordError(bad) if bad else None


def _read_csv(path: Path, notes: list[str] | None) -> Iterator[tuple[int, Any]]:
    with io.TextIOWrapper(
        _open_bytes(path), encoding="utf-8-sig", errors="surrogateescape", newline=""
    ) as handle:
        header = handle.readline()
        delimiter = ","
        if "," not in header and ";" in header:
            delimiter = ";"
            if notes is not None:
                notes.append(f"{path.name}: read as ';'-separated (the header line has no comma)")
        reader = csv.DictReader(itertools.chain([header], handle), delimiter=delimiter)
        if reader.fieldnames is None:
            return
        while True:
            line = reader.line_num + 1  # where the next row starts (the header is line 1)
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield line, RecordError([("", f"not readable as CSV ({exc})")])
                continue
            problem = _not_utf8(row)
            if problem is not None:
                yield line, problem
            elif None in row:
                yield line, RecordError([("", f"{len(row[None])} more cells than column names")])
            else:
                yield (
                    line,
                    {k: v for k, v in ((k, _cell(k, v)) for k, v in row.items()) if v is not None},
                )


Item = tuple[int, Any, str]  # (line, record as read, digest of the record as read)

# Files larger than this are normalised in a worker process while the main one writes.
PARALLEL_FROM_BYTES = 2_000_000
# Full-text indexing runs in bulk every this many records (and at the end).
INDEX_EVERY = 5_000


def _batches(path: Path, size: int, report: ImportReport) -> Iterator[list[Item]]:
    """Batches of readable records, cut early so that no batch holds the same id twice; an id
    repeated in the file is noted (the last one wins)."""
    batch: list[Item] = []
    ids: set[str] = set()
    first_line: dict[str, int] = {}
    for line, record in read_records(path, report.notes):
        if isinstance(record, RecordError):
            report.reject(path.name, line, str(record))
            continue
        record_id = record.get("id") if isinstance(record, dict) else None
        if isinstance(record_id, str):
            if record_id in ids:
                yield batch
                batch, ids = [], set()
            ids.add(record_id)
            earlier = first_line.setdefault(record_id, line)
            if earlier != line:
                report.notes.append(
                    f"{path.name}: line {line}: id {record_id} repeats line {earlier}; "
                    "the last one wins"
                )
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
        counts = {
            "items_seen": report.total,
            "inserted": report.inserted,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": report.rejected,
        }
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
        record_id = record.get("id") if isinstance(record, dict) else None
        stored = known.get(record_id) if isinstance(record_id, str) else None
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
    """How many lines a file has, for the progress bar (those readable, for a damaged .gz)."""
    count = 0
    try:
        with _open_bytes(path) as handle:
            for _ in handle:
                count += 1
    except _GZIP_ERRORS:
        pass
    return count
