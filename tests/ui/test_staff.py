"""Staff pages: sign-in required and rate-limited; monitor, review queue, hand edits, subscribers."""

from sqlmodel import Session, select

from funding.access.partnerships import report_call, save_partnership
from funding.settings import get_settings
from funding.store.db import make_engine
from funding.store.models import CallReport, Opportunity, SignInAttempt, Subscriber
from funding.store.opportunities import store_record
from tests.ui.conftest import STAFF_PASSWORD, make_app, sign_in


def test_monitor_requires_signing_in(ui_db):
    at = make_app("views/monitor.py")
    assert at.info[0].value == "Cette page est réservée à l'équipe : connectez-vous."
    assert not at.metric
    sign_in(at, "wrong")
    assert at.error[0].value == "Identifiant ou mot de passe incorrect."
    assert not at.metric


def test_failed_sign_ins_are_rate_limited(ui_db, caplog):
    at = make_app("views/monitor.py")
    for _ in range(get_settings().sign_in_max_failures):
        sign_in(at, "wrong")
    sign_in(at)  # the right password, too late
    assert at.error[0].value.startswith("Trop d'essais manqués")
    assert not at.metric
    with Session(make_engine(ui_db)) as session:
        attempts = session.exec(select(SignInAttempt)).all()
    # every attempt is counted before its password is checked; the last was not checked
    assert [(a.succeeded, a.locked, a.client) for a in attempts] == [
        (False, False, "local")
    ] * 5 + [(False, True, "local")]
    assert STAFF_PASSWORD not in caplog.text


def test_monitor_dashboards_and_review_queue(ui_db):
    with Session(make_engine(ui_db)) as session:
        call = session.exec(select(Opportunity).order_by(Opportunity.id)).first()
        report_call(session, call.id, "Le lien est cassé", reporter="lea@example.org")
        store_record(
            session,
            {
                "id": "t:closing",
                "title": "Appel qui ferme bientôt",
                "url": "https://example.org/c",
                "deadlines": ["2026-03-10"],
            },
        )
        session.commit()
    at = sign_in(make_app("views/monitor.py"))
    assert not at.exception
    assert [m.label for m in at.metric] == [
        "Nouveaux cette semaine",
        "Modifiés cette semaine",
        "Clôture sous 14 jours",
    ]
    assert int(at.metric[0].value) > 500  # the snapshot was loaded just now
    assert int(at.metric[2].value) == 1
    assert "Appel qui ferme bientôt" in set(at.tabs[2].dataframe[0].value["Titre"])
    assert [t.label for t in at.tabs][4] == "Santé des sources"
    health = at.tabs[4].dataframe[0].value  # every declared source, never-run ones too, in words
    assert list(health.columns)[:3] == ["Source", "Dernière collecte", "État"]
    assert {"Fondation de France", "Bpifrance", "Département de la Drôme"} <= set(health["Source"])
    assert "jamais lancée" in set(health["État"]) and "eu_sedia" not in set(health["Source"])
    assert any(c.value.startswith("50 affiché(s) sur") for c in at.caption)
    assert any("Le lien est cassé" in t.value for t in at.text)
    report_id = 1
    at.button(key=f"report_ok_{report_id}").click().run()
    with Session(make_engine(ui_db)) as session:
        report = session.get(CallReport, report_id)
        assert (report.status, report.resolved_by) == ("resolved", "alice")


def test_a_call_added_by_hand_survives_later_crawls(ui_db):
    at = sign_in(make_app("views/monitor.py"))
    at.text_input(key="edit_title").input("Appel régional haies 2026")
    at.text_input(key="edit_url").input("https://region.example/haies")
    at.text_input(key="edit_funder").input("Région test")
    at.text_input(key="edit_deadlines").input("2026-05-15")
    next(b for b in at.button if b.label == "Enregistrer").click().run()
    assert not at.exception
    assert at.success[0].value == "Appel enregistré : manual:1"
    with Session(make_engine(ui_db)) as session:
        call = session.get(Opportunity, "manual:1")
        assert call.deadlines == ["2026-05-15"]
        assert {"title", "url", "funder", "deadlines"} <= set(call.edited_fields)


def test_subscribers_add_pause_remove_and_preview(ui_db, smtp):
    """Staff-added subscribers get the double opt-in of `funding subscribers add`."""
    import json

    from tests.ui.conftest import PROFILES

    with Session(make_engine(ui_db)) as session:
        profile = json.loads((PROFILES / "biodiversity_local.json").read_text())
        save_partnership(session, profile)
        session.commit()
    at = make_app("views/subscribers.py")
    assert at.info[0].value.startswith("Cette page est réservée")
    sign_in(at)
    at.text_input(key="sub_email").input("Lea@Example.org")
    next(b for b in at.button if b.label == "Ajouter").click().run()
    assert at.success[0].value.startswith(
        "Lea@example.org recevra les synthèses après avoir confirmé"
    )
    with Session(make_engine(ui_db)) as session:
        subscriber = session.exec(select(Subscriber)).one()
    assert (subscriber.email, subscriber.status) == ("Lea@example.org", "pending")  # domain folded
    (sent,) = smtp.inbox.to("Lea@example.org")
    assert "/confirm?token=" in sent.get_body(("plain",)).get_content()
    at.button(key=f"pause_{subscriber.id}").click().run()
    assert at.button(key=f"resume_{subscriber.id}")
    at.button(key=f"preview_{subscriber.id}").click().run()
    assert at.subheader[0].value.startswith("Aperçu du prochain envoi")
    assert len(at.dataframe[-1].value) > 0
    at.button(key=f"remove_{subscriber.id}").click().run()
    assert at.info[0].value == "Aucun abonné."


def test_every_page_can_require_signing_in(ui_db, monkeypatch):
    monkeypatch.setenv("FUNDING_REQUIRE_SIGN_IN", "true")
    get_settings.cache_clear()
    at = make_app()
    assert at.title[0].value == "Connexion"
    sign_in(at)
    assert at.title[0].value == "Trouver des financements"


def test_review_queue_is_paged_filtered_and_decided_in_bulk(ui_db):
    at = sign_in(make_app("views/monitor.py"))
    fields = at.selectbox(key="queue_field").options
    assert len(fields) > 1 and "partnership_required" not in fields  # named in words
    total = int(next(c.value for c in at.caption if " affichée(s) sur " in c.value).split()[-1])
    assert total > 20 and len([c for c in at.checkbox if c.key.startswith("pick_")]) == 20
    at.selectbox(key="queue_source").set_value(at.selectbox(key="queue_source").options[1]).run()
    narrowed = int(next(c.value for c in at.caption if " affichée(s) sur " in c.value).split()[-1])
    assert narrowed < total
    picks = [c for c in at.checkbox if c.key.startswith("pick_")][:2]
    for pick in picks:
        pick.check()
    at.button(key="accept_chosen").click().run()
    assert not at.exception
    after = int(next(c.value for c in at.caption if " affichée(s) sur " in c.value).split()[-1])
    assert after == narrowed - 2
    with Session(make_engine(ui_db)) as session:
        from funding.store.models import Extraction

        decided = [session.get(Extraction, int(p.key.removeprefix("pick_"))) for p in picks]
        assert {e.status for e in decided} == {"accepted"}
    assert at.get("page_link")  # each item links to its call
