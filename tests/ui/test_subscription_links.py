"""The e-mails' links open pages that confirm or end a subscription from the signed token."""

from sqlmodel import Session

from funding.access.partnerships import save_partnership
from funding.digests.subscriptions import make_token
from funding.store.db import make_engine
from funding.store.models import Subscriber, utcnow
from tests.ui.conftest import make_app

PROFILE = {"name": "Eau Sahel", "partners": [{"type": "ONG", "country": "FR", "role": "lead"}]}


def _subscriber(url: str, status: str) -> Subscriber:
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        partnership = save_partnership(session, PROFILE)
        subscriber = Subscriber(
            email="anna@example.org",
            partnership_id=partnership.id,
            status=status,
            created_at=utcnow(),
        )
        session.add(subscriber)
        session.commit()
        return subscriber


def _status(url: str, subscriber: Subscriber) -> str:
    with Session(make_engine(url)) as session:
        return session.get(Subscriber, subscriber.id).status


def test_confirmation_link_shows_a_button_that_activates_the_subscription(ui_db):
    subscriber = _subscriber(ui_db, "pending")
    at = make_app("views/confirm.py", token=make_token("confirm", subscriber))
    assert not at.success and _status(ui_db, subscriber) == "pending"  # opening changes nothing
    at.button[0].click().run()
    assert at.success[0].value == "C'est confirmé : anna@example.org recevra les synthèses."
    assert _status(ui_db, subscriber) == "active"


def test_unsubscribe_link_ends_it_and_a_forged_link_does_nothing(ui_db):
    subscriber = _subscriber(ui_db, "active")
    forged = make_app("views/unsubscribe.py", token=make_token("confirm", subscriber), lang="en")
    assert forged.error[0].value.startswith("This link does not work") and not forged.button
    assert _status(ui_db, subscriber) == "active"
    at = make_app("views/unsubscribe.py", token=make_token("unsubscribe", subscriber))
    assert at.markdown[0].value == "Ne plus rien envoyer à anna@example.org ?"
    assert _status(ui_db, subscriber) == "active"  # a mail scanner opened the link: nothing
    at.button[0].click().run()
    assert at.success[0].value == "C'est fait : anna@example.org ne recevra plus rien."
    assert _status(ui_db, subscriber) == "unsubscribed"
