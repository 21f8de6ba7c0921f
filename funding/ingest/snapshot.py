"""The bundled snapshot of real funder data, loaded on first run so the app is useful offline."""

from importlib.resources import as_file, files
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from funding.enrich import embeddings
from funding.enrich.enrichment import enrich
from funding.ingest.importer import import_file
from funding.ingest.run import ImportReport
from funding.store.db import upgrade
from funding.store.opportunities import count_opportunities, sync_fulltext

SNAPSHOT = files("funding") / "data" / "snapshot.jsonl.gz"
# The snapshot's embeddings, computed once (tools/build_snapshot_embeddings.py): a new installation
# loads them instead of running the model on 590 calls (about a minute).
SNAPSHOT_EMBEDDINGS = files("funding") / "data" / "snapshot_embeddings.npz"


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
        if embeddings.enabled():
            load_embeddings(session)
        enrich(session, report.changed_ids)
    return report


def load_embeddings(session: Session) -> int:
    """Store the snapshot's precomputed embeddings (those not stored yet); how many were added."""
    import numpy as np

    from funding.store.search import store_embeddings

    with as_file(SNAPSHOT_EMBEDDINGS) as path:
        if not Path(path).exists():
            return 0
        found = np.load(path)
        if str(found["model"]) != embeddings.MODEL:
            return 0
        vectors = dict(zip((str(k) for k in found["keys"]), found["vectors"], strict=True))
    store_embeddings(session, vectors, embeddings.MODEL)
    session.commit()
    return len(vectors)
