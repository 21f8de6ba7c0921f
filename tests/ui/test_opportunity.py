"""The call page: every field, its sources, its change history, similar calls, reports."""

from datetime import UTC, date, datetime

from sqlmodel import Session, select

from funding.store.db import make_engine
from funding.store.models import CallReport, Opportunity
from funding.store.opportunities import edit_opportunity
from tests.ui.conftest import make_app, tables


def a_call(url: str) -> Opportunity:
    with Session(make_engine(url)) as session:
        return session.exec(
            select(Opportunity)
            .where(Opportunity.source == "eu_sedia")
            .where(Opportunity.deadline_last > date(2026, 3, 1))
            .order_by(Opportunity.id)
        ).first()


def test_every_field_sources_history_and_similar_calls(ui_db):
    call = a_call(ui_db)
    with Session(make_engine(ui_db)) as session:
        edit_opportunity(
            session,
            call.id,
            {"deadlines": ["2026-12-15"]},
            by="alice",
            now=datetime(2026, 2, 3, tzinfo=UTC),
        )
        session.commit()
    at = make_app("views/opportunity.py", id=call.id)
    assert at.header[0].value.replace("\\", "") == call.title
    fields, sources = tables(at)[:2]
    assert {"financeur", "échéances"} <= {f["Champ"] for f in fields}
    assert "15 décembre 2026" in {f["Valeur"] for f in fields}
    assert max(len(f["Valeur"]) for f in fields) > 200  # long texts whole, wrapping
    assert [s["Source"] for s in sources] == ["Commission européenne (Funding & Tenders)"]
    assert sources[0]["→ Lien"] == call.url
    history = [t.value for t in at.text if "→" in t.value]
    assert any(
        h.startswith("échéances : ")
        and h.endswith("→ 15 décembre 2026 (le 3 février 2026, staff:alice)")
        for h in history
    )
    assert at.subheader[3].value == "Appels similaires"
    assert len(at.get("page_link")) >= 1


def test_a_report_reaches_the_review_queue(ui_db):
    call = a_call(ui_db)
    at = make_app("views/opportunity.py", id=call.id)
    at.text_area(key="report_message").input("La date limite a changé sur le site.")
    next(b for b in at.button if b.label == "Envoyer").click().run()
    assert at.success[0].value == "Merci : l'équipe va vérifier."
    with Session(make_engine(ui_db)) as session:
        report = session.exec(select(CallReport)).one()
        assert (report.opportunity_id, report.status) == (call.id, "open")


def test_unknown_call(ui_db):
    at = make_app("views/opportunity.py", id="nope:1")
    assert at.warning[0].value == "Cet appel n'existe pas."


def test_a_closed_call_shows_its_past_deadline_and_a_permanent_aid_reads_permanente(ui_db):
    from sqlmodel import Session

    from funding.store.db import make_engine
    from funding.store.opportunities import store_record

    with Session(make_engine(ui_db)) as session:
        store_record(
            session,
            {
                "id": "t:closed",
                "title": "Appel clos",
                "url": "https://e.org/c",
                "deadlines": ["2026-01-31"],
            },
        )
        store_record(
            session,
            {
                "id": "t:always",
                "title": "Aide permanente",
                "url": "https://e.org/p",
                "recurrence": "Permanente",
            },
        )
        session.commit()
    closed = make_app("views/opportunity.py", id="t:closed")
    assert "Échéance : close le 31 janvier 2026" in closed.markdown[0].value
    always = make_app("views/opportunity.py", id="t:always")
    assert "Échéance : permanente" in always.markdown[0].value
