"""The result filters and the profile form's round trip, without Streamlit."""

import json

from funding.views.finder import Filters, apply_filters, form_from_profile, profile_from_form
from tests.ui.conftest import PROFILES

ROWS = [
    {
        "id": "a",
        "score": 80,
        "verdict": "eligible",
        "status": "open",
        "days_left": 40,
        "instrument": "grant",
        "funder": "ADEME",
        "source": "ademe_agir",
        "language": "fr",
        "amount_min": None,
        "amount_max": 50_000,
    },
    {
        "id": "b",
        "score": 60,
        "verdict": "to_verify",
        "status": "forthcoming",
        "days_left": 10,
        "instrument": None,
        "funder": "EU",
        "source": "eu_sedia",
        "language": "en",
        "amount_min": 1_000_000,
        "amount_max": 3_000_000,
    },
    {
        "id": "c",
        "score": 50,
        "verdict": "to_verify",
        "status": "unknown",
        "days_left": None,
        "instrument": "loan",
        "funder": "Bpifrance",
        "source": "x",
        "language": "fr",
        "amount_min": None,
        "amount_max": None,
    },
]


def ids(rows):
    return [r["id"] for r in rows]


def test_filters():
    assert ids(apply_filters(ROWS, Filters())) == ["a", "b", "c"]
    assert ids(apply_filters(ROWS, Filters(), hidden={"b"})) == ["a", "c"]
    assert ids(apply_filters(ROWS, Filters(within_days=30))) == ["b"]
    assert ids(apply_filters(ROWS, Filters(instruments=["unknown"]))) == ["b"]
    assert ids(apply_filters(ROWS, Filters(amount_max=100_000))) == ["a", "c"]  # unknown stays
    assert ids(apply_filters(ROWS, Filters(languages=["en"]))) == ["b"]
    assert ids(apply_filters(ROWS, Filters(sort="deadline"))) == ["b", "a", "c"]


def test_profile_round_trip_through_the_form():
    for path in PROFILES.glob("*.json"):
        profile = json.loads(path.read_text())
        form = form_from_profile(profile)
        again = profile_from_form(form)
        assert again == profile, path.name
