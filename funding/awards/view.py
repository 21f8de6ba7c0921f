"""What the call page shows of a call's past awards and next edition, as plain values (cacheable)."""

from datetime import date
from typing import Any

from sqlmodel import Session

from funding.awards.forecast import next_edition
from funding.awards.linking import funded_summary
from funding.i18n import t
from funding.normalize import format_amount, format_date
from funding.status import next_deadline
from funding.store import get_opportunity


def _percent(share: float) -> str:
    return f"{round(100 * share)} %"


def call_awards(
    session: Session, opportunity_id: str, *, as_of: date, lang: str = "fr"
) -> dict[str, Any] | None:
    """Counts, typical award and consortium, the funded projects with their coordinator, and the
    next-edition forecast; None for a call that is not an EU topic."""
    o = get_opportunity(session, opportunity_id)
    if o is None:
        return None
    summary = funded_summary(session, o.id, o.title)
    if summary is None:
        return None
    lines = []
    if summary.projects:
        topics = ", ".join(f"{e.topic} ({e.projects})" for e in summary.editions)
        lines.append(t("funded_counts", lang, projects=len(summary.projects),
                       editions=len(summary.editions), topics=topics))  # fmt: skip
        lines.append(t("typical_award", lang, amount=format_amount(summary.median_contribution, "EUR", lang),
                       partners=f"{summary.median_partners:g}"))  # fmt: skip
        lines.append(t("typical_countries", lang,
                       countries=", ".join(f"{c} ({n})" for c, n in summary.countries)))  # fmt: skip
        lines.append(
            t("typical_shares", lang, **{k: _percent(v) for k, v in summary.shares.items()})
        )
    deadline = next_deadline(o.deadlines, as_of) or o.deadline_last
    years = [e.year for e in summary.editions if e.year]
    forecast = next_edition(deadline, years)
    projects = [
        {t("acronym", lang): p["acronym"] or "", t("title", lang): p["title"],
         t("coordinator", lang): p["coordinator"] or "", t("country", lang): p["coordinator_country"] or "",
         t("members", lang): p["partners"],
         t("eu_contribution", lang): format_amount(p["eu_contribution"], "EUR", lang),
         t("start", lang): format_date(p["start"], lang), t("link", lang): p["url"] or ""}
        for p in summary.projects
    ]  # fmt: skip
    return {
        "lines": lines,
        "projects": projects,
        "forecast": forecast.sentence(lang) if forecast else None,
    }
