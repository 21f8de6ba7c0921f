"""`funding awards import`: the projects and participations files of a past-awards source, in
any order, read as `funding import` reads calls (JSON Lines or CSV, .gz, one bad line never
sinks the rest) and stored in batches, each record counted inserted, updated or unchanged."""

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from funding.awards.records import ParticipationRecord, ProjectRecord, validate_award
from funding.awards.store import store_participations, store_projects
from funding.contracts.records import RecordError
from funding.ingest.importer import read_records
from funding.ingest.run import ImportReport
from funding.store.opportunities import finish_run, start_run

BATCH = 2000


def import_awards(
    engine: Engine,
    path: Path,
    *,
    batch_size: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import one file of funded projects or participations (or both mixed); one transaction per batch."""
    report = ImportReport()
    with Session(engine, expire_on_commit=False) as session:
        run = start_run(session, "awards", kind="file")
        session.commit()
        batch: list[tuple[int, ProjectRecord | ParticipationRecord]] = []

        def write() -> None:
            projects = [r for _, r in batch if isinstance(r, ProjectRecord)]
            participations = [r for _, r in batch if isinstance(r, ParticipationRecord)]
            for outcome in store_projects(session, projects) if projects else []:
                report.count(outcome)
            for outcome in store_participations(session, participations) if participations else []:
                report.count(outcome)
            session.commit()
            if progress:
                progress(len(batch))
            batch.clear()

        for line, record in read_records(path, report.notes):
            if isinstance(record, RecordError):
                report.reject(path.name, line, str(record))
                continue
            try:
                batch.append((line, validate_award(record)))
            except RecordError as exc:
                report.reject(path.name, line, str(exc))
            if len(batch) >= batch_size:
                write()
        if batch:
            write()
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
