"""The same call listed by two sources becomes one: candidates, merges that can be undone, auto-merge.

Candidates come from blocks an index can answer (same last deadline, full-text match on the
title's distinctive words), never from comparing all pairs. A merge moves the duplicate's source
links to the kept opportunity, fills the kept one's empty fields with history, and marks the
duplicate `merged_into`; the `Merge` row remembers exactly what moved so `unmerge` can put it back.
Suggestions for staff are `Merge` rows with status "suggested".
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from rapidfuzz import fuzz, process
from sqlalchemy import or_, text, update
from sqlmodel import Session, col, select

from funding.normalize import fold
from funding.normalize.words import TITLE_STOPWORDS
from funding.store.db import TakingTurns
from funding.store.models import FieldChange, Merge, Opportunity, OpportunitySource, utcnow

AUTO_THRESHOLD = 95.0
SUGGEST_THRESHOLD = 75.0
_BLOCK_LIMIT = 5000
_TEXT_LIMIT = 200


class _Row(NamedTuple):
    id: str
    title: str
    funder: str | None
    deadlines: list[str] | None
    deadline_last: date | None
    amount_max: float | None
    source: str | None
    first_seen_at: datetime


_COLUMNS = (
    Opportunity.id,
    Opportunity.title,
    Opportunity.funder,
    Opportunity.deadlines,
    Opportunity.deadline_last,
    Opportunity.amount_max,
    Opportunity.source,
    Opportunity.first_seen_at,
)


@dataclass
class Candidate:
    """Another opportunity that may be the same call, how likely (0-100) and why."""

    opportunity_id: str
    score: float
    reasons: list[str] = field(default_factory=list)
    same_title: bool = False
    same_funder: bool = False
    same_deadline: bool = False
    same_source: bool = False


@dataclass
class AutoMergeResult:
    merged: list[Merge]
    suggested: list[Merge]


# Scoring ------------------------------------------------------------------------------------


def _dates(row: _Row) -> set[str]:
    days = set(row.deadlines or ())
    if row.deadline_last:
        days.add(row.deadline_last.isoformat())
    return days


# Kept: `python -m benchmarks.cache_benchmark --workloads dedup` (every pair of the dedup blocks of
# the 590 snapshot records scored, CPU): without it 49 → 77 ms.
@lru_cache(maxsize=65536)
def _folded(text: str) -> str:
    """fold(), once per text: a block of near-duplicates scores each title many times."""
    return fold(text)


def score_pair(a: _Row, b: _Row) -> Candidate:
    """How likely two listings are one call: title similarity, then deadline, funder and amount."""
    ta, tb = _folded(a.title), _folded(b.title)
    title = (fuzz.token_set_ratio(ta, tb) + fuzz.token_sort_ratio(ta, tb)) / 2
    candidate = Candidate(b.id, title, [f"titles {title:.0f}% alike"], same_title=ta == tb)
    adjust = 0.0
    if a.funder and b.funder:
        similarity = fuzz.token_set_ratio(_folded(a.funder), _folded(b.funder))
        if similarity >= 90:
            adjust += 5
            candidate.same_funder = True
            candidate.reasons.append("same funder")
        elif similarity < 50:
            adjust -= 15
            candidate.reasons.append(f"different funders ({a.funder} / {b.funder})")
    da, db = _dates(a), _dates(b)
    if da and db:
        if da & db:
            adjust += 10
            candidate.same_deadline = True
            candidate.reasons.append(f"same deadline {max(da & db)}")
        else:
            adjust -= 30
            candidate.reasons.append(f"different deadlines ({max(da)} / {max(db)})")
    if a.amount_max and b.amount_max:
        if abs(a.amount_max - b.amount_max) <= 0.01 * max(a.amount_max, b.amount_max):
            adjust += 5
            candidate.reasons.append("same amount")
        else:
            adjust -= 5
            candidate.reasons.append("different amounts")
    if a.source and a.source == b.source:
        adjust -= 10
        candidate.same_source = True
        candidate.reasons.append("listed by the same source")
    candidate.score = round(max(0.0, min(100.0, title + adjust)), 1)
    return candidate


# Candidates ---------------------------------------------------------------------------------


def _title_words(title: str) -> list[str]:
    words = [
        w
        for w in fold(title).split()
        if len(w) >= 4 and w not in TITLE_STOPWORDS and not w.isdigit()
    ]
    return sorted(dict.fromkeys(words), key=len, reverse=True)[:6]


def _text_block(session: Session, title: str) -> list[str]:
    """Ids whose indexed text shares the title's distinctive words (FTS5 or PostgreSQL GIN)."""
    from funding.store.opportunities import sync_fulltext

    words = _title_words(title)
    if not words:
        return []
    sync_fulltext(session)
    if session.get_bind().dialect.name == "postgresql":
        from funding.store.opportunities import PG_DOCUMENT

        statement = text(
            f"SELECT id FROM opportunity WHERE {PG_DOCUMENT} @@ to_tsquery('simple', :q) "
            f"ORDER BY ts_rank({PG_DOCUMENT}, to_tsquery('simple', :q)) DESC LIMIT :n"
        )
        params = {"q": " | ".join(words), "n": _TEXT_LIMIT}
    else:
        statement = text(
            "SELECT o.id FROM opportunity_fts JOIN opportunity o ON o.rowid = opportunity_fts.rowid "
            "WHERE opportunity_fts MATCH :q ORDER BY bm25(opportunity_fts, 10.0, 1.0, 1.0) LIMIT :n"
        )
        params = {"q": " OR ".join(f'title:"{w}"' for w in words), "n": _TEXT_LIMIT}
    return [row[0] for row in session.execute(statement, params)]


def _row(opportunity: Opportunity) -> _Row:
    return _Row(*(getattr(opportunity, c.key) for c in _COLUMNS))


def find_duplicates(
    session: Session, opportunity: Opportunity | str, *, min_score: float = SUGGEST_THRESHOLD
) -> list[Candidate]:
    """Opportunities that may list the same call, best first, each with its score and reasons."""
    if isinstance(opportunity, str):
        opportunity = _get(session, opportunity)
    me = _row(opportunity)
    days = [date.fromisoformat(d) for d in _dates(me)]
    ids = set(_text_block(session, me.title))
    query = select(*_COLUMNS).where(col(Opportunity.merged_into).is_(None), Opportunity.id != me.id)
    blocks = []
    if days:
        blocks.append(col(Opportunity.deadline_last).in_(days))
    if ids:
        blocks.append(col(Opportunity.id).in_(ids))
    if not blocks:
        return []
    rows = [_Row(*r) for r in session.exec(query.where(or_(*blocks)).limit(_BLOCK_LIMIT))]
    candidates = [score_pair(me, row) for row in rows]
    return sorted(
        (c for c in candidates if c.score >= min_score), key=lambda c: (-c.score, c.opportunity_id)
    )


# Redirects ----------------------------------------------------------------------------------


def resolve_ids(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """id -> kept id for the given ids that were merged away; ids not merged are left out."""
    wanted = set(ids)
    pending = set(wanted)
    target: dict[str, str] = {}
    for _ in range(20):  # merge chains are short; the bound guards against a cycle
        if not pending:
            break
        found = dict(
            session.exec(
                select(Opportunity.id, Opportunity.merged_into).where(
                    col(Opportunity.id).in_(pending), col(Opportunity.merged_into).is_not(None)
                )
            ).all()
        )
        target.update(found)
        pending = set(found.values()) - set(target)
    resolved = {}
    for start in wanted & set(target):
        current, seen = start, {start}
        while current in target and target[current] not in seen:
            current = target[current]
            seen.add(current)
        resolved[start] = current
    return resolved


# Merge and unmerge --------------------------------------------------------------------------


def _get(session: Session, opportunity_id: str) -> Opportunity:
    found = session.get(Opportunity, opportunity_id)
    if found is None:
        raise KeyError(f"no opportunity {opportunity_id!r}")
    return found


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _restore(column: str, value: Any) -> Any:
    """A JSON-stored value back into its column's type (dates for date columns)."""
    if value is not None and column in ("opens_on", "deadline_first", "deadline_last"):
        return date.fromisoformat(value)
    return value


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == "" or value == {}


def _pair_merge(session: Session, a: str, b: str) -> Merge | None:
    """The latest Merge row about two opportunities, in either direction."""
    query = select(Merge).where(
        or_(
            (Merge.keep_id == a) & (Merge.duplicate_id == b),
            (Merge.keep_id == b) & (Merge.duplicate_id == a),
        )
    )
    return session.exec(query.order_by(col(Merge.id).desc())).first()


def merge(
    session: Session,
    keep_id: str,
    duplicate_id: str,
    *,
    by: str,
    score: float | None = None,
    reasons: Sequence[str] | None = None,
    now: datetime | None = None,
) -> Merge:
    """Make the duplicate one with the kept opportunity; everything moved is recorded for unmerge."""
    from funding.store.opportunities import DERIVED, FILL_NEVER, HISTORY_COLUMNS

    if keep_id == duplicate_id:
        raise ValueError("an opportunity cannot be merged into itself")
    keep, duplicate = _get(session, keep_id), _get(session, duplicate_id)
    if keep.merged_into or duplicate.merged_into:
        raise ValueError("merge only opportunities that are not merged already")
    now = now or utcnow()
    kept_sources = {
        s.source
        for s in session.exec(
            select(OpportunitySource).where(OpportunitySource.opportunity_id == keep_id)
        )
    }
    moved = [
        s.id
        for s in session.exec(
            select(OpportunitySource).where(OpportunitySource.opportunity_id == duplicate_id)
        )
        if s.source not in kept_sources
    ]
    if moved:
        session.execute(
            update(OpportunitySource)
            .where(col(OpportunitySource.id).in_(moved))
            .values(opportunity_id=keep_id)
        )
    protected = set(keep.edited_fields or ())
    filled: dict[str, Any] = {}
    changes = []
    for column in HISTORY_COLUMNS:
        if column in FILL_NEVER or column in protected:
            continue
        old, new = getattr(keep, column), getattr(duplicate, column)
        if not _empty(old) or _empty(new):
            continue
        derived = {d: _jsonable(getattr(keep, d)) for d in DERIVED.get(column, ())}
        change = FieldChange(
            opportunity_id=keep_id,
            field=column,
            old_value=_jsonable(old),
            new_value=_jsonable(new),
            changed_at=now,
            changed_by=f"merge:{by}",
        )
        changes.append((column, change))
        filled[column] = {"old": _jsonable(old), "new": _jsonable(new), "derived": derived}
        setattr(keep, column, new)
        for d in DERIVED.get(column, ()):
            setattr(keep, d, getattr(duplicate, d))
    session.add_all([c for _, c in changes])
    session.flush()
    for column, change in changes:
        filled[column]["change_id"] = change.id
    previous_changed_at = keep.last_changed_at
    if filled:
        keep.last_changed_at = now
        keep.inferred_fields = sorted(set(keep.inferred_fields or ()) | set(filled))
    duplicate.merged_into = keep_id
    session.add_all([keep, duplicate])
    record = _pair_merge(session, keep_id, duplicate_id)
    if record is None or record.status != "suggested":
        record = Merge(keep_id=keep_id, duplicate_id=duplicate_id, status="merged", created_at=now)
    record.keep_id, record.duplicate_id, record.status = keep_id, duplicate_id, "merged"
    record.score = score if score is not None else record.score
    record.reasons = list(reasons) if reasons is not None else record.reasons
    record.moved_sources = moved
    record.filled_fields = {
        "columns": filled,
        "previous_last_changed_at": _jsonable(previous_changed_at),
    }
    record.merged_at, record.merged_by = now, by
    session.add(record)
    session.flush()
    return record


def unmerge(session: Session, merge_id: int, *, by: str, now: datetime | None = None) -> Merge:
    """Undo a merge: sources back, filled fields emptied unless changed since, merged_into cleared."""
    from funding.store.opportunities import DERIVED

    record = session.get(Merge, merge_id)
    if record is None:
        raise KeyError(f"no merge {merge_id!r}")
    if record.status != "merged":
        raise ValueError(f"merge {merge_id} is {record.status}, not merged")
    now = now or utcnow()
    keep, duplicate = _get(session, record.keep_id), _get(session, record.duplicate_id)
    if record.moved_sources:
        session.execute(
            update(OpportunitySource)
            .where(col(OpportunitySource.id).in_(record.moved_sources))
            .where(OpportunitySource.opportunity_id == record.keep_id)
            .values(opportunity_id=record.duplicate_id)
        )
    meta = record.filled_fields or {}
    columns: dict[str, Any] = meta.get("columns", {})
    protected = set(keep.edited_fields or ())
    untouched = True
    for column, info in columns.items():
        later = session.exec(
            select(FieldChange.id).where(
                FieldChange.opportunity_id == keep.id,
                FieldChange.field == column,
                FieldChange.id > info["change_id"],
            )
        ).first()
        current = _jsonable(getattr(keep, column))
        if later is not None or column in protected or current != info["new"]:
            untouched = False
            continue
        session.add(
            FieldChange(
                opportunity_id=keep.id,
                field=column,
                old_value=current,
                new_value=info["old"],
                changed_at=now,
                changed_by=f"unmerge:{by}",
            )
        )
        setattr(keep, column, _restore(column, info["old"]))
        for derived in DERIVED.get(column, ()):
            setattr(keep, derived, _restore(derived, info["derived"].get(derived)))
        keep.inferred_fields = [f for f in keep.inferred_fields or () if f != column] or None
    previous = meta.get("previous_last_changed_at")
    if columns and untouched and previous and keep.last_changed_at == record.merged_at:
        keep.last_changed_at = datetime.fromisoformat(previous)
    if duplicate.merged_into == keep.id:
        duplicate.merged_into = None
    record.status, record.undone_at, record.undone_by = "unmerged", now, by
    session.add_all([keep, duplicate, record])
    session.flush()
    return record


def suggest(
    session: Session,
    keep_id: str,
    duplicate_id: str,
    *,
    score: float,
    reasons: Sequence[str],
    now: datetime | None = None,
) -> Merge:
    """Queue a possible duplicate for staff; a pair already suggested, merged or dismissed stays as
    is (an insert-or-ignore on the pair: two enrichments at once suggest it once)."""
    existing = _pair_merge(session, keep_id, duplicate_id)
    if existing is not None:
        return existing
    from funding.store.opportunities import _dialect_insert

    session.flush()
    table = Merge.__table__
    session.execute(
        _dialect_insert(session)(table)
        .values(
            keep_id=keep_id,
            duplicate_id=duplicate_id,
            status="suggested",
            score=score,
            reasons=list(reasons),
            created_at=now or utcnow(),
        )
        .on_conflict_do_nothing(
            index_elements=["keep_id", "duplicate_id"], index_where=text("status = 'suggested'")
        )
    )
    return _pair_merge(session, keep_id, duplicate_id)


def dismiss(session: Session, merge_id: int, *, by: str, now: datetime | None = None) -> Merge:
    """Staff say a suggestion is two different calls; it is not suggested again."""
    record = session.get(Merge, merge_id)
    if record is None or record.status != "suggested":
        raise ValueError(f"merge {merge_id} is not a suggestion")
    record.status, record.undone_at, record.undone_by = "dismissed", now or utcnow(), by
    session.add(record)
    session.flush()
    return record


# Automatic merging --------------------------------------------------------------------------


def _blocks(rows: list[_Row]) -> Iterable[list[_Row]]:
    """Groups worth comparing: same last deadline, or same start of the folded title."""
    by_deadline: dict[date, list[_Row]] = {}
    by_prefix: dict[str, list[_Row]] = {}
    for row in rows:
        if row.deadline_last:
            by_deadline.setdefault(row.deadline_last, []).append(row)
        by_prefix.setdefault(fold(row.title)[:24], []).append(row)
    for group in (*by_deadline.values(), *by_prefix.values()):
        if len(group) > 1:
            yield group


MERGE_BATCH = 20  # pairs decided per write transaction (a merge takes a few ms)


def auto_merge(
    session: Session,
    *,
    ids: Iterable[str] | None = None,
    threshold: float = AUTO_THRESHOLD,
    suggest_threshold: float = SUGGEST_THRESHOLD,
    by: str = "auto",
    now: datetime | None = None,
    batch: int = MERGE_BATCH,
) -> AutoMergeResult:
    """Merge the sure pairs (same folded title, funder and deadline, score >= threshold) across
    sources; queue the likely ones (score >= suggest_threshold) as suggestions for staff.

    With `ids`, only pairs involving one of them (what a crawl or an import changed). Candidates
    are read and scored outside any write; the decisions are written `batch` pairs per short
    transaction, each pair's listings locked and checked again (another writer may have merged
    them), so the database is never held for the whole run.
    """
    now = now or utcnow()
    wanted = set(ids) if ids is not None else None
    rows = [
        _Row(*r)
        for r in session.exec(
            select(*_COLUMNS).where(col(Opportunity.merged_into).is_(None)).order_by(Opportunity.id)
        )
    ]
    pairs: dict[tuple[str, str], tuple[_Row, _Row, Candidate]] = {}
    for group in _blocks(rows):
        if wanted is not None and not any(r.id in wanted for r in group):
            continue
        titles = [_folded(r.title) for r in group]
        matrix = process.cdist(
            titles, titles, scorer=fuzz.token_set_ratio, score_cutoff=max(0, suggest_threshold - 15)
        )
        for i, j in zip(*matrix.nonzero(), strict=True):
            if i >= j:
                continue
            a, b = sorted((group[i], group[j]), key=lambda r: (r.first_seen_at, r.id))
            if (a.id, b.id) in pairs or (a.source and a.source == b.source):
                continue
            if wanted is not None and a.id not in wanted and b.id not in wanted:
                continue
            pairs[(a.id, b.id)] = (a, b, score_pair(a, b))
    session.commit()  # the read ends before anything is written
    ordered = [
        p
        for p in sorted(pairs.values(), key=lambda p: (-p[2].score, p[0].id, p[1].id))
        if p[2].score >= suggest_threshold
    ]
    merged, suggested, gone = [], [], set()
    turns = TakingTurns(session)
    for start in range(0, len(ordered), batch):
        with turns.turn():
            _decide(
                session,
                ordered[start : start + batch],
                merged,
                suggested,
                gone,
                threshold=threshold,
                by=by,
                now=now,
            )
    return AutoMergeResult(merged, suggested)


def _decide(
    session: Session,
    chunk: list,
    merged: list,
    suggested: list,
    gone: set,
    *,
    threshold: float,
    by: str,
    now: datetime,
) -> None:
    """One short write transaction: merge or suggest these pairs, their listings locked."""
    listed = _lock_listed(session, {r.id for a, b, _ in chunk for r in (a, b)})
    for a, b, candidate in chunk:
        if a.id in gone or b.id in gone or a.id not in listed or b.id not in listed:
            continue  # merged away meanwhile, here or by another writer
        existing = _pair_merge(session, a.id, b.id)
        if existing is not None and existing.status != "suggested":
            continue  # merged, undone or dismissed by staff: their decision stands
        sure = candidate.same_title and candidate.same_funder and candidate.same_deadline
        if sure and candidate.score >= threshold:
            merged.append(
                merge(
                    session,
                    a.id,
                    b.id,
                    by=by,
                    score=candidate.score,
                    reasons=candidate.reasons,
                    now=now,
                )
            )
            gone.add(b.id)
        elif existing is None:
            record = suggest(
                session, a.id, b.id, score=candidate.score, reasons=candidate.reasons, now=now
            )
            if record.created_at == now:
                suggested.append(record)
    session.commit()


def _lock_listed(session: Session, ids: set[str]) -> set[str]:
    """Start a short write and lock these listings; the ones still listed (not merged away)."""
    from funding.store.db import begin_write

    begin_write(session)
    query = select(Opportunity.id, Opportunity.merged_into).where(col(Opportunity.id).in_(ids))
    if session.get_bind().dialect.name == "postgresql":
        query = query.order_by(Opportunity.id).with_for_update()
    return {row[0] for row in session.exec(query) if row[1] is None}
