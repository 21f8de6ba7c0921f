"""The bundled snapshot of real funder data, loaded on first run so the app is useful offline."""

from importlib.resources import as_file, files
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from funding.db import upgrade
from funding.enrich import enrich
from funding.importer import ImportReport, import_file
from funding.store import count_opportunities, sync_fulltext

SNAPSHOT = files("funding") / "data" / "snapshot.jsonl.gz"


def load_snapshot(engine: Engine) -> ImportReport:
    with as_file(SNAPSHOT) as path:
        return import_file(engine, Path(path))


def prepare_database(engine: Engine, *, load: bool = True) -> ImportReport | None:
    """Bring the schema up to date and, on an empty database, load the snapshot and enrich it."""
    upgrade(engine)
    with Session(engine) as session:
        sync_fulltext(session)  # rows a crashed writer queued but never indexed
        session.commit()
        if not load or count_opportunities(session) > 0:
            return None
    report = load_snapshot(engine)
    with Session(engine, expire_on_commit=False) as session:
        enrich(session, report.changed_ids)
    return report
