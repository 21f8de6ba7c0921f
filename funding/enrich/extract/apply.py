"""Extractions into the store: every proposal recorded for review, confident ones fill empty fields."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from funding.store.models import Extraction as ExtractionRow
from funding.store.models import FieldChange, Opportunity, utcnow, value_key

CHANGED_BY = "extract"
# Fields an extraction may fill, and the columns that follow them.
FILLABLE = {
    "applicant_types": ("applicant_types_raw",),
    "partnership_required": (),
    "min_partners": (),
    "cofinancing_rate_max": (),
    "amount_min": (),
    "amount_max": (),
    "total_budget": (),
    "currency": (),
    "deadlines": ("deadline_first", "deadline_last"),
    "applicant_countries": (),
    "intervention_zones": (),
}


def _derived(field: str, value: Any) -> dict[str, Any]:
    if field == "deadlines":
        return {
            "deadline_first": date.fromisoformat(value[0]),
            "deadline_last": date.fromisoformat(value[-1]),
        }
    if field == "applicant_types":
        return {"applicant_types_raw": list(value)}
    return {}


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == ""


def apply_extractions(
    session: Session,
    opportunity: Opportunity | str,
    extractions: Sequence[Any],
    *,
    min_confidence: float = 0.7,
    now: datetime | None = None,
    known: Sequence[ExtractionRow] | None = None,
) -> list[ExtractionRow]:
    """Record extractions (once each) and fill the opportunity's empty fields with confident ones.

    A filled field is history (changed_by "extract"); fields staff edited are never filled, and a
    value the source states later simply replaces it on the next upsert. Values staff rejected
    before are not filled again. A value another enrichment recorded meanwhile is left to it (the
    unique key on extractions): only the rows this call recorded are returned and applied.
    """
    if isinstance(opportunity, str):
        found = session.get(Opportunity, opportunity)
        if found is None:
            raise KeyError(f"no opportunity {opportunity!r}")
        opportunity = found
    now = now or utcnow()
    if known is None:  # what was recorded for it before (enrich reads them for a whole batch)
        known = session.exec(
            select(ExtractionRow).where(ExtractionRow.opportunity_id == opportunity.id)
        ).all()
    seen = {(row.field, row.value_key) for row in known}
    rejected = {(row.field, row.value_key) for row in known if row.status == "rejected"}
    rows = []
    for extraction in extractions:
        key = (extraction.field, value_key(extraction.value))
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            ExtractionRow(
                opportunity_id=opportunity.id,
                field=extraction.field,
                value=extraction.value,
                value_key=key[1],
                snippet=extraction.snippet,
                confidence=extraction.confidence,
                method=extraction.method,
                extracted_at=now,
                status="proposed",
            )
        )
    rows = _record(session, rows)
    protected = set(opportunity.edited_fields or ())
    best: dict[str, ExtractionRow] = {}
    for row in rows:
        if (
            row.field in FILLABLE
            and row.confidence >= min_confidence
            and (row.field, row.value_key) not in rejected
            and (row.field not in best or row.confidence > best[row.field].confidence)
        ):
            best[row.field] = row
    applied = []
    for field, row in best.items():
        if field in protected or not _empty(getattr(opportunity, field)):
            continue
        session.add(
            FieldChange(
                opportunity_id=opportunity.id,
                field=field,
                old_value=getattr(opportunity, field),
                new_value=row.value,
                changed_at=now,
                changed_by=CHANGED_BY,
            )
        )
        setattr(opportunity, field, row.value)
        for column, value in _derived(field, row.value).items():
            setattr(opportunity, column, value)
        row.status, row.applied = "accepted", True
        applied.append(row.id)
        opportunity.inferred_fields = sorted(set(opportunity.inferred_fields or ()) | {field})
    if applied:
        opportunity.last_changed_at = now
        session.add(opportunity)
        table = ExtractionRow.__table__
        session.execute(
            update(table).where(table.c.id.in_(applied)).values(status="accepted", applied=True)
        )
    if rows:
        session.flush()
    return rows


def _record(session: Session, rows: list[ExtractionRow]) -> list[ExtractionRow]:
    """Insert the rows, skipping those another writer recorded since (INSERT ... ON CONFLICT DO
    NOTHING on both databases); the rows inserted come back with their ids."""
    if not rows:
        return []
    table = ExtractionRow.__table__
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    columns = [c.name for c in table.columns if c.name != "id"]
    statement = (
        insert(table)
        .on_conflict_do_nothing(index_elements=["opportunity_id", "field", "value_key"])
        .returning(table.c.id, table.c.field, table.c.value_key)
    )
    session.flush()  # the opportunity's pending changes first, as the ORM would order them
    inserted = {
        (field, key): row_id
        for row_id, field, key in session.execute(
            statement, [{c: getattr(row, c) for c in columns} for row in rows]
        )
    }
    kept = []
    for row in rows:
        row.id = inserted.get((row.field, row.value_key))
        if row.id is not None:
            kept.append(row)
    return kept
