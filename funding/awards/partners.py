"""Potential partners: organisations that took part in funded projects close to a partnership's
project (the matching engine's BM25F over the projects' titles and objectives), ranked by that
closeness, their experience, and the consortium requirements of a chosen call they would fill.
The index of funded projects is built after an awards import and stored in the database, so
that the first query of a fresh process reads it (under a second) instead of building it."""

import io
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from funding.matching.consortium import Requirement, count, requirements
from funding.matching.facts import CallFacts
from funding.matching.profile import Profile
from funding.matching.query import Query, build_query
from funding.matching.relevance import (
    COVERAGE,
    K1,
    LEXICAL_HALF,
    Statistics,
    _weights,
    document,
)
from funding.store.models import (
    AwardIndexCache,
    AwardOrganisation,
    AwardParticipation,
    AwardProject,
    SourceRun,
)
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


class Organisation(NamedTuple):
    """What a suggestion shows of an organisation (the stored row's fields)."""

    id: int
    source: str
    source_id: str
    name: str
    type: str | None
    sme: bool | None
    country: str | None
    city: str | None
    region: str | None


class Organisations:
    """The organisations by id, built on demand from columns (30,000 rows read in a few ms)."""

    FIELDS = ("source", "source_id", "name", "type", "country", "city", "region")

    def __init__(self, ids: np.ndarray, sme: np.ndarray, columns: dict[str, list]) -> None:
        self.ids, self.sme, self.columns = ids, sme, columns
        self.at = dict(zip(ids.tolist(), range(len(ids)), strict=True))

    def get(self, organisation: int) -> Organisation | None:
        i = self.at.get(organisation)
        if i is None:
            return None
        c, sme = self.columns, int(self.sme[i])
        return Organisation(
            organisation,
            c["source"][i],
            c["source_id"][i],
            c["name"][i],
            c["type"][i],
            None if sme < 0 else bool(sme),
            c["country"][i],
            c["city"][i],
            c["region"][i],
        )

    def __len__(self) -> int:
        return len(self.ids)


_SEPARATOR, _NONE = "\x1f", "\x1e"


def _pack(values: list[str | None]) -> np.ndarray:
    text = _SEPARATOR.join(_NONE if v is None else v.replace(_SEPARATOR, " ") for v in values)
    return np.frombuffer(text.encode(), dtype=np.uint8)


def _unpack(array: np.ndarray) -> list[str | None]:
    text = array.tobytes().decode()
    if not text:
        return []
    return [None if v == _NONE else v for v in text.split(_SEPARATOR)]


ROLES = ("coordinator", "participant", "associatedPartner", "thirdParty")


class Seats:
    """Who took part in each project (by position), from arrays sorted by project."""

    def __init__(
        self,
        projects: np.ndarray,
        organisations: np.ndarray,
        roles: np.ndarray,
        count: int,
        names: tuple[str | None, ...],
    ) -> None:
        order = np.argsort(projects, kind="stable")
        self.projects, self.organisations = projects[order], organisations[order]
        self.roles, self.names = roles[order], names
        self.offsets = np.searchsorted(self.projects, np.arange(count + 1))
        self.by_organisation = np.argsort(self.organisations, kind="stable")
        self.sorted_organisations = self.organisations[self.by_organisation]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> list[Seat]:
        a, b = self.offsets[i], self.offsets[i + 1]
        return [
            Seat(int(o), self.names[r])
            for o, r in zip(self.organisations[a:b], self.roles[a:b], strict=True)
        ]

    def taken_part(self, organisation: int) -> list[int]:
        """The positions of the stored projects an organisation took part in."""
        a, b = np.searchsorted(self.sorted_organisations, [organisation, organisation + 1])
        found = self.projects[self.by_organisation[a:b]]
        return found[found >= 0].tolist()


@dataclass
class AwardIndex:
    """Every funded project read once for relevance (an inverted index of the matching engine's
    BM25F term frequencies, saturated), with who took part in it."""

    ids: list[str]
    ordinals: np.ndarray  # start dates as ordinals, 0 when unknown
    vocabulary: dict[str, int]  # stem -> its postings: documents[offsets[t]:offsets[t + 1]]
    offsets: np.ndarray
    documents: np.ndarray  # project positions
    saturation: np.ndarray  # tf / (K1 + tf) of the stem in that project
    themes: dict[str, np.ndarray]  # theme -> project positions that speak of it
    stats: Statistics
    seats: Seats
    organisations: Organisations
    experience: np.ndarray  # organisation id -> participations
    coordinated: np.ndarray  # organisation id -> participations as coordinator
    position: dict[str, int] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict, repr=False)  # what is stored

    def __post_init__(self) -> None:
        self.position = dict(zip(self.ids, range(len(self.ids)), strict=True))

    @property
    def starts(self) -> list[date | None]:
        return [date.fromordinal(d) if d else None for d in self.ordinals.tolist()]


# Kept: `python -m benchmarks.awards_benchmark` (full CORDIS data): the first partner query of a
# fresh process, which reads the stored index, 474 ms (SQLite median), the next ones 61–69 ms.
_INDEX: dict[Any, AwardIndex] = {}


def _last_import(session: Session) -> int | None:
    return session.exec(
        select(func.max(SourceRun.id)).where(SourceRun.source == "awards")
    ).scalar_one_or_none()


def award_index(session: Session) -> AwardIndex:
    """The index of funded projects: kept per process, read from the store when it was built
    after the last awards import, else built (stemming every objective: seconds) and stored."""
    last = _last_import(session)
    key = (str(session.get_bind().url), last)
    found = _INDEX.get(key)
    if found is None:
        _INDEX.clear()
        found = _load(session, last)
        if found is None:
            found = _build(session)
            _save(session.get_bind(), found, last)
        _INDEX[key] = found
    return found


def refresh_award_index(engine: Engine) -> AwardIndex:
    """Build and store the index after an awards import, so that no query has to."""
    with Session(engine) as session:
        last = _last_import(session)
        found = _build(session)
    _save(engine, found, last)
    _INDEX.clear()
    _INDEX[(str(engine.url), last)] = found
    return found


def _build(session: Session) -> AwardIndex:
    rows = session.exec(
        select(
            AwardProject.id, AwardProject.title, AwardProject.objective, AwardProject.start_date
        ).order_by(AwardProject.id)
    ).all()
    vocabulary: dict[str, int] = {}
    postings: list[list[tuple[int, float]]] = []
    themes: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        doc = document(
            CallFacts(id=r[0], content_hash=None, title=r[1], summary_plain=r[2], language="en")
        )
        for stem, tf in doc.frequencies.items():
            t = vocabulary.setdefault(stem, len(vocabulary))
            if t == len(postings):
                postings.append([])
            postings[t].append((i, tf / (K1 + tf)))
        for theme in doc.themes:
            themes[theme].append(i)
    offsets = np.zeros(len(postings) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(p) for p in postings])
    documents = np.fromiter((i for p in postings for i, _ in p), dtype=np.int32, count=offsets[-1])
    saturation = np.fromiter(
        (x for p in postings for _, x in p), dtype=np.float32, count=offsets[-1]
    )
    position = {r[0]: i for i, r in enumerate(rows)}
    seats = session.exec(
        select(
            AwardParticipation.project_id,
            AwardParticipation.organisation_id,
            AwardParticipation.role,
        ).order_by(AwardParticipation.id)
    ).all()
    names = (*ROLES, None, *sorted({s[2] for s in seats if s[2] and s[2] not in ROLES}))
    code = {name: i for i, name in enumerate(names)}
    organisations = session.exec(
        select(
            AwardOrganisation.id,
            AwardOrganisation.sme,
            *(getattr(AwardOrganisation, f) for f in Organisations.FIELDS),
        )
    ).all()
    arrays = {
        "ordinals": np.array([r[3].toordinal() if r[3] else 0 for r in rows], dtype=np.int64),
        "offsets": offsets,
        "documents": documents,
        "saturation": saturation,
        "seat_projects": np.array([position.get(s[0], -1) for s in seats], dtype=np.int32),
        "seat_organisations": np.array([s[1] for s in seats], dtype=np.int64),
        "seat_roles": np.array([code[s[2]] for s in seats], dtype=np.int16),
        "organisation_ids": np.array([o[0] for o in organisations], dtype=np.int64),
        "organisation_sme": np.array(
            [-1 if o[1] is None else int(o[1]) for o in organisations], dtype=np.int8
        ),
        "ids": _pack([r[0] for r in rows]),
        "vocabulary": _pack(list(vocabulary)),
        "roles": _pack(list(names)),
    }
    arrays |= {
        f"organisation_{name}": _pack([o[2 + k] for o in organisations])
        for k, name in enumerate(Organisations.FIELDS)
    }
    theme_names = sorted(themes)
    arrays |= {f"theme_{i}": np.array(themes[t], dtype=np.int32) for i, t in enumerate(theme_names)}
    arrays["themes"] = _pack(theme_names)
    return _assemble(arrays)


def _assemble(arrays: Any) -> AwardIndex:
    """The index from its arrays (as built, or as read from the store)."""
    ids, words = _unpack(arrays["ids"]), _unpack(arrays["vocabulary"])
    vocabulary = dict(zip(words, range(len(words)), strict=True))
    offsets = arrays["offsets"]
    df = dict(zip(words, np.diff(offsets).tolist(), strict=True))
    seat_organisations, seat_roles = arrays["seat_organisations"], arrays["seat_roles"]
    roles = tuple(_unpack(arrays["roles"]))
    organisations = Organisations(
        arrays["organisation_ids"],
        arrays["organisation_sme"],
        {f: _unpack(arrays[f"organisation_{f}"]) for f in Organisations.FIELDS},
    )
    size = 1 + max(
        int(seat_organisations.max()) if len(seat_organisations) else 0,
        int(organisations.ids.max()) if len(organisations) else 0,
    )
    lead = roles.index("coordinator")
    return AwardIndex(
        ids=ids,
        ordinals=arrays["ordinals"],
        vocabulary=vocabulary,
        offsets=offsets,
        documents=arrays["documents"],
        saturation=arrays["saturation"].astype(np.float64),
        themes={name: arrays[f"theme_{i}"] for i, name in enumerate(_unpack(arrays["themes"]))},
        stats=Statistics(len(ids), df),
        seats=Seats(arrays["seat_projects"], seat_organisations, seat_roles, len(ids), roles),
        organisations=organisations,
        experience=np.bincount(seat_organisations, minlength=size),
        coordinated=np.bincount(seat_organisations[seat_roles == lead], minlength=size),
        arrays=arrays,
    )


def _save(engine: Engine, index: AwardIndex, last: int | None) -> None:
    """Store the index as numpy arrays (no pickle), replacing older ones."""
    arrays = index.arrays
    out = io.BytesIO()
    np.savez(out, **arrays)
    try:
        with Session(engine) as session:
            session.exec(delete(AwardIndexCache))
            session.add(
                AwardIndexCache(run_id=last, built_at=datetime.now(UTC), data=out.getvalue())
            )
            session.commit()
    except SQLAlchemyError:  # a read-only store, or one not upgraded: the index stays in memory
        pass


def _load(session: Session, last: int | None) -> AwardIndex | None:
    try:
        data = session.exec(
            select(AwardIndexCache.data)
            .where(AwardIndexCache.run_id == last)
            .order_by(AwardIndexCache.id.desc())
            .limit(1)
        ).scalar_one_or_none()
    except SQLAlchemyError:
        session.rollback()
        return None
    if data is None:
        return None
    try:
        stored = np.load(io.BytesIO(data), allow_pickle=False)
        return _assemble({name: stored[name] for name in stored.files})
    except (KeyError, ValueError, OSError):  # stored by another version: built again
        return None


def closeness(index: AwardIndex, query: Query) -> np.ndarray:
    """Every project's lexical relevance to the query (relevance.lexical, over the postings)."""
    weights = _weights(query, index.stats)
    scores = np.zeros(len(index.ids))
    if not weights.best:
        return scores
    postings = index.offsets
    for stem, weight in weights.stems.items():
        t = index.vocabulary.get(stem)
        if t is not None:
            a, b = postings[t], postings[t + 1]
            scores[index.documents[a:b]] += weight * index.saturation[a:b]
    share = scores / weights.best
    covered = np.ones(len(index.ids))
    if weights.needs:
        met = np.zeros(len(index.ids))
        for named, idfs, total in weights.needs:
            hit = np.zeros(len(index.ids), dtype=bool)
            for theme in named:
                if theme in index.themes:
                    hit[index.themes[theme]] = True
            if total:
                present = np.zeros(len(index.ids))
                for stem, idf in idfs.items():
                    t = index.vocabulary.get(stem)
                    if t is not None:
                        present[index.documents[postings[t] : postings[t + 1]]] += idf
                hit |= present >= 0.5 * total
            met += hit
        covered = met / len(weights.needs)
    return share / (share + LEXICAL_HALF) * (1 - COVERAGE + COVERAGE * covered)


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
            "name": o.name,
            "source": o.source,
            "source_id": o.source_id,
            "country": o.country,
            "city": o.city,
            "region": o.region,
            "type": o.type,
            "sme": o.sme,
            "score": round(self.score, 4),
            "experience": self.experience,
            "coordinated": self.coordinated,
            "worked_with": self.worked_with,
            "fills": [r.words for r in self.fills],
            "projects": [
                {"id": p, "closeness": round(c, 4), "role": role} for p, c, role in self.projects
            ],
        }


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

    limit_day = before.toordinal() if before is not None else None

    def usable(i: int) -> bool:
        if limit_day is not None and not (0 < index.ordinals[i] < limit_day):
            return False
        return index.ids[i] not in exclude_projects

    value = closeness(index, query)
    mask = value > 0
    if before is not None:
        mask &= (index.ordinals > 0) & (index.ordinals < before.toordinal())
    for project in exclude_projects:
        if project in index.position:
            mask[index.position[project]] = False
    kept = np.flatnonzero(mask)
    kept = kept[np.lexsort((-kept, -value[kept]))][:PROJECTS_READ]  # closest first, as sorted()
    found: dict[int, list[tuple[str, float, str | None]]] = defaultdict(list)
    for i in kept.tolist():
        near_by = float(value[i])
        for seat in index.seats[i]:
            found[seat.organisation].append((index.ids[i], near_by, seat.role))
    shared: Counter = Counter()
    for member in consortium:
        for i in index.seats.taken_part(member):
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
        close = sum(c for _, c, _ in projects[:PROJECTS_SHOWN]) / PROJECTS_SHOWN
        done = (
            int(index.experience[organisation_id]) if organisation_id < len(index.experience) else 0
        )
        led = (
            int(index.coordinated[organisation_id])
            if organisation_id < len(index.coordinated)
            else 0
        )
        filled = [r for r, countries in unmet if fills(r, countries, o.country)]
        score = close * (1 + EXPERIENCE * math.log1p(done) + COORDINATION * bool(led))
        score += FILLS * close * len(filled) + WORKED_WITH * math.log1p(shared[organisation_id])
        suggestions.append(
            Suggestion(
                o,
                score,
                close,
                projects[:PROJECTS_SHOWN],
                done,
                led,
                filled,
                shared[organisation_id],
            )
        )
    suggestions.sort(key=lambda s: (-s.score, s.organisation.name))
    return suggestions[:limit]


def suggest_partners(
    session: Session, profile: Profile, *, call: CallFacts | None = None, **filters: Any
) -> list[Suggestion]:
    """Potential partners for a partnership, alone or for a chosen call."""
    return rank_organisations(
        award_index(session),
        build_query(profile, with_places=False),
        unmet=unmet_requirements(call, profile),
        **filters,
    )


CSV_COLUMNS = (
    "name",
    "type",
    "sme",
    "country",
    "city",
    "region",
    "score",
    "experience",
    "coordinated",
    "fills",
    "projects",
)


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
