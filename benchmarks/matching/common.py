"""Shared pieces of the matching benchmarks: the dev database, the profiles, plain BM25."""

import csv
import json
import math
import os
from collections import defaultdict
from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from funding.ingest.snapshot import prepare_database
from funding.normalize import fold
from funding.store.db import make_engine
from funding.store.opportunities import sync_fulltext

HERE = Path(__file__).parent
PROFILES = HERE / "profiles"
JUDGMENTS = HERE / "judgments.csv"
AS_OF = date(2026, 3, 1)  # the day the dev set is judged for: most snapshot calls still open
STOP = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "dans",
        "de",
        "des",
        "du",
        "en",
        "et",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "ou",
        "par",
        "pour",
        "sur",
        "un",
        "une",
        "nos",
        "notre",
        "est",
        "sont",
        "qui",
        "que",
        "the",
        "and",
        "for",
        "with",
        "from",
        "into",
        "our",
        "their",
        "of",
        "to",
        "in",
        "on",
        "by",
        "an",
        "as",
        "at",
        "is",
        "are",
        "be",
        "this",
        "that",
        "will",
    ]
)


def dev_engine():
    """The snapshot (590 real records), loaded and enriched once into a file under /tmp."""
    path = Path(os.environ.get("MATCH_BENCH_DB", "/tmp/funding_match_dev.db"))
    engine = make_engine(f"sqlite:///{path}")
    prepare_database(engine)
    return engine


def profiles() -> dict[str, dict]:
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(PROFILES.glob("*.json"))
    }


def bm25_words(profile: dict) -> list[str]:
    """Plain BM25's query: the profile's themes, keywords and project text, as written."""
    words = " ".join(
        [*profile.get("themes", []), *profile.get("keywords", []), profile.get("project", "")]
    )
    return list(dict.fromkeys(w for w in fold(words).split() if len(w) > 1 and w not in STOP))


def bm25(session: Session, profile: dict, *, limit: int = 50) -> list[str]:
    """FTS5 BM25 over title, summary and eligibility for an OR of the profile's words."""
    sync_fulltext(session)
    query = " OR ".join(f'"{w}"' for w in bm25_words(profile))
    rows = session.execute(
        text(
            "SELECT o.id FROM opportunity_fts JOIN opportunity o ON o.rowid = opportunity_fts.rowid "
            "WHERE opportunity_fts MATCH :q AND o.merged_into IS NULL "
            "ORDER BY bm25(opportunity_fts), o.id LIMIT :n"
        ),
        {"q": query, "n": limit},
    )
    return [r[0] for r in rows]


def judgments() -> dict[str, dict[str, int]]:
    grades: dict[str, dict[str, int]] = defaultdict(dict)
    with JUDGMENTS.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            grades[row["profile"]][row["opportunity_id"]] = int(row["grade"])
    return grades


def ndcg(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    gain = sum((2 ** grades.get(i, 0) - 1) / math.log2(r + 2) for r, i in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum((2**g - 1) / math.log2(r + 2) for r, g in enumerate(ideal))
    return gain / best if best else 0.0


def precision(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    return sum(grades.get(i, 0) >= 2 for i in ranked[:k]) / k
