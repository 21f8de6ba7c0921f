import pytest

from funding.errors import NormalizationError
from funding.normalize import Money, format_amount, parse_amount, parse_amount_range, parse_rate


def spaced(text: str) -> str:
    """Babel writes no-break spaces; compare amounts with plain ones."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3 530 000 €", Money(3_530_000, "EUR")),
        ("3 530 000,50 €", Money(3_530_000.5, "EUR")),
        ("3\u202f530\u202f000\xa0€", Money(3_530_000, "EUR")),
        ("3\xa0530\xa0000 euros", Money(3_530_000, "EUR")),
        ("1,5 M€", Money(1_500_000, "EUR")),
        ("1.5 M€", Money(1_500_000, "EUR")),
        ("EUR 2 million", Money(2_000_000, "EUR")),
        ("2 millions d'euros", Money(2_000_000, "EUR")),
        ("6 millions d’euros", Money(6_000_000, "EUR")),
        ("2 Mds €", Money(2_000_000_000, "EUR")),
        ("1 milliard", Money(1_000_000_000, None)),
        ("50 k€", Money(50_000, "EUR")),
        ("50 K€", Money(50_000, "EUR")),
        ("$500,000", Money(500_000, "USD")),
        ("USD 1.2 million", Money(1_200_000, "USD")),
        ("500 000 CHF", Money(500_000, "CHF")),
        ("£1,000", Money(1_000, "GBP")),
        ("150000", Money(150_000, None)),
        ("jusqu'à 200 000 €", Money(200_000, "EUR")),
        ("2.200.000 € à répartir entre les bénéficiaires", Money(2_200_000, "EUR")),
        ("Min. 3.000 € par projet", Money(3_000, "EUR")),
        ("29 000 € HT", Money(29_000, "EUR")),
        ("Jusqu'à 80% du coût de l'étude, dans un maximum de 100 000 €", Money(100_000, "EUR")),
    ],
)
def test_parse_amount_reads_french_and_english_amounts(value, expected):
    assert parse_amount(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(150000, Money(150_000.0, None)), (2.5, Money(2.5, None)), (0, Money(0.0, None))],
)
def test_parse_amount_passes_numbers_through(value, expected):
    result = parse_amount(value)
    assert result == expected
    assert isinstance(result.amount, float)


def test_parse_amount_default_currency_applies_only_when_the_text_has_none():
    assert parse_amount("150 000", default_currency="EUR") == Money(150_000, "EUR")
    assert parse_amount(12, default_currency="USD") == Money(12, "USD")
    assert parse_amount("$12", default_currency="EUR") == Money(12, "USD")


def test_parse_amount_does_not_take_ht_or_ttc_for_a_currency():
    assert parse_amount("10 000 TTC") == Money(10_000, None)


@pytest.mark.parametrize("value", [None, "", "  "])
def test_parse_amount_empty_is_none(value):
    assert parse_amount(value) is None


@pytest.mark.parametrize(
    "value",
    ["Selon projet", "Variable", "-5 000 €", "- $5", "80 %", -1, -0.5, float("nan"), True, [5]],
)
def test_parse_amount_refuses_unreadable_and_negative_amounts(value):
    with pytest.raises(NormalizationError) as error:
        parse_amount(value)
    assert str(error.value) == f"'{value}' is not an amount"


@pytest.mark.parametrize(
    ("value", "low", "high"),
    [
        ("10 000 à 50 000 €", Money(10_000, "EUR"), Money(50_000, "EUR")),
        ("entre 5 000 et 20 000 euros", Money(5_000, "EUR"), Money(20_000, "EUR")),
        ("De 10 000 € à 500 000 €", Money(10_000, "EUR"), Money(500_000, "EUR")),
        ("de 5 000 € HT à 200 000 € HT", Money(5_000, "EUR"), Money(200_000, "EUR")),
        ("10 000-50 000 €", Money(10_000, "EUR"), Money(50_000, "EUR")),
        ("1 à 2 millions d'euros", Money(1_000_000, "EUR"), Money(2_000_000, "EUR")),
        ("500 000 € à 2 M€", Money(500_000, "EUR"), Money(2_000_000, "EUR")),
        ("Appel 2026 : de 10 000 à 50 000 €", Money(10_000, "EUR"), Money(50_000, "EUR")),
        ("from EUR 1 to 2 million", Money(1_000_000, "EUR"), Money(2_000_000, "EUR")),
        ("1 to 2 million EUR", Money(1_000_000, "EUR"), Money(2_000_000, "EUR")),
        ("$100,000 - $250,000", Money(100_000, "USD"), Money(250_000, "USD")),
        ("between $5,000 and $20,000", Money(5_000, "USD"), Money(20_000, "USD")),
        (
            "Prêt entre 50 000 et 350 000 € - Obligations convertibles pour maximum 500 000 €",
            Money(50_000, "EUR"),
            Money(350_000, "EUR"),
        ),
    ],
)
def test_parse_amount_range_reads_ranges(value, low, high):
    assert parse_amount_range(value) == (low, high)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("jusqu'à 60 000 €", (None, Money(60_000, "EUR"))),
        ("Jusqu’à 60 000 €", (None, Money(60_000, "EUR"))),
        ("up to €60,000", (None, Money(60_000, "EUR"))),
        ("500 000 € maximum", (None, Money(500_000, "EUR"))),
        (
            "Jusqu'à 25% des dépenses, dans la limite de 400 000 € HT",
            (None, Money(400_000, "EUR")),
        ),
        ("Programme 2021-2027 : jusqu'à 50 000 €", (None, Money(50_000, "EUR"))),
        ("à partir de 5 000 €", (Money(5_000, "EUR"), None)),
        ("minimum 1 000 €", (Money(1_000, "EUR"), None)),
        ("Min. 3.000 € par projet", (Money(3_000, "EUR"), None)),
        ("at least $10,000", (Money(10_000, "USD"), None)),
        ("50 000 €", (Money(50_000, "EUR"), Money(50_000, "EUR"))),
        ("50 000 € sur 3 ans", (Money(50_000, "EUR"), Money(50_000, "EUR"))),
    ],
)
def test_parse_amount_range_single_amount_follows_the_words(value, expected):
    assert parse_amount_range(value) == expected


def test_parse_amount_range_default_currency():
    assert parse_amount_range("10 000 à 50 000", default_currency="EUR") == (
        Money(10_000, "EUR"),
        Money(50_000, "EUR"),
    )


@pytest.mark.parametrize("value", [None, "", " "])
def test_parse_amount_range_empty(value):
    assert parse_amount_range(value) == (None, None)


@pytest.mark.parametrize("value", ["Variable selon projet", "Jusqu'à 70% des coûts", "-5 000 €"])
def test_parse_amount_range_refuses_texts_without_amounts(value):
    with pytest.raises(NormalizationError) as error:
        parse_amount_range(value)
    assert str(error.value) == f"'{value}' is not an amount"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("80 %", 0.8),
        ("80%", 0.8),
        ("80\u202f%", 0.8),
        ("12,5 %", 0.125),
        ("0.8", 0.8),
        ("80", 0.8),
        (80, 0.8),
        (0.5, 0.5),
        (1, 1.0),
        (100, 1.0),
        (0, 0.0),
        ("jusqu'à 50 % des dépenses", 0.5),
        ("Up to 70% of eligible costs", 0.7),
        ("30 à 80% de l'étude ou de l'investissement, selon projet", 0.8),
        ("Jusqu'à 70% pour une étude et 55% pour un investissement", 0.7),
    ],
)
def test_parse_rate(value, expected):
    assert parse_rate(value) == pytest.approx(expected)


@pytest.mark.parametrize("value", [None, "", "  "])
def test_parse_rate_empty_is_none(value):
    assert parse_rate(value) is None


@pytest.mark.parametrize("value", ["150 %", "beaucoup", 150, -0.2, "Selon projet", True, [0.5]])
def test_parse_rate_refuses_values_outside_zero_one(value):
    with pytest.raises(NormalizationError) as error:
        parse_rate(value)
    assert str(error.value) == f"'{value}' is not a rate"


@pytest.mark.parametrize(
    ("amount", "currency", "lang", "expected"),
    [
        (3_530_000, "EUR", "fr", "3 530 000 €"),
        (3_530_000.0, "EUR", "fr", "3 530 000 €"),
        (3_530_000.5, "EUR", "fr", "3 530 000,50 €"),
        (3_530_000, "EUR", "en", "€3,530,000"),
        (1_500, "USD", "en", "$1,500"),
        (1_500, "USD", "fr", "1 500 $US"),
        (2_500.5, "CHF", "fr", "2 500,50 CHF"),
        (1_000, "GBP", "en", "£1,000"),
        (1_500, None, "fr", "1 500"),
        (None, "EUR", "fr", ""),
        (None, "EUR", "en", ""),
    ],
)
def test_format_amount(amount, currency, lang, expected):
    assert spaced(format_amount(amount, currency, lang)) == expected


def test_format_amount_keeps_babel_no_break_spaces():
    assert format_amount(3_530_000) == "3\u202f530\u202f000\xa0€"


def test_format_amount_round_trips_through_parse_amount():
    assert parse_amount(format_amount(1_234_567.5)) == Money(1_234_567.5, "EUR")
    assert parse_amount(format_amount(1_234_567, "USD", "en")) == Money(1_234_567, "USD")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1E+06", Money(1_000_000, None)),
        ("2.5E+07", Money(25_000_000, None)),
        ("1.5e6 EUR", Money(1_500_000, "EUR")),
        ("1e+16", Money(1e16, None)),
        ("1234.567", Money(1234.567, None)),
        ("0.001", Money(0.001, None)),
        ("1.2340", Money(1.234, None)),
        ("1.500", Money(1500, None)),  # French thousands, as before
        ("3e édition, 50 000 €", Money(50_000, "EUR")),  # an ordinal is no exponent
    ],
)
def test_parse_amount_reads_what_programs_write(value, expected):
    assert parse_amount(value) == expected


@pytest.mark.parametrize("value", ["9e999", "1.234.5678"])
def test_parse_amount_refuses_numbers_it_cannot_read(value):
    with pytest.raises(NormalizationError, match="is not an amount"):
        parse_amount(value)
