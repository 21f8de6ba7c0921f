"""The past-awards contract (contracts/award.schema.json): a funded project or a participation,
validated record by record; each source's own rows are first read into it by an adapter."""

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from funding.contracts.records import (
    MAX_ID,
    MAX_SOURCE,
    RecordError,
    _amount,
    _bounded,
    _date,
    _reason,
    _required_text,
    _text,
    validation_problems,
    without_nul,
)
from funding.normalize.words import words

ORGANISATION_TYPES = (
    "PRC",
    "HES",
    "REC",
    "PUB",
    "OTH",
)  # company, higher education, research, public, other
ROLES = ("coordinator", "participant", "associatedPartner", "thirdParty")
# CORDIS writes Greece and the United Kingdom its own way; the store keeps ISO 3166-1.
CORDIS_COUNTRIES = {"EL": "GR", "UK": "GB"}


def _key(value: Any) -> str:
    return _bounded(_required_text(value), MAX_ID)


def _source(value: Any) -> str:
    return _bounded(_required_text(value), MAX_SOURCE)


def _country(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    code = text.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise _reason(ValueError(f"'{text}' is not a two-letter country code (ISO 3166-1)"))
    return CORDIS_COUNTRIES.get(code, code)


def _boolean(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise _reason(ValueError(f"{value!r} is not true or false"))


Key = Annotated[str, BeforeValidator(_key)]
Source = Annotated[str, BeforeValidator(_source)]
Text = Annotated[str | None, BeforeValidator(_text)]
Day = Annotated[date | None, BeforeValidator(_date)]
Money = Annotated[float | None, BeforeValidator(_amount)]


class ProjectRecord(BaseModel):
    """A funded project: its id at the source, what it does, under which call, when, how much."""

    model_config = ConfigDict(extra="ignore")

    kind: Literal["project"] = "project"
    source: Source
    id: Key
    title: Annotated[str, BeforeValidator(_required_text)]
    acronym: Text = None
    objective: Text = None
    topic: Text = None
    topic_title: Text = None
    call: Text = None
    programme: Text = None
    scheme: Text = None
    start_date: Day = None
    end_date: Day = None
    total_cost: Money = None
    eu_contribution: Money = None
    url: Text = None


class Organisation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: Key
    name: Annotated[str, BeforeValidator(_required_text)]
    type: Literal[ORGANISATION_TYPES] | None = None  # type: ignore[valid-type]
    sme: Annotated[bool | None, BeforeValidator(_boolean)] = None
    country: Annotated[str | None, BeforeValidator(_country)] = None
    city: Text = None
    region: Text = None  # a NUTS code (CH013 Geneva, FRK28 Haute-Savoie)


class ParticipationRecord(BaseModel):
    """One organisation in one funded project, its role and the funder's contribution to it."""

    model_config = ConfigDict(extra="ignore")

    kind: Literal["participation"] = "participation"
    source: Source
    project_id: Key
    organisation: Organisation
    role: Literal[ROLES] | None = None  # type: ignore[valid-type]
    contribution: Money = None


def from_cordis(row: dict) -> dict:
    """A row of the CORDIS Horizon Europe extract (projects or organisations file) in the contract."""
    if "projectID" in row or "organisationID" in row:
        return {
            "kind": "participation",
            "source": "cordis",
            "project_id": row.get("projectID"),
            "organisation": {
                "id": row.get("organisationID"),
                "name": row.get("name"),
                "type": row.get("activityType"),
                "sme": row.get("sme"),
                "country": row.get("country"),
                "city": row.get("city"),
                "region": row.get("nutsCode"),
            },
            "role": row.get("role"),
            "contribution": row.get("ecContribution"),
        }
    topics, titles = row.get("topics") or [None], row.get("topicTitles") or [None]
    grant = row.get("id")
    return {
        "kind": "project",
        "source": "cordis",
        "id": grant,
        "title": row.get("title"),
        "acronym": row.get("acronym"),
        "objective": row.get("objective"),
        "topic": topics[0] if isinstance(topics, list) else topics,
        "topic_title": titles[0] if isinstance(titles, list) else titles,
        "call": row.get("subCall") or row.get("masterCall"),
        "programme": row.get("legalBasis"),
        "scheme": row.get("fundingScheme"),
        "start_date": row.get("startDate"),
        "end_date": row.get("endDate"),
        "total_cost": row.get("totalCost"),
        "eu_contribution": row.get("ecMaxContribution"),
        "url": f"https://cordis.europa.eu/project/id/{grant}" if isinstance(grant, str) else None,
    }


# A problem in a CORDIS row is named by the extract's own column.
CORDIS_COLUMNS = {
    "id": "id",
    "title": "title",
    "start_date": "startDate",
    "end_date": "endDate",
    "total_cost": "totalCost",
    "eu_contribution": "ecMaxContribution",
    "topic": "topics",
    "topic_title": "topicTitles",
    "call": "subCall",
    "programme": "legalBasis",
    "scheme": "fundingScheme",
    "project_id": "projectID",
    "organisation.id": "organisationID",
    "organisation.name": "name",
    "organisation.type": "activityType",
    "organisation.sme": "sme",
    "organisation.country": "country",
    "organisation.city": "city",
    "organisation.region": "nutsCode",
    "role": "role",
    "contribution": "ecContribution",
}


def is_cordis(row: dict) -> bool:
    return "kind" not in row and ("projectID" in row or "ecMaxContribution" in row)


def validate_award(data: Any) -> ProjectRecord | ParticipationRecord:
    """Check one record (in the contract, or a CORDIS row); RecordError names every bad field."""
    if not isinstance(data, dict):
        raise RecordError([("", f"expected an object, got {type(data).__name__}")])
    cordis = is_cordis(data)
    data = without_nul(from_cordis(data) if cordis else data)
    model = ParticipationRecord if data.get("kind") == "participation" else ProjectRecord
    if data.get("kind") not in ("project", "participation"):
        raise RecordError([("kind", f"{data.get('kind')!r} is not 'project' or 'participation'")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc)
        if cordis:
            problems = [(CORDIS_COLUMNS.get(where, where), why) for where, why in problems]
        raise RecordError(problems) from None


def name_key(name: str) -> str:
    """An organisation's name reduced for matching across sources (case, accents, punctuation)."""
    return " ".join(words(name))[:255]
