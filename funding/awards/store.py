"""Storing past awards: upserts that say what they did (insert, update, noop) by each record's
digest, organisations deduplicated by source id and, across sources, by name and place."""

from typing import Any

from sqlalchemy import select, tuple_
from sqlmodel import Session, col

from funding.awards.records import Organisation, ParticipationRecord, ProjectRecord, name_key
from funding.contracts.records import raw_hash
from funding.store.models import AwardOrganisation, AwardParticipation, AwardProject
from funding.store.opportunities import Outcome


def project_id(source: str, source_id: str) -> str:
    return f"{source}:{source_id}"


def _changed(stored: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(stored, name, value)


def _upsert(session: Session, stored: dict, key: Any, model: type, values: dict) -> Outcome:
    """Insert the row `stored` lacks under `key`, update it when its digest differs."""
    found = stored.get(key)
    if found is None:
        stored[key] = model(**values)
        session.add(stored[key])
        return "insert"
    if found.raw_hash == values["raw_hash"]:
        return "noop"
    _changed(found, values)
    return "update"


def store_projects(session: Session, records: list[ProjectRecord]) -> list[Outcome]:
    """Insert or update each funded project; one that is stored as it is changes nothing."""
    rows = []
    for record in records:
        values = record.model_dump(exclude={"kind"})
        values["id"] = project_id(record.source, record.id)
        values["raw_hash"] = raw_hash(record.model_dump(mode="json"))
        rows.append(values)
    stored = {
        p.id: p
        for p in session.exec(
            select(AwardProject).where(col(AwardProject.id).in_([r["id"] for r in rows]))
        ).scalars()
    }
    return [_upsert(session, stored, values["id"], AwardProject, values) for values in rows]


def _organisation_values(source: str, organisation: Organisation) -> dict[str, Any]:
    values = organisation.model_dump(exclude={"id"})
    values.update(source=source, source_id=organisation.id, name_key=name_key(organisation.name))
    values["raw_hash"] = raw_hash({k: v for k, v in values.items() if k != "raw_hash"})
    return values


def _organisations(session: Session, records: list[ParticipationRecord]) -> dict[tuple, int]:
    """(source, source id) -> the organisation's row id, storing new and changed ones; a new one
    named and placed as one of another source is marked the same as it."""
    wanted: dict[tuple, dict[str, Any]] = {}
    for record in records:
        wanted[(record.source, record.organisation.id)] = _organisation_values(
            record.source, record.organisation
        )
    found = {
        (o.source, o.source_id): o
        for o in session.exec(
            select(AwardOrganisation).where(
                tuple_(AwardOrganisation.source, AwardOrganisation.source_id).in_(list(wanted))
            )
        ).scalars()
    }
    new = [values for key, values in wanted.items() if key not in found]
    twins = _same_name_and_place(session, new)
    for key, values in wanted.items():
        stored = found.get(key)
        if stored is None:
            twin = twins.get((values["name_key"], values["country"]))
            if twin is not None and twin.source != values["source"]:
                values["same_as"] = twin.same_as or twin.id
            stored = found[key] = AwardOrganisation(**values)
            session.add(stored)
        elif stored.raw_hash != values["raw_hash"]:
            _changed(stored, values)
    session.flush()
    return {key: stored.id for key, stored in found.items()}


def _same_name_and_place(session: Session, new: list[dict[str, Any]]) -> dict[tuple, Any]:
    keys = {(v["name_key"], v["country"]) for v in new if v["country"]}
    if not keys:
        return {}
    query = (
        select(AwardOrganisation)
        .where(tuple_(AwardOrganisation.name_key, AwardOrganisation.country).in_(list(keys)))
        .order_by(AwardOrganisation.id)
    )
    twins: dict[tuple, Any] = {}
    for organisation in session.exec(query).scalars():
        twins.setdefault((organisation.name_key, organisation.country), organisation)
    return twins


def store_participations(session: Session, records: list[ParticipationRecord]) -> list[Outcome]:
    """Insert or update each participation (and its organisation); a participation counts as
    updated when it or its organisation changed."""
    organisations = _organisations(session, records)
    rows = []
    for record in records:
        organisation = _organisation_values(record.source, record.organisation)
        rows.append(
            {
                "project_id": project_id(record.source, record.project_id),
                "organisation_id": organisations[(record.source, record.organisation.id)],
                "role": record.role,
                "contribution": record.contribution,
                "raw_hash": raw_hash([record.role, record.contribution, organisation["raw_hash"]]),
            }
        )
    keys = [(r["project_id"], r["organisation_id"], r["role"]) for r in rows]
    last = {key: i for i, key in enumerate(keys)}  # a participation given twice: the last one wins
    stored = {
        (p.project_id, p.organisation_id, p.role): p
        for p in session.exec(
            select(AwardParticipation).where(
                col(AwardParticipation.project_id).in_({k[0] for k in keys})
            )
        ).scalars()
    }
    return [
        "noop" if last[key] != i else _upsert(session, stored, key, AwardParticipation, values)
        for i, (key, values) in enumerate(zip(keys, rows, strict=True))
    ]
