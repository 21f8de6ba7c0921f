"""`funding match` gives the same top 10 on SQLite and PostgreSQL for the same data.

The same calls in the same order; scores may differ by a few points, since the full-text rank that
enters them is BM25 on SQLite and ts_rank on PostgreSQL.
"""

import json
from datetime import date
from pathlib import Path

from sqlmodel import Session

from funding.db import make_engine, upgrade
from funding.matching import match
from funding.snapshot import load_snapshot

PROFILES = sorted((Path(__file__).parents[2] / "bench" / "matching" / "profiles").glob("*.json"))
AS_OF = date(2026, 3, 1)


def _top10(url: str) -> dict[str, list[str]]:
    engine = make_engine(url)
    upgrade(engine)
    load_snapshot(engine)  # the same 590 real records on both (enrichment left out: speed)
    out = {}
    with Session(engine) as session:
        for path in PROFILES:
            profile = json.loads(path.read_text("utf-8"))
            out[path.stem] = [m.opportunity.id for m in match(session, profile, as_of=AS_OF, limit=10)]
    engine.dispose()
    return out


def test_top_10_are_the_same_on_both_databases(tmp_path, postgres_url):
    on_sqlite = _top10(f"sqlite:///{tmp_path / 'snapshot.db'}")
    on_postgres = _top10(postgres_url)
    assert len(on_sqlite) == len(PROFILES) >= 3
    for name, top in on_sqlite.items():
        assert len(top) >= 5, name
        assert on_postgres[name] == top, name
