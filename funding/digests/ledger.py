"""The delivery ledger: each (subscriber, kind, period) claimed atomically before sending, so an
e-mail goes out at most once, and a claim left by a crashed run is taken again once it is stale."""

import os
import socket
import threading
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from funding.store.models import Delivery, StaffAlert, Subscriber, utcnow

RETRYABLE = ("pending", "failed")


def worker_name() -> str:
    """Who holds a claim: host, process and thread, for people reading the ledger."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"[:100]


def _insert(engine: Engine, table: Any):
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def claim(
    engine: Engine,
    subscriber_id: int,
    kind: str,
    period: str,
    *,
    worker: str | None = None,
    now: datetime | None = None,
    stale_after: timedelta = timedelta(minutes=15),
) -> Delivery | None:
    """Take the right to send this e-mail, or None when it was sent or another run holds it.

    It can be taken again when it failed before, or when its claim went stale (a run that crashed
    between claiming and marking it sent).
    """
    now = now or utcnow()
    worker = worker or worker_name()
    return _claim(
        engine,
        Delivery,
        {"subscriber_id": subscriber_id, "kind": kind, "period": period},
        new={
            "status": "sending",
            "attempts": 0,
            "claimed_by": worker,
            "claimed_at": now,
            "created_at": now,
            "message_id": message_id(subscriber_id, kind, period),
        },
        again=or_(
            and_(Delivery.status.in_(RETRYABLE), Delivery.claimed_at.is_(None)),
            and_(Delivery.status != "sent", Delivery.claimed_at < now - stale_after),
        ),
        taken={"status": "sending", "claimed_by": worker, "claimed_at": now},
    )


def _claim(
    engine: Engine,
    model: Any,
    key: dict[str, Any],
    *,
    new: dict[str, Any],
    again: Any,
    taken: dict[str, Any],
) -> Any | None:
    """One statement decides a claim: an INSERT of a new row (key and new values), else an UPDATE
    to the taken values of the existing row when `again` holds for it; None when neither did."""
    table = model.__table__
    where = and_(*(table.c[column] == value for column, value in key.items()))
    with Session(engine, expire_on_commit=False) as session:
        connection = session.connection()
        inserted = connection.execute(
            _insert(engine, table)
            .values(**key, **new)
            .on_conflict_do_nothing(index_elements=list(key))
            .returning(table.c.id)
        ).first()
        if inserted is None:
            updated = connection.execute(
                update(table).where(where).where(again).values(**taken).returning(table.c.id)
            ).first()
            if updated is None:
                session.rollback()
                return None
        session.commit()
        return session.exec(select(model).where(where)).one()


def message_id(subscriber_id: int, kind: str, period: str) -> str:
    """Made once at the claim and kept in the ledger: a resent copy carries the same Message-ID."""
    from email.utils import make_msgid

    from funding.settings import get_settings

    domain = get_settings().smtp_sender.rsplit("@", 1)[-1].strip(" >") or "localhost"
    safe = "".join(c if c.isalnum() or c in "-." else "-" for c in period)
    return make_msgid(f"{kind}.{subscriber_id}.{safe}", domain=domain)


def mark_sent(
    engine: Engine,
    delivery: Delivery,
    *,
    item_ids: list[str] | None = None,
    now: datetime | None = None,
    digest: bool = False,
) -> None:
    """The server accepted it: sent, never again; a digest moves the subscriber's 'since'."""
    now = now or utcnow()
    with Session(engine) as session:
        session.connection().execute(
            update(Delivery.__table__)
            .where(Delivery.id == delivery.id)
            .values(
                status="sent",
                sent_at=now,
                attempts=Delivery.attempts + 1,
                item_ids=item_ids,
                last_error=None,
            )
        )
        if digest:
            session.connection().execute(
                update(Subscriber.__table__)
                .where(Subscriber.id == delivery.subscriber_id)
                .values(last_digest_at=now)
            )
        session.commit()


def mark_failed(engine: Engine, delivery: Delivery, error: str, *, attempts: int = 1) -> None:
    """Not sent: released for the next run, with what went wrong."""
    with Session(engine) as session:
        session.connection().execute(
            update(Delivery.__table__)
            .where(Delivery.id == delivery.id)
            .values(
                status="failed",
                attempts=Delivery.attempts + attempts,
                last_error=error[:2000],
                claimed_at=None,
                claimed_by=None,
            )
        )
        session.commit()


def pause_subscriber(engine: Engine, subscriber_id: int, reason: str) -> None:
    with Session(engine) as session:
        session.connection().execute(
            update(Subscriber.__table__)
            .where(Subscriber.id == subscriber_id)
            .values(status="paused", paused_reason=reason[:2000])
        )
        session.commit()


def sent_keys(session: Session, kind: str, period_of: dict[int, str]) -> set[int]:
    """The subscribers (among period_of's) whose e-mail of this kind for their period went out."""
    if not period_of:
        return set()
    query = select(Delivery.subscriber_id, Delivery.period).where(
        Delivery.kind == kind,
        Delivery.status == "sent",
        Delivery.period.in_(set(period_of.values())),  # type: ignore[attr-defined]
    )
    return {sid for sid, period in session.exec(query) if period_of.get(sid) == period}


def claim_alert(
    engine: Engine,
    key: str,
    subject: str,
    body: str,
    *,
    now: datetime | None = None,
    stale_after: timedelta = timedelta(minutes=15),
) -> StaffAlert | None:
    """The staff alert ledger: the same claim, keyed by what the alert is about."""
    now = now or utcnow()
    return _claim(
        engine,
        StaffAlert,
        {"key": key},
        new={
            "subject": subject,
            "body": body,
            "status": "sending",
            "attempts": 0,
            "claimed_at": now,
            "created_at": now,
        },
        again=or_(
            and_(StaffAlert.status == "failed", StaffAlert.claimed_at.is_(None)),
            and_(StaffAlert.status == "sending", StaffAlert.claimed_at < now - stale_after),
        ),
        taken={"status": "sending", "claimed_at": now},
    )


def finish_alert(engine: Engine, alert: StaffAlert, status: str, error: str | None = None) -> None:
    with Session(engine) as session:
        values: dict[str, Any] = {
            "status": status,
            "attempts": StaffAlert.attempts + 1,
            "last_error": error,
        }
        if status == "sent":
            values["sent_at"] = utcnow()
        if status == "failed":
            values["claimed_at"] = None
        session.connection().execute(
            update(StaffAlert.__table__).where(StaffAlert.id == alert.id).values(**values)
        )
        session.commit()
