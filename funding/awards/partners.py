"""Potential partners: organisations that took part in funded projects close to a partnership's
project (the matching engine's BM25F over the projects' titles and objectives), ranked by that
closeness, their experience, and the consortium requirements of a chosen call they would fill."""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from funding.matching.consortium import Requirement, count, requirements
from funding.matching.facts import CallFacts
from funding.matching.profile import Profile
from funding.matching.query import Query, build_query
from funding.matching.relevance import Document, Statistics, document, lexical
from funding.models import AwardOrganisation, AwardParticipation, AwardProject
from funding.territory import places

PROJECTS_READ = 300  # the closest funded projects whose organisations are suggested
PROJECTS_SHOWN = 3  # funded projects given as the reason of a suggestion
EXPERIENCE = 0.15  # weight of log(1 + projects) beside closeness
COORDINATION = 0.1  # weight of having coordinated
FILLS = 0.35  # bonus for each unmet requirement of the call an organisation would fill
WORKED_WITH = 0.1  # weight of log(1 + projects shared with the consortium's members)


@dataclass(frozen=True)
class Seat:
    organisation: int
    role: str | None


@dataclass
class AwardIndex:
    """Every funded project read once for relevance, with who took part in it."""

    ids: list[str]
    starts: list[date | None]
    documents: list[Document]
    stats: Statistics
    seats: list[list[Seat]]
    organisations: dict[int, Any]  # id -> row (name, type, sme, country, city, region, source_id)
    titles: dict[str, tuple[str, str | None, str | None]]  # id -> (title, acronym, url)
    experience: Counter = field(default_factory=Counter)
    coordinated: Counter = field(default_factory=Counter)
    taken_part: dict[int, list[int]] = field(
        default_factory=dict
    )  # organisation -> project positions


_INDEX: dict[Any, AwardIndex] = {}


def award_index(session: Session) -> AwardIndex:
    """The index of funded projects, built once per process and again after each awards import."""
    from sqlalchemy import func

    from funding.models import SourceRun

    last_import = select(func.max(SourceRun.id)).where(SourceRun.source == "awards")
    key = (str(session.get_bind().url), session.exec(last_import).one())
    found = _INDEX.get(key)
    if found is None:
        _INDEX.clear()
        found = _INDEX[key] = _build(session)
    return found


def _build(session: Session) -> AwardIndex:
    rows = session.exec(select(AwardProject.id, AwardProject.title, AwardProject.objective,
                               AwardProject.start_date, AwardProject.raw_hash, AwardProject.acronym,
                               AwardProject.url)).all()  # fmt: skip
    documents = [
        document(
            CallFacts(id=r[0], content_hash=r[4], title=r[1], summary_plain=r[2], language="en")
        )
        for r in rows
    ]
    df: Counter = Counter()
    for doc in documents:
        df.update(doc.frequencies.keys())
    position = {r[0]: i for i, r in enumerate(rows)}
    seats: list[list[Seat]] = [[] for _ in rows]
    experience: Counter = Counter()
    coordinated: Counter = Counter()
    taken_part: dict[int, list[int]] = {}
    for project_id, organisation, role in session.exec(
        select(AwardParticipation.project_id, AwardParticipation.organisation_id,
               AwardParticipation.role)
    ).all():  # fmt: skip
        at = position.get(project_id)
        if at is not None:
            seats[at].append(Seat(organisation, role))
        experience[organisation] += 1
        coordinated[organisation] += role == "coordinator"
        if at is not None:
            taken_part.setdefault(organisation, []).append(at)
    organisations = {o.id: o for o in session.exec(select(AwardOrganisation)).scalars()}
    for o in organisations.values():
        session.expunge(o)
    return AwardIndex(
        ids=[r[0] for r in rows], starts=[r[3] for r in rows], documents=documents,
        stats=Statistics(len(rows), dict(df)), seats=seats, organisations=organisations,
        titles={r[0]: (r[1], r[5], r[6]) for r in rows}, experience=experience,
        coordinated=coordinated, taken_part=taken_part,
    )  # fmt: skip


@dataclass
class Suggestion:
    organisation: Any
    score: float
    closeness: float
    projects: list[tuple[str, float, str | None]]  # (project id, closeness, role), closest first
    experience: int
    coordinated: int
    fills: list[Requirement]
    worked_with: int = 0  # projects shared with the consortium's members

    def to_dict(self) -> dict[str, Any]:
        o = self.organisation
        return {
            "name": o.name, "source": o.source, "source_id": o.source_id, "country": o.country,
            "city": o.city, "region": o.region, "type": o.type, "sme": o.sme,
            "score": round(self.score, 4), "experience": self.experience,
            "coordinated": self.coordinated, "worked_with": self.worked_with,
            "fills": [r.words for r in self.fills],
            "projects": [{"id": p, "closeness": round(c, 4), "role": role}
                         for p, c, role in self.projects],
        }  # fmt: skip


def unmet_requirements(
    call: CallFacts | None, profile: Profile
) -> list[tuple[Requirement, set[str]]]:
    """The call's consortium requirements the profile's partners do not meet yet, each with the
    countries already counted for it."""
    if call is None:
        return []
    seats = [p.seat for p in profile.partners]
    unmet = []
    for requirement in requirements(call.eligibility):
        counted = count(requirement, seats)
        if not counted.met:
            countries = {places.country_of(p) for i in counted.counted for p in seats[i]}
            unmet.append((requirement, {c for c in countries if c}))
    return unmet


def fills(requirement: Requirement, countries: set[str], country: str | None) -> bool:
    """Would an organisation established in `country` count toward a requirement not met yet."""
    if not country:
        return False
    if requirement.within and places.relate({requirement.within}, {country}) != "inside":
        return False
    return not (requirement.distinct and country in countries)


def rank_organisations(
    index: AwardIndex,
    query: Query,
    *,
    unmet: list[tuple[Requirement, set[str]]] = (),
    before: date | None = None,
    exclude_projects: frozenset[str] = frozenset(),
    exclude_organisations: frozenset[int] = frozenset(),
    consortium: frozenset[int] = frozenset(),
    near: tuple[str, ...] = (),
    country: str | None = None,
    kind: str | None = None,
    limit: int = 20,
) -> list[Suggestion]:
    """Organisations of the projects closest to the query, and those that worked with the
    consortium's members (`consortium`: their organisation ids), best first."""

    def usable(i: int) -> bool:
        if before is not None and (index.starts[i] is None or index.starts[i] >= before):
            return False
        return index.ids[i] not in exclude_projects

    scored = []
    for i, doc in enumerate(index.documents):
        if not usable(i):
            continue
        closeness = lexical(doc, query, index.stats)
        if closeness > 0:
            scored.append((closeness, i))
    scored.sort(reverse=True)
    found: dict[int, list[tuple[str, float, str | None]]] = defaultdict(list)
    for closeness, i in scored[:PROJECTS_READ]:
        for seat in index.seats[i]:
            found[seat.organisation].append((index.ids[i], closeness, seat.role))
    shared: Counter = Counter()
    for member in consortium:
        for i in index.taken_part.get(member, ()):
            if usable(i):
                shared.update({seat.organisation for seat in index.seats[i]} - {member})
    for organisation_id in shared:
        found.setdefault(organisation_id, [])
    suggestions = []
    for organisation_id, projects in found.items():
        o = index.organisations.get(organisation_id)
        if o is None or organisation_id in exclude_organisations:
            continue
        if near and not any((o.region or "").startswith(r) for r in near):
            continue
        if (country and o.country != country) or (kind and o.type != kind):
            continue
        closeness = sum(c for _, c, _ in projects[:PROJECTS_SHOWN]) / PROJECTS_SHOWN
        done, led = index.experience[organisation_id], index.coordinated[organisation_id]
        filled = [r for r, countries in unmet if fills(r, countries, o.country)]
        score = closeness * (1 + EXPERIENCE * math.log1p(done) + COORDINATION * bool(led))
        score += FILLS * closeness * len(filled) + WORKED_WITH * math.log1p(shared[organisation_id])
        suggestions.append(Suggestion(o, score, closeness, projects[:PROJECTS_SHOWN], done, led,
                                      filled, shared[organisation_id]))  # fmt: skip
    suggestions.sort(key=lambda s: (-s.score, s.organisation.name))
    return suggestions[:limit]


def suggest_partners(
    session: Session, profile: Profile, *, call: CallFacts | None = None, **filters: Any
) -> list[Suggestion]:
    """Potential partners for a partnership, alone or for a chosen call."""
    return rank_organisations(
        award_index(session),
        build_query(profile),
        unmet=unmet_requirements(call, profile),
        **filters,
    )


CSV_COLUMNS = ("name", "type", "sme", "country", "city", "region", "score", "experience",
               "coordinated", "fills", "projects")  # fmt: skip


def to_csv(suggestions: list[Suggestion]) -> str:
    """Suggestions as CSV (one line per organisation, its projects and fills joined by ' | ')."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for s in suggestions:
        row = s.to_dict()
        row["fills"] = " | ".join(row["fills"])
        row["projects"] = " | ".join(p["id"] for p in row["projects"])
        writer.writerow(row)
    return out.getvalue()
