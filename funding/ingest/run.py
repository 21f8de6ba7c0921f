"""IngestRun: the one way records come in, for `funding import`, a crawl and the bundled snapshot.

validate → skip unchanged (raw hash) → normalise → upsert → count → close: one SourceRun per run,
records stored in batches of distinct ids, each batch in one short transaction, in the caller's
process: a writer process that stored batches while the crawl parsed (or the import read) no
longer paid and is gone (docs/benchmarks.md, "One way in": crawl and import with and without it).
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from funding.contracts.records import OpportunityRecord, RecordError, to_row, validate_record
from funding.store.health import FillCounter
from funding.store.models import SourceRun
from funding.store.opportunities import (
    OUTCOME_COUNTS,
    finish_run,
    known_hashes,
    start_run,
    sync_fulltext,
    upsert_many,
)

# Full-text indexing runs in bulk every this many stored records (and at the end of the run).
INDEX_EVERY = 5_000


@dataclass
class Rejection:
    file: str
    line: int | None  # None: the file as a whole (not a gzip file), or a crawled page
    reason: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}: {self.reason}"
        return f"{self.file}: line {self.line}: {self.reason}"


@dataclass
class ImportReport:
    """What a run did with the records it was given."""

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

    def counts(self) -> dict[str, int]:
        """The counts a SourceRun keeps."""
        return {
            "items_seen": self.total,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }

    def summary(self) -> str:
        return (
            f"{self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.rejected} rejected"
        )


# One item: where it was read (file line, or None), the record (as read, or already validated),
# and the digest of the record as read (raw_hash).
Item = tuple[int | None, Any, str]
# What became of it: where, outcome ("insert", "update", "noop", or "rejected"), and the row as
# stored (None when skipped as unchanged; the reason when rejected).
Stored = tuple[int | None, str, Any]


def store_items(
    engine: Engine,
    items: Sequence[Item],
    *,
    changed_by: str,
    source_run_id: int | None,
    seen_at: datetime | None = None,
    index: bool = False,
) -> list[Stored]:
    """Store one batch (distinct ids) in one transaction: skip unchanged, validate, normalise, upsert.

    A record whose raw hash is the stored one is not normalised again, unless a crawl saw it
    (`seen_at`): its last_seen_at and its source page must move, which upsert does.
    """
    out: list[Stored | None] = [None] * len(items)
    rows, digests, places = [], [], []
    with Session(engine, expire_on_commit=False) as session:
        known = {} if seen_at is not None else known_hashes(session, _ids(items))
        for n, (where, record, digest) in enumerate(items):
            stored = known.get(_id_of(record))
            if stored is not None and stored[0] == digest:
                out[n] = (where, "noop", None)
                continue
            try:
                valid = record if isinstance(record, OpportunityRecord) else validate_record(record)
            except RecordError as exc:
                out[n] = (where, "rejected", str(exc))
                continue
            rows.append(to_row(valid))
            digests.append(digest)
            places.append(n)
        outcomes = upsert_many(
            session,
            rows,
            raw_hashes=digests,
            changed_by=changed_by,
            source_run_id=source_run_id,
            seen_at=seen_at,
        )
        if index:
            sync_fulltext(session)
        session.commit()
    for n, row, outcome in zip(places, rows, outcomes, strict=True):
        out[n] = (items[n][0], outcome, row)
    return out  # type: ignore[return-value]


def _id_of(record: Any) -> str | None:
    if isinstance(record, OpportunityRecord):
        return record.id
    value = record.get("id") if isinstance(record, dict) else None
    return value if isinstance(value, str) else None


def _ids(items: Sequence[Item]) -> list[str]:
    return [i for i in (_id_of(record) for _, record, _ in items) if i is not None]


class IngestRun:
    """A SourceRun opened, records added one by one and stored in batches, the run closed.

    `add` cuts a batch at `batch_size` records, on an id already in the batch, or when the batch
    has waited `max_wait` seconds (a crawl's items trickle in); `close` stores the rest and
    finishes the SourceRun. A run opened by someone else (`run_id`: a shared crawl)
    is not closed here: its owner calls `store_the_rest` and reports elsewhere.
    A batch that fails to store does not stop the run: it is kept in `failures`, and the run ends
    "failed" with it.
    """

    def __init__(
        self,
        engine: Engine,
        source: str,
        *,
        kind: str,
        changed_by: str | None = None,
        seen_at: datetime | None = None,
        run_id: int | None = None,
        batch_size: int = 500,
        max_wait: float | None = None,
        file: str | None = None,
        on_batch: Callable[[list[Stored]], None] | None = None,
    ) -> None:
        self.engine = engine
        self.changed_by = changed_by or source
        self.file = file or source  # how a rejection names its place
        self.seen_at, self.batch_size, self.max_wait = seen_at, batch_size, max_wait
        self.on_batch = on_batch
        self.report = ImportReport()
        self.fill = FillCounter()
        self.failures: list[str] = []
        self.pending: list[Item] = []
        self.pending_ids: set[str] = set()
        self.unindexed = 0
        self.started = time.monotonic()
        if run_id is None:
            with Session(engine) as session:
                run_id = start_run(session, source, kind=kind).id
                session.commit()
        self.run_id = run_id

    def add(self, record: Any, digest: str, line: int | None = None) -> None:
        """A record (as read, or validated already) and the digest of what was read."""
        record_id = _id_of(record)
        if record_id is not None and record_id in self.pending_ids:
            self.flush()
        self.pending.append((line, record, digest))
        if record_id is not None:
            self.pending_ids.add(record_id)
        waited = time.monotonic() - self.started
        if len(self.pending) >= self.batch_size or (
            self.max_wait is not None and waited > self.max_wait
        ):
            self.flush()

    def reject(self, line: int | None, reason: str) -> None:
        """A record refused before it was added (unreadable, invalid)."""
        self.report.reject(self.file, line, reason)

    def flush(self) -> None:
        """Store the waiting records as one batch. A batch that fails is kept as a problem of the
        run (its records are not stored) and the run goes on."""
        batch, self.pending, self.pending_ids = self.pending, [], set()
        self.started = time.monotonic()
        if not batch:
            return
        self.unindexed += len(batch)
        index = self.unindexed >= INDEX_EVERY
        if index:
            self.unindexed = 0
        try:
            stored = store_items(
                self.engine,
                batch,
                changed_by=self.changed_by,
                source_run_id=self.run_id,
                seen_at=self.seen_at,
                index=index,
            )
        except Exception as exc:  # noqa: BLE001 - the run fails at its end with this reason
            self.failures.append(f"storing a batch of items failed: {exc}")
            return
        for line, outcome, fields in stored:
            if outcome == "rejected":
                self.reject(line, fields)
                continue
            self.report.count(outcome)
            if fields is None:  # skipped: the same as stored
                continue
            if outcome != "noop":
                self.report.changed_ids.append(fields["id"])
            if self.seen_at is not None:  # a crawl normalises every record: rates of all
                self.fill.add(fields)
        if self.on_batch:
            self.on_batch(stored)

    def store_the_rest(self) -> list[str]:
        """Store the last batch and index what is left; the batches that failed."""
        self.flush()
        with Session(self.engine) as session:
            sync_fulltext(session)
            session.commit()
        failures, self.failures = self.failures, []
        return failures

    def close(
        self,
        *,
        problems: Sequence[str] = (),
        skipped: str | None = None,
        message: str | None = None,
        errors: int = 0,
    ) -> SourceRun:
        """Store the rest and finish the SourceRun: "failed" with its problems and the batches
        that failed, else "skipped" or "ok"."""
        problems = [*problems, *self.store_the_rest()]
        with Session(self.engine, expire_on_commit=False) as session:
            run = session.get(SourceRun, self.run_id)
            finish_run(
                session,
                run,
                counts=self.report.counts(),
                status="failed" if problems else "skipped" if skipped else "ok",
                message="; ".join(problems) or skipped or message,
                errors=errors,
                fill_rates=self.fill.rates(),
            )
            session.commit()
        return run
