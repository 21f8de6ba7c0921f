"""Exactly once, counted on a real SMTP server: parts, headers and links; crash and re-run;
overlapping runs; the server down then up; an address rejected."""

import re
import threading
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from sqlmodel import Session, select

from funding.access.accounts import read_token
from funding.digests import send_due
from funding.digests.subscriptions import unsubscribe
from funding.settings import get_settings
from funding.store.models import Delivery, StaffAlert, Subscriber
from tests.digests.conftest import NOW, seed

EMAILS = [f"member{n}@example.org" for n in range(6)]


def _ledger(engine):
    with Session(engine) as session:
        return list(session.exec(select(Delivery).order_by(Delivery.subscriber_id)))


def test_a_digest_arrives_with_both_parts_and_one_click_unsubscribe(engine, session, smtp):
    (ana,) = seed(session, ["ana@example.org"])
    report = send_due(engine, now=NOW)
    assert report.sent == 1
    [message] = smtp.inbox.messages
    assert message["Subject"] == "4 appels pour Eau Sahel — prochaine échéance le 16 mars 2026"
    assert message["From"] == "Funding Radar <radar@example.org>"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Water and sanitation in West Africa" in text and "https://example.org/wash" in text
    assert 'href="https://example.org/wash"' in html and "style=" in html
    assert "avant 30 avril 2026 -> maintenant 15 mai 2026" in text
    # RFC 8058: an https link and a mailto, and the one-click POST header
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = re.findall(r"<([^>]+)>", message["List-Unsubscribe"])
    assert https.startswith("https://radar.example.org/unsubscribe?token=")
    assert mailto.startswith("mailto:radar@example.org?subject=unsubscribe")
    assert https in html
    token = parse_qs(urlparse(https).query)["token"][0]
    assert unquote(mailto).endswith(token)
    # The subscriber manages their partnership from the digest: a sign-in link that opens it.
    (radar,) = {u for u in re.findall(r"https://\S+", text) if "/signin?" in u}
    query = parse_qs(urlparse(radar).query)
    assert read_token(query["token"][0], ("manage",)) == "ana@example.org"
    assert query["partnership"] == [str(ana.partnership_id)]
    assert unsubscribe(session, token).status == "unsubscribed"
    session.commit()
    assert send_due(engine, now=NOW.replace(day=9)).sent == 0
    [delivery] = _ledger(engine)
    assert delivery.status == "sent" and delivery.message_id == message["Message-ID"].strip()
    assert set(delivery.item_ids) == {"t:wash", "t:eau", "t:old", "t:watched"}


def test_a_second_run_sends_nothing_and_next_week_sends_again(engine, session, smtp):
    seed(session, EMAILS[:2])
    assert send_due(engine, now=NOW).sent == 2
    again = send_due(engine, now=NOW)
    assert again.sent == 0 and again.already == 2
    assert len(smtp.inbox.messages) == 2


class Crash(Exception):
    pass


def test_a_crash_after_claiming_is_sent_once_when_the_claim_goes_stale(
    engine, session, smtp, monkeypatch
):
    seed(session, EMAILS)
    claimed = []

    def crash_at_third(digest):
        claimed.append(digest.subscriber.email)
        if len(claimed) == 3:
            raise Crash("killed after claiming, before sending")

    with pytest.raises(Crash):
        send_due(engine, now=NOW, on_claimed=crash_at_third)
    assert len(smtp.inbox.messages) == 2
    # Re-run at once: the crashed claim is still fresh, the rest goes out.
    rerun = send_due(engine, now=NOW)
    assert rerun.sent == 3 and len(smtp.inbox.messages) == 5
    # Once the claim is stale, the crashed one is sent, and only it.
    monkeypatch.setenv("FUNDING_DIGEST_CLAIM_STALE_AFTER", "0")
    get_settings.cache_clear()
    assert send_due(engine, now=NOW).sent == 1
    assert send_due(engine, now=NOW).sent == 0
    assert smtp.inbox.count_by_recipient() == {email: 1 for email in EMAILS}
    assert {d.status for d in _ledger(engine)} == {"sent"}


def test_overlapping_runs_never_send_twice(engine, session, smtp):
    seed(session, EMAILS)
    start = threading.Barrier(3)
    reports, errors = [], []

    def run():
        try:
            start.wait()
            reports.append(send_due(engine, now=NOW))
        except Exception as exc:  # noqa: BLE001 (surfaced below)
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sum(r.sent for r in reports) == len(EMAILS)
    assert smtp.inbox.count_by_recipient() == {email: 1 for email in EMAILS}


def test_smtp_down_then_up(engine, session, smtp):
    seed(session, EMAILS[:3])
    smtp.stop()
    down = send_due(engine, now=NOW)
    assert down.failed == 3 and down.sent == 0
    ledger = _ledger(engine)
    assert {d.status for d in ledger} == {"failed"}
    assert all(d.attempts == 3 and "Connection refused" in d.last_error for d in ledger)
    smtp.start()
    up = send_due(engine, now=NOW)
    assert up.sent == 3 and send_due(engine, now=NOW).sent == 0
    assert smtp.inbox.count_by_recipient() == {email: 1 for email in EMAILS[:3]}
    assert all(d.attempts == 4 and d.last_error is None for d in _ledger(engine))


def test_a_rejected_address_pauses_its_subscriber_and_tells_staff(engine, session, smtp):
    seed(session, ["good@example.org", "bad@example.org"])
    smtp.inbox.reject = {"bad@example.org"}
    report = send_due(engine, now=NOW)
    assert report.sent == 1 and report.paused == ["bad@example.org"]
    with Session(engine) as check:
        bad = check.exec(select(Subscriber).where(Subscriber.email == "bad@example.org")).one()
        assert bad.status == "paused" and "550" in bad.paused_reason
        assert check.exec(select(StaffAlert)).one().status == "sent"
    [alert] = smtp.inbox.to("staff@example.org")
    assert (
        "bad@example.org" in alert["Subject"]
        and "funding subscribers resume" in alert.get_content()
    )
    assert send_due(engine, now=NOW).sent == 0
    assert smtp.inbox.count_by_recipient() == {"good@example.org": 1, "staff@example.org": 1}


def test_reminders_fourteen_and_three_days_before(engine, session, smtp):
    seed(session, ["ana@example.org"])
    report = send_due(engine, now=NOW, kind="reminder")  # t:watched closes in 14 days
    assert report.sent == 1
    [message] = smtp.inbox.messages
    assert message["Subject"].startswith("Rappel d'échéance : 1 appel pour Eau Sahel")
    assert "J-14" in message.get_body(("plain",)).get_content()
    assert send_due(engine, now=NOW, kind="reminder").sent == 0
    assert send_due(engine, now=NOW.replace(day=3), kind="reminder").empty == 1  # 13 days
    assert send_due(engine, now=NOW.replace(day=13), kind="reminder").sent == 1  # 3 days


def test_list_unsubscribe_goes_out_as_written_folded_at_its_comma(engine, session, smtp):
    """Mail providers offer one-click unsubscribe only for bare <https://…>, <mailto:…> (RFC 2369,
    RFC 8058): the raw bytes, not the parsed header, carry no encoded-word."""
    seed(session, ["ana@example.org"])
    assert send_due(engine, now=NOW).sent == 1
    (raw,) = smtp.inbox.raw
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    (field,) = re.findall(
        r"^List-Unsubscribe: [^\r\n]*(?:\r\n[ \t][^\r\n]*)*", head, flags=re.MULTILINE
    )
    assert "=?" not in field
    lines = field.split("\r\n")
    assert len(lines) == 2 and lines[0].endswith(">,") and lines[1].startswith(" <mailto:")
    assert lines[0].startswith("List-Unsubscribe: <https://radar.example.org/unsubscribe?token=")
    assert all(len(line) <= 998 for line in lines)


def test_one_more_call_is_singular(engine, session, smtp, monkeypatch):
    monkeypatch.setenv("FUNDING_DIGEST_MAX_ITEMS", "3")
    get_settings.cache_clear()
    seed(session, ["ana@example.org"])
    assert send_due(engine, now=NOW).sent == 1
    text = smtp.inbox.messages[0].get_body(("plain",)).get_content()
    assert "Voir l'autre appel" in text and "Voir les 1 autres" not in text
