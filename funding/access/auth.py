"""Staff sign-in: hashed passwords from the environment or a secrets file, failures rate-limited.

Passwords are never stored or logged in clear: settings hold `scrypt$n$r$p$salt$hash` strings made
by `python -m funding.access.auth` (which reads the password without echoing it). Every attempt is a row
of `sign_in_attempt`, so the limit holds across processes and restarts.
"""

import hashlib
import hmac
import os
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, func, select

from funding.access.signing import b64, unb64
from funding.settings import Settings, get_settings
from funding.store.models import SignInAttempt, utcnow

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
# Over all names, one client may fail CLIENT_FACTOR times the limit per window; one name from
# every client NAME_FACTOR times before a pause per check; all names and clients GLOBAL_FACTOR.
CLIENT_FACTOR = 3
NAME_FACTOR = 3
GLOBAL_FACTOR = 10


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A self-describing scrypt hash to put in FUNDING_STAFF_USERS or the secrets file."""
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt)}${b64(digest)}"


def verify_password(password: str, hashed: str) -> bool:
    """Constant-time check of a password against a hash from hash_password (False if malformed)."""
    try:
        scheme, n, r, p, salt, digest = hashed.split("$")
        if scheme != "scrypt":
            return False
        expected = unb64(digest)
        found = hashlib.scrypt(
            password.encode(),
            salt=unb64(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=256 * 1024 * 1024,
        )
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


def sign_in(
    session: Session,
    username: str,
    password: str,
    *,
    client: str | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> SignIn:
    """Check staff credentials, unless this name or client failed too often lately (see _wait).

    The attempt is recorded and committed before anything is counted, so attempts made at the
    same moment (browser sessions, processes) count each other before any password is checked.
    `client` is who tries (the browser's address); the session is committed.
    """
    settings = settings or get_settings()
    now = now or utcnow()
    username = username.strip()[:100]
    attempt = SignInAttempt(
        username=username, client=(client or "unknown")[:100], succeeded=False, at=now
    )
    session.add(attempt)
    session.commit()
    wait = _wait(session, attempt, settings)
    if wait:
        attempt.locked = True
        session.add(attempt)
        session.commit()
        return SignIn("locked", username, wait)
    hashed = staff_credentials(settings).get(username)
    ok = verify_password(password, hashed or _DUMMY) and hashed is not None
    if ok:
        attempt.succeeded = True
        session.add(attempt)
        session.commit()
    return SignIn("ok" if ok else "refused", username)


def _wait(session: Session, attempt: SignInAttempt, settings: Settings) -> int:
    """Seconds before this attempt may be checked; 0 to check it now.

    Failures count within the window, and for a name (or a client) only since its last success.
    - one client failing for one name, or for many names: that client waits out the window;
    - one name failing from many clients: one checked attempt per pause for that name;
    - many names failing from many clients: everyone pauses, then a known user who gets it right
      signs in (the limits above still hold).
    An attempt that was refused unchecked is no failure of its own: hammering extends nothing.
    """
    limit = max(1, settings.sign_in_max_failures)
    window = timedelta(seconds=settings.sign_in_window_seconds)
    pause = timedelta(seconds=settings.sign_in_pause_seconds)
    now, name, client = attempt.at, attempt.username, attempt.client
    failures = select(SignInAttempt.at).where(
        col(SignInAttempt.at) >= now - window,
        col(SignInAttempt.succeeded).is_(False),
        col(SignInAttempt.locked).is_(False),
    )
    by_name = failures.where(
        SignInAttempt.username == name,
        col(SignInAttempt.id) > _last_success(session, SignInAttempt.username == name),
    )
    by_client = failures.where(
        SignInAttempt.client == client,
        col(SignInAttempt.id) > _last_success(session, SignInAttempt.client == client),
    )
    # Locks: this client, for this name, then over all names (this attempt is counted too).
    for query, cap in (
        (by_name.where(SignInAttempt.client == client), limit),
        (by_client, limit * CLIENT_FACTOR),
    ):
        count, first = _count(session, query)
        if count > cap:
            return _seconds(first + window - now)
    # Pauses: this name from every client, then everyone (this attempt left out).
    count, last = _count(session, by_name.where(SignInAttempt.id != attempt.id), latest=True)
    if count >= limit * NAME_FACTOR and now < last + pause:
        return _seconds(last + pause - now)
    everyone = failures.where(SignInAttempt.id != attempt.id)
    count, _ = _count(session, everyone)
    cap = limit * GLOBAL_FACTOR
    if count >= cap:  # a pause each time `cap` more failures have come, from the one that did it
        crossing = everyone.order_by(SignInAttempt.at, SignInAttempt.id).offset(
            count // cap * cap - 1
        )
        crossed = session.exec(crossing).first()
        if crossed is not None and now < crossed + pause:
            return _seconds(crossed + pause - now)
    return 0


def _last_success(session: Session, where: Any) -> int:
    """The id of the last successful attempt matching `where` (failures before it stop counting)."""
    query = select(func.max(SignInAttempt.id)).where(where, col(SignInAttempt.succeeded).is_(True))
    return session.exec(query).one() or 0


def _count(session: Session, query: Any, *, latest: bool = False) -> tuple[int, datetime | None]:
    """How many failures a query finds, and the first (or the latest) one's time."""
    rows = query.subquery()
    edge = func.max(rows.c.at) if latest else func.min(rows.c.at)
    return session.exec(select(func.count(), edge)).one()


def _seconds(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds()) + 1)


def malformed(settings: Settings | None = None) -> list[str]:
    """Staff names whose hash cannot be a hash_password one (e.g. FUNDING_STAFF_USERS in double
    quotes: the shell replaced every `$16384`-like part), so their sign-in would only say "refused"."""
    bad = []
    for name, hashed in staff_credentials(settings).items():
        parts = hashed.split("$")
        if len(parts) != 6 or parts[0] != "scrypt" or not all(p.isdigit() for p in parts[1:4]):
            bad.append(name)
    return bad


def read_new_password() -> str:
    """A password typed twice without echo; from a pipe, its first line. SystemExit (a message,
    no traceback) when the two differ, or nothing comes."""
    import getpass
    import sys

    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        try:
            password = getpass.getpass("password: ")
            if password != getpass.getpass("again: "):
                raise SystemExit("the two passwords differ")
        except (EOFError, KeyboardInterrupt):
            raise SystemExit("no password given") from None
    if not password:
        raise SystemExit("no password given")
    return password


def main(argv: list[str] | None = None) -> None:
    """Print a hash for a password read from the terminal: `python -m funding.access.auth`."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m funding.access.auth",
        description="Reads a password (twice, not echoed; or one line from a pipe) and prints its "
        "scrypt hash for FUNDING_STAFF_USERS (in single quotes) or the secrets file. "
        "`funding staff add NAME` writes it to the secrets file for you.",
    )
    parser.parse_args(argv)
    print(hash_password(read_new_password()))


if __name__ == "__main__":
    main()
