"""Status comes from the dates as of a day; no known deadline is unknown, never silently open."""

from datetime import date

import pytest

from funding.contracts.status import compute_status, next_deadline

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("opens_on", "deadline_last", "recurrence", "source_status", "expected"),
    [
        (None, date(2026, 12, 1), "one_off", None, "open"),
        (None, TODAY, "one_off", None, "open"),
        (None, date(2026, 11, 25), "one_off", "open", "closed"),
        (date(2027, 1, 10), date(2027, 3, 1), "one_off", None, "forthcoming"),
        (None, date(2027, 3, 1), None, "forthcoming", "forthcoming"),
        (date(2026, 1, 1), date(2027, 3, 1), None, "forthcoming", "open"),
        (None, None, "permanent", None, "open"),
        (date(2027, 1, 1), None, "permanent", None, "forthcoming"),
        (None, None, "one_off", "open", "unknown"),
        (None, None, None, None, "unknown"),
        (None, None, "recurring", "open", "unknown"),
    ],
)
def test_compute_status(opens_on, deadline_last, recurrence, source_status, expected):
    status = compute_status(
        opens_on=opens_on,
        deadline_last=deadline_last,
        recurrence=recurrence,
        as_of=TODAY,
        source_status=source_status,
    )
    assert status == expected


def test_next_deadline_is_first_on_or_after_the_day():
    deadlines = ["2026-04-01", "2026-11-26", "2027-02-01"]
    assert next_deadline(deadlines, TODAY) == TODAY
    assert next_deadline(deadlines, date(2026, 11, 27)) == date(2027, 2, 1)
    assert next_deadline(deadlines, date(2027, 3, 1)) is None
    assert next_deadline(None, TODAY) is None
