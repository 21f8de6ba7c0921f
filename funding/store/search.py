"""The store's searches for the matching engine, on SQLite and PostgreSQL: candidates from the
full-text index, how many calls each word is found in, the calls' facts, and their embeddings
(nearest calls to a profile's meaning, computed in numpy so both databases answer alike)."""

import json
from typing import Any

import numpy as np
from sqlalchemy import JSON, Text, bindparam, case, func, text, type_coerce
from sqlmodel import Session, col, select

from funding.normalize import fold
from funding.normalize.words import stem
from funding.store.models import Embedding, Extraction, Opportunity
from funding.store.opportunities import PG_DOCUMENT, sync_fulltext

SUMMARY_CHARS = 3000  # what the relevance reads of a summary (and of an eligibility text)


# Full-text candidates -------------------------------------------------------------------------


def _fts5_term(word: str) -> str | None:
    """Exact tokens (singular and plural): a prefix query scans far more of the index."""
    parts = fold(word).split()
    if not parts:
        return None
    if len(parts) == 1:
        root = stem(parts[0])
        forms = dict.fromkeys(
            (parts[0], root, root + "s", root + "x" if root.endswith(("au", "eu")) else root)
        )
        return " OR ".join(f'"{f}"' for f in forms)
    return '"' + " ".join(parts) + '"'


def _pg_term(word: str) -> list[str]:
    """The same exact forms as on SQLite (singular and plurals; a phrase word by word), so both
    databases match the same calls."""
    parts = fold(word).split()  # word characters only, as to_tsquery wants them
    if not parts:
        return []
    if len(parts) == 1:
        root = stem(parts[0])
        forms = dict.fromkeys(
            (parts[0], root, root + "s", root + "x" if root.endswith(("au", "eu")) else root)
        )
        return ["(" + " | ".join(f"{f}:ABC" for f in forms) + ")"]  # A-C: the words, not stems
    return ["(" + " <-> ".join(f"{p}:ABC" for p in parts) + ")"]


def fts_query(words: tuple[str, ...], dialect: str) -> str:
    """An OR of the words, in the dialect's full-text syntax."""
    if dialect == "postgresql":
        return " | ".join(t for w in words for t in _pg_term(w))
    return " OR ".join(t for w in words if (t := _fts5_term(w)))


# The best matches ranked in the index alone (merged calls left out by their rowids), and only
# those, with every tie of the n-th rank (the ids break ties), looked up in the table.
_FTS5_TOP = text(
    "WITH m AS MATERIALIZED ("
    "SELECT rowid AS r, bm25(opportunity_fts, 10.0, 2.0, 1.0) AS b FROM opportunity_fts "
    "WHERE opportunity_fts MATCH :q "
    "AND rowid NOT IN (SELECT rowid FROM opportunity WHERE merged_into IS NOT NULL)) "
    "SELECT o.id FROM m JOIN opportunity o ON o.rowid = m.r "
    "WHERE m.b <= coalesce((SELECT b FROM m ORDER BY b LIMIT 1 OFFSET :n - 1), 1e308) "
    "ORDER BY m.b, o.id LIMIT :n"
)


def fulltext_candidates(
    session: Session,
    words: list[str],
    *,
    limit: int,
    extra_sql: str = "",
    params: dict | None = None,
) -> list[str]:
    """Ids of the listed calls best matching an OR of the words (title weighted), by the index's
    own rank; extra_sql narrows them (an AND condition on the table, alias o on SQLite)."""
    dialect = session.get_bind().dialect.name
    query = fts_query(tuple(words), dialect) if words else ""
    if not query:
        return []
    values = {**(params or {}), "q": query, "n": limit}
    if dialect == "postgresql":
        # The words as written (the 'simple' lexemes), as FTS5 holds them: the same calls match
        # on both databases (the document's French and English stems would match more here).
        exact = "to_tsquery('simple', funding_fold(:q))"
        statement = text(
            f"SELECT id FROM opportunity o WHERE {PG_DOCUMENT} @@ {exact} "
            f"AND merged_into IS NULL {extra_sql} "
            f"ORDER BY ts_rank({PG_DOCUMENT}, {exact}) DESC, id LIMIT :n"
        )
    elif extra_sql:
        sync_fulltext(session)
        statement = text(
            "SELECT o.id FROM opportunity_fts JOIN opportunity o ON o.rowid = opportunity_fts.rowid "
            f"WHERE opportunity_fts MATCH :q AND o.merged_into IS NULL {extra_sql} "
            "ORDER BY bm25(opportunity_fts, 10.0, 2.0, 1.0), o.id LIMIT :n"
        )
    else:
        sync_fulltext(session)
        statement = _FTS5_TOP
    return [row[0] for row in session.execute(statement, values).all()]


# How many calls a word is found in ---------------------------------------------------------


def _forms(word: str) -> tuple[tuple[str, ...], ...]:
    """The index tokens a word is counted by: one tuple per phrase word, its singular and plurals."""
    parts = fold(word).split()
    if len(parts) == 1:
        root = stem(parts[0])
        return (tuple(dict.fromkeys((parts[0], root, root + "s", root + "x"))),)
    return tuple((p,) for p in parts)


# Kept: `python -m benchmarks.cache_benchmark --workloads match` (7 profiles ranked twice over
# 10,000 calls, CPU): without it the second pass 0.93 → 1.27 s.
_COUNTS: dict[str, Any] = {}  # "key" (database, index version), "terms": token -> count


def _version(session: Session) -> tuple:
    """What changes whenever the calls or their index change (counts are kept until then)."""
    url = str(session.get_bind().url)
    if session.get_bind().dialect.name == "postgresql":
        row = session.execute(
            text("SELECT count(*), max(last_changed_at), max(last_seen_at) FROM opportunity")
        ).one()
        return (url, *row)
    sync_fulltext(session)
    row = session.execute(
        text(
            "SELECT (SELECT block FROM opportunity_fts_data WHERE id = 10), "
            "(SELECT max(rowid) FROM opportunity), (SELECT count(*) FROM opportunity)"
        )
    ).one()
    return (url, *row)


def document_frequencies(
    session: Session, words: list[str], *, cap: float
) -> tuple[dict[str, int], int]:
    """(word -> how many calls it is found in, at most `cap` of them (a share); how many calls).

    A word counts as its singular or plural; a phrase as its rarest word. SQLite reads the FTS5
    vocabulary (fts5vocab), PostgreSQL counts the matches of each token up to the cap; both are
    kept until the calls change, and both give the same numbers.
    """
    version = _version(session)
    total = int(version[-1] if session.get_bind().dialect.name == "sqlite" else version[1] or 0)
    limit = max(1, int(cap * total))
    if _COUNTS.get("key") != version:
        _COUNTS.clear()
        _COUNTS["key"] = version
    # token -> (count, the limit it was counted up to): a count below its limit is exact
    cached: dict[str, tuple[int, int]] = _COUNTS.setdefault("terms", {})
    forms = {w: parts for w in words if (parts := _forms(w))}
    wanted = sorted(
        t
        for t in {t for parts in forms.values() for part in parts for t in part}
        if t not in cached or (cached[t][0] >= cached[t][1] and cached[t][1] < limit)
    )
    if wanted:
        found = dict.fromkeys(wanted, 0)
        found.update(_count_tokens(session, wanted, limit))
        if len(cached) > 100_000:
            cached.clear()
        cached.update((t, (n, limit)) for t, n in found.items())
    counts = {
        word: min(
            limit, min(sum(cached[t][0] if t in cached else 0 for t in part) for part in parts)
        )
        for word, parts in forms.items()
    }
    return counts, total


def _count_tokens(session: Session, tokens: list[str], limit: int) -> dict[str, int]:
    if session.get_bind().dialect.name == "postgresql":
        params: dict[str, Any] = {"cap": limit}
        columns = []
        for i, token in enumerate(tokens):
            params[f"t{i}"] = token
            columns.append(
                f"(SELECT count(*) FROM (SELECT 1 FROM opportunity WHERE {PG_DOCUMENT} @@ "
                f"to_tsquery('simple', quote_literal(:t{i}) || '\\:ABC') LIMIT :cap) AS m{i})"
            )
        row = session.execute(text("SELECT " + ", ".join(columns)), params).one()
        return dict(zip(tokens, (int(v) for v in row), strict=True))
    session.execute(
        text(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.funding_fts_vocab "
            "USING fts5vocab(main, opportunity_fts, row)"
        )
    )
    rows = session.execute(
        text(
            "SELECT term, doc FROM temp.funding_fts_vocab "
            "WHERE term IN (SELECT value FROM json_each(:terms))"
        ),
        {"terms": json.dumps(tokens)},
    ).all()
    return {term: min(limit, int(doc)) for term, doc in rows}


# The calls' columns ---------------------------------------------------------------------------


def _from_json(value: str | None) -> Any:
    return None if value is None else json.loads(value)


class _JSONText(Text):
    """A JSON column SQLite hands over as text, parsed once."""

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        return _from_json


def _columns_query(dialect: str, names: tuple[str, ...]) -> Any:
    """Some columns of the calls whose ids are given (parameter "ids"): the long texts to their
    first SUMMARY_CHARS characters, the raw eligibility only where there is no plain one."""
    columns = []
    for name in names:
        column = getattr(Opportunity, name)
        if name in ("summary_plain", "eligibility_plain"):
            column = func.substr(column, 1, SUMMARY_CHARS)
        elif name == "eligibility_text":
            column = case(
                (
                    func.coalesce(Opportunity.eligibility_plain, "") == "",
                    func.substr(column, 1, SUMMARY_CHARS),
                )
            )
        elif dialect == "sqlite" and isinstance(column.type, JSON):
            column = type_coerce(column, _JSONText)
        columns.append(column.label(name))
    return select(*columns).where(col(Opportunity.id).in_(bindparam("ids", expanding=True)))


def read_columns(session: Session, ids: list[str], names: tuple[str, ...]) -> list[Any]:
    """Rows of some columns of the given calls (in no particular order)."""
    statement = _columns_query(session.get_bind().dialect.name, names)
    found: list[Any] = []
    for start in range(0, len(ids), 900):
        found.extend(session.execute(statement, {"ids": ids[start : start + 900]}).all())
    return found


def content_hashes(session: Session, ids: list[str]) -> dict[str, str]:
    """id -> content hash of the given calls (what a cache of their facts is keyed by)."""
    found: dict[str, str] = {}
    query = (
        text(
            "SELECT id, content_hash FROM opportunity WHERE id IN (SELECT value FROM "
            "json_each(:ids))"
        )
        if session.get_bind().dialect.name == "sqlite"
        else None
    )
    for start in range(0, len(ids), 900):
        part = ids[start : start + 900]
        if query is not None:
            rows = session.execute(query, {"ids": json.dumps(part)}).all()
        else:
            rows = session.execute(
                select(Opportunity.id, Opportunity.content_hash).where(
                    col(Opportunity.id).in_(part)
                )
            ).all()
        found.update((r[0], r[1]) for r in rows)
    return found


def extracted_snippets(session: Session, ids: list[str]) -> dict[str, dict[str, str]]:
    """id -> field -> the sentence an applied extracted value was read from."""
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(ids), 900):
        query = (
            select(Extraction.opportunity_id, Extraction.field, Extraction.snippet)
            .where(col(Extraction.opportunity_id).in_(ids[start : start + 900]))
            .where(Extraction.applied == True)
        )
        for opportunity_id, name, snippet in session.exec(query):
            found.setdefault(opportunity_id, {})[name] = snippet
    return found


def listed_ids(session: Session, *, limit: int) -> list[str]:
    """Listed calls (not merged away), when a profile gives no word to search with."""
    query = select(Opportunity.id).where(col(Opportunity.merged_into).is_(None))
    return list(session.exec(query.order_by(Opportunity.id).limit(limit)))


# Embeddings -----------------------------------------------------------------------------------


def store_embeddings(session: Session, vectors: dict[str, np.ndarray], model: str) -> None:
    """Keep embeddings by the key of the text they were computed from (a text is embedded once)."""
    if not vectors:
        return
    known = set(session.exec(select(Embedding.key).where(col(Embedding.key).in_(list(vectors)))))
    for key, vector in vectors.items():
        if key not in known:
            session.add(
                Embedding(
                    key=key, model=model, vector=np.asarray(vector, dtype=np.float16).tobytes()
                )
            )


def embedding_of(session: Session, key: str) -> np.ndarray | None:
    found = session.get(Embedding, key)
    return (
        None if found is None else np.frombuffer(found.vector, dtype=np.float16).astype(np.float32)
    )


# Kept: `python -m benchmarks.cache_benchmark --workloads match` (7 profiles ranked twice over
# 10,000 calls, CPU): without it 5.4 → 7.0 s the first pass, 0.93 → 3.5 s the second.
_MATRIX: dict[str, Any] = {}


def embedding_matrix(session: Session) -> tuple[list[str], list[str], np.ndarray]:
    """(ids, embedding keys, unit vectors as rows) of every listed call with an embedding, read
    once and kept until the calls change."""
    version = (_version(session), session.execute(text("SELECT count(*) FROM embedding")).scalar())
    if _MATRIX.get("key") == version:
        return _MATRIX["ids"], _MATRIX["keys"], _MATRIX["matrix"]
    rows = session.execute(
        text(
            "SELECT o.id, e.key, e.vector FROM opportunity o JOIN embedding e "
            "ON e.key = o.embedding_key WHERE o.merged_into IS NULL ORDER BY o.id"
        )
    ).all()
    ids = [r[0] for r in rows]
    keys = [r[1] for r in rows]
    if rows:
        matrix = np.frombuffer(b"".join(bytes(r[2]) for r in rows), dtype=np.float16)
        matrix = matrix.reshape(len(rows), -1).astype(np.float32)
    else:
        matrix = np.zeros((0, 0), dtype=np.float32)
    _MATRIX.update(key=version, ids=ids, keys=keys, matrix=matrix)
    return ids, keys, matrix


def nearest(session: Session, vector: np.ndarray, *, limit: int) -> list[tuple[str, float]]:
    """(id, cosine similarity) of the listed calls whose meaning is nearest a unit vector."""
    ids, _, matrix = embedding_matrix(session)
    if not ids:
        return []
    scores = matrix @ vector.astype(np.float32)
    top = np.argpartition(-scores, min(limit, len(ids)) - 1)[:limit]
    return sorted(((ids[i], float(scores[i])) for i in top), key=lambda x: (-x[1], x[0]))


def similarities(session: Session, vector: np.ndarray, ids: list[str]) -> dict[str, float]:
    """id -> cosine similarity with a unit vector, for the given calls that have an embedding."""
    all_ids, _, matrix = embedding_matrix(session)
    if not all_ids:
        return {}
    index = _MATRIX.setdefault("index", {})
    if index.get("for") is not all_ids:
        index.clear()
        index.update({"for": all_ids, "rows": {i: n for n, i in enumerate(all_ids)}})
    rows = index["rows"]
    wanted = [(i, rows[i]) for i in ids if i in rows]
    if not wanted:
        return {}
    scores = matrix[[n for _, n in wanted]] @ vector.astype(np.float32)
    return {i: float(s) for (i, _), s in zip(wanted, scores, strict=True)}
