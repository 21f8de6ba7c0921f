"""Subscribers: double opt-in, signed expiring links (confirm, unsubscribe), pause, their data."""

import hmac
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from funding.access import signing
from funding.access.partnerships import add_member, save_partnership
from funding.access.signing import normalize_email
from funding.errors import SubscriptionError
from funding.store.models import (
    Delivery,
    HiddenCall,
    Partnership,
    PartnershipMember,
    StaffAlert,
    Subscriber,
    WatchedCall,
    utcnow,
)

FREQUENCIES = ("weekly", "daily")
LANGUAGES = ("fr", "en")
# How long a link stays valid, in days.
TOKEN_DAYS = {"confirm": 7, "unsubscribe": 180}


# Signed links --------------------------------------------------------------------------------


def make_token(purpose: str, subscriber: Subscriber, *, now: float | None = None) -> str:
    """'<purpose>.<id>.<link key>.<expiry>' signed with FUNDING_SECRET_KEY (HMAC-SHA256), URL-safe.

    The link key is random per subscriber row: a removed subscriber's links never act on
    whoever gets the same id or address later.
    """
    expires = int((now if now is not None else time.time()) + TOKEN_DAYS[purpose] * 86400)
    payload = f"{purpose}.{subscriber.id}.{subscriber.link_key}.{expires}"
    return f"{signing.b64(payload.encode())}.{signing.signature(payload)}"


@dataclass(frozen=True)
class LinkClaim:
    """What a valid link says: for which subscriber row, and when it was made."""

    subscriber_id: int
    link_key: str | None  # None: a link made before links carried a key
    issued_at: float


def read_token(token: str, purpose: str, *, now: float | None = None) -> LinkClaim:
    """What a link was made for; SubscriptionError if forged, for another use or old."""
    try:
        encoded, signature = token.strip().split(".")
        payload = signing.unb64(encoded).decode()
        kind, subscriber_id, *key, expires = payload.split(".")
        claim = LinkClaim(
            int(subscriber_id), key[0] if key else None, int(expires) - TOKEN_DAYS[kind] * 86400
        )
    except (ValueError, UnicodeDecodeError, KeyError):
        raise SubscriptionError("this link is not valid") from None
    if (
        len(key) > 1
        or not hmac.compare_digest(signature, signing.signature(payload))
        or kind != purpose
    ):
        raise SubscriptionError("this link is not valid")
    if int(expires) < (now if now is not None else time.time()):
        raise SubscriptionError("this link has expired")
    return claim


def _made_for(claim: LinkClaim, subscriber: Subscriber) -> bool:
    """A link acts only on the row it was made for: same link key (links made before keys
    existed: made after the row was created, so never for a previous holder of the id)."""
    if claim.link_key is not None:
        return hmac.compare_digest(claim.link_key, subscriber.link_key or "")
    return claim.issued_at >= int(subscriber.created_at.timestamp())


# Subscribing ---------------------------------------------------------------------------------


def _partnership(
    session: Session, profile: dict[str, Any] | None, partnership_id: int | None, owner: str
) -> Partnership:
    if partnership_id is not None:
        found = session.get(Partnership, partnership_id)
        if found is None:
            raise SubscriptionError(f"no partnership {partnership_id}")
        return found
    if profile is None:
        raise SubscriptionError("a subscription needs a partnership profile")
    return save_partnership(session, profile, owner_email=owner)


def _check(frequency: str, language: str) -> None:
    if frequency not in FREQUENCIES:
        raise SubscriptionError(f"frequency must be weekly or daily, not {frequency!r}")
    if language not in LANGUAGES:
        raise SubscriptionError(f"language must be fr or en, not {language!r}")


def get_subscriber(session: Session, email: str) -> Subscriber | None:
    return session.exec(
        select(Subscriber).where(Subscriber.email == normalize_email(email))
    ).first()


def subscribe(
    session: Session,
    email: str,
    *,
    profile: dict[str, Any] | None = None,
    partnership_id: int | None = None,
    frequency: str = "weekly",
    language: str = "fr",
    confirmed: bool = False,
    now: datetime | None = None,
) -> Subscriber:
    """A pending subscriber (nothing is sent but the confirmation), or an active one added by staff.

    Subscribing again updates the profile, frequency and language; an address that unsubscribed
    must confirm again. The caller commits, then sends the confirmation (`send_confirmation`).
    """
    _check(frequency, language)
    address = normalize_email(email)
    now = now or utcnow()
    subscriber = get_subscriber(session, address)
    if subscriber is not None and profile is not None and partnership_id is None:
        partnership_id = subscriber.partnership_id
        save_partnership(session, profile, partnership_id=partnership_id, owner_email=address)
    partnership = _partnership(
        session, profile if partnership_id is None else None, partnership_id, address
    )
    if subscriber is None:
        subscriber = Subscriber(email=address, partnership_id=partnership.id, created_at=now)  # type: ignore[arg-type]
    subscriber.partnership_id = partnership.id  # type: ignore[assignment]
    add_member(session, partnership.id, address, now=now)  # type: ignore[arg-type]  # their digest link opens it
    subscriber.frequency, subscriber.language = frequency, language
    if confirmed:
        subscriber.status, subscriber.paused_reason = "active", None
        subscriber.confirmed_at = subscriber.confirmed_at or now
    elif subscriber.status not in ("active", "paused"):
        subscriber.status = "pending"
    session.add(subscriber)
    session.flush()
    return subscriber


def confirm(session: Session, token: str, *, now: datetime | None = None) -> Subscriber:
    """The confirmation button was pressed: digests start (a paused or active address stays so)."""
    subscriber = link_subscriber(session, token, "confirm")
    if subscriber.status in ("pending", "unsubscribed"):
        subscriber.status = "active"
        subscriber.confirmed_at = now or utcnow()
        session.add(subscriber)
        session.flush()
    return subscriber


def unsubscribe(session: Session, token: str) -> Subscriber:
    """One click from any e-mail (or the List-Unsubscribe-Post request): nothing more is sent."""
    subscriber = link_subscriber(session, token, "unsubscribe")
    subscriber.status = "unsubscribed"
    session.add(subscriber)
    session.flush()
    return subscriber


def link_subscriber(session: Session, token: str, purpose: str) -> Subscriber:
    """Whom a link is for, changing nothing (opening a link shows a button; pressing it acts)."""
    claim = read_token(token, purpose)
    subscriber = session.get(Subscriber, claim.subscriber_id)
    if subscriber is None or not _made_for(claim, subscriber):
        raise SubscriptionError("this subscription no longer exists")
    return subscriber


def pause(session: Session, email: str, reason: str = "paused by staff") -> Subscriber:
    subscriber = _existing(session, email)
    subscriber.status, subscriber.paused_reason = "paused", reason
    session.add(subscriber)
    session.flush()
    return subscriber


def resume(session: Session, email: str) -> Subscriber:
    """Back to active (a confirmed address) or pending (one never confirmed)."""
    subscriber = _existing(session, email)
    subscriber.status = "active" if subscriber.confirmed_at else "pending"
    subscriber.paused_reason = None
    session.add(subscriber)
    session.flush()
    return subscriber


def _existing(session: Session, email: str) -> Subscriber:
    subscriber = get_subscriber(session, email)
    if subscriber is None:
        raise SubscriptionError(f"no subscriber {normalize_email(email)}")
    return subscriber


def list_subscribers(session: Session, *, status: str | None = None) -> list[Subscriber]:
    query = select(Subscriber).order_by(Subscriber.email)
    if status:
        query = query.where(Subscriber.status == status)
    return list(session.exec(query))


# Their data ----------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_subscriber_data(session: Session, email: str) -> dict[str, Any]:
    """Everything kept about an address (GDPR access): subscription, partnership, deliveries."""
    subscriber = _existing(session, email)
    partnership = session.get(Partnership, subscriber.partnership_id)
    deliveries = session.exec(
        select(Delivery).where(Delivery.subscriber_id == subscriber.id).order_by(Delivery.id)
    )
    pid = subscriber.partnership_id
    return {
        "email": subscriber.email,
        "status": subscriber.status,
        "paused_reason": subscriber.paused_reason,
        "frequency": subscriber.frequency,
        "language": subscriber.language,
        "created_at": _iso(subscriber.created_at),
        "confirmed_at": _iso(subscriber.confirmed_at),
        "last_digest_at": _iso(subscriber.last_digest_at),
        "partnership": None
        if partnership is None
        else {
            "name": partnership.name,
            "profile": partnership.profile,
            "owner_email": partnership.owner_email,
            "hidden_calls": sorted(
                session.exec(
                    select(HiddenCall.opportunity_id).where(HiddenCall.partnership_id == pid)
                )
            ),
            "watched_calls": [
                {"opportunity_id": w.opportunity_id, "stage": w.stage, "notes": w.notes}
                for w in session.exec(select(WatchedCall).where(WatchedCall.partnership_id == pid))
            ],
        },
        "deliveries": [
            {
                "kind": d.kind,
                "period": d.period,
                "status": d.status,
                "sent_at": _iso(d.sent_at),
                "item_ids": d.item_ids,
            }
            for d in deliveries
        ],
    }


def delete_subscriber(session: Session, email: str) -> bool:
    """Erase an address (GDPR erasure): its deliveries, alerts about it, and its partnership when it
    owns it and no one else uses it. False when there was nothing to delete."""
    subscriber = get_subscriber(session, email)
    if subscriber is None:
        return False
    sid, pid, address = subscriber.id, subscriber.partnership_id, subscriber.email
    for delivery in session.exec(select(Delivery).where(Delivery.subscriber_id == sid)):
        session.delete(delivery)
    for alert in session.exec(
        select(StaffAlert).where(col(StaffAlert.key).startswith(f"subscriber:{sid}:"))
    ):
        session.delete(alert)
    session.delete(subscriber)
    for member in session.exec(select(PartnershipMember).where(PartnershipMember.email == address)):
        session.delete(member)
    session.flush()
    partnership = session.get(Partnership, pid)
    others = session.exec(select(Subscriber.id).where(Subscriber.partnership_id == pid)).first()
    if partnership is not None and partnership.owner_email == address and others is None:
        for model in (HiddenCall, WatchedCall, PartnershipMember):
            for row in session.exec(select(model).where(model.partnership_id == pid)):
                session.delete(row)
        session.flush()
        session.delete(partnership)
    session.flush()
    return True
