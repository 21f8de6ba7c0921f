"""What staff watch: new, changed and closing calls, arrivals per week, source health, the review queue.

Every list is bounded (a count plus the first rows): with 100,000 calls a first import makes every
call "new this week", and the page must still answer at once.
"""

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from funding.contracts.status import next_deadline
from funding.enrich.dedup import dismiss, merge
from funding.normalize import format_date
from funding.store.models import (
    CallReport,
    Extraction,
    Merge,
    Opportunity,
    Source,
    SourceRun,
    utcnow,
)
from funding.store.opportunities import edit_opportunity, latest_runs, store_record

LIST_LIMIT = 50
CLOSING_DAYS = 14
LOW_CONFIDENCE = 0.7


# What a monitor row shows: read as plain columns, not whole calls (their texts and JSON fields).
_SHOWN = (
    Opportunity.id,
    Opportunity.title,
    Opportunity.funder,
    Opportunity.source,
    Opportunity.deadlines,
    Opportunity.first_seen_at,
    Opportunity.last_changed_at,
    Opportunity.url,
)


def _row(o: Any, as_of: date, lang: str) -> dict[str, Any]:
    deadline = next_deadline(o.deadlines, as_of)
    return {
        "id": o.id,
        "title": o.title,
        "funder": o.funder or "",
        "source": o.source or "",
        "next_deadline": format_date(deadline, lang) if deadline else "",
        "days_left": (deadline - as_of).days if deadline else None,
        "first_seen": format_date(o.first_seen_at.date(), lang),
        "last_changed": format_date(o.last_changed_at.date(), lang),
        "url": o.url,
    }


def _listed():
    return col(Opportunity.merged_into).is_(None)


def new_calls(
    session: Session,
    *,
    now: datetime,
    as_of: date,
    lang: str = "fr",
    days: int = 7,
    limit: int = LIST_LIMIT,
) -> tuple[int, list[dict[str, Any]]]:
    """Calls first seen in the last `days` days: how many, and the latest ones."""
    since = now - timedelta(days=days)
    where = and_(_listed(), col(Opportunity.first_seen_at) >= since)
    return _counted(session, where, Opportunity.first_seen_at, as_of=as_of, lang=lang, limit=limit)


def changed_calls(
    session: Session,
    *,
    now: datetime,
    as_of: date,
    lang: str = "fr",
    days: int = 7,
    limit: int = LIST_LIMIT,
) -> tuple[int, list[dict[str, Any]]]:
    """Calls seen before the period that changed during it (new ones are counted as new)."""
    since = now - timedelta(days=days)
    where = and_(
        _listed(), col(Opportunity.last_changed_at) >= since, col(Opportunity.first_seen_at) < since
    )
    return _counted(
        session, where, Opportunity.last_changed_at, as_of=as_of, lang=lang, limit=limit
    )


def _counted(
    session: Session, where: Any, latest: Any, *, as_of: date, lang: str, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """How many calls match, and the `limit` latest of them by the `latest` column."""
    total = session.exec(select(func.count()).select_from(Opportunity).where(where)).one()
    rows = session.exec(
        select(*_SHOWN).where(where).order_by(col(latest).desc(), Opportunity.id).limit(limit)
    )
    return total, [_row(o, as_of, lang) for o in rows]


def closing_calls(
    session: Session,
    *,
    as_of: date,
    lang: str = "fr",
    days: int = CLOSING_DAYS,
    limit: int = LIST_LIMIT,
) -> tuple[int, list[dict[str, Any]]]:
    """Calls with a deadline in the next `days` days, soonest first.

    The candidates (a deadline span overlapping the window) come from the index on (merged_into,
    deadline_last, deadline_first); only their deadlines are read, then the shown columns of the
    rows listed."""
    end = as_of + timedelta(days=days)
    query = select(Opportunity.id, Opportunity.deadlines).where(
        _listed(), col(Opportunity.deadline_last) >= as_of, col(Opportunity.deadline_first) <= end
    )
    found = []
    for opportunity_id, deadlines in session.exec(query):
        deadline = next_deadline(deadlines, as_of)
        if deadline is not None and deadline <= end:
            found.append((deadline, opportunity_id))
    found.sort()
    shown = [opportunity_id for _, opportunity_id in found[:limit]]
    rows = {o.id: o for o in session.exec(select(*_SHOWN).where(col(Opportunity.id).in_(shown)))}
    return len(found), [_row(rows[i], as_of, lang) for i in shown if i in rows]


def new_per_week(session: Session, *, now: datetime, weeks: int = 12) -> list[dict[str, Any]]:
    """[{week: 'YYYY-MM-DD' (its Monday), source, count}] for the last `weeks` weeks.

    Merged duplicates count too (they arrived at their source). Listed calls are grouped in SQL
    over the (merged_into, first_seen_at, source) index; the few merged ones are grouped here (a
    GROUP BY over them would make SQLite scan the table in source order instead)."""
    start = (now - timedelta(weeks=weeks)).date()
    start -= timedelta(days=start.weekday())
    since = col(Opportunity.first_seen_at) >= datetime.combine(start, datetime.min.time())
    day = func.date(Opportunity.first_seen_at)
    listed = (
        select(Opportunity.source, day, func.count())
        .where(_listed(), since)
        .group_by(Opportunity.source, day)
    )
    merged = select(Opportunity.source, Opportunity.first_seen_at).where(
        col(Opportunity.merged_into).is_not(None), since
    )
    counts: Counter = Counter()
    rows = [*session.exec(listed), *((s, seen, 1) for s, seen in session.exec(merged))]
    for source, day_seen, count in rows:
        if isinstance(day_seen, datetime):
            day_seen = day_seen.date()
        elif not isinstance(day_seen, date):
            day_seen = date.fromisoformat(str(day_seen)[:10])
        monday = day_seen - timedelta(days=day_seen.weekday())
        counts[(monday.isoformat(), source or "?")] += count
    return [
        {"week": week, "source": source, "count": n} for (week, source), n in sorted(counts.items())
    ]


def source_health(session: Session, *, lang: str = "fr") -> list[dict[str, Any]]:
    """Every source (declared in crawlers/sources.toml, or that ever ran or stored a call) with
    its last run: when, status ('never_run' for none), counts, errors, fill rates and flags."""
    from funding.harvest.sources import SourcesError, load_sources

    runs = {run.source: run for run in latest_runs(session)}
    try:
        declared = set(load_sources(spiders=None))
    except SourcesError:
        declared = set()
    names = sorted(declared | set(runs) | set(session.exec(select(Source.name))))
    rows = []
    for name in names:
        run: SourceRun | None = runs.get(name)
        if run is None:
            rows.append(
                {
                    "source": name,
                    "last_run": "",
                    "status": "never_run",
                    "items": None,
                    "new": None,
                    "updated": None,
                    "rejected": None,
                    "errors": None,
                    "duration_s": None,
                    "fill_rates": "",
                    "flags": "",
                }
            )
            continue
        flags = list(run.flags or ())
        if run.status == "failed" and not flags:
            flags.append(f"failed: {run.message or 'no reason recorded'}")
        rates = run.fill_rates or {}
        rows.append(
            {
                "source": name,
                "last_run": run.started_at.strftime("%Y-%m-%d %H:%M"),
                "status": run.status,
                "items": run.items_seen,
                "new": run.inserted,
                "updated": run.updated,
                "rejected": run.rejected,
                "errors": run.errors or 0,
                "duration_s": run.duration_seconds,
                "fill_rates": ", ".join(f"{k} {round(v * 100)} %" for k, v in rates.items()),
                "flags": " · ".join(flags),
            }
        )
    return rows


# Review queue --------------------------------------------------------------------------------


def _proposed(field: str | None = None, source: str | None = None):
    """Values waiting for staff: proposed, not applied, below the confidence that fills a field."""
    query = (
        select(Extraction, Opportunity.title, Opportunity.source)
        .join(Opportunity, col(Opportunity.id) == col(Extraction.opportunity_id))
        .where(Extraction.status == "proposed", Extraction.applied == False)
        .where(col(Extraction.confidence) < LOW_CONFIDENCE)
    )
    if field:
        query = query.where(Extraction.field == field)
    if source:
        query = query.where(Opportunity.source == source)
    return query


def proposed_extractions(
    session: Session,
    *,
    limit: int = LIST_LIMIT,
    offset: int = 0,
    field: str | None = None,
    source: str | None = None,
) -> list[dict[str, Any]]:
    """Values read from a call's text that were not confident enough to fill the field alone,
    newest first, one page (`limit` from `offset`), of one kind of field and one source if asked."""
    query = _proposed(field, source).order_by(col(Extraction.extracted_at).desc(), Extraction.id)
    return [
        {
            "id": e.id,
            "opportunity_id": e.opportunity_id,
            "title": title,
            "field": e.field,
            "value": e.value,
            "snippet": e.snippet,
            "confidence": e.confidence,
            "source": where,
        }
        for e, title, where in session.exec(query.offset(offset).limit(limit))
    ]


def proposed_count(session: Session, *, field: str | None = None, source: str | None = None) -> int:
    return session.exec(select(func.count()).select_from(_proposed(field, source).subquery())).one()


def proposed_kinds(session: Session) -> dict[str, list[str]]:
    """The fields and the sources that have values waiting (the review queue's filters)."""
    rows = session.exec(
        _proposed().with_only_columns(Extraction.field, Opportunity.source).distinct()
    ).all()
    return {"field": sorted({f for f, _ in rows}), "source": sorted({s for _, s in rows if s})}


def decide_extraction(session: Session, extraction_id: int, *, accept: bool, by: str) -> None:
    """Staff accept a proposed value (a protected hand edit, in the history) or reject it for good."""
    extraction = session.get(Extraction, extraction_id)
    if extraction is None or extraction.status != "proposed":
        raise ValueError(f"extraction {extraction_id} is not waiting for review")
    if accept:
        edit_opportunity(
            session, extraction.opportunity_id, {extraction.field: extraction.value}, by=by
        )
        extraction.status, extraction.applied = "accepted", True
    else:
        extraction.status = "rejected"
    session.add(extraction)
    session.flush()


def suggested_merges(session: Session, *, limit: int = LIST_LIMIT) -> list[dict[str, Any]]:
    """Possible duplicates, most likely first, with both titles, funders and sources."""
    query = (
        select(Merge)
        .where(Merge.status == "suggested")
        .order_by(col(Merge.score).desc(), Merge.id)
        .limit(limit)
    )
    merges = list(session.exec(query))
    ids = {m.keep_id for m in merges} | {m.duplicate_id for m in merges}
    calls = {o.id: o for o in session.exec(select(Opportunity).where(col(Opportunity.id).in_(ids)))}
    rows = []
    for m in merges:
        keep, dup = calls.get(m.keep_id), calls.get(m.duplicate_id)
        if keep is None or dup is None:
            continue
        rows.append(
            {
                "id": m.id,
                "score": m.score,
                "reasons": ", ".join(m.reasons or ()),
                "keep_id": keep.id,
                "keep_title": keep.title,
                "keep_source": keep.source or "",
                "duplicate_id": dup.id,
                "duplicate_title": dup.title,
                "duplicate_source": dup.source or "",
            }
        )
    return rows


def decide_merge(session: Session, merge_id: int, *, same_call: bool, by: str) -> None:
    """Merge a suggested pair, or keep the two calls apart (never suggested again)."""
    suggestion = session.get(Merge, merge_id)
    if suggestion is None or suggestion.status != "suggested":
        raise ValueError(f"merge {merge_id} is not a suggestion")
    if same_call:
        merge(
            session,
            suggestion.keep_id,
            suggestion.duplicate_id,
            by=f"staff:{by}",
            score=suggestion.score,
            reasons=suggestion.reasons,
        )
    else:
        dismiss(session, merge_id, by=f"staff:{by}")


def open_reports(session: Session, *, limit: int = LIST_LIMIT) -> list[dict[str, Any]]:
    query = (
        select(CallReport, Opportunity.title)
        .join(Opportunity, col(Opportunity.id) == col(CallReport.opportunity_id), isouter=True)
        .where(CallReport.status == "open")
        .order_by(col(CallReport.created_at), CallReport.id)
        .limit(limit)
    )
    return [
        {
            "id": r.id,
            "opportunity_id": r.opportunity_id,
            "title": title or r.opportunity_id,
            "message": r.message,
            "reporter": r.reporter or "",
            "created": r.created_at.strftime("%Y-%m-%d %H:%M"),
        }
        for r, title in session.exec(query)
    ]


def close_report(session: Session, report_id: int, *, resolved: bool, by: str) -> None:
    report = session.get(CallReport, report_id)
    if report is None or report.status != "open":
        raise ValueError(f"report {report_id} is not open")
    report.status = "resolved" if resolved else "dismissed"
    report.resolved_at, report.resolved_by = utcnow(), by
    session.add(report)
    session.flush()


def queue_sizes(session: Session) -> dict[str, int]:
    def count(query) -> int:
        return session.exec(query).one()

    return {
        "extractions": count(
            select(func.count())
            .select_from(Extraction)
            .where(
                Extraction.status == "proposed",
                Extraction.applied == False,
                col(Extraction.confidence) < LOW_CONFIDENCE,
            )
        ),
        "duplicates": count(
            select(func.count()).select_from(Merge).where(Merge.status == "suggested")
        ),
        "reports": count(
            select(func.count()).select_from(CallReport).where(CallReport.status == "open")
        ),
    }


# Hand edits ----------------------------------------------------------------------------------


def save_call(
    session: Session, values: dict[str, Any], *, by: str, opportunity_id: str | None = None
) -> str:
    """Add a call by hand (id `manual:<n>`) or edit one; every field given is protected from crawls.

    `values` are contract fields; empty ones are left out (an edit never blanks a field by accident).
    Raises RecordError / ValueError with a reason people can read.
    """
    values = {k: v for k, v in values.items() if v not in (None, "", [])}
    if opportunity_id:
        edit_opportunity(session, opportunity_id, values, by=by)
        return opportunity_id
    number = session.exec(
        select(func.count())
        .select_from(Opportunity)
        .where(or_(col(Opportunity.id).startswith("manual:"), col(Opportunity.source) == "manual"))
    ).one()
    new_id = f"manual:{number + 1}"
    while session.get(Opportunity, new_id) is not None:
        number += 1
        new_id = f"manual:{number + 1}"
    store_record(session, {"id": new_id, "source": "manual", **values}, changed_by=f"staff:{by}")
    fields = [k for k in values if k not in ("id", "source")]
    edit_opportunity(session, new_id, {k: values[k] for k in fields}, by=by)
    return new_id
