"""Partnerships people work with: saved profiles, calls hidden ('not for us'), watched calls, reports."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from funding.errors import FundingError
from funding.matching import parse_profile
from funding.store.models import (
    CallReport,
    HiddenCall,
    Partnership,
    PartnershipMember,
    WatchedCall,
    utcnow,
)

STAGES = ("interested", "preparing", "submitted", "won", "lost")


class AccessDenied(FundingError):
    """Someone asked for a partnership they are no member of."""


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a signed-in project lead's address, staff, or neither (anonymous)."""

    email: str | None = None
    staff: bool = False


def visible_partnerships(session: Session, viewer: Viewer) -> list[tuple[int, str]]:
    """(id, name) of the partnerships this viewer may open: all for staff, their own for a lead,
    none for an anonymous visitor."""
    query = select(Partnership.id, Partnership.name).order_by(col(Partnership.name), Partnership.id)
    if not viewer.staff:
        if not viewer.email:
            return []
        members = select(PartnershipMember.partnership_id).where(
            PartnershipMember.email == viewer.email
        )
        query = query.where(col(Partnership.id).in_(members))
    return [(pid, name) for pid, name in session.exec(query)]


def check_access(session: Session, partnership_id: int, viewer: Viewer) -> None:
    """AccessDenied unless the viewer is staff or a member of this partnership."""
    if viewer.staff:
        return
    if (
        viewer.email
        and session.exec(
            select(PartnershipMember.id).where(
                PartnershipMember.partnership_id == partnership_id,
                PartnershipMember.email == viewer.email,
            )
        ).first()
    ):
        return
    raise AccessDenied(f"partnership {partnership_id} is not yours")


def add_member(
    session: Session, partnership_id: int, email: str, *, now: datetime | None = None
) -> None:
    """Let one more address see and change a partnership (nothing happens if it already can)."""
    found = session.exec(
        select(PartnershipMember.id).where(
            PartnershipMember.partnership_id == partnership_id, PartnershipMember.email == email
        )
    ).first()
    if found is None:
        session.add(
            PartnershipMember(partnership_id=partnership_id, email=email, added_at=now or utcnow())
        )
        session.flush()


def members(session: Session, partnership_id: int) -> list[str]:
    query = select(PartnershipMember.email).where(
        PartnershipMember.partnership_id == partnership_id
    )
    return sorted(session.exec(query))


def save_partnership(
    session: Session,
    profile: dict[str, Any],
    *,
    partnership_id: int | None = None,
    owner_email: str | None = None,
    now: datetime | None = None,
) -> Partnership:
    """Create or update a partnership from a profile in the contract format (validated first).

    With an owner, names are unique per owner: a new profile with the name of one of theirs
    updates that one; renaming one to the name of another is refused (PartnershipNameTaken).
    The owner becomes a member.
    """
    parsed = parse_profile(profile)
    now = now or utcnow()
    partnership = session.get(Partnership, partnership_id) if partnership_id else None
    if owner_email is not None:
        same_name = [
            pid
            for pid, name in visible_partnerships(session, Viewer(owner_email))
            if name == parsed.name and pid != partnership_id
        ]
        if same_name and partnership is not None:
            raise PartnershipNameTaken(f"you already have a partnership named {parsed.name!r}")
        if same_name:
            partnership = session.get(Partnership, same_name[0])
    if partnership is None:
        partnership = Partnership(name=parsed.name, profile=profile, created_at=now, updated_at=now)
    partnership.name, partnership.profile, partnership.updated_at = parsed.name, profile, now
    if owner_email is not None and partnership.owner_email is None:
        partnership.owner_email = owner_email
    session.add(partnership)
    session.flush()
    if owner_email is not None:
        add_member(session, partnership.id, owner_email, now=now)  # type: ignore[arg-type]
    return partnership


class PartnershipNameTaken(FundingError):
    """The owner already has another partnership of that name."""


def hide(
    session: Session, partnership_id: int, opportunity_id: str, *, reason: str | None = None
) -> None:
    """'Not for us': the call leaves this partnership's results and digests until restored."""
    if _hidden(session, partnership_id, opportunity_id) is None:
        session.add(
            HiddenCall(
                partnership_id=partnership_id,
                opportunity_id=opportunity_id,
                hidden_at=utcnow(),
                reason=reason,
            )
        )
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
    session: Session,
    partnership_id: int,
    opportunity_id: str,
    *,
    stage: str = "interested",
    notes: str | None = None,
) -> WatchedCall:
    """Follow a call (or change its stage and notes when already followed)."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {', '.join(STAGES)}, not {stage!r}")
    now = utcnow()
    watched = watched_call(session, partnership_id, opportunity_id)
    if watched is None:
        watched = WatchedCall(
            partnership_id=partnership_id,
            opportunity_id=opportunity_id,
            created_at=now,
            updated_at=now,
        )
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
    report = CallReport(
        opportunity_id=opportunity_id,
        message=message.strip(),
        reporter=reporter,
        created_at=utcnow(),
    )
    session.add(report)
    session.flush()
    return report


def open_reports(session: Session) -> list[CallReport]:
    query = (
        select(CallReport).where(CallReport.status == "open").order_by(col(CallReport.created_at))
    )
    return list(session.exec(query))
