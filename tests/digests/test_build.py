"""What a digest holds: new calls that fit, changed calls before / after, watched calls closing
soon; hidden and ineligible calls left out; the subject in the subscriber's language."""

import re
from datetime import timedelta

from funding.digests import DigestBuilder, period_of, render_digest, subject
from funding.digests.build import default_since
from funding.digests.render import typography
from tests.digests.conftest import NOW, seed


def _digest(session, **kw):
    subscribers = seed(session, ["ana@example.org"], **kw)
    return DigestBuilder(session, now=NOW).build(subscribers)[0]


def test_new_changed_and_closing_calls_from_the_engine(session):
    digest = _digest(session)
    sections = {i.opportunity.id: i.section for i in digest.items}
    assert sections == {"t:wash": "new", "t:eau": "new", "t:old": "changed", "t:watched": "closing"}
    # hidden ('not for us') and ineligible (communes only) calls are left out
    assert "t:hidden" not in sections and "t:companies" not in sections
    new = [i for i in digest.items if i.section == "new"]
    assert all(i.verdict in ("eligible", "to_verify") and i.reasons for i in new)
    changed = next(i for i in digest.items if i.section == "changed")
    assert {(c.field, c.before, c.after) for c in changed.changes} == {
        ("deadlines", "30 avril 2026", "15 mai 2026"),
        ("amount_max", "100\u202f000\u00a0€", "150\u202f000\u00a0€"),
    }
    closing = next(i for i in digest.items if i.section == "closing")
    assert closing.days_left == 14 and closing.watched
    assert digest.period == "2026-W10" and digest.nearest_deadline.isoformat() == "2026-03-16"


def test_subject_counts_calls_and_names_the_nearest_deadline(session):
    digest = _digest(session)
    assert subject(digest) == "4 appels pour Eau Sahel — prochaine échéance le 16 mars 2026"


def test_english_subscriber_gets_english_subject_and_reasons(session):
    digest = _digest(session, language="en")
    assert subject(digest) == "4 calls for Eau Sahel — next deadline 16 March 2026"
    text = render_digest(digest).get_body(("plain",)).get_content()
    assert "New calls that fit" in text and "Changed calls" in text
    assert "deadline(s): before 30 April 2026 -> now 15 May 2026" in text


def test_only_calls_since_the_last_digest(session):
    subscribers = seed(session, ["ana@example.org"])
    subscribers[0].last_digest_at = NOW - timedelta(hours=12)
    digest = DigestBuilder(session, now=NOW).build(subscribers)[0]
    assert [i.opportunity.id for i in digest.items] == ["t:watched"]


def test_at_most_n_items_and_a_link_to_the_rest(session):
    subscribers = seed(session, ["ana@example.org"])
    digest = DigestBuilder(session, now=NOW, max_items=2).build(subscribers)[0]
    assert len(digest.shown) == 2 and digest.more == 2
    html = render_digest(digest).get_body(("html",)).get_content()
    assert "Voir les 2 autres appels" in html
    assert "https://" not in html or "partnership=" in html


def test_periods_and_since():
    assert period_of("weekly", NOW.date()) == "2026-W10"
    assert period_of("daily", NOW.date()) == "2026-03-02"

    class S:
        last_digest_at, frequency = None, "daily"

    assert default_since(S(), NOW) == NOW - timedelta(days=1)


def test_a_watched_eu_topic_carries_the_forecast_of_its_next_edition(session):
    """A real call of the snapshot whose topic funded projects in earlier work programmes (real
    CORDIS rows): the digest names its next edition, as the call page and the watchlist do."""
    import gzip
    import json

    from funding.access.partnerships import watch
    from funding.awards.importer import import_awards
    from funding.awards.view import next_edition_sentence
    from funding.ingest.snapshot import SNAPSHOT
    from funding.store.opportunities import store_record
    from tests.conftest import FILES

    soil = "eu_sedia:horizon-miss-2027-05-soil-02-two-stage"
    subscribers = seed(session, ["ana@example.org"])
    with SNAPSHOT.open("rb") as raw, gzip.open(raw, "rt") as lines:
        record = next(r for r in map(json.loads, lines) if r["id"] == soil)
    # closing within 14 days of the digest, so a watched call is in it
    store_record(session, {**record, "deadlines": ["2026-03-12"]}, now=NOW - timedelta(days=40))
    watch(session, subscribers[0].partnership_id, soil)
    session.commit()
    builder = DigestBuilder(session, now=NOW)
    assert (
        next(i for i in builder.build(subscribers)[0].items if i.opportunity.id == soil).forecast
        is None
    )  # no past awards stored: no forecast, and no query per call
    session.commit()  # the import writes through its own connection
    for name in ("projects.jsonl.gz", "organisations.jsonl.gz"):
        import_awards(session.get_bind(), FILES / "awards" / name)
    digest = DigestBuilder(session, now=NOW).build(subscribers)[0]
    item = next(i for i in digest.items if i.opportunity.id == soil)
    expected = next_edition_sentence(session, soil, as_of=NOW.date(), lang="fr")
    assert expected and expected.startswith("Prévision") and item.forecast == expected
    message = render_digest(digest)
    assert typography(expected, "fr") in message.get_body(("plain",)).get_content()
    assert expected.replace("'", "&#39;") in message.get_body(("html",)).get_content()


def test_the_text_part_follows_french_typography_and_lists_each_reason_on_its_line(session):
    digest = _digest(session)
    text = render_digest(digest).get_body(("plain",)).get_content()
    lines = text.splitlines()
    assert "Échéance\u202f: 16 mars 2026 (J-14)" in text  # a narrow no-break space, a date in words
    assert "  Se désabonner\u202f: " not in text and "Se désabonner\u202f: http" in text
    assert not [line for line in lines if re.search(r"\w [:;!?](\s|$)", line)]  # no plain space
    assert (
        "montant maximum\u202f: avant 100\u202f000\u00a0€ -> maintenant 150\u202f000\u00a0€" in text
    )
    assert any(
        line.startswith("  Montant maximum\u202f: ") and line.endswith("\u00a0€") for line in lines
    )
    new = next(i for i in digest.items if i.section == "new" and len(i.reasons) > 1)
    for reason in new.reasons:  # each reason on a line of its own, none run together
        assert f"    - {typography(reason, 'fr')}" in lines
    assert " ; ".join(new.reasons[:2]) not in text


def test_the_english_text_part_has_no_space_before_a_colon(session):
    text = render_digest(_digest(session, language="en")).get_body(("plain",)).get_content()
    assert "Deadline: 16 March 2026" in text and "\u202f" not in text.split("--")[0].replace(
        "\u202f000", ""
    )
