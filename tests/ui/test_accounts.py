"""Partnerships belong to someone: a lead signs in by e-mail link and sees only their own."""

import json

from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from funding.access.accounts import make_token
from funding.access.partnerships import save_partnership
from funding.store.db import make_engine
from tests.ui.conftest import APP, LEAD, PROFILES, make_app, tables

PROFILE = json.loads((PROFILES / "biodiversity_local.json").read_text())


def _saved(ui_db, owner: str) -> int:
    with Session(make_engine(ui_db)) as session:
        pid = save_partnership(session, PROFILE, owner_email=owner).id
        session.commit()
    return pid


def test_another_lead_and_visitors_cannot_open_a_partnership(ui_db):
    pid = _saved(ui_db, LEAD)
    mine = make_app(lead=LEAD, partnership=str(pid))
    assert mine.selectbox(key="partnership_id").value == pid
    assert any(b.key.startswith("hide_") for b in mine.button if b.key)
    for other in (
        make_app(lead="marc@example.org", partnership=str(pid)),
        make_app(partnership=str(pid)),
    ):
        assert not [s for s in other.selectbox if s.key == "partnership_id"]
        assert other.info[0].value.startswith("Décrivez votre partenariat")  # nothing loaded
    visitor = make_app(partnership=str(pid))
    assert visitor.caption[0].value.startswith("Sans compte, vous pouvez essayer un profil")
    visitor.file_uploader(key="profile_file").set_value(
        ("p.json", json.dumps(PROFILE).encode(), "application/json")
    ).run()
    assert tables(visitor) and not [b for b in visitor.button if b.key and "hide_" in b.key]
    watch = make_app("views/watchlist.py", lead="marc@example.org")
    assert watch.info[0].value.startswith("Enregistrez d'abord un partenariat")


def test_staff_see_every_partnership(ui_db):
    pid = _saved(ui_db, LEAD)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["staff_user"] = "alice"
    at.query_params["partnership"] = str(pid)
    at.run()
    assert at.selectbox(key="partnership_id").value == pid


def test_a_sign_in_link_shows_a_button_that_signs_in(ui_db):
    pid = _saved(ui_db, LEAD)
    at = make_app("views/signin.py")
    assert at.title[0].value == "Mon compte"
    at.query_params["token"] = make_token("manage", LEAD)
    at.query_params["partnership"] = str(pid)
    at.run()
    assert at.markdown[0].value == f"Vous connecter en tant que {LEAD} ?"
    assert at.session_state["lead_email"] is None or "lead_email" not in at.session_state
    at.button(key="sign_in_link").click().run()
    assert not at.exception, at.exception
    assert at.session_state["lead_email"] == LEAD
    assert at.title[0].value == "Trouver des financements"
    assert at.selectbox(key="partnership_id").value == pid
    forged = make_app("views/signin.py", token=make_token("lead", LEAD))  # a session, not a link
    assert forged.error[0].value == "Ce lien de connexion n'est pas valide."
