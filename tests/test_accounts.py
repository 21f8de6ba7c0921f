"""Project-lead accounts: signed sign-in links and sessions, partnerships that belong to members."""

import time

import pytest

from funding.access.accounts import AccountError, make_token, read_token, staff_session
from funding.access.auth import hash_password
from funding.access.partnerships import (
    AccessDenied,
    PartnershipNameTaken,
    Viewer,
    check_access,
    save_partnership,
    visible_partnerships,
)
from funding.digests.send import send_sign_in_link
from funding.digests.subscriptions import subscribe
from funding.settings import Settings
from tests.digests.conftest import smtp  # noqa: F401

PROFILE = {
    "name": "Eau Sahel",
    "partners": [{"name": "Eau Solidaire", "type": "association", "country": "FR"}],
}
LEA, MARC = "lea@example.org", "marc@example.org"


def test_tokens_say_who_for_what_until_when():
    token = make_token("lead", LEA)
    assert read_token(token, ("lead",)) == LEA
    with pytest.raises(AccountError, match="not valid"):
        read_token(token, ("staff",))  # a lead's session is no staff session
    with pytest.raises(AccountError, match="not valid"):
        read_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"), ("lead",))
    old = make_token("signin", LEA, now=time.time() - 3601)
    with pytest.raises(AccountError, match="expired"):
        read_token(old, ("signin",))
    staff = make_token("staff", "alice")
    assert staff_session(staff, Settings(staff_users=f"alice={hash_password('a')}")) == "alice"
    assert staff_session(staff, Settings(staff_users=None)) is None  # removed from staff


def test_partnerships_are_seen_by_their_members_and_staff(session):
    mine = save_partnership(session, PROFILE, owner_email=LEA)
    theirs = save_partnership(session, {**PROFILE, "name": "Autre"}, owner_email=MARC)
    session.commit()
    assert visible_partnerships(session, Viewer(LEA)) == [(mine.id, "Eau Sahel")]
    assert visible_partnerships(session, Viewer()) == []
    assert {pid for pid, _ in visible_partnerships(session, Viewer(staff=True))} == {
        mine.id,
        theirs.id,
    }
    check_access(session, mine.id, Viewer(LEA))
    with pytest.raises(AccessDenied):
        check_access(session, theirs.id, Viewer(LEA))
    with pytest.raises(AccessDenied):
        check_access(session, mine.id, Viewer())


def test_names_are_unique_per_owner(session):
    first = save_partnership(session, PROFILE, owner_email=LEA)
    again = save_partnership(session, {**PROFILE, "project": "v2"}, owner_email=LEA)
    assert again.id == first.id and again.profile["project"] == "v2"
    other = save_partnership(session, PROFILE, owner_email=MARC)  # another owner's may share it
    assert other.id != first.id
    second = save_partnership(session, {**PROFILE, "name": "Deux"}, owner_email=LEA)
    with pytest.raises(PartnershipNameTaken):
        save_partnership(session, PROFILE, partnership_id=second.id, owner_email=LEA)


def test_a_subscriber_is_a_member_of_their_partnership(session):
    subscriber = subscribe(session, "Sam@Example.org", profile=PROFILE)
    session.commit()
    assert visible_partnerships(session, Viewer("Sam@example.org")) == [
        (subscriber.partnership_id, "Eau Sahel")
    ]


def test_sign_in_links_are_mailed_and_limited(session, smtp):  # noqa: F811
    for _ in range(3):
        assert send_sign_in_link(session, "Lea@Example.org", "fr", client="10.0.0.1")
    assert not send_sign_in_link(session, "Lea@EXAMPLE.org", "fr", client="10.0.0.2")  # enough
    messages = smtp.inbox.to("Lea@example.org")
    assert len(messages) == 3
    body = messages[0].get_body(("plain",)).get_content()
    assert messages[0]["Subject"] == "Votre lien de connexion à Funding Radar"
    url = next(line for line in body.splitlines() if "/signin?token=" in line)
    assert url.startswith("https://radar.example.org/signin?token=")
    assert read_token(url.split("token=")[1], ("signin",)) == "Lea@example.org"
