"""Signed links and the addresses they go to: URL-safe base64, HMAC-SHA256 signatures with
FUNDING_SECRET_KEY (subscription links, sign-in links, session cookies), e-mail addresses checked
and normalised. Used by funding.access.accounts and funding.digests.subscriptions alike."""

import base64
import hashlib
import hmac
import re

from funding.errors import SubscriptionError
from funding.settings import get_settings

_EMAIL = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[^@\s<>(),;:\"]+$")


def normalize_email(email: str) -> str:
    """The address as stored: trimmed, its domain lower-cased; SubscriptionError if it is none."""
    address = (email or "").strip()
    if not _EMAIL.match(address) or len(address) > 320:
        raise SubscriptionError(f"{email!r} is not an e-mail address")
    local, domain = address.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signature(payload: str) -> str:
    digest = hmac.new(get_settings().signing_key, payload.encode(), hashlib.sha256).digest()
    return b64(digest[:20])
