"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, and a seeded radar:
calls new, changed, hidden and watched for subscribers sharing a partnership."""

import socket
import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session

from funding.access.partnerships import hide, watch
from funding.digests.oneclick import make_one_click_server
from funding.digests.subscriptions import subscribe
from funding.settings import get_settings
from funding.store.db import get_engine, upgrade
from funding.store.opportunities import store_record

# Monday 2 March 2026, 08:00 in Paris: the week 2026-W10.
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
PROFILE = {
    "name": "Eau Sahel",
    "partners": [
        {"name": "Eau Solidaire", "type": "association", "country": "FR", "role": "lead"},
        {"name": "HydroPME", "type": "PME", "country": "FR"},
    ],
    "project": "Accès à l'eau potable et assainissement dans des villages du Sénégal.",
    "themes": ["eau", "assainissement"],
    "keywords": ["forages"],
    "intervention_countries": ["SN"],
}
NEW = [
    {
        "id": "t:wash",
        "url": "https://example.org/wash",
        "title": "Water and sanitation in West Africa",
        "summary": "Drinking water, sanitation and hygiene (WASH) for rural communities.",
        "applicant_types": ["NGO", "SME"],
        "intervention_zones": ["West Africa"],
        "deadlines": ["2026-09-30"],
        "instrument": "grant",
        "funder": "Water Trust",
    },
    {
        "id": "t:eau",
        "url": "https://example.org/eau",
        "title": "Appel à projets eau et assainissement",
        "summary": "Financer des forages et latrines.",
        "deadlines": ["2026-03-31"],
    },
    {
        "id": "t:hidden",
        "url": "https://example.org/hidden",
        "title": "Eau potable et assainissement rural",
        "summary": "Forages et assainissement.",
        "deadlines": ["2026-05-31"],
    },
    {
        "id": "t:companies",
        "url": "https://example.org/co",
        "title": "Sobriété en eau des communes",
        "summary": "Réduire les prélèvements d'eau.",
        "applicant_types": ["Communes"],
        "deadlines": ["2026-12-31"],
    },
]
OLD = {
    "id": "t:old",
    "url": "https://example.org/old",
    "title": "Assainissement et eau potable au Sahel",
    "summary": "Eau potable, forages, assainissement.",
    "applicant_types": ["Associations"],
    "deadlines": ["2026-04-30"],
    "amount_max": "100 000 €",
}
WATCHED = {
    "id": "t:watched",
    "url": "https://example.org/watched",
    "title": "Fonds culture solidaire",
    "summary": "Festivals.",
    "deadlines": ["2026-03-16"],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps every message; answers 550 to the addresses in `reject`."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []  # the bytes as they arrived
        self.reject: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return f"550 5.1.1 <{address}>: recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
            self.raw.append(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def count_by_recipient(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for m in self.messages:
            counts[str(m["To"])] = counts.get(str(m["To"]), 0) + 1
        return counts


class SMTPServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> "SMTPServer":
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(monkeypatch):
    """A started SMTP server; the radar's settings point at it (no backoff wait in tests)."""
    server = SMTPServer().start()
    for name, value in {
        "FUNDING_SMTP_HOST": "127.0.0.1",
        "FUNDING_SMTP_PORT": str(server.port),
        "FUNDING_SMTP_SENDER": "Funding Radar <radar@example.org>",
        "FUNDING_SMTP_BACKOFF": "0",
        "FUNDING_SMTP_TIMEOUT": "5",
        "FUNDING_PUBLIC_URL": "https://radar.example.org",
        "FUNDING_SECRET_KEY": "test-secret",
        "FUNDING_STAFF_EMAILS": "staff@example.org",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield server
    server.stop()


@pytest.fixture
def one_click(database_url):
    """The one-click unsubscribe server on a free port of 127.0.0.1, over a migrated database."""
    upgrade(get_engine())
    httpd = make_one_click_server("127.0.0.1", 0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def seed(
    session: Session, emails: list[str], *, language: str = "fr", frequency: str = "weekly"
) -> list:
    """Calls first seen two days before NOW (new), one older call changed yesterday, one hidden,
    one watched closing in 14 days; every address subscribed (confirmed) to one partnership."""
    long_ago = NOW - timedelta(days=40)
    store_record(session, OLD, now=long_ago)
    store_record(session, WATCHED, now=long_ago)
    for record in NEW:
        store_record(session, record, now=NOW - timedelta(days=2))
    store_record(
        session,
        {**OLD, "deadlines": ["2026-05-15"], "amount_max": "150 000 €"},
        now=NOW - timedelta(days=1),
    )
    subscribers = []
    for email in emails:
        subscribers.append(
            subscribe(
                session,
                email,
                profile=PROFILE if not subscribers else None,
                partnership_id=subscribers[0].partnership_id if subscribers else None,
                frequency=frequency,
                language=language,
                confirmed=True,
                now=NOW - timedelta(days=30),
            )
        )
    pid = subscribers[0].partnership_id
    hide(session, pid, "t:hidden")
    watch(session, pid, "t:watched", stage="preparing")
    session.commit()
    return subscribers
