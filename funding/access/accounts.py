"""Project-lead accounts without passwords: an e-mailed sign-in link, then a signed session token.

A token is `<payload>.<signature>` (HMAC-SHA256 with FUNDING_SECRET_KEY, as subscription links):
the payload names its purpose, who it is for and when it expires. Purposes and lifetimes:
- `signin`: the link a lead asks for on the sign-in page (SIGN_IN_LINK_MINUTES);
- `manage`: the link in every digest, for the subscriber to open their partnership (TOKEN_DAYS);
- `lead` and `staff`: the browser's session cookie after sign-in (TOKEN_DAYS).
Staff sessions are also checked against the current staff list (a removed name loses its session).
"""

import hmac
import time
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlmodel import Session, col, func, select

from funding.access import signing
from funding.access.signing import normalize_email
from funding.errors import FundingError
from funding.settings import Settings, get_settings
from funding.store.models import SignInAttempt, utcnow

SIGN_IN_LINK_MINUTES = 60
TOKEN_DAYS = {"manage": 30, "lead": 30, "staff": 1}
# Sign-in links one address may be sent per window of FUNDING_SIGN_IN_WINDOW_SECONDS.
LINKS_PER_WINDOW = 3


class AccountError(FundingError):
    """A sign-in link or session that cannot be honoured (forged, expired, for another use)."""


def _lifetime(purpose: str) -> int:
    if purpose == "signin":
        return SIGN_IN_LINK_MINUTES * 60
    return TOKEN_DAYS[purpose] * 86400


def make_token(purpose: str, subject: str, *, now: float | None = None) -> str:
    """A signed, expiring, URL-safe token saying `subject` (an address, a staff name) for `purpose`."""
    expires = int((now if now is not None else time.time()) + _lifetime(purpose))
    payload = f"{purpose}.{signing.b64(subject.encode())}.{expires}"
    return f"{signing.b64(payload.encode())}.{signing.signature(payload)}"


def read_token(token: str, purposes: tuple[str, ...], *, now: float | None = None) -> str:
    """Whom a token is for; AccountError if forged, made for another purpose or expired."""
    try:
        encoded, signature = (token or "").strip().split(".")
        payload = signing.unb64(encoded).decode()
        purpose, subject, expires = payload.split(".")
        subject, expiry = signing.unb64(subject).decode(), int(expires)
    except (ValueError, UnicodeDecodeError):
        raise AccountError("this link is not valid") from None
    if not hmac.compare_digest(signature, signing.signature(payload)) or purpose not in purposes:
        raise AccountError("this link is not valid")
    if expiry < (now if now is not None else time.time()):
        raise AccountError("this link has expired")
    return subject


def sign_in_url(email: str, *, purpose: str = "signin", settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    token = make_token(purpose, normalize_email(email))
    return f"{settings.public_url.rstrip('/')}/signin?{urlencode({'token': token})}"


def may_send_link(
    session: Session,
    email: str,
    *,
    client: str | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> bool:
    """Whether a sign-in link may be e-mailed now (and the request recorded); False when this
    address or client asked too often (funding.digests.send.send_sign_in_link sends it).

    Requests are rows of sign_in_attempt named `link:<address>`, so the limit holds across
    processes. SubscriptionError for a malformed address.
    """
    settings = settings or get_settings()
    now = now or utcnow()
    address = normalize_email(email)
    name, who = f"link:{address}"[:100], (client or "unknown")[:100]
    since = now - timedelta(seconds=settings.sign_in_window_seconds)
    recent = select(func.count()).where(col(SignInAttempt.at) >= since)
    by_name = session.exec(recent.where(SignInAttempt.username == name)).one()
    by_client = session.exec(
        recent.where(SignInAttempt.client == who, col(SignInAttempt.username).startswith("link:"))
    ).one()
    if by_name >= LINKS_PER_WINDOW or by_client >= LINKS_PER_WINDOW * 3:
        return False
    # Recorded as refused unchecked (locked): no failure of a staff name, no success either.
    session.add(SignInAttempt(username=name, client=who, succeeded=False, locked=True, at=now))
    session.commit()
    return True


def staff_session(token: str, settings: Settings | None = None) -> str | None:
    """The staff name a session token is for, if valid and the name is still staff."""
    from funding.access.auth import staff_credentials

    try:
        name = read_token(token, ("staff",))
    except AccountError:
        return None
    return name if name in staff_credentials(settings) else None


def lead_session(token: str) -> str | None:
    """The address a lead's session token is for, if valid."""
    try:
        return read_token(token, ("lead",))
    except AccountError:
        return None
