"""Watchlist: follow from the results, change stage and notes, calendar, iCalendar and CSV exports."""

from datetime import date

import icalendar
import pytest
from sqlmodel import Session
from streamlit.delta_generator import DeltaGenerator

from funding.access.partnerships import save_partnership, watch, watched_call
from funding.store.db import make_engine
from tests.ui.conftest import LEAD, PROFILES, make_app


@pytest.fixture
def followed(ui_db):
    """A saved partnership following two calls with deadlines after the test's day."""
    import json

    profile = json.loads((PROFILES / "biodiversity_local.json").read_text())
    with Session(make_engine(ui_db)) as session:
        pid = save_partnership(session, profile, owner_email=LEAD).id
        from sqlmodel import select

        from funding.store.models import Opportunity

        calls = session.exec(
            select(Opportunity)
            .where(Opportunity.deadline_first > date(2026, 3, 10))
            .order_by(Opportunity.deadline_first, Opportunity.id)
            .limit(2)
        ).all()
        for call in calls:
            watch(session, pid, call.id)
        session.commit()
        return pid, [(c.id, c.title, c.deadlines) for c in calls]


@pytest.fixture
def downloads(monkeypatch):
    """What the page hands to st.download_button, by key."""
    captured = {}
    real = DeltaGenerator.download_button

    def spy(self, label, data, *args, **kwargs):
        captured[kwargs.get("key")] = (data, kwargs.get("file_name"), kwargs.get("mime"))
        return real(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    return captured


def test_follow_from_the_results_appears_in_the_watchlist(ui_db):
    at = make_app(lead=LEAD)
    data = (PROFILES / "biodiversity_local.json").read_bytes()
    at.file_uploader(key="profile_file").set_value(("p.json", data, "application/json")).run()
    follow = next(b for b in at.button if b.key and b.key.startswith("follow_"))
    follow.click().run()
    assert at.toast[0].value.startswith("Appel suivi")
    marked = at.button(key=f"followed_{follow.key.removeprefix('follow_')}")
    assert marked.label == "Suivi ✓" and marked.disabled  # the card says it is followed
    at.switch_page("views/watchlist.py").run()
    assert not at.exception
    assert at.title[0].value == "Appels suivis"
    assert at.selectbox(key=f"stage_{follow.key.removeprefix('follow_')}").value == "interested"


def test_stage_and_notes_are_saved(followed, ui_db):
    pid, calls = followed
    at = make_app("views/watchlist.py", lead=LEAD)
    first = calls[0][0]
    at.selectbox(key=f"stage_{first}").set_value("preparing")
    at.text_area(key=f"notes_{first}").input("Budget à finaliser avec la SARL")
    at.button(key=f"save_{first}").click().run()
    assert not at.exception
    with Session(make_engine(ui_db)) as session:
        saved = watched_call(session, pid, first)
        assert (saved.stage, saved.notes) == ("preparing", "Budget à finaliser avec la SARL")
    at.button(key=f"unfollow_{calls[1][0]}").click().run()
    with Session(make_engine(ui_db)) as session:
        assert watched_call(session, pid, calls[1][0]) is None


def test_calendar_and_icalendar_export(followed, downloads):
    _, calls = followed
    at = make_app("views/watchlist.py", lead=LEAD)
    assert at.subheader[0].value == "Calendrier des échéances"
    listed = set().union(*(set(df.value["Titre"]) for df in at.dataframe))
    assert {title for _, title, _ in calls} <= listed
    data, name, mime = downloads["export_ics"]
    assert (name, mime) == ("funding-radar-deadlines.ics", "text/calendar")
    calendar = icalendar.Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))
    expected = {(i, d) for i, _, deadlines in calls for d in deadlines if d >= "2026-03-01"}
    assert {
        (str(e["uid"]).split("@")[0].rsplit("-", 3)[0], e.decoded("dtstart").isoformat())
        for e in events
    } == expected
    assert all(str(e["summary"]).startswith("Échéance : ") for e in events)
    assert all(e.walk("VALARM") for e in events)
    csv_data, _, _ = downloads["export_csv"]
    assert csv_data.startswith("\ufeff".encode())  # UTF-8 with BOM
    lines = csv_data.decode("utf-8-sig").splitlines()
    # French Excel splits on ';': headers and stages in words, no code.
    assert lines[0].startswith("Identifiant;Titre;Financeur;Étape;Prochaine échéance;Échéances")
    assert len(lines) == 3 and calls[0][0] in lines[1] and ";intéressé;" in lines[1]


def test_without_a_saved_partnership_says_what_to_do(ui_db):
    at = make_app("views/watchlist.py", lead=LEAD)
    assert at.info[0].value.startswith("Enregistrez d'abord un partenariat")
