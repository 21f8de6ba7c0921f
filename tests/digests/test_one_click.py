"""One-click unsubscribe (RFC 8058): a mail client's POST to the List-Unsubscribe link."""

import httpx
from sqlmodel import Session

from funding.access.partnerships import save_partnership
from funding.digests.subscriptions import make_token
from funding.store.db import get_engine
from funding.store.models import Subscriber, utcnow


def _subscriber() -> Subscriber:
    with Session(get_engine(), expire_on_commit=False) as session:
        partnership = save_partnership(session, {"name": "Eau", "partners": [{"type": "ngo"}]})
        subscriber = Subscriber(
            email="anna@example.org",
            partnership_id=partnership.id,
            status="active",
            created_at=utcnow(),
        )
        session.add(subscriber)
        session.commit()
        return subscriber


def _status(subscriber: Subscriber) -> str:
    with Session(get_engine()) as session:
        return session.get(Subscriber, subscriber.id).status


def test_one_click_post_unsubscribes(one_click):
    subscriber_id = _subscriber()
    url = f"{one_click}/unsubscribe?token={make_token('unsubscribe', subscriber_id)}"
    not_one_click = httpx.post(url, data={"something": "else"})
    assert not_one_click.status_code == 400 and _status(subscriber_id) == "active"
    answer = httpx.post(url, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200 and "anna@example.org" in answer.text
    assert _status(subscriber_id) == "unsubscribed"


def test_forged_token_and_other_paths_are_refused(one_click):
    subscriber_id = _subscriber()
    forged = f"{one_click}/unsubscribe?token={make_token('confirm', subscriber_id)}"
    assert httpx.post(forged, data={"List-Unsubscribe": "One-Click"}).status_code == 400
    assert httpx.get(f"{one_click}/admin").status_code == 404
    assert _status(subscriber_id) == "active"
