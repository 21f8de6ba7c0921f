"""The next edition of a recurring call, forecast from its past editions (a forecast, always shown
with the editions it comes from)."""

import itertools
import statistics
from dataclasses import dataclass
from datetime import date, timedelta

MIN_EDITIONS = 3


@dataclass(frozen=True)
class Forecast:
    expected: date
    evidence: tuple[date, ...]  # the past editions' dates it was made from

    def sentence(self, lang: str = "fr") -> str:
        from funding.i18n import MONTHS, t

        years = sorted({d.year for d in self.evidence})
        listed = ", ".join(str(y) for y in years[:-1]) + f" {t('and', lang)} {years[-1]}"
        month = MONTHS[lang][self.expected.month - 1]
        return t("next_edition", lang, month=month, year=self.expected.year, years=listed)


def next_date(dates: list[date], minimum: int = MIN_EDITIONS) -> Forecast | None:
    """The last edition's date plus the median gap between editions (None below `minimum`)."""
    days = sorted(set(dates))
    if len(days) < max(2, minimum):
        return None
    gap = statistics.median((b - a).days for a, b in itertools.pairwise(days))
    return Forecast(days[-1] + timedelta(days=round(gap)), tuple(days))


def _same_day(day: date, year: int) -> date:
    return day.replace(year=year, day=min(day.day, 28))


def next_edition(deadline: date | None, edition_years: list[int]) -> Forecast | None:
    """For a call with a known deadline whose topic had editions in other years: editions are taken
    to close in the same season as this one (EU work programmes keep their calendar)."""
    if deadline is None:
        return None
    dates = [_same_day(deadline, y) for y in edition_years if y != deadline.year] + [deadline]
    return next_date(dates)
