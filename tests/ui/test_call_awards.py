"""The call page's past awards: what the earlier editions of a real call funded, and its forecast."""

from funding.awards.importer import import_awards
from funding.store.db import make_engine
from tests.conftest import FILES
from tests.ui.conftest import make_app

SOIL_CALL = "eu_sedia:horizon-miss-2027-05-soil-02-two-stage"


def test_the_call_page_shows_the_projects_its_earlier_editions_funded(ui_db):
    _with_awards(ui_db)
    at = make_app("views/opportunity.py", id=SOIL_CALL)
    assert "Déjà financé par cet appel" in [s.value for s in at.subheader]
    text = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "7 projet(s) financé(s) sur 2 édition(s)" in text
    assert "HORIZON-MISS-2023-SOIL-01-08 (4)" in text
    projects = at.dataframe[-1].value
    assert len(projects) == 7 and all(projects["Coordinateur"])
    assert at.info[0].value.endswith("d'après 2023, 2024 et 2027")


def _with_awards(ui_db: str) -> None:
    engine = make_engine(ui_db)
    for name in ("projects.jsonl.gz", "organisations.jsonl.gz"):
        import_awards(engine, FILES / "awards" / name)
    engine.dispose()


def test_the_find_page_suggests_partners_from_funded_projects(ui_db):
    from tests.ui.test_find import load

    _with_awards(ui_db)
    at = load(make_app())
    assert "Partenaires potentiels" in [s.value for s in at.subheader]
    partners = at.dataframe[-1].value
    assert len(partners) > 0 and {"Organisation", "Pourquoi", "Comblerait"} <= set(partners.columns)
    assert any(b.label == "Télécharger (CSV)" for b in at.get("download_button"))


def test_the_ecosystem_page_lists_geneva_and_haute_savoie_organisations_for_staff(ui_db):
    from tests.ui.conftest import sign_in

    _with_awards(ui_db)
    at = make_app("views/ecosystem.py")
    assert at.warning or at.error or not at.expander  # not signed in: nothing shown
    at = sign_in(make_app("views/ecosystem.py"))
    at.switch_page("views/ecosystem.py").run()
    assert at.expander, "no theme listed"
    themes = [e.label.rsplit(" (", 1)[0] for e in at.expander]
    from funding.i18n import VOCABULARY

    french = {fr for fr, _ in VOCABULARY["theme"].values()} | {"—"}
    assert set(themes) <= french, themes  # the themes' French names, not their codes
    names = set().union(*(set(d.value["Organisation"]) for d in at.dataframe))
    assert "UNIVERSITE DE GENEVE" in names
    assert all(set(d.value["Région"]) <= {"CH013", "FRK28"} for d in at.dataframe)


def test_the_watchlist_shows_the_forecast_of_a_followed_call(ui_db):
    import json

    from sqlmodel import Session

    from funding.access.partnerships import save_partnership, watch
    from tests.ui.conftest import LEAD, PROFILES

    _with_awards(ui_db)
    with Session(make_engine(ui_db)) as session:
        profile = json.loads((PROFILES / "biodiversity_local.json").read_text())
        watch(session, save_partnership(session, profile, owner_email=LEAD).id, SOIL_CALL)
        session.commit()
    at = make_app("views/watchlist.py", lead=LEAD)
    assert [c.value for c in at.caption if c.value.startswith("Prévision")] == [
        next(c for c in make_app("views/opportunity.py", id=SOIL_CALL).info).value
    ]
