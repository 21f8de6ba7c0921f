"""`funding import`: JSON Lines or CSV in the contract format, read here, stored by an IngestRun."""

import csv
import gzip
import io
import itertools
import json
import re
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson
from sqlalchemy import Engine

from funding.contracts.fields import CONTRACT_FIELDS, LIST_FIELDS
from funding.contracts.records import RecordError, raw_hash
from funding.errors import FundingError
from funding.ingest.run import ImportReport, IngestRun

CONTRACT_TEXT = set(CONTRACT_FIELDS) - LIST_FIELDS  # fields that hold one value


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


def import_file(
    engine: Engine,
    path: Path,
    *,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import one file through an IngestRun; good records are stored, bad ones reported with
    their line and field. An id repeated in the file is noted (the last one wins).
    """
    run = IngestRun(
        engine,
        "import",
        kind="file",
        changed_by=f"import:{path.name}",
        batch_size=batch_size,
        file=path.name,
        on_batch=(lambda stored: progress(len(stored))) if progress else None,
    )
    notes = run.report.notes
    first_line: dict[str, int] = {}
    for line, record in read_records(path, notes):
        if isinstance(record, RecordError):
            run.reject(line, str(record))
            continue
        record_id = record.get("id") if isinstance(record, dict) else None
        if isinstance(record_id, str):
            earlier = first_line.setdefault(record_id, line)
            if earlier != line:
                notes.append(
                    f"{path.name}: line {line}: id {record_id} repeats line {earlier}; "
                    "the last one wins"
                )
        run.add(record, raw_hash(record), line)
    stored = run.close(message=str(path))
    if stored.status == "failed":
        raise ImportFailed(f"{path.name}: {stored.message}", run.report)
    return run.report


class ImportFailed(FundingError):
    """Some batches of a file could not be stored (the database refused them); the others were."""

    def __init__(self, message: str, report: ImportReport) -> None:
        super().__init__(message)
        self.report = report


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
