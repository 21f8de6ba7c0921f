"""Double opt-in, signed expiring links, pause and resume, a subscriber's data and its erasure,
and the `funding subscribers` and `funding digest` commands."""

import json
import re
import time
from urllib.parse import parse_qs, urlparse

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from funding.cli import main
from funding.digests import send_confirmation, send_due
from funding.digests.subscriptions import (
    SubscriptionError,
    confirm,
    delete_subscriber,
    export_subscriber_data,
    make_token,
    read_token,
    subscribe,
)
from funding.store.db import get_engine
from funding.store.models import Delivery, Partnership, Subscriber, utcnow
from tests.digests.conftest import NOW, PROFILE, seed


def test_double_opt_in_sends_only_the_confirmation(engine, session, smtp):
    subscriber = subscribe(session, "New@Example.ORG", profile=PROFILE, language="en")
    session.commit()
    assert subscriber.email == "New@example.org" and subscriber.status == "pending"
    assert send_due(engine, now=NOW).due == 0  # nothing but the confirmation until confirmed
    assert send_confirmation(engine, subscriber.id)
    assert not send_confirmation(engine, subscriber.id)  # one a day at most
    [message] = smtp.inbox.messages
    assert message["Subject"] == "Confirm your subscription to calls for Eau Sahel"
    link = re.search(
        r"https://radar\.example\.org/confirm\?token=\S+",
        message.get_content()
        if not message.is_multipart()
        else message.get_body(("plain",)).get_content(),
    )
    token = parse_qs(urlparse(link.group(0)).query)["token"][0]
    assert confirm(session, token).status == "active"


def test_links_are_signed_for_one_use_and_expire(smtp):
    subscriber = Subscriber(
        id=7, email="a@x.org", partnership_id=1, link_key="k3y", created_at=utcnow()
    )
    token = make_token("unsubscribe", subscriber)
    claim = read_token(token, "unsubscribe")
    assert (claim.subscriber_id, claim.link_key) == (7, "k3y")
    with pytest.raises(SubscriptionError, match="not valid"):
        read_token(token, "confirm")
    with pytest.raises(SubscriptionError, match="not valid"):
        read_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "unsubscribe")
    with pytest.raises(SubscriptionError, match="expired"):
        read_token(token, "unsubscribe", now=time.time() + 200 * 86400)


def test_export_and_delete_a_subscribers_data(engine, session, smtp):
    seed(session, ["ana@example.org"])
    send_due(engine, now=NOW)
    data = export_subscriber_data(session, "ana@example.org")
    assert data["partnership"]["name"] == "Eau Sahel" and data["partnership"]["hidden_calls"]
    assert data["deliveries"][0]["period"] == "2026-W10"
    json.dumps(data)
    assert delete_subscriber(session, "ana@example.org")
    session.commit()
    assert session.exec(select(Subscriber)).first() is None
    assert session.exec(select(Delivery)).first() is None
    assert session.exec(select(Partnership)).first() is None


def test_subscribers_and_digest_commands(database_url, smtp, tmp_path):
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(PROFILE), "utf-8")
    runner = CliRunner()
    added = runner.invoke(
        main, ["subscribers", "add", "ana@example.org", "--profile", str(profile), "--confirmed"]
    )
    assert added.exit_code == 0, added.output
    pending = runner.invoke(
        main, ["subscribers", "add", "bob@example.org", "--profile", str(profile)]
    )
    assert "pending, confirmation sent" in pending.output
    listed = runner.invoke(main, ["subscribers", "list"])
    assert "ana@example.org" in listed.output and "active" in listed.output
    assert "bob@example.org" in listed.output and "pending" in listed.output
    from funding.store.opportunities import store_record
    from tests.digests.conftest import NEW

    with Session(get_engine()) as session:
        for record in NEW:
            store_record(session, record)
        session.commit()
    out = tmp_path / "eml"
    dry = runner.invoke(main, ["digest", "--dry-run", "--out", str(out), "--as-of", "2026-03-02"])
    assert dry.exit_code == 0, dry.output
    [eml] = list(out.glob("*.eml"))
    assert "ana@example.org" in eml.name and b"List-Unsubscribe-Post" in eml.read_bytes()
    sent = runner.invoke(main, ["digest", "--send", "--as-of", "2026-03-02"])
    assert sent.exit_code == 0 and "1 sent" in sent.output
    assert "0 sent" in runner.invoke(main, ["digest", "--send", "--as-of", "2026-03-02"]).output
    paused = runner.invoke(main, ["subscribers", "pause", "ana@example.org"])
    assert "paused" in paused.output
    exported = runner.invoke(main, ["subscribers", "export", "ana@example.org"])
    assert json.loads(exported.output)["status"] == "paused"
    removed = runner.invoke(main, ["subscribers", "remove", "ana@example.org"])
    assert "deleted" in removed.output
    assert len(smtp.inbox.messages) == 2  # bob's confirmation and ana's digest
