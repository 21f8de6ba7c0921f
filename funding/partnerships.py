"""Partnerships people work with: saved profiles, calls hidden ('not for us'), watched calls, reports."""

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from funding.matching import parse_profile
from funding.models import CallReport, HiddenCall, Partnership, WatchedCall, utcnow

STAGES = ("interested", "preparing", "submitted", "won", "lost")


def save_partnership(
    session: Session, profile: dict[str, Any], *, partnership_id: int | None = None,
    owner_email: str | None = None, now: datetime | None = None,
) -> Partnership:  # fmt: skip
    """Create or update a partnership from a profile in the contract format (validated first)."""
    parsed = parse_profile(profile)
    now = now or utcnow()
    partnership = session.get(Partnership, partnership_id) if partnership_id else None
    if partnership is None:
        partnership = Partnership(name=parsed.name, profile=profile, created_at=now, updated_at=now)
    partnership.name, partnership.profile, partnership.updated_at = parsed.name, profile, now
    if owner_email is not None:
        partnership.owner_email = owner_email
    session.add(partnership)
    session.flush()
    return partnership


def hide(
    session: Session, partnership_id: int, opportunity_id: str, *, reason: str | None = None
) -> None:
    """'Not for us': the call leaves this partnership's results and digests until restored."""
    if _hidden(session, partnership_id, opportunity_id) is None:
        session.add(
            HiddenCall(partnership_id=partnership_id, opportunity_id=opportunity_id,
                       hidden_at=utcnow(), reason=reason)
        )  # fmt: skip
        session.flush()


def restore(session: Session, partnership_id: int, opportunity_id: str) -> None:
    found = _hidden(session, partnership_id, opportunity_id)
    if found is not None:
        session.delete(found)
        session.flush()


def hidden_ids(session: Session, partnership_id: int) -> set[str]:
    query = select(HiddenCall.opportunity_id).where(HiddenCall.partnership_id == partnership_id)
    return set(session.exec(query))


def _hidden(session: Session, partnership_id: int, opportunity_id: str) -> HiddenCall | None:
    return session.exec(
        select(HiddenCall).where(
            HiddenCall.partnership_id == partnership_id, HiddenCall.opportunity_id == opportunity_id
        )
    ).first()


def watch(
    session: Session, partnership_id: int, opportunity_id: str, *, stage: str = "interested",
    notes: str | None = None,
) -> WatchedCall:  # fmt: skip
    """Follow a call (or change its stage and notes when already followed)."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {', '.join(STAGES)}, not {stage!r}")
    now = utcnow()
    watched = watched_call(session, partnership_id, opportunity_id)
    if watched is None:
        watched = WatchedCall(partnership_id=partnership_id, opportunity_id=opportunity_id,
                              created_at=now, updated_at=now)  # fmt: skip
    watched.stage, watched.updated_at = stage, now
    if notes is not None:
        watched.notes = notes
    session.add(watched)
    session.flush()
    return watched


def unwatch(session: Session, partnership_id: int, opportunity_id: str) -> None:
    watched = watched_call(session, partnership_id, opportunity_id)
    if watched is not None:
        session.delete(watched)
        session.flush()


def watched_call(session: Session, partnership_id: int, opportunity_id: str) -> WatchedCall | None:
    return session.exec(
        select(WatchedCall).where(
            WatchedCall.partnership_id == partnership_id,
            WatchedCall.opportunity_id == opportunity_id,
        )
    ).first()


def watchlist(session: Session, partnership_id: int) -> list[WatchedCall]:
    query = select(WatchedCall).where(WatchedCall.partnership_id == partnership_id)
    return list(session.exec(query.order_by(col(WatchedCall.created_at))))


def report_call(
    session: Session, opportunity_id: str, message: str, *, reporter: str | None = None
) -> CallReport:
    """A user says something is wrong with a call: it goes to the staff review queue."""
    if not message.strip():
        raise ValueError("a report needs a message")
    report = CallReport(opportunity_id=opportunity_id, message=message.strip(), reporter=reporter,
                        created_at=utcnow())  # fmt: skip
    session.add(report)
    session.flush()
    return report


def open_reports(session: Session) -> list[CallReport]:
    query = (
        select(CallReport).where(CallReport.status == "open").order_by(col(CallReport.created_at))
    )
    return list(session.exec(query))
