"""Calls linked to what they funded: an EU topic's other editions across work programmes, and the
projects, consortia and money behind them (the view the call page shows).

EU topic codes do not keep a topic's number across work programmes (HORIZON-CL5-2021-D2-01-08
and HORIZON-CL5-2022-D2-01-08 are different topics; "European Blue Parks" is -01-01 in 2022,
2023 and 2024, "Space technologies for European non-dependence" is -01-81, -01-81, -01-72, -01-73;
the 2026-2027 programme writes HORIZON-CL5-2027-01-D1-08). An edition is therefore a topic of
the same area (the code without its year and numbers: HORIZON-CL5-D1) whose title says the same
(half of their stems shared at least), in another year.

A call of another source is linked to the topics it stands for: the EU topic codes its text
quotes (a national site mirroring an EU call), else the funded topics whose title, call or
programme the dedup machinery finds a near duplicate of the call's title (`funding.enrich.dedup`'s
score_pair: a mirrored EU topic, or a past call of the same source for sources whose awards
name their call)."""

import re
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from funding.enrich.dedup import _Row, _title_words, score_pair
from funding.normalize.words import stems
from funding.store.models import AwardOrganisation, AwardParticipation, AwardProject

SAME_TOPIC = 0.5  # share of title stems two editions of one topic have in common at least
_NOT_AREA = re.compile(r"20\d\d|\d+|TWO|STAGE")
EU_SOURCE = "eu_sedia:"
# An EU topic code as calls quote it: HORIZON-MISS-2024-OCEAN-01-01, ERC-2024-STG, LIFE-2024-SAP-NAT.
TOPIC_CODE = re.compile(
    r"\b(?:HORIZON|ERC|MSCA|EIC|EURATOM|DIGITAL|LIFE|CEF|EU4H|ERASMUS|CERV|SMP|EDF|I3|INTERREG)"
    r"(?:-[A-Z0-9]+)*-20\d\d(?:-[A-Z0-9]+)*\b",
    re.IGNORECASE,
)
NEAR_DUPLICATE = 85.0  # dedup's score of a call's title against a funded topic's, at least
TITLE_WORDS = 3  # distinctive words a funded topic's title needs to be compared at all
CANDIDATES = 300


def topic_area(code: str) -> str:
    """HORIZON-CL5-2024-D3-01-05 -> HORIZON-CL5-D3 (the same for HORIZON-CL5-2027-01-D3-05)."""
    return "-".join(p for p in code.upper().split("-") if p and not _NOT_AREA.fullmatch(p))


def topic_year(code: str) -> int | None:
    found = re.search(r"-(20\d\d)(?:-|$)", code)
    return int(found.group(1)) if found else None


def topic_of(opportunity_id: str) -> str | None:
    """The EU topic code of a call harvested from the Funding & Tenders portal."""
    if not opportunity_id.startswith(EU_SOURCE):
        return None
    return opportunity_id[len(EU_SOURCE) :].upper()


# Kept: `python -m benchmarks.cache_benchmark --workloads editions` (the editions of 300 CORDIS
# topics linked as the call page does, CPU): without it 179 → 1,287 ms.
@lru_cache(maxsize=50_000)
def _title_stems(title: str) -> frozenset[str]:
    return frozenset(stems(title, "en"))


def same_topic(title: str, other: str) -> bool:
    a, b = _title_stems(title or ""), _title_stems(other or "")
    return bool(a and b) and len(a & b) / len(a | b) >= SAME_TOPIC


@dataclass(frozen=True)
class Edition:
    topic: str
    title: str
    year: int | None
    projects: int
    first_start: date | None


def editions(session: Session, topic: str, title: str) -> list[Edition]:
    """The topic's editions with funded projects (itself included), oldest first."""
    area = topic_area(topic)
    head = "-".join(topic.upper().split("-")[:2]) + "-%"
    rows = session.exec(
        select(
            AwardProject.topic,
            AwardProject.topic_title,
            func.count(),
            func.min(AwardProject.start_date),
        )
        .where(col(AwardProject.topic).like(head))
        .group_by(AwardProject.topic, AwardProject.topic_title)
    ).all()
    candidates = [
        Edition(code, name or "", topic_year(code), count, first)
        for code, name, count, first in rows
        if topic_area(code) == area
    ]
    return sorted(_chained(topic, title, candidates), key=lambda e: (e.year or 0, e.topic))


def _chained(topic: str, title: str, candidates: list[Edition]) -> list[Edition]:
    """The editions linked to the topic directly or through another edition (titles drift a little
    each year: 2022 and 2024 may share less than 2023 shares with each)."""
    titles, found = [title], []
    todo = list(candidates)
    grew = True
    while grew:
        grew = False
        for edition in list(todo):
            if edition.topic.upper() == topic.upper() or any(
                same_topic(t, edition.title) for t in titles
            ):
                found.append(edition)
                titles.append(edition.title)
                todo.remove(edition)
                grew = True
    return found


def quoted_topics(text: str) -> list[str]:
    """EU topic codes quoted in a call's text, in order."""
    return list(dict.fromkeys(m.group().upper() for m in TOPIC_CODE.finditer(text or "")))


def linked_topics(session: Session, call: Any) -> list[tuple[str, str]]:
    """(topic, its title) of the funded topics a call of another source stands for: the EU topic
    codes its text quotes, else the topics (of EU awards, or of awards of the call's own source)
    whose title, call or programme is a near duplicate of the call's title."""
    text = " ".join(
        filter(None, (call.title, call.programme, call.summary_plain, call.eligibility_plain))
    )
    codes = quoted_topics(text)
    if codes:
        rows = session.exec(
            select(AwardProject.topic, AwardProject.topic_title)
            .where(col(AwardProject.topic).in_(codes))
            .distinct()
        ).all()
        if rows:
            return sorted({(topic, title or "") for topic, title in rows})
    words = _title_words(call.title or "")[:2]
    if len(words) < 2:
        return []
    names = (AwardProject.topic_title, AwardProject.call, AwardProject.programme)
    rows = session.exec(
        select(AwardProject.topic, *names)
        .where(
            or_(AwardProject.source == "cordis", AwardProject.source == call.source),
            or_(*(func.lower(n).like(f"%{w}%") for n in names for w in words)),
        )
        .distinct()
        .limit(CANDIDATES)
    ).all()
    mine = _Row(call.id, call.title, None, None, None, None, None, None)
    found = set()
    for topic, *texts in rows:
        for name in filter(None, texts):
            if (
                len(_title_words(name)) >= TITLE_WORDS
                and topic
                and score_pair(mine, _Row(topic, name, None, None, None, None, None, None)).score
                >= NEAR_DUPLICATE
            ):
                found.add((topic, texts[0] or name))
                break
    return sorted(found)


def _exact(session: Session, topic: str, title: str) -> list[Edition]:
    """A topic that is not an EU code (a past call of another source): itself only."""
    count, first = session.exec(
        select(func.count(), func.min(AwardProject.start_date)).where(AwardProject.topic == topic)
    ).one()
    return [Edition(topic, title, topic_year(topic), count, first)] if count else []


@dataclass
class FundedSummary:
    """What the editions of a call funded: how many projects, typical money and consortium."""

    editions: list[Edition]
    projects: list[dict]
    median_contribution: float | None
    median_partners: float | None
    countries: list[tuple[str, int]]
    shares: dict[str, float]  # company, sme, research, higher_education, public, other (NGOs...)


TYPE_SHARES = {
    "PRC": "company",
    "REC": "research",
    "HES": "higher_education",
    "PUB": "public",
    "OTH": "other",
}


def funded_summary(
    session: Session, opportunity_id: str, title: str, call: Any = None
) -> FundedSummary | None:
    """The projects a call's topic and its earlier editions funded; for a call of another source
    (given as `call`), those of the topics it stands for (linked_topics); None when it has none."""
    topic = topic_of(opportunity_id)
    if topic is not None:
        found = editions(session, topic, title)
    else:
        linked = linked_topics(session, call) if call is not None else []
        if not linked:
            return None
        seen: dict[str, Edition] = {}
        for code, name in linked:
            for edition in editions(session, code, name) or _exact(session, code, name):
                seen.setdefault(edition.topic, edition)
        found = sorted(seen.values(), key=lambda e: (e.year or 0, e.topic))
    topics = [e.topic for e in found]
    projects = (
        session.exec(
            select(AwardProject)
            .where(col(AwardProject.topic).in_(topics))
            .order_by(col(AwardProject.start_date).desc())
        )
        .scalars()
        .all()
        if topics
        else []
    )
    members = (
        session.exec(
            select(AwardParticipation.project_id, AwardParticipation.role, AwardOrganisation)
            .join(AwardOrganisation, AwardOrganisation.id == AwardParticipation.organisation_id)
            .where(col(AwardParticipation.project_id).in_([p.id for p in projects]))
        ).all()
        if projects
        else []
    )
    by_project: dict[str, list] = {}
    for project_id, role, organisation in members:
        by_project.setdefault(project_id, []).append((role, organisation))
    countries: Counter = Counter()
    types: Counter = Counter()
    for people in by_project.values():
        for _, organisation in people:
            countries[organisation.country] += 1
            types[TYPE_SHARES.get(organisation.type or "", "other")] += 1
            types["sme"] += bool(organisation.sme)
    seats = sum(len(p) for p in by_project.values())
    rows = []
    for project in projects:
        people = by_project.get(project.id, [])
        lead = next((o for role, o in people if role == "coordinator"), None)
        rows.append(
            {
                "id": project.id,
                "acronym": project.acronym,
                "title": project.title,
                "url": project.url,
                "topic": project.topic,
                "start": project.start_date,
                "eu_contribution": project.eu_contribution,
                "partners": len(people),
                "coordinator": lead.name if lead else None,
                "coordinator_country": lead.country if lead else None,
            }
        )
    money = [p.eu_contribution for p in projects if p.eu_contribution]
    sizes = [len(p) for p in by_project.values()]
    return FundedSummary(
        editions=found,
        projects=rows,
        median_contribution=statistics.median(money) if money else None,
        median_partners=statistics.median(sizes) if sizes else None,
        countries=[(c, n) for c, n in countries.most_common(8) if c],
        shares={k: types[k] / seats for k in (*TYPE_SHARES.values(), "sme")} if seats else {},
    )
