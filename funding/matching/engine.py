"""The one ranking of calls for a partnership, used by the CLI, the UI and the digests."""

import heapq
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

import orjson
from rapidfuzz import fuzz
from sqlalchemy import JSON, Text, bindparam, case, func, type_coerce
from sqlmodel import Session, col, select

from funding.matching.profile import Profile, parse_profile
from funding.matching.relevance import (
    SUMMARY_CHARS,
    Concept,
    Hashed,
    Query,
    Relevance,
    build_query,
    document_frequencies,
    find_themes,
    has_text,
    retrieval_words,
    retrieve,
    retrieve_hashed,
    score_text,
    significant_words,
    stage_hit,
    text_score_rows,
    themes,
    tokens,
)
from funding.matching.rules import Criterion, check_all, fails_early, verdict
from funding.models import Extraction, Opportunity
from funding.normalize import format_date
from funding.status import compute_status, next_deadline
from funding.store import list_opportunities

# How many full-text candidates get the rules and the fine scoring, at least.
SHORTLIST = 120
POOL = 3  # index candidates per shortlisted call, re-ranked by text_score
# Weights of the score: text relevance (concept coverage, full-text rank) and fit.
W_COVERAGE, W_TEXT, W_FIT = 0.6, 0.15, 0.25
UNKNOWN_PENALTY, MAX_UNKNOWN_PENALTIES = 0.03, 3
FAR_FUTURE = date.max
# What the rules, the relevance and the fit read: the shortlist is evaluated on these columns alone
# (plain rows, no ORM objects); the calls returned are then loaded whole.
_EVALUATED = (
    "id", "content_hash", "title", "themes", "summary_plain", "eligibility_plain",
    "eligibility_text", "source_status", "partnership_required", "min_partners", "recurrence",
    "recurrence_raw", "opens_on", "deadlines", "deadline_last", "applicant_types",
    "applicant_types_raw", "applicant_countries", "intervention_zones", "instrument",
    "instrument_raw", "inferred_fields", "currency", "amount_min", "amount_max",
    "cofinancing_rate_max",
)  # fmt: skip


def _from_json(value: str | None) -> Any:
    return None if value is None else orjson.loads(value)


class _JSONText(Text):
    """A JSON column SQLite hands over as text, parsed with orjson (several times faster)."""

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        return _from_json


@cache
def _evaluated_query(dialect: str) -> Any:
    """The _EVALUATED columns of the rows whose ids are given (parameter "ids"), read no further
    than the relevance and the rules do: the summary's first SUMMARY_CHARS characters, the raw
    eligibility text only where there is no plain one; built once."""
    columns = []
    for name in _EVALUATED:
        column = getattr(Opportunity, name)
        if name == "summary_plain":
            column = func.substr(column, 1, SUMMARY_CHARS)
        elif name == "eligibility_text":
            column = case((func.coalesce(Opportunity.eligibility_plain, "") == "", column))
        elif dialect == "sqlite" and isinstance(column.type, JSON):
            column = type_coerce(column, _JSONText)
        columns.append(column.label(name))
    return select(*columns).where(col(Opportunity.id).in_(bindparam("ids", expanding=True)))


_WHOLE = select(Opportunity).where(col(Opportunity.id).in_(bindparam("ids", expanding=True)))


@dataclass
class Match:
    """One call for one profile: its score, verdict, status and every criterion with its evidence."""

    opportunity: Opportunity
    score: float
    verdict: str
    status: str
    next_deadline: date | None
    criteria: list[Criterion]
    relevance: Relevance
    fit: dict[str, str] = field(default_factory=dict)
    lang: str = "fr"

    def to_dict(self) -> dict[str, Any]:
        o = self.opportunity
        return {
            "id": o.id,
            "url": o.url,
            "title": o.title,
            "funder": o.funder,
            "source": o.source,
            "score": self.score,
            "verdict": self.verdict,
            "status": self.status,
            "next_deadline": self.next_deadline.isoformat() if self.next_deadline else None,
            "next_deadline_label": format_date(self.next_deadline, self.lang)
            if self.next_deadline
            else None,
            "criteria": [c.to_dict() for c in self.criteria],
            "relevance": [
                {"concept": concept, "field": where, "word": word}
                for concept, where, word in self.relevance.matched
            ],
            "fit": self.fit,
        }


def _snippets(session: Session, rows: list[Opportunity]) -> dict[str, dict[str, str]]:
    """id -> field -> the sentence an extracted value was read from."""
    ids = [o.id for o in rows if o.inferred_fields]
    if not ids:
        return {}
    found: dict[str, dict[str, str]] = {}
    query = (
        select(Extraction.opportunity_id, Extraction.field, Extraction.snippet)
        .where(col(Extraction.opportunity_id).in_(ids))
        .where(Extraction.applied == True)
    )
    for opportunity_id, name, snippet in session.exec(query):
        found.setdefault(opportunity_id, {})[name] = snippet
    return found


def _fit(opportunity: Opportunity, profile: Profile, criteria: list[Criterion], status: str,
         relevance: Relevance, lang: str) -> tuple[float, dict[str, str]]:  # fmt: skip
    """Soft fit (0..1): money, a partnership bonus, the stage the call funds, its status."""
    rest, notes = _fit_without_money(opportunity, profile, status, relevance, lang)
    return 0.3 * _money(criteria) + rest, notes


def _money(criteria: list[Criterion]) -> float:
    results = {c.criterion: c.result for c in criteria}
    return {"pass": 1.0, "unknown": 0.5, "fail": 0.0}[results.get("amount", "unknown")]


def _fit_without_money(opportunity: Any, profile: Profile, status: str, relevance: Relevance,
                       lang: str) -> tuple[float, dict[str, str]]:  # fmt: skip
    """The fit's parts known before the rules are checked: partnership, stage, status."""
    notes: dict[str, str] = {}
    if (opportunity.partnership_required or opportunity.min_partners) and len(profile.partners) > 1:
        partners = 1.0
        notes["partnership"] = "partenariat valorisé" if lang == "fr" else "partnership valued"
    else:
        partners = 0.5
    word = stage_hit(relevance, profile.stage)
    if word:
        stage = 1.0
        notes["stage"] = word
    else:
        stage = 0.3 if profile.stage else 0.5
    timing = {"open": 1.0, "forthcoming": 0.8}.get(status, 0.5)
    return 0.25 * partners + 0.3 * stage + 0.15 * timing, notes


def _rank_key(m: Match) -> tuple:
    return (-m.score, m.next_deadline or FAR_FUTURE, m.opportunity.id)


def _evaluate(
    session: Session, rows: list[Any], text_scores: dict[str, float], profile: Profile,
    query: Query, *, as_of: date, lang: str, limit: int | None = None,
    include_ineligible: bool = False,
) -> list[Match]:  # fmt: skip
    """Matches for the rows that can be among the best `limit` (all of them when limit is None).

    Unless ineligible calls are wanted, the calls failing a criterion decided by a few comparisons
    (fails_early: often most of the shortlist) are left out first, unscored and unexplained.
    Relevance, the text score and most of the fit are cheap and known next; the rules (and their
    explanations) are checked in the order of the best score a row could still reach, until `limit`
    matches score above what any row left could: the same result as checking every row.
    """
    top = max(text_scores.values(), default=0.0) or 1.0
    cutoff = max(as_of, profile.deadline_after or as_of)
    if not include_ineligible:
        rows = [o for o in rows if not fails_early(o, profile, as_of=as_of, lang=lang)]
    known = []
    for opportunity in rows:
        status = compute_status(
            opens_on=opportunity.opens_on, deadline_last=opportunity.deadline_last,
            recurrence=opportunity.recurrence, as_of=as_of, source_status=opportunity.source_status,
        )  # fmt: skip
        relevance = score_text(opportunity, query)
        rest, notes = _fit_without_money(opportunity, profile, status, relevance, lang)
        base = W_COVERAGE * relevance.score + W_TEXT * text_scores.get(opportunity.id, 0.0) / top
        best = round(100 * (base + W_FIT * (0.3 * 1.0 + rest)) * 1.0, 1)
        known.append((best, opportunity, status, relevance, rest, notes, base))
    known.sort(key=lambda k: -k[0])
    snippets = _snippets(session, rows)
    matches: list[Match] = []
    kept: list[float] = []  # the best `limit` scores so far (a min-heap)
    for best, opportunity, status, relevance, rest, notes, base in known:
        if limit is not None and len(kept) >= limit and kept[0] > best:
            break
        criteria = check_all(
            opportunity, profile, as_of=as_of, lang=lang, snippets=snippets.get(opportunity.id)
        )
        unknown = min(sum(c.result == "unknown" for c in criteria), MAX_UNKNOWN_PENALTIES)
        raw = (base + W_FIT * (0.3 * _money(criteria) + rest)) * (1 - UNKNOWN_PENALTY * unknown)
        found = Match(
            opportunity=opportunity, score=round(100 * raw, 1), verdict=verdict(criteria),
            status=status, next_deadline=next_deadline(opportunity.deadlines, cutoff),
            criteria=criteria, relevance=relevance, fit=notes, lang=lang,
        )  # fmt: skip
        matches.append(found)
        if limit is not None and (include_ineligible or found.verdict != "ineligible"):
            if len(kept) < limit:
                heapq.heappush(kept, found.score)
            elif found.score > kept[0]:
                heapq.heapreplace(kept, found.score)
    return matches


def _shortlist(session: Session, words: list[str], size: int) -> dict[str, float]:
    """id -> text score of the best candidates: a wider pool from the full-text index, kept when
    a word is in the row's own text and ranked by text_score, so SQLite and PostgreSQL (whose
    ranks, bm25 and ts_rank, and stemming differ) shortlist the same calls."""
    found = retrieve_hashed(session, words, limit=POOL * size)
    if not found:
        return {}
    # Rows whose words are cached (by content hash) need not be read again.
    pool: list[Any] = [Hashed(i, h) for i, _, h in found if has_text(i, h)]
    if missing := [i for i, _, h in found if not has_text(i, h)]:
        pool.extend(
            session.exec(
                select(Opportunity.id, Opportunity.content_hash, Opportunity.title,
                       Opportunity.summary_plain, Opportunity.eligibility_plain)
                .where(col(Opportunity.id).in_(missing))
            ).all()
        )  # fmt: skip
    scores = text_score_rows(pool, words)
    scored = sorted((-score, row.id) for row, score in zip(pool, scores, strict=True) if score > 0)
    return {oid: -negative for negative, oid in scored[:size]}


def match(
    session: Session, profile: Profile | dict[str, Any], *, as_of: date, limit: int = 50,
    include_ineligible: bool = False, lang: str = "fr",
) -> list[Match]:  # fmt: skip
    """The calls that fit a partnership, best first, each with its verdict and explanations.

    Candidates come from full-text search on the profile's expanded words (themes.csv), then every
    hard criterion is checked (any fail: ineligible, left out unless include_ineligible; any unknown:
    to_verify) and the score combines relevance with fit; ties go to the nearest deadline.
    """
    profile = parse_profile(profile)
    query = build_query(profile)
    shortlist = max(SHORTLIST, 2 * limit)
    words = retrieval_words(session, query) or significant_words(profile.project)
    text_scores = _shortlist(session, words, shortlist)
    rows: list[Any]
    if text_scores:
        evaluated = _evaluated_query(session.get_bind().dialect.name)
        rows = list(session.exec(evaluated, params={"ids": list(text_scores)}))
    else:
        rows = list_opportunities(session, as_of=as_of, limit=shortlist)
    matches = _evaluate(
        session, rows, text_scores, profile, query, as_of=as_of, lang=lang, limit=limit,
        include_ineligible=include_ineligible,
    )  # fmt: skip
    if not include_ineligible:
        matches = [m for m in matches if m.verdict != "ineligible"]
    matches.sort(key=_rank_key)
    matches = matches[:limit]
    if wanted := [m.opportunity.id for m in matches if not isinstance(m.opportunity, Opportunity)]:
        whole = {o.id: o for o in session.exec(_WHOLE, params={"ids": wanted})}
        for m in matches:
            m.opportunity = whole.get(m.opportunity.id, m.opportunity)
    return matches


@dataclass
class Similar:
    """An opportunity like another one; same_call when it reads as another edition of the same call."""

    opportunity: Opportunity
    score: float
    same_call: bool

    def to_dict(self) -> dict[str, Any]:
        o = self.opportunity
        return {"id": o.id, "url": o.url, "title": o.title, "funder": o.funder,
                "score": self.score, "same_call": self.same_call}  # fmt: skip


def _query_of(opportunity: Opportunity) -> Query:
    """The themes a call speaks of (title first, then its theme tags, then its summary's start);
    fixed: its title's words; expansions: each theme's first words in themes.csv, by weight."""
    concepts: dict[str, Concept] = {}
    for text, weight in ((opportunity.title, 1.0), (" ; ".join(opportunity.themes or ()), 0.8),
                         ((opportunity.summary_plain or "")[:1500], 0.5)):  # fmt: skip
        for theme in find_themes(tokens(text)):
            if theme not in concepts or concepts[theme].weight < weight:
                concepts[theme] = Concept(theme, weight, theme=theme)
    ordered = sorted(concepts.values(), key=lambda c: -c.weight)  # stable: title, tags, summary
    title = list(dict.fromkeys(significant_words(opportunity.title)))
    expansions = {
        c.theme or "": [(w, "") for w in themes().words[c.theme or ""][:8]] for c in ordered
    }
    terms = [*title, *(w for words in expansions.values() for w, _ in words)]
    return Query(list(concepts.values()), list(dict.fromkeys(terms)), title, expansions)


# A more-like-this query sends at most SIMILAR_TERMS words, found in at most SIMILAR_POSTINGS calls
# in all: the cost of a full-text query grows with the calls it matches and the words it ranks them
# on (every word of the title and 8 words per theme found at 100,000 calls: ~90 words, 63,000
# matches, 0.4-0.6 s). The title's words come first, the most distinctive (rarest) first, then the
# themes' words, the title's themes first; a word too common for what is left of the budget is
# skipped, and so is a word found in no call (it matches nothing). Every theme still counts when
# the candidates are scored.
SIMILAR_TERMS = 24
SIMILAR_POSTINGS = 10_000


def similar_terms(session: Session, query: Query) -> list[str]:
    """The words a more-like-this query retrieves candidates with (see SIMILAR_POSTINGS)."""
    counts, _ = document_frequencies(session, query.terms)
    title = sorted(query.fixed, key=lambda w: counts.get(w, 0))  # stable: title order among ties
    # the themes' words in turns: each theme's first word (title's themes first), then the second...
    lists = [[w for w, _ in found] for found in query.expansions.values()]
    turns = [
        w[rank] for rank in range(max(map(len, lists), default=0)) for w in lists if rank < len(w)
    ]
    picked, total = [], 0
    for word in dict.fromkeys([*title, *turns]):
        found = counts.get(word, 0)
        if found and total + found <= SIMILAR_POSTINGS:
            picked.append(word)
            total += found
            if len(picked) == SIMILAR_TERMS:
                break
    if not picked and (known := [w for w in query.terms if counts.get(w, 0)]):
        picked = [min(known, key=lambda w: counts[w])]  # only common words: the least common one
    return picked


def more_like_this(session: Session, opportunity_id: str, *, limit: int = 10) -> list[Similar]:
    """The opportunities most like one: same themes and words, close title (yearly editions), same funder."""
    opportunity = session.get(Opportunity, opportunity_id)
    if opportunity is None:
        raise KeyError(f"no opportunity {opportunity_id!r}")
    query = _query_of(opportunity)
    words = similar_terms(session, query)
    found = [(i, s) for i, s in retrieve(session, words, limit=SHORTLIST) if i != opportunity_id]
    if not found:
        return []
    scores = dict(found)
    top = max(scores.values()) or 1.0
    rows = session.exec(select(Opportunity).where(col(Opportunity.id).in_(list(scores))))
    title = " ".join(tokens(opportunity.title))
    similar = []
    for other in rows:
        title_ratio = fuzz.token_set_ratio(title, " ".join(tokens(other.title))) / 100
        same_funder = bool(opportunity.funder and opportunity.funder == other.funder)
        same_programme = bool(opportunity.programme and opportunity.programme == other.programme)
        value = (
            0.4 * score_text(other, query).score + 0.35 * title_ratio + 0.15 * scores[other.id] / top
            + 0.05 * same_funder + 0.05 * same_programme
        )  # fmt: skip
        same_call = title_ratio >= 0.9 and (same_funder or not opportunity.funder)
        similar.append(Similar(other, round(100 * value, 1), same_call))
    similar.sort(key=lambda s: (-s.score, s.opportunity.id))
    return similar[:limit]
