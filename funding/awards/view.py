"""What the call page shows of a call's past awards and next edition, as plain values (cacheable)."""

from datetime import date
from typing import Any

from sqlmodel import Session, col

from funding.awards.forecast import next_edition
from funding.awards.linking import funded_summary
from funding.contracts.status import next_deadline
from funding.i18n import t, word
from funding.normalize import format_amount, format_date
from funding.store.opportunities import get_opportunity


def _percent(share: float) -> str:
    return f"{round(100 * share)} %"


def call_awards(
    session: Session, opportunity_id: str, *, as_of: date, lang: str = "fr"
) -> dict[str, Any] | None:
    """Counts, typical award and consortium, the funded projects with their coordinator, and the
    next-edition forecast; None for a call linked to no funded topic."""
    o = get_opportunity(session, opportunity_id)
    if o is None:
        return None
    summary = funded_summary(session, o.id, o.title, o)
    if summary is None:
        return None
    lines = []
    if summary.projects:
        topics = ", ".join(f"{e.topic} ({e.projects})" for e in summary.editions)
        lines.append(
            t(
                "funded_counts",
                lang,
                projects=len(summary.projects),
                editions=len(summary.editions),
                topics=topics,
            )
        )
        lines.append(
            t(
                "typical_award",
                lang,
                amount=format_amount(summary.median_contribution, "EUR", lang),
                partners=f"{summary.median_partners:g}",
            )
        )
        lines.append(
            t(
                "typical_countries",
                lang,
                countries=", ".join(f"{c} ({n})" for c, n in summary.countries),
            )
        )
        lines.append(
            t("typical_shares", lang, **{k: _percent(v) for k, v in summary.shares.items()})
        )
    forecast = _forecast(o, summary.editions, as_of)
    projects = [
        {
            t("acronym", lang): p["acronym"] or "",
            t("title", lang): p["title"],
            t("coordinator", lang): p["coordinator"] or "",
            t("country", lang): p["coordinator_country"] or "",
            t("members", lang): p["partners"],
            t("eu_contribution", lang): format_amount(p["eu_contribution"], "EUR", lang),
            t("start", lang): format_date(p["start"], lang),
            t("link", lang): p["url"] or "",
        }
        for p in summary.projects
    ]
    return {
        "lines": lines,
        "projects": projects,
        "forecast": forecast.sentence(lang) if forecast else None,
    }


def _forecast(o: Any, found: list, as_of: date) -> Any:
    deadline = next_deadline(o.deadlines, as_of) or o.deadline_last
    return next_edition(deadline, [e.year for e in found if e.year])


def next_edition_sentence(
    session: Session, opportunity_id: str, *, as_of: date, lang: str = "fr"
) -> str | None:
    """The forecast of a call's next edition in words (the watchlist's line), None without one."""
    o = get_opportunity(session, opportunity_id)
    return None if o is None else forecast_sentence(session, o, as_of=as_of, lang=lang)


def forecast_sentence(session: Session, o: Any, *, as_of: date, lang: str = "fr") -> str | None:
    """The same for a call already read (a digest holds its calls)."""
    from funding.awards.linking import editions, topic_of

    topic = topic_of(o.id)
    if topic is None:
        return None
    forecast = _forecast(o, editions(session, topic, o.title), as_of)
    return forecast.sentence(lang) if forecast else None


def partner_rows(
    session: Session,
    profile: dict,
    *,
    call_id: str | None = None,
    lang: str = "fr",
    limit: int = 20,
) -> tuple[list[dict[str, Any]], str]:
    """Potential partners as table rows in the user's words, and the same as CSV."""
    from funding.awards.partners import suggest_partners, to_csv
    from funding.matching import parse_profile
    from funding.matching.facts import CallFacts

    opportunity = get_opportunity(session, call_id) if call_id else None
    call = CallFacts.of(opportunity) if opportunity is not None else None
    found = suggest_partners(session, parse_profile(profile), call=call, limit=limit)
    rows = []
    for s in found:
        o = s.organisation
        why = "; ".join(_project_words(s, lang))
        rows.append(
            {
                t("organisation", lang): o.name,
                t("org_type", lang): t(f"type_{o.type}", lang) if o.type else "",
                t("country", lang): " ".join(filter(None, (o.country, o.city))),
                t("experience", lang): t("projects_as", lang, n=s.experience, lead=s.coordinated),
                t("why", lang): why,
                t("fills", lang): " | ".join(r.words[:160] for r in s.fills),
            }
        )
    return rows, to_csv(found)


def _project_words(suggestion: Any, lang: str) -> list[str]:
    return [
        f"{project_id.split(':', 1)[-1]} ({t(f'role_{role}', lang) if role else '?'})"
        for project_id, _, role in suggestion.projects
    ]


GREATER_GENEVA = ("CH013", "FRK28")


def ecosystem(
    session: Session, regions: tuple[str, ...] = GREATER_GENEVA, *, lang: str = "fr"
) -> list[dict[str, Any]]:
    """Organisations of the regions (NUTS prefixes) and the funded projects they took part in,
    each project with its themes (the matching vocabulary's themes found in its title and
    objective), themes first by number of projects."""
    from sqlalchemy import or_, select

    from funding.matching.query import find_themes
    from funding.normalize.words import tokens
    from funding.store.models import AwardOrganisation, AwardParticipation, AwardProject

    rows = session.exec(
        select(
            AwardOrganisation.name,
            AwardOrganisation.type,
            AwardOrganisation.region,
            AwardParticipation.role,
            AwardProject,
        )
        .join(AwardParticipation, AwardParticipation.organisation_id == AwardOrganisation.id)
        .join(AwardProject, AwardProject.id == AwardParticipation.project_id)
        .where(or_(*(col(AwardOrganisation.region).startswith(r) for r in regions)))
        .order_by(AwardOrganisation.name, col(AwardProject.start_date).desc())
    ).all()
    out = []
    for name, kind, region, role, project in rows:
        themes = find_themes(tokens(f"{project.title} {project.objective or ''}"[:3000]))
        out.append(
            {
                "organisation": name,
                "type": t(f"type_{kind}", lang) if kind else "",
                "region": region,
                "role": t(f"role_{role}", lang) if role else "",
                "project": project.acronym or project.title,
                "title": project.title,
                "url": project.url or "",
                "start": format_date(project.start_date, lang),
                "themes": sorted(word("theme", theme, lang) for theme in themes),
            }
        )
    return out
