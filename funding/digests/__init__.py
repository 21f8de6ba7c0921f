"""Digests: what each subscriber gets (build), how it reads (render), and sending it once (send,
ledger)."""

from funding.digests.build import Digest, DigestBuilder, Item, period_of
from funding.digests.render import render_digest, subject
from funding.digests.send import (
    DeliveryError,
    Mailer,
    SendReport,
    alert_flagged_sources,
    alert_staff,
    send_confirmation,
    send_due,
    write_due,
)

__all__ = [
    "DeliveryError",
    "Digest",
    "DigestBuilder",
    "Item",
    "Mailer",
    "SendReport",
    "alert_flagged_sources",
    "alert_staff",
    "period_of",
    "render_digest",
    "send_confirmation",
    "send_due",
    "subject",
    "write_due",
]
