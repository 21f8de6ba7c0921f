"""The one write path for opportunities (insert / update / noop with history) and the queries on them."""

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import bindparam, func, text, update
from sqlmodel import Session, col, select

from funding.contracts.fields import CONTENT_COLUMNS
from funding.contracts.records import OpportunityRecord, to_row, validate_record
from funding.contracts.status import status_expression
from funding.store.db import begin_write
from funding.store.models import (
    FieldChange,
    Opportunity,
    OpportunitySource,
    Source,
    SourceRun,
    utcnow,
)

Outcome = Literal["insert", "update", "noop"]
# The run count each outcome adds to (SourceRun.inserted, .updated, .unchanged).
OUTCOME_COUNTS: dict[str, str] = {"insert": "inserted", "update": "updated", "noop": "unchanged"}

# Columns derived from another one: they follow it, and are not history of their own.
DERIVED = {
    "summary": ("summary_plain",),
    "eligibility_text": ("eligibility_plain",),
    "deadlines": ("deadline_first", "deadline_last"),
    "instrument": ("instrument_raw",),
    "source_status": ("source_status_raw",),
    "recurrence": ("recurrence_raw",),
    "applicant_types": ("applicant_types_raw",),
}
HISTORY_COLUMNS = tuple(
    c for c in CONTENT_COLUMNS if not any(c in derived for derived in DERIVED.values())
)
# Columns that say which listing a row is: a merged-away listing never fills them in the kept one.
FILL_NEVER = {"source", "url", "title", "extra"}
# Contract field names staff use, for the columns stored under another name.
EDITABLE = {"status": "source_status"}


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def known_hashes(session: Session, ids: Sequence[str]) -> dict[str, tuple[str | None, str]]:
    """id -> (raw hash, content hash) for the ids already stored: the cheap check before any work."""
    if not ids:
        return {}
    query = select(Opportunity.id, Opportunity.raw_hash, Opportunity.content_hash).where(
        col(Opportunity.id).in_(ids)
    )
    return {row[0]: (row[1], row[2]) for row in session.exec(query)}


def upsert(
    session: Session,
    row: dict[str, Any],
    *,
    raw_hash: str | None = None,
    changed_by: str = "import",
    source_run_id: int | None = None,
    seen_at: datetime | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Store one normalised row (see records.to_row); say whether it was new, changed or the same."""
    return upsert_many(
        session,
        [row],
        raw_hashes=[raw_hash],
        changed_by=changed_by,
        source_run_id=source_run_id,
        seen_at=seen_at,
        now=now,
    )[0]


def upsert_many(
    session: Session,
    rows: Sequence[dict[str, Any]],
    *,
    raw_hashes: Sequence[str | None] | None = None,
    changed_by: str = "import",
    source_run_id: int | None = None,
    seen_at: datetime | None = None,
    now: datetime | None = None,
) -> list[Outcome]:
    """Store normalised rows with distinct ids in one go; staff edits are never overwritten.

    seen_at (a crawl's time) moves last_seen_at of unchanged rows too; an import leaves it alone.
    """
    now = now or utcnow()
    raw_hashes = raw_hashes or [None] * len(rows)
    ids = [row["id"] for row in rows]
    if len(set(ids)) != len(ids):
        raise ValueError("upsert_many needs distinct ids; split the batch on repeated ids")
    begin_write(session)
    # Concurrent writers (crawl workers, imports, the UI): on PostgreSQL the stored rows are locked
    # in id order until commit, so another writer's change is read, never overwritten unseen.
    query = select(Opportunity).where(col(Opportunity.id).in_(ids))
    if session.get_bind().dialect.name == "postgresql":
        query = query.order_by(Opportunity.id).with_for_update()
    existing = {o.id: o for o in session.exec(query.execution_options(populate_existing=True))}
    outcomes: list[Outcome] = []
    inserts, touches, changes, merged = [], [], [], []
    for row, raw in zip(rows, raw_hashes, strict=True):
        current = existing.get(row["id"])
        if current is None:
            first = seen_at or now
            inserts.append(
                {
                    **row,
                    "raw_hash": raw,
                    "first_seen_at": first,
                    "last_seen_at": first,
                    "last_changed_at": now,
                    "edited_fields": None,
                    "first_run_id": source_run_id,
                }
            )
            outcomes.append("insert")
            continue
        changed = _apply(current, row, now=now, changed_by=changed_by, run=source_run_id)
        current.raw_hash, current.content_hash = raw, row["content_hash"]
        if seen_at is not None:
            current.last_seen_at = max(current.last_seen_at, seen_at)
        if changed:
            current.last_changed_at = now
            changes.extend(changed)
            outcomes.append("update")
            if current.merged_into:
                merged.append(current)
        else:
            outcomes.append("noop")
        touches.append(current)
    if inserts:
        raced = _insert_new(session, inserts)
        if raced:  # another writer stored them since we looked: they are updates now
            again = [i for i, row in enumerate(rows) if row["id"] in raced]
            redone = upsert_many(
                session,
                [rows[i] for i in again],
                raw_hashes=[raw_hashes[i] for i in again],
                changed_by=changed_by,
                source_run_id=source_run_id,
                seen_at=seen_at,
                now=now,
            )
            for i, outcome in zip(again, redone, strict=True):
                outcomes[i] = outcome
            rows = [row for row in rows if row["id"] not in raced]
    if merged:
        changes.extend(
            _fill_kept(session, merged, now=now, changed_by=changed_by, run=source_run_id)
        )
    session.add_all(touches)
    session.add_all(changes)
    kept_ids = {o.id: o.merged_into for o in existing.values() if o.merged_into}
    _record_sources(session, rows, seen_at or now, kept_ids)
    session.flush()
    return outcomes


def _insert_new(session: Session, inserts: list[dict[str, Any]]) -> set[str]:
    """Insert new opportunities; the ids another writer inserted meanwhile are skipped, returned.

    On SQLite the transaction has held the write lock since it looked (begin_write), so no other
    writer can have inserted them: the rows go in by one plain executemany.
    """
    table = Opportunity.__table__
    if session.get_bind().dialect.name == "sqlite":
        _sqlite_executemany(session, table, inserts)
        return set()
    statement = _dialect_insert(session)(table).on_conflict_do_nothing(index_elements=["id"])
    stored = {row[0] for row in session.execute(statement.returning(table.c.id), inserts)}
    return {row["id"] for row in inserts} - stored


def _sqlite_executemany(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """INSERT rows through the DB-API cursor, converted by the columns' own SQLAlchemy types.

    The same values SQLAlchemy would bind, without its per-statement bookkeeping: a large import
    spends less than half the time here.
    """
    dialect = session.get_bind().dialect
    sql, plan = _insert_plan(table, dialect)
    values = [
        tuple(
            row.get(name) if convert is None else convert(row.get(name)) for name, convert in plan
        )
        for row in rows
    ]
    session.connection().connection.dbapi_connection.executemany(sql, values)


# Load once: one INSERT statement and bind processors per table and dialect, for the life of the
# process (a few tables, one or two dialects); not a performance cache of changing data.
@lru_cache(maxsize=32)
def _insert_plan(table: Any, dialect: Any) -> tuple[str, list[tuple[str, Any]]]:
    names = [column.name for column in table.columns]
    plan = [(c.name, c.type.dialect_impl(dialect).bind_processor(dialect)) for c in table.columns]
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    return sql, plan


def _dialect_insert(session: Session) -> Any:
    """INSERT ... ON CONFLICT for the session's database (SQLite and PostgreSQL share the syntax)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert


def _apply(
    current: Opportunity, row: dict[str, Any], *, now: datetime, changed_by: str, run: int | None
) -> list[FieldChange]:
    if current.content_hash == row["content_hash"]:
        return []
    protected = set(current.edited_fields or ())
    inferred = set(current.inferred_fields or ())
    changes = []
    for column in HISTORY_COLUMNS:
        old, new = getattr(current, column), row.get(column)
        if column in protected or old == new or (new is None and column in inferred):
            continue
        inferred.discard(column)
        changes.append(_change(current.id, column, old, new, now, changed_by, run))
        setattr(current, column, new)
        for derived in DERIVED.get(column, ()):
            setattr(current, derived, row.get(derived))
    current.inferred_fields = sorted(inferred) or None
    return changes


def _change(
    opportunity_id: str, column: str, old: Any, new: Any, now: datetime, by: str, run: int | None
) -> FieldChange:
    return FieldChange(
        opportunity_id=opportunity_id,
        field=column,
        old_value=_jsonable(old),
        new_value=_jsonable(new),
        changed_at=now,
        changed_by=by,
        source_run_id=run,
    )


def _fill_kept(
    session: Session, merged: list[Opportunity], *, now: datetime, changed_by: str, run: int | None
) -> list[FieldChange]:
    """A merged-away listing that changed fills what its kept opportunity still lacks."""
    kept = {
        o.id: o
        for o in session.exec(
            select(Opportunity).where(col(Opportunity.id).in_({m.merged_into for m in merged}))
        )
    }
    changes = []
    for duplicate in merged:
        target = kept.get(duplicate.merged_into)
        if target is None:
            continue
        protected = set(target.edited_fields or ())
        inferred = set(target.inferred_fields or ())
        for column in HISTORY_COLUMNS:
            new = getattr(duplicate, column)
            if (
                column in FILL_NEVER
                or column in protected
                or getattr(target, column) is not None
                or new is None
            ):
                continue
            changes.append(_change(target.id, column, None, new, now, f"merge:{changed_by}", run))
            setattr(target, column, new)
            for derived in DERIVED.get(column, ()):
                setattr(target, derived, getattr(duplicate, derived))
            inferred.add(column)
        if changes:
            target.inferred_fields = sorted(inferred)
            target.last_changed_at = now
            session.add(target)
    return changes


def _record_sources(
    session: Session, rows: Sequence[dict[str, Any]], seen_at: datetime, kept_ids: dict[str, str]
) -> None:
    """Keep one OpportunitySource per (opportunity, source) with its first and last sighting.

    A listing merged into another opportunity is a sighting of that one (kept_ids: id -> kept id).
    """
    pairs = {
        (kept_ids.get(row["id"], row["id"]), row["source"]): row["url"]
        for row in rows
        if row.get("source")
    }
    if not pairs:
        return
    known = set(
        session.exec(
            select(OpportunitySource.opportunity_id, OpportunitySource.source).where(
                col(OpportunitySource.opportunity_id).in_([p[0] for p in pairs])
            )
        ).all()
    )
    new = [
        {
            "opportunity_id": oid,
            "source": source,
            "source_url": url,
            "first_seen_at": seen_at,
            "last_seen_at": seen_at,
        }
        for (oid, source), url in pairs.items()
        if (oid, source) not in known
    ]
    if new and session.get_bind().dialect.name == "sqlite":  # under the write lock: no race
        _sqlite_executemany(session, OpportunitySource.__table__, new)
    elif new:
        statement = _dialect_insert(session)(OpportunitySource.__table__).on_conflict_do_nothing(
            index_elements=["opportunity_id", "source"]
        )
        session.execute(statement, new)
    seen = [{"b_oid": oid, "b_source": source, "b_seen": seen_at} for oid, source in known]
    if seen:
        table = OpportunitySource.__table__
        session.execute(
            update(table)
            .where(table.c.opportunity_id == bindparam("b_oid"))
            .where(table.c.source == bindparam("b_source"))
            .where(table.c.last_seen_at < bindparam("b_seen"))
            .values(last_seen_at=bindparam("b_seen")),
            seen,
        )


def edit_opportunity(
    session: Session,
    opportunity_id: str,
    changes: dict[str, Any],
    *,
    by: str,
    now: datetime | None = None,
) -> list[str]:
    """A staff edit, in contract field names: recorded in history and protected from later crawls."""
    from funding.contracts.records import to_contract

    current = session.get(Opportunity, opportunity_id)
    if current is None:
        raise KeyError(f"no opportunity {opportunity_id!r}")
    row = to_row(validate_record({**to_contract(current), **changes}))
    columns = [EDITABLE.get(field, field) for field in changes]
    unknown = [c for c in columns if c not in HISTORY_COLUMNS]
    if unknown:
        raise ValueError(f"not an editable field: {', '.join(unknown)}")
    now = now or utcnow()
    for column in columns:
        old, new = getattr(current, column), row.get(column)
        if old != new:
            session.add(_change(current.id, column, old, new, now, f"staff:{by}", None))
            setattr(current, column, new)
            for derived in DERIVED.get(column, ()):
                setattr(current, derived, row.get(derived))
    current.edited_fields = sorted(set(current.edited_fields or ()) | set(columns))
    current.last_changed_at = now
    session.add(current)
    session.flush()
    sync_fulltext(session)
    return columns


def release_edit(session: Session, opportunity_id: str, field: str) -> None:
    """Let the sources update a field staff had edited (the next harvest overwrites it)."""
    current = session.get(Opportunity, opportunity_id)
    if current is None:
        raise KeyError(f"no opportunity {opportunity_id!r}")
    column = EDITABLE.get(field, field)
    current.edited_fields = [f for f in current.edited_fields or () if f != column] or None
    current.content_hash = ""  # the next sighting compares field by field again
    current.raw_hash = None
    session.add(current)
    session.flush()


def store_record(session: Session, data: dict[str, Any], **kwargs: Any) -> Outcome:
    """Validate, normalise and upsert one record in the contract format (raises RecordError)."""
    record: OpportunityRecord = validate_record(data)
    return upsert(session, to_row(record), **kwargs)


# Queries ------------------------------------------------------------------------------------


def changed_by_runs(session: Session, run_ids: Sequence[int]) -> list[str]:
    """Ids of the opportunities these runs inserted or changed (what a crawl enriches after)."""
    if not run_ids:
        return []
    inserted = select(Opportunity.id).where(col(Opportunity.first_run_id).in_(run_ids))
    changed = select(FieldChange.opportunity_id).where(col(FieldChange.source_run_id).in_(run_ids))
    return sorted(set(session.exec(inserted)) | set(session.exec(changed)))


def get_opportunity(session: Session, opportunity_id: str) -> Opportunity | None:
    return session.get(Opportunity, opportunity_id)


def opportunities_by_source(session: Session, source: str) -> list[Opportunity]:
    """Every opportunity seen at a source, including those merged under another id."""
    query = (
        select(Opportunity)
        .join(OpportunitySource, col(OpportunitySource.opportunity_id) == col(Opportunity.id))
        .where(OpportunitySource.source == source)
        .order_by(Opportunity.id)
    )
    return list(session.exec(query))


def changed_since(session: Session, since: datetime) -> list[Opportunity]:
    query = (
        select(Opportunity)
        .where(Opportunity.last_changed_at >= since)
        .order_by(col(Opportunity.last_changed_at).desc(), Opportunity.id)
    )
    return list(session.exec(query))


def iter_opportunities(
    session: Session, *, changed_since: datetime | None = None, batch: int = 1000
) -> Iterator[Opportunity]:
    """All opportunities in id order, streamed."""
    query = select(Opportunity).order_by(Opportunity.id)
    if changed_since is not None:
        query = query.where(Opportunity.last_changed_at >= changed_since)
    yield from session.exec(query.execution_options(yield_per=batch))


def field_history(session: Session, opportunity_id: str) -> list[FieldChange]:
    query = (
        select(FieldChange)
        .where(FieldChange.opportunity_id == opportunity_id)
        .order_by(FieldChange.changed_at, FieldChange.id)
    )
    return list(session.exec(query))


def sources_of(session: Session, opportunity_id: str) -> list[OpportunitySource]:
    query = select(OpportunitySource).where(OpportunitySource.opportunity_id == opportunity_id)
    return list(session.exec(query.order_by(OpportunitySource.first_seen_at)))


# PostgreSQL's indexed document (migration 0006): accents folded, 'simple' words weighted by field
# (title A, summary C, eligibility D) plus French and English stems.
PG_DOCUMENT = "fulltext"  # a generated column: funding_document(title, summary_plain, ...)


def _terms(query: str) -> list[str]:
    return re.findall(r"\w+", query.lower())


def sync_fulltext(session: Session) -> int:
    """Index the rows writers queued (SQLite), in the session's transaction; PostgreSQL keeps its
    index itself. Writers call it before they commit their last batch; searches call it too."""
    if session.get_bind().dialect.name != "sqlite":
        return 0
    if session.execute(text("SELECT 1 FROM fulltext_queue LIMIT 1")).first() is None:
        return 0
    session.execute(
        text(
            "INSERT INTO opportunity_fts(rowid, title, summary_plain, eligibility_plain) "
            "SELECT o.rowid, o.title, o.summary_plain, o.eligibility_plain "
            "FROM fulltext_queue q JOIN opportunity o ON o.rowid = q.rid"
        )
    )
    return session.execute(text("DELETE FROM fulltext_queue")).rowcount


def search_ids(session: Session, query: str, *, limit: int = 50) -> list[str]:
    """Ids of the opportunities whose title, summary or eligibility match every word, best first."""
    terms = _terms(query)
    if not terms:
        return []
    sync_fulltext(session)
    if session.get_bind().dialect.name == "postgresql":
        statement = text(
            f"SELECT id FROM opportunity WHERE {PG_DOCUMENT} @@ to_tsquery('simple', "
            "funding_fold(:q)) AND merged_into IS NULL "
            f"ORDER BY ts_rank({PG_DOCUMENT}, to_tsquery('simple', funding_fold(:q))) DESC, id "
            "LIMIT :n"
        )
        params = {"q": " & ".join(f"{t}:*" for t in terms), "n": limit}
    else:
        statement = text(
            "SELECT o.id FROM opportunity_fts JOIN opportunity o ON o.rowid = opportunity_fts.rowid "
            "WHERE opportunity_fts MATCH :q AND o.merged_into IS NULL "
            "ORDER BY bm25(opportunity_fts, 10.0, 2.0, 1.0), o.id LIMIT :n"
        )
        params = {"q": " ".join(f'"{t}"*' for t in terms), "n": limit}
    return [row[0] for row in session.execute(statement, params)]


def search(session: Session, query: str, *, limit: int = 50) -> list[Opportunity]:
    ids = search_ids(session, query, limit=limit)
    found = {o.id: o for o in session.exec(select(Opportunity).where(col(Opportunity.id).in_(ids)))}
    return [found[i] for i in ids if i in found]


def list_opportunities(
    session: Session, *, as_of: date, status: str | None = None, limit: int = 100
) -> list[Opportunity]:
    """Listed calls (not merged away) by nearest last deadline, those without one last, then by id;
    optionally of one status as of a day.

    Read from the (merged_into, deadline_last, ..., source_status) index: the status is computed
    from the index's columns, and only the rows returned are read whole. Two queries (dated, then
    undated) so that neither sorts the whole table.
    """
    base = select(Opportunity.id).where(col(Opportunity.merged_into).is_(None))
    if status:
        base = base.where(status_expression(Opportunity, as_of) == status)
    ids = list(
        session.exec(
            base.where(col(Opportunity.deadline_last).is_not(None))
            .order_by(Opportunity.deadline_last, Opportunity.id)
            .limit(limit)
        )
    )
    if len(ids) < limit:
        ids += session.exec(
            base.where(col(Opportunity.deadline_last).is_(None))
            .order_by(Opportunity.id)
            .limit(limit - len(ids))
        )
    if not ids:
        return []
    rows: dict[str, Opportunity] = {}
    for start in range(0, len(ids), 500):
        query = select(Opportunity).where(col(Opportunity.id).in_(ids[start : start + 500]))
        rows.update((o.id, o) for o in session.exec(query))
    return [rows[i] for i in ids if i in rows]


def count_opportunities(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Opportunity)).one()


def stats(session: Session, *, as_of: date) -> dict[str, Counter]:
    """Counts by source, by status as of a day, and by instrument."""
    result = {}
    for name, expression in (
        ("source", Opportunity.source),
        ("status", status_expression(Opportunity, as_of)),
        ("instrument", Opportunity.instrument),
    ):
        rows = session.exec(select(expression, func.count()).group_by(expression))
        result[name] = Counter({key or "unknown": count for key, count in rows})
    return result


# Sources and runs ---------------------------------------------------------------------------


def ensure_source(
    session: Session, name: str, *, kind: str | None = None, url: str | None = None
) -> Source:
    """The source's row, made if missing by an insert-or-ignore: two first imports or crawls at
    once both get it (a plain insert failed the second with "UNIQUE constraint failed")."""
    source = session.get(Source, name)
    if source is None:
        table = Source.__table__
        session.execute(
            _dialect_insert(session)(table)
            .values(name=name, kind=kind, url=url, enabled=True, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["name"])
        )
        source = session.get(Source, name)
    return source


def start_run(session: Session, source: str, *, kind: str | None = None) -> SourceRun:
    ensure_source(session, source, kind=kind)
    run = SourceRun(source=source, started_at=utcnow())
    session.add(run)
    session.flush()
    return run


def finish_run(
    session: Session,
    run: SourceRun,
    *,
    counts: dict[str, int],
    status: str = "ok",
    message: str | None = None,
    errors: int = 0,
    fill_rates: dict[str, float] | None = None,
) -> SourceRun:
    """Close a run with its counts, duration and the health flags it earns (funding.store.health)."""
    from funding.store.health import assess

    run.finished_at = utcnow()
    run.status = status
    run.message = message
    for key in ("items_seen", "inserted", "updated", "unchanged", "rejected"):
        setattr(run, key, counts.get(key, 0))
    run.duration_seconds = round((run.finished_at - run.started_at).total_seconds(), 3)
    run.errors = errors
    run.fill_rates = fill_rates
    run.flags = assess(session, run) or None
    session.add(run)
    session.flush()
    return run


def latest_runs(session: Session) -> list[SourceRun]:
    """The most recent run of every source."""
    last = select(SourceRun.source, func.max(SourceRun.id).label("id")).group_by(SourceRun.source)
    ids = [row[1] for row in session.exec(last)]
    return list(
        session.exec(select(SourceRun).where(col(SourceRun.id).in_(ids)).order_by(SourceRun.source))
    )
