from datetime import date, datetime

import pytest

from funding.errors import NormalizationError
from funding.normalize import days_left, format_date, parse_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-04-15", date(2026, 4, 15)),
        ("2026-04-21T00:00:00.000+0000", date(2026, 4, 21)),
        ("2026-04-21T10:00:00Z", date(2026, 4, 21)),
        ("2026-04-21T10:00:00+02:00", date(2026, 4, 21)),
        ("2022-12-31T23:00:00.000Z", date(2022, 12, 31)),
        ("2022-07-28T11: 40: 47+02: 00", date(2022, 7, 28)),
        ("20230112", date(2023, 1, 12)),
        ("15/04/2026", date(2026, 4, 15)),
        ("15.04.2026", date(2026, 4, 15)),
        ("15-04-2026", date(2026, 4, 15)),
        ("5/4/2026", date(2026, 4, 5)),
        ("15 / 04 / 2026", date(2026, 4, 15)),
        ("  15/04/2026\n", date(2026, 4, 15)),
        ("31 mars 2026", date(2026, 3, 31)),
        ("31  mars  2026", date(2026, 3, 31)),
        ("31\xa0mars\u202f2026", date(2026, 3, 31)),
        ("1er avril 2026", date(2026, 4, 1)),
        ("Mardi 31 mars 2026", date(2026, 3, 31)),
        ("15 août 2022", date(2022, 8, 15)),
        ("April 3, 2026", date(2026, 4, 3)),
        ("3 April 2026", date(2026, 4, 3)),
        ("Thursday, April 3, 2026", date(2026, 4, 3)),
    ],
)
def test_parse_date_reads_french_english_and_iso(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "order", "expected"),
    [
        ("03/04/2026", "MDY", date(2026, 3, 4)),
        ("03/04/2026", "DMY", date(2026, 4, 3)),
        ("12/31/2025", "MDY", date(2025, 12, 31)),
        ("2026-04-15", "MDY", date(2026, 4, 15)),
    ],
)
def test_parse_date_order_only_changes_numeric_forms(value, order, expected):
    assert parse_date(value, order=order) == expected


@pytest.mark.parametrize("value", [None, "", "   ", "\xa0"])
def test_parse_date_empty_is_none(value):
    assert parse_date(value) is None


def test_parse_date_passes_dates_and_keeps_the_date_of_datetimes():
    assert parse_date(date(2026, 1, 2)) == date(2026, 1, 2)
    assert parse_date(datetime(2026, 1, 2, 23, 59)) == date(2026, 1, 2)


@pytest.mark.parametrize(
    "value",
    [
        "31/02/2026",
        "2026-02-30",
        "13/13/2026",
        "bientôt",
        "demain",
        "tomorrow",
        "in 3 days",
        "mars 2026",
        "31 février 2026",
        "2026-04-15 garbage",
    ],
)
def test_parse_date_refuses_impossible_unreadable_and_relative_dates(value):
    with pytest.raises(NormalizationError) as error:
        parse_date(value)
    assert str(error.value) == f"'{value}' is not a date"


@pytest.mark.parametrize("value", [20260415, 1.5, ["2026-04-15"]])
def test_parse_date_refuses_values_that_are_not_text_or_dates(value):
    with pytest.raises(NormalizationError) as error:
        parse_date(value)
    assert str(error.value) == f"'{value}' is not a date"


def test_parse_date_error_message_is_user_facing():
    with pytest.raises(NormalizationError, match=r"^'31/02/2026' is not a date$"):
        parse_date("31/02/2026")


def test_parse_date_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_date("bientôt")


def test_parse_date_with_us_order_rejects_a_thirteenth_month():
    with pytest.raises(NormalizationError, match="'31/12/2025' is not a date"):
        parse_date("31/12/2025", order="MDY")


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (date(2026, 3, 31), "fr", "31 mars 2026"),
        (date(2026, 3, 31), "en", "31 March 2026"),
        (date(2026, 8, 1), "fr", "1 août 2026"),
        (date(2026, 2, 5), "en", "5 February 2026"),
        (None, "fr", ""),
        (None, "en", ""),
    ],
)
def test_format_date(value, lang, expected):
    assert format_date(value, lang) == expected


def test_format_date_defaults_to_french():
    assert format_date(date(2026, 12, 25)) == "25 décembre 2026"


@pytest.mark.parametrize(
    ("deadline", "today", "expected"),
    [
        (date(2026, 4, 15), date(2026, 4, 1), 14),
        (date(2026, 4, 15), date(2026, 4, 15), 0),
        (date(2026, 4, 15), date(2026, 4, 16), -1),
        (date(2027, 1, 1), date(2026, 12, 31), 1),
    ],
)
def test_days_left(deadline, today, expected):
    assert days_left(deadline, today) == expected
