"""`funding match` gives the same top 10 on SQLite and PostgreSQL for the same data.

The same calls in the same order: candidates come from each database's own full-text index (FTS5
or tsvector), but every call is then scored from its own facts, with the same word frequencies
(capped alike on both) and the same embeddings (the snapshot's, compared in numpy).
"""

import json
from datetime import date
from pathlib import Path

from sqlmodel import Session

from funding.enrich import embeddings as model
from funding.ingest.snapshot import load_embeddings, load_snapshot
from funding.matching import match
from funding.store.db import make_engine, upgrade

ROOT = Path(__file__).parents[2]
PROFILES = [
    *sorted((ROOT / "benchmarks" / "matching" / "profiles").glob("*.json")),
    *sorted((ROOT.parent / "shared" / "eval" / "profiles").glob("pd0[1-4].json")),
]
AS_OF = date(2026, 3, 1)


def _top10(url: str) -> dict[str, list[str]]:
    engine = make_engine(url)
    upgrade(engine)
    report = load_snapshot(engine)  # the same 590 real records on both (enrichment left out: speed)
    out = {}
    with Session(engine) as session:
        load_embeddings(session)
        assert model.embed_calls(session, report.changed_ids) == 0  # the shipped vectors
        for path in PROFILES:
            profile = json.loads(path.read_text("utf-8"))
            out[path.stem] = [
                m.opportunity.id for m in match(session, profile, as_of=AS_OF, limit=10)
            ]
    engine.dispose()
    return out


def test_top_10_are_the_same_on_both_databases(tmp_path, postgres_url, embeddings):
    on_sqlite = _top10(f"sqlite:///{tmp_path / 'snapshot.db'}")
    on_postgres = _top10(postgres_url)
    assert len(on_sqlite) == len(PROFILES) >= 10
    for name, top in on_sqlite.items():
        assert len(top) >= 5, name
        assert on_postgres[name] == top, name
