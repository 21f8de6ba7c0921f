"""Reading source values (dates, amounts, text, vocabulary words) into the program's own types."""

from funding.normalize.dates import days_left, format_date, parse_date
from funding.normalize.money import (
    Money,
    format_amount,
    parse_amount,
    parse_amount_range,
    parse_rate,
)
from funding.normalize.text import html_to_text, looks_like_html, split_words
from funding.normalize.vocabularies import (
    Vocabulary,
    canonical_values,
    label,
    map_term,
    map_terms,
    parent,
    vocabulary,
    vocabulary_errors,
)
from funding.normalize.words import fold

__all__ = [
    "Money",
    "Vocabulary",
    "canonical_values",
    "days_left",
    "fold",
    "format_amount",
    "format_date",
    "html_to_text",
    "label",
    "looks_like_html",
    "map_term",
    "map_terms",
    "parent",
    "parse_amount",
    "parse_amount_range",
    "parse_date",
    "parse_rate",
    "split_words",
    "vocabulary",
    "vocabulary_errors",
]
