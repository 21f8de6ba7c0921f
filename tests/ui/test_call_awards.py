"""The call page's past awards: what the earlier editions of a real call funded, and its forecast."""

from funding.awards.importer import import_awards
from funding.db import make_engine
from tests.conftest import FILES
from tests.ui.conftest import make_app

SOIL_CALL = "eu_sedia:horizon-miss-2027-05-soil-02-two-stage"


def test_the_call_page_shows_the_projects_its_earlier_editions_funded(ui_db):
    engine = make_engine(ui_db)
    for name in ("projects.jsonl.gz", "organisations.jsonl.gz"):
        import_awards(engine, FILES / "awards" / name)
    engine.dispose()
    at = make_app("pages/opportunity.py", id=SOIL_CALL)
    assert "Déjà financé par cet appel" in [s.value for s in at.subheader]
    text = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "7 projet(s) financé(s) sur 2 édition(s)" in text
    assert "HORIZON-MISS-2023-SOIL-01-08 (4)" in text
    projects = at.dataframe[-1].value
    assert len(projects) == 7 and all(projects["Coordinateur"])
    assert at.info[0].value.endswith("d'après 2023, 2024 et 2027")
