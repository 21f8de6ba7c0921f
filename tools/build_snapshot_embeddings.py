"""Embed the bundled snapshot's calls once, so a new installation does not run the model on them.

Imports funding/data/snapshot.jsonl.gz into a throw-away SQLite database as `funding serve` does,
embeds every call's text with funding.enrich.embeddings (multilingual-e5-small, about 0.1 s a record) and
writes the vectors, keyed by the hash of the text they come from, to
funding/data/snapshot_embeddings.npz (float16). Run it again whenever the snapshot or the text a
call is embedded from (funding.enrich.embeddings.call_text) changes; a record whose key is not in the file
is simply embedded at first start.

    .venv/bin/python tools/build_snapshot_embeddings.py
"""

import tempfile
from pathlib import Path

import numpy as np
from sqlmodel import Session, select

from funding.enrich import embeddings
from funding.ingest.snapshot import SNAPSHOT_EMBEDDINGS, load_snapshot
from funding.store.db import make_engine, upgrade
from funding.store.models import Embedding


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'snapshot.db'}")
        upgrade(engine)
        report = load_snapshot(engine)
        with Session(engine) as session:
            count = embeddings.embed_calls(session, report.changed_ids)
            rows = session.exec(
                select(Embedding.key, Embedding.vector).order_by(Embedding.key)
            ).all()
        engine.dispose()
    keys = np.array([k for k, _ in rows])
    vectors = np.stack([np.frombuffer(v, dtype=np.float16) for _, v in rows])
    target = Path(str(SNAPSHOT_EMBEDDINGS))
    np.savez_compressed(target, keys=keys, vectors=vectors, model=np.array(embeddings.MODEL))
    print(f"{count} texts embedded, {len(keys)} vectors written to {target}")


if __name__ == "__main__":
    main()
