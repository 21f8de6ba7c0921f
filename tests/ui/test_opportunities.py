"""The public list of calls, driven with AppTest against a real database."""

from funding.ingest.importer import import_file
from funding.store.db import get_engine
from tests.conftest import FILES
from tests.ui.conftest import make_app, tables


def list_page(lang: str | None = None):
    from funding.ingest.snapshot import prepare_database

    prepare_database(get_engine(), load=False)
    import_file(get_engine(), FILES / "opportunities_good.jsonl")
    return make_app("views/opportunities.py", **({"lang": lang} if lang else {}))


def test_lists_every_opportunity_in_french(database_url):
    app = list_page()
    assert app.title[0].value == "Appels et financements"
    assert app.caption[0].value == "5 résultat(s) sur 5 appels"
    (table,) = tables(app)
    assert len(table) == 5
    assert "Région Île-de-France" in {row["Financeur"] for row in table}


def test_search_box_filters_by_full_text(database_url):
    app = list_page()
    app.text_input(key="query").input("bornes recharge").run()
    (table,) = tables(app)
    assert [row["Titre"] for row in table] == ["ADVENIR"]
    assert app.caption[0].value.startswith("1 résultat")


def test_no_match_says_so(database_url):
    app = list_page()
    app.text_input(key="query").input("zzzxxyq").run()
    assert app.info[0].value == "Aucun appel ne correspond."


def test_english_on_request(database_url):
    app = list_page("en")
    assert app.title[0].value == "Calls and funding"
    app.text_input(key="query").input("zzzxxyq").run()
    assert app.info[0].value == "No call matches."


def test_calls_one_can_apply_to_come_first_and_each_row_leads_to_its_page(ui_db):
    at = make_app("views/opportunities.py")
    assert not at.get("arrow_data_frame")  # a dataframe cuts titles
    (table,) = tables(at)
    assert len(table) == 50  # one page of the calls listed
    statuses = [row["Statut"] for row in table]
    rank = {"ouvert": 0, "à venir": 1, "à vérifier": 2, "clôturé": 3}
    assert statuses[0] == "ouvert" and [rank[s] for s in statuses] == sorted(
        rank[s] for s in statuses
    )
    assert all(row["→ Titre"].startswith("opportunity?id=") for row in table)
    assert "eu_sedia" not in {row["Source"] for row in table}
    at.number_input(key="calls_page").set_value(at.number_input(key="calls_page").max).run()
    statuses += [row["Statut"] for row in tables(at)[0]]
    assert len(statuses) > 50 and [rank[s] for s in statuses] == sorted(rank[s] for s in statuses)


def test_titles_are_shown_whole_and_funder_text_as_text(ui_db):
    from sqlmodel import Session

    from funding.store.db import make_engine
    from funding.store.opportunities import store_record

    title = (
        "Appel à projets <b>très</b> long : " + "restauration des haies bocagères " * 8
    ).strip()
    with Session(make_engine(ui_db)) as session:
        store_record(
            session,
            {
                "id": "t:long",
                "title": title,
                "url": "https://e.org/long",
                "deadlines": ["2026-06-30"],
            },
        )
        session.commit()
    at = make_app("views/opportunities.py")
    at.text_input(key="query").input("haies bocagères restauration").run()
    row = next(r for r in tables(at)[0] if r["→ Titre"] == "opportunity?id=t%3Along")
    assert row["Titre"] == title and row["→ Lien"] == "https://e.org/long"
    markup = next(m.value for m in at.markdown if m.value.startswith("<table"))
    assert "&lt;b&gt;très&lt;/b&gt;" in markup and "<b>" not in markup


def test_the_call_page_finds_a_call_by_its_words(ui_db):
    at = make_app("views/opportunity.py")
    assert not at.text_input.len or at.text_input[0].label.startswith("Chercher un appel")
    at.text_input(key="call_words").input("biodiversité").run()
    assert not at.exception and len(at.get("page_link")) > 0


def test_the_sidebar_says_how_fresh_the_data_is(ui_db):
    at = make_app()
    line = next(c.value for c in at.sidebar.caption if c.value.startswith("Données du "))
    assert " appels, dont " in line and line.endswith(" clos")
