"""Old links never act on new people; links do nothing until a person presses the button.

The links are taken from the e-mails themselves (funding.digests.render), as a subscriber gets
them. On SQLite a deleted last row's id used to go to the next subscriber, and the links signed
only the id: a removed subscriber's links confirmed and unsubscribed the next one.
"""

import http.client
import re
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from sqlmodel import Session

from funding.access.partnerships import save_partnership
from funding.digests.render import links, render_confirmation
from funding.digests.subscriptions import (
    SubscriptionError,
    confirm,
    delete_subscriber,
    subscribe,
    unsubscribe,
)
from funding.store.db import get_engine
from funding.store.models import Partnership, Subscriber

PROFILE = {"name": "Eau Sahel", "partners": [{"type": "ngo", "country": "FR", "role": "lead"}]}


def _token(url: str) -> str:
    return parse_qs(urlparse(url).query)["token"][0]


def _confirm_token(subscriber: Subscriber) -> str:
    message = render_confirmation(subscriber, "Eau Sahel")
    body = message.get_body(("plain",)).get_content()
    return _token(re.search(r"https?://\S+/confirm\?\S+", body).group(0))


def test_a_removed_subscribers_links_never_act_on_the_next_one(session):
    first = subscribe(session, "z1@example.org", profile=PROFILE)
    session.commit()
    first_id, confirm_link = first.id, _confirm_token(first)
    unsubscribe_link = _token(links(first)["unsubscribe"])
    delete_subscriber(session, "z1@example.org")
    session.commit()
    second = subscribe(session, "z2@example.org", profile=PROFILE)
    session.commit()
    assert second.id != first_id  # ids referenced from outside are never reused
    with pytest.raises(SubscriptionError, match="no longer exists"):
        confirm(session, confirm_link)
    with pytest.raises(SubscriptionError, match="no longer exists"):
        unsubscribe(session, unsubscribe_link)
    session.refresh(second)
    assert second.status == "pending"


def test_a_link_of_the_same_row_still_works(session):
    """Links stay valid as long as their subscriber exists (re-subscribing keeps them)."""
    anna = subscribe(session, "anna@example.org", profile=PROFILE)
    session.commit()
    link = _confirm_token(anna)
    assert confirm(session, link).status == "active"
    leave = _token(links(anna)["unsubscribe"])
    assert unsubscribe(session, leave).status == "unsubscribed"


def test_partnership_ids_are_never_reused(session):
    """Partnership ids appear in links (?partnership=) and saved URLs."""
    first = save_partnership(session, PROFILE)
    session.commit()
    first_id = first.id
    session.delete(session.get(Partnership, first_id))
    session.commit()
    assert save_partnership(session, PROFILE).id != first_id


def test_the_same_sequence_through_the_one_click_server(one_click):
    """subscribe, remove, subscribe, then the old one-click link: the new subscriber stays."""
    with Session(get_engine(), expire_on_commit=False) as session:
        first = subscribe(session, "z1@example.org", profile=PROFILE, confirmed=True)
        session.commit()
        old_link = links(first)["unsubscribe"]
        delete_subscriber(session, "z1@example.org")
        session.commit()
        second = subscribe(session, "z2@example.org", profile=PROFILE, confirmed=True)
        session.commit()
    path = urlparse(old_link)
    answer = httpx.post(
        f"{one_click}{path.path}?{path.query}", data={"List-Unsubscribe": "One-Click"}
    )
    assert answer.status_code == 400
    with Session(get_engine()) as session:
        assert session.get(Subscriber, second.id).status == "active"


def _active(email: str) -> tuple[int, str]:
    with Session(get_engine(), expire_on_commit=False) as session:
        subscriber = subscribe(session, email, profile=PROFILE, confirmed=True)
        session.commit()
        link = urlparse(links(subscriber)["unsubscribe"])
        return subscriber.id, f"{link.path}?{link.query}"


def _status(subscriber_id: int) -> str:
    with Session(get_engine()) as session:
        return session.get(Subscriber, subscriber_id).status


def test_one_click_get_shows_a_button_and_only_post_acts(one_click):
    """Mail scanners open links: a GET must change nothing."""
    subscriber_id, path = _active("anna@example.org")
    page = httpx.get(f"{one_click}{path}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert re.search(r'<form method="post"', page.text) and "List-Unsubscribe" in page.text
    assert _status(subscriber_id) == "active"
    # The page's button posts what a mail client posts (RFC 8058): one POST, done.
    answer = httpx.post(f"{one_click}{path}", data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200 and _status(subscriber_id) == "unsubscribed"


@pytest.mark.parametrize("length", ["abc", "-5", "1e3"])
def test_a_content_length_that_is_no_number_is_a_bad_request(one_click, length):
    subscriber_id, path = _active("anna@example.org")
    host, port = urlparse(one_click).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("POST", path)
    connection.putheader("Content-Length", length)
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    connection.endheaders(b"List-Unsubscribe=One-Click")
    answer = connection.getresponse()
    assert answer.status == 400, answer.read()
    assert _status(subscriber_id) == "active"


def test_links_made_before_link_keys_still_work_for_their_own_row_only(session):
    """Links already sent (signing the id only) keep working, but never for a later row."""
    import time

    from funding.access.signing import b64 as _b64
    from funding.access.signing import signature as _signature
    from funding.digests.subscriptions import TOKEN_DAYS

    def legacy(purpose: str, subscriber_id: int, issued: float) -> str:
        payload = f"{purpose}.{subscriber_id}.{int(issued + TOKEN_DAYS[purpose] * 86400)}"
        return f"{_b64(payload.encode())}.{_signature(payload)}"

    anna = subscribe(session, "anna@example.org", profile=PROFILE, confirmed=True)
    session.commit()
    before = anna.created_at.timestamp() - 3600  # made for whoever had this id an hour earlier
    with pytest.raises(SubscriptionError, match="no longer exists"):
        unsubscribe(session, legacy("unsubscribe", anna.id, before))
    assert unsubscribe(session, legacy("unsubscribe", anna.id, time.time())).status == (
        "unsubscribed"
    )
