"""The Streamlit list page, driven with AppTest against a real database."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from funding.db import get_engine
from funding.importer import import_file
from tests.conftest import FILES

APP = str(Path(__file__).parent.parent / "ui" / "app.py")


@pytest.fixture
def app(database_url):
    from funding.snapshot import prepare_database

    prepare_database(get_engine(), load=False)
    import_file(get_engine(), FILES / "opportunities_good.jsonl")
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception
    return at


def test_lists_every_opportunity_in_french(app):
    assert app.title[0].value == "Appels et financements"
    assert app.caption[0].value == "5 résultat(s) sur 5 appels"
    table = app.dataframe[0].value
    assert len(table) == 5
    assert "Région Île-de-France" in set(table["funder"])


def test_search_box_filters_by_full_text(app):
    app.text_input(key="query").input("bornes recharge").run()
    table = app.dataframe[0].value
    assert list(table["title"]) == ["ADVENIR"]
    assert app.caption[0].value.startswith("1 résultat")


def test_no_match_says_so(app):
    app.text_input(key="query").input("zzzxxyq").run()
    assert app.info[0].value == "Aucun appel ne correspond."


def test_english_on_request(database_url):
    from funding.snapshot import prepare_database

    prepare_database(get_engine(), load=False)
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["lang"] = "en"
    at.run()
    assert at.title[0].value == "Calls and funding"
    assert at.info[0].value == "No call matches."
