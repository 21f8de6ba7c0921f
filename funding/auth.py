"""Staff sign-in: hashed passwords from the environment or a secrets file, failures rate-limited.

Passwords are never stored or logged in clear: settings hold `scrypt$n$r$p$salt$hash` strings made
by `python -m funding.auth` (which reads the password without echoing it). Every attempt is a row
of `sign_in_attempt`, so the limit holds across processes and restarts.
"""

import base64
import hashlib
import hmac
import os
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, func, select

from funding.models import SignInAttempt, utcnow
from funding.settings import Settings, get_settings

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
GLOBAL_FACTOR = 10  # all names together may fail this many times the per-name limit per window


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A self-describing scrypt hash to put in FUNDING_STAFF_USERS or the secrets file."""
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, hashed: str) -> bool:
    """Constant-time check of a password against a hash from hash_password (False if malformed)."""
    try:
        scheme, n, r, p, salt, digest = hashed.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        found = hashlib.scrypt(
            password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected),
            maxmem=256 * 1024 * 1024,
        )  # fmt: skip
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found, expected)


_DUMMY = hash_password("not a real password", salt=b"0" * 16)


def staff_credentials(settings: Settings | None = None) -> dict[str, str]:
    """User name -> password hash, from FUNDING_STAFF_USERS then FUNDING_SECRETS_FILE ([staff])."""
    settings = settings or get_settings()
    users: dict[str, str] = {}
    for entry in (settings.staff_users or "").replace("\n", ";").split(";"):
        name, _, hashed = entry.strip().partition("=")
        if name.strip() and hashed.strip():
            users[name.strip()] = hashed.strip()
    if settings.secrets_file:
        path = Path(settings.secrets_file).expanduser()
        if path.is_file():
            with path.open("rb") as handle:
                staff = tomllib.load(handle).get("staff", {})
            users.update({str(k): str(v) for k, v in staff.items() if isinstance(v, str)})
    return users


@dataclass(frozen=True)
class SignIn:
    """The outcome of one attempt: ok, refused (wrong name or password) or locked (too many failures)."""

    outcome: str
    username: str
    retry_after_seconds: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


def _failures(
    session: Session, since: datetime, username: str | None
) -> tuple[int, datetime | None]:
    query = select(func.count(), func.min(SignInAttempt.at)).where(
        col(SignInAttempt.at) >= since, SignInAttempt.succeeded == False
    )
    if username is not None:
        query = query.where(SignInAttempt.username == username)
    count, first = session.exec(query).one()
    return count, first


def sign_in(
    session: Session, username: str, password: str, *, now: datetime | None = None,
    settings: Settings | None = None,
) -> SignIn:  # fmt: skip
    """Check staff credentials, refusing (without checking) once a name failed too often lately."""
    settings = settings or get_settings()
    now = now or utcnow()
    username = username.strip()[:100]
    window = timedelta(seconds=settings.sign_in_window_seconds)
    limit = max(1, settings.sign_in_max_failures)
    for name, cap in ((username, limit), (None, limit * GLOBAL_FACTOR)):
        count, first = _failures(session, now - window, name)
        if count >= cap:
            wait = int(((first or now) + window - now).total_seconds()) + 1
            return SignIn("locked", username, max(wait, 1))
    hashed = staff_credentials(settings).get(username)
    ok = verify_password(password, hashed or _DUMMY) and hashed is not None
    session.add(SignInAttempt(username=username, succeeded=ok, at=now))
    session.flush()
    return SignIn("ok" if ok else "refused", username)


def main() -> None:
    """Print a hash for a password read from the terminal: `python -m funding.auth`."""
    import getpass

    password = getpass.getpass("password: ")
    if password != getpass.getpass("again: "):
        raise SystemExit("the two passwords differ")
    print(hash_password(password))


if __name__ == "__main__":
    main()
