"""SQLModel tables: opportunities with their provenance and life cycle, change history, sources and runs."""

import hashlib
import secrets
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator):
    """Stores naive UTC (SQLite drops time zones) and hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _json(**kw: Any) -> Any:
    return Field(default=None, sa_column=Column(JSON, **kw))


def _text() -> Any:
    return Field(default=None, sa_column=Column(Text))


class Opportunity(SQLModel, table=True):
    """One call for proposals or financing tool: the contract's fields plus provenance and life cycle."""

    __tablename__ = "opportunity"
    __table_args__ = (
        Index("ix_opportunity_deadline_last", "deadline_last"),
        Index("ix_opportunity_last_changed_at", "last_changed_at"),
        # Listed calls (merged_into IS NULL) by arrival, change and deadline, covering what the
        # staff monitor counts and the public list filters on (0009): no scan of the wide rows.
        Index("ix_opportunity_listed_first_seen", "merged_into", "first_seen_at", "source"),
        Index("ix_opportunity_listed_changed", "merged_into", "last_changed_at", "first_seen_at"),
        Index(
            "ix_opportunity_listed_deadline",
            *("merged_into", "deadline_last", "deadline_first", "opens_on", "recurrence"),
            *("source_status", "id"),
        ),
    )

    id: str = Field(sa_column=Column(String(255), primary_key=True))
    source: str | None = Field(default=None, sa_column=Column(String(100), index=True))
    url: str = Field(sa_column=Column(Text, nullable=False))
    title: str = Field(sa_column=Column(Text, nullable=False))
    summary: str | None = _text()
    summary_plain: str | None = _text()
    eligibility_text: str | None = _text()
    eligibility_plain: str | None = _text()
    funder: str | None = _text()
    programme: str | None = _text()
    language: str | None = Field(default=None, max_length=8)
    instrument: str | None = Field(default=None, max_length=40, index=True)
    instrument_raw: str | None = _text()
    source_status: str | None = Field(default=None, max_length=20)
    source_status_raw: str | None = _text()
    opens_on: date | None = None
    deadlines: list[str] | None = _json()
    deadline_first: date | None = None
    deadline_last: date | None = None
    recurrence: str | None = Field(default=None, max_length=20)
    recurrence_raw: str | None = _text()
    currency: str | None = Field(default=None, max_length=3)
    amount_min: float | None = None
    amount_max: float | None = None
    total_budget: float | None = None
    cofinancing_rate_max: float | None = None
    applicant_types: list[str] | None = _json()
    applicant_types_raw: list[str] | None = _json()
    applicant_countries: list[str] | None = _json()
    intervention_zones: list[str] | None = _json()
    themes: list[str] | None = _json()
    partnership_required: bool | None = None
    min_partners: int | None = None
    extra: dict[str, Any] | None = _json()

    first_seen_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    last_seen_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    last_changed_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    content_hash: str = Field(max_length=64)
    raw_hash: str | None = Field(default=None, max_length=64)
    edited_fields: list[str] | None = _json()
    merged_into: str | None = Field(default=None, sa_column=Column(String(255), index=True))
    # Fields filled by extraction or a merge, not stated by the source: a source stating nothing
    # leaves them, a source stating a value replaces them.
    inferred_fields: list[str] | None = _json()
    # The run that first stored it, so a crawl enriches only what its own runs changed.
    first_run_id: int | None = Field(default=None, index=True)
    # The key of the embedding of this call's text (table embedding), set at enrichment.
    embedding_key: str | None = Field(default=None, max_length=64)


class Embedding(SQLModel, table=True):
    """The meaning of a text as a vector (multilingual-e5-small, float16), kept by the text's hash:
    a call's text is embedded once however often it is stored or copied."""

    __tablename__ = "embedding"

    key: str = Field(sa_column=Column(String(64), primary_key=True))
    model: str = Field(max_length=100)
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class OpportunitySource(SQLModel, table=True):
    """A source an opportunity was seen at; several after deduplication."""

    __tablename__ = "opportunity_source"
    __table_args__ = (UniqueConstraint("opportunity_id", "source"),)

    id: int | None = Field(default=None, primary_key=True)
    opportunity_id: str = Field(sa_column=Column(String(255), nullable=False, index=True))
    source: str = Field(max_length=100)
    source_url: str | None = _text()
    first_seen_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    last_seen_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class FieldChange(SQLModel, table=True):
    """One field of one opportunity changed: what it was, what it became, when and through which run."""

    __tablename__ = "field_change"

    id: int | None = Field(default=None, primary_key=True)
    opportunity_id: str = Field(sa_column=Column(String(255), nullable=False, index=True))
    field: str = Field(max_length=64)
    old_value: Any = _json()
    new_value: Any = _json()
    changed_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    changed_by: str = Field(max_length=100)
    source_run_id: int | None = Field(default=None, index=True)


class Source(SQLModel, table=True):
    """A place opportunities are harvested from (a spider, a feed, a file)."""

    __tablename__ = "source"

    name: str = Field(sa_column=Column(String(100), primary_key=True))
    kind: str | None = Field(default=None, max_length=40)
    url: str | None = _text()
    enabled: bool = True
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class SourceRun(SQLModel, table=True):
    """One harvest or import of one source, with its counts, for source health."""

    __tablename__ = "source_run"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=100, index=True)
    started_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    status: str = Field(default="running", max_length=20)
    items_seen: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    message: str | None = _text()
    # Source health (funding/store/health.py): computed when the run finishes.
    duration_seconds: float | None = None
    errors: int = 0
    fill_rates: dict[str, float] | None = (
        _json()
    )  # {"deadlines": 0.93, "applicant_types": 0.4, ...}
    flags: list[str] | None = (
        _json()
    )  # what looks wrong, in words, e.g. "items fell from 240 to 90 ..."


def value_key(value: Any) -> str:
    """A value's digest: an extraction is recorded once per (call, field, value_key)."""
    encoded = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    return hashlib.blake2b(encoded, digest_size=16).hexdigest()


def _value_key_default(context: Any) -> str:
    return value_key(context.get_current_parameters()["value"])


class Extraction(SQLModel, table=True):
    """A value read from an opportunity's own text, with the sentence it came from, for review."""

    __tablename__ = "extraction"
    __table_args__ = (
        Index("ix_extraction_status_confidence", "status", "confidence"),
        # One row per value read for a field: concurrent enrichments cannot queue it twice.
        UniqueConstraint("opportunity_id", "field", "value_key", name="uq_extraction_value"),
    )

    id: int | None = Field(default=None, primary_key=True)
    opportunity_id: str = Field(sa_column=Column(String(255), nullable=False, index=True))
    field: str = Field(max_length=64)
    value: Any = _json()
    value_key: str | None = Field(  # value_key(value), filled on insert when not given
        default=None, sa_column=Column(String(32), nullable=False, default=_value_key_default)
    )
    snippet: str = Field(sa_column=Column(Text, nullable=False))
    confidence: float
    method: str = Field(max_length=100)
    extracted_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    status: str = Field(default="proposed", max_length=20)  # proposed | accepted | rejected
    applied: bool = False


class Merge(SQLModel, table=True):
    """Two listings of one call: suggested, merged (with what moved, so it can be undone) or undone."""

    __tablename__ = "merge"
    __table_args__ = (
        Index("ix_merge_status", "status"),
        # A pair is suggested once, however many enrichments run at the same time.
        Index(
            "uq_merge_suggested_pair",
            "keep_id",
            "duplicate_id",
            unique=True,
            sqlite_where=text("status = 'suggested'"),
            postgresql_where=text("status = 'suggested'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    keep_id: str = Field(sa_column=Column(String(255), nullable=False, index=True))
    duplicate_id: str = Field(sa_column=Column(String(255), nullable=False, index=True))
    status: str = Field(max_length=20)  # suggested | merged | unmerged | dismissed
    score: float | None = None
    reasons: list[str] | None = _json()
    moved_sources: list[int] | None = _json()
    filled_fields: dict[str, Any] | None = _json()
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    merged_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    merged_by: str | None = Field(default=None, max_length=100)
    undone_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    undone_by: str | None = Field(default=None, max_length=100)


# People and their partnerships: saved profiles, hidden and watched calls, reports, subscribers,
# and the delivery ledger of digests (issues "interface" and "digests" share these).


def link_key() -> str:
    """A random key per subscriber that its links carry: it dies with the row, ids may not."""
    return secrets.token_urlsafe(12)


class Partnership(SQLModel, table=True):
    """A saved partnership profile (funding/contracts/profile.schema.json) that people work with."""

    __tablename__ = "partnership"
    # Ids are referenced from outside (links, saved URLs): SQLite must never reuse a deleted one.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    profile: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    owner_email: str | None = Field(default=None, max_length=320, index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class PartnershipMember(SQLModel, table=True):
    """Who may see and change a partnership (besides staff): a project lead's or subscriber's address."""

    __tablename__ = "partnership_member"
    __table_args__ = (UniqueConstraint("partnership_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    partnership_id: int = Field(foreign_key="partnership.id", index=True)
    email: str = Field(sa_column=Column(String(320), nullable=False, index=True))
    added_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class HiddenCall(SQLModel, table=True):
    """A call a partnership said is 'not for us': out of its results and digests until restored."""

    __tablename__ = "hidden_call"
    __table_args__ = (UniqueConstraint("partnership_id", "opportunity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    partnership_id: int = Field(foreign_key="partnership.id", index=True)
    opportunity_id: str = Field(sa_column=Column(String(255), nullable=False, index=True))
    hidden_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    reason: str | None = _text()


class WatchedCall(SQLModel, table=True):
    """A call a partnership follows, with its stage and notes (deadline reminders, calendar)."""

    __tablename__ = "watched_call"
    __table_args__ = (UniqueConstraint("partnership_id", "opportunity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    partnership_id: int = Field(foreign_key="partnership.id", index=True)
    opportunity_id: str = Field(sa_column=Column(String(255), nullable=False, index=True))
    stage: str = Field(
        default="interested", max_length=20
    )  # interested|preparing|submitted|won|lost
    notes: str | None = _text()
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class CallReport(SQLModel, table=True):
    """A user's report on a call (wrong deadline, closed, not eligible...), for the staff review queue."""

    __tablename__ = "call_report"

    id: int | None = Field(default=None, primary_key=True)
    opportunity_id: str = Field(sa_column=Column(String(255), nullable=False, index=True))
    message: str = Field(sa_column=Column(Text, nullable=False))
    reporter: str | None = Field(default=None, max_length=320)
    status: str = Field(default="open", max_length=20, index=True)  # open | resolved | dismissed
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    resolved_by: str | None = Field(default=None, max_length=100)


class Subscriber(SQLModel, table=True):
    """Someone who receives digests of the calls that fit a partnership."""

    __tablename__ = "subscriber"
    # Links carry the id: SQLite must never give a removed subscriber's id to the next one.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=Column(String(320), nullable=False, unique=True))
    link_key: str = Field(default_factory=link_key, max_length=32)
    partnership_id: int = Field(foreign_key="partnership.id", index=True)
    frequency: str = Field(default="weekly", max_length=10)  # weekly | daily
    language: str = Field(default="fr", max_length=2)  # fr | en
    status: str = Field(
        default="pending", max_length=20, index=True
    )  # pending|active|paused|unsubscribed
    paused_reason: str | None = _text()
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    confirmed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    last_digest_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class Delivery(SQLModel, table=True):
    """The ledger: one row per (subscriber, kind, period) makes each e-mail sent at most once."""

    __tablename__ = "delivery"
    __table_args__ = (UniqueConstraint("subscriber_id", "kind", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True)
    kind: str = Field(max_length=20)  # digest | reminder | confirmation | staff_alert
    period: str = Field(max_length=64)  # e.g. "2026-W48", "2026-11-26", "confirm"
    status: str = Field(default="pending", max_length=20, index=True)  # pending|sending|sent|failed
    attempts: int = 0
    last_error: str | None = _text()
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    message_id: str | None = Field(default=None, max_length=255)
    item_ids: list[str] | None = _json()
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class SignInAttempt(SQLModel, table=True):
    """Staff sign-in attempts, so failures can be rate-limited across processes."""

    __tablename__ = "sign_in_attempt"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, index=True)
    client: str | None = Field(default=None, max_length=100, index=True)  # who tried (address)
    succeeded: bool
    locked: bool = False  # refused without checking the password: not a failure of its own
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))


class StaffAlert(SQLModel, table=True):
    """An e-mail to staff (a source flagged, an address rejected), sent once per key like a delivery."""

    __tablename__ = "staff_alert"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(200), nullable=False, unique=True))  # "source_run:42"
    subject: str = Field(sa_column=Column(Text, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(
        default="sending", max_length=20, index=True
    )  # sending|sent|failed|no_staff
    attempts: int = 0
    last_error: str | None = _text()
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class AwardProject(SQLModel, table=True):
    """A project a funder has already funded (a past award, not a call): what it does, under which
    call topic, when, and how much the funder gave."""

    __tablename__ = "award_project"

    id: str = Field(
        sa_column=Column(String(255), primary_key=True)
    )  # '<source>:<id at the source>'
    source: str = Field(sa_column=Column(String(100), nullable=False, index=True))
    acronym: str | None = _text()
    title: str = Field(sa_column=Column(Text, nullable=False))
    objective: str | None = _text()
    topic: str | None = Field(default=None, sa_column=Column(String(255), index=True))
    topic_title: str | None = _text()
    call: str | None = Field(default=None, sa_column=Column(String(255)))
    programme: str | None = Field(default=None, sa_column=Column(String(100)))
    scheme: str | None = Field(default=None, sa_column=Column(String(100)))
    start_date: date | None = None
    end_date: date | None = None
    total_cost: float | None = None
    eu_contribution: float | None = None
    url: str | None = _text()
    raw_hash: str = Field(max_length=64)


class AwardOrganisation(SQLModel, table=True):
    """An organisation that took part in funded projects, once per source id; `same_as` points to
    the first organisation of another source with the same name and place."""

    __tablename__ = "award_organisation"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_award_organisation_source_id"),
        Index("ix_award_organisation_name_place", "name_key", "country"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=100)
    source_id: str = Field(max_length=255)
    name: str = Field(sa_column=Column(Text, nullable=False))
    name_key: str = Field(max_length=255)
    type: str | None = Field(default=None, max_length=20)
    sme: bool | None = None
    country: str | None = Field(default=None, max_length=2, index=True)
    city: str | None = _text()
    region: str | None = Field(default=None, max_length=10, index=True)
    same_as: int | None = None
    raw_hash: str = Field(max_length=64)


class AwardParticipation(SQLModel, table=True):
    """One organisation in one funded project in one role (CORDIS lists some twice: participant
    and third party), and what the funder gave it."""

    __tablename__ = "award_participation"
    __table_args__ = (
        UniqueConstraint("project_id", "organisation_id", "role", name="uq_award_participation"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Not a foreign key: the participations file may be imported before the projects file.
    project_id: str = Field(sa_column=Column(String(255), nullable=False, index=True))
    organisation_id: int = Field(index=True)
    role: str | None = Field(default=None, max_length=30)
    contribution: float | None = None
    raw_hash: str = Field(max_length=64)


class AwardIndexCache(SQLModel, table=True):
    """The partner-suggestion index of every funded project, built once per awards import and
    stored so that a fresh process reads it instead of stemming every objective again."""

    __tablename__ = "award_index_cache"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int | None = Field(
        default=None, index=True
    )  # the last awards import it was built after
    built_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
