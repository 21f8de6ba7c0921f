"""The one ranking of calls for a partnership, used by `funding match`, the Find page and the digests.

match() = retrieve() (the store's full-text and vector searches: the candidates, and what the
lexical score needs of the whole store) then rank() (pure: rules, relevance and fit of given calls,
in one order). A digest ranks its own candidates with rank(): every call scores the same wherever it
is ranked, so the Find page, the command line and the digests agree.
"""

import heapq
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from rapidfuzz import fuzz
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from funding.contracts.status import next_deadline, status_of
from funding.enrich import embeddings
from funding.i18n import t
from funding.matching.facts import COLUMNS, CallFacts
from funding.matching.profile import Profile, parse_profile
from funding.matching.query import Query, Term, build_query, find_themes
from funding.matching.relevance import (
    DF_CAP,
    Relevance,
    Statistics,
    document,
    lexical,
    relevance,
    stage_hit,
)
from funding.matching.rules import Criterion, check_all, fails_early, verdict
from funding.normalize import format_date
from funding.normalize.words import tokens, words
from funding.store import search
from funding.store.models import Opportunity

# Candidates: the best of the full-text index, the nearest in meaning; then at least SHORTLIST
# (or twice the limit) get the rules and the fine scoring, by their relevance.
FULLTEXT_POOL = 150
FETCH = 2  # the full-text index hands over this many times a pool, our score keeps the pool
SEMANTIC_POOL = 100
SHORTLIST = 120
PLACE_POOL, PLACE_SHARE = 50, 0.1  # calls naming the project's places (a name in at most 10 %)
# Words the full-text index is searched with: every word the profile names of weight at least
# KEY_WEIGHT, and of the others (the project's sentences, the themes' synonyms) the distinctive
# ones (found in at most RARE_SHARE of the calls), at most RETRIEVAL_WORDS in all.
KEY_WEIGHT = 0.7
RARE_SHARE = 0.02
RETRIEVAL_WORDS = 32
# The score: relevance first, then the fit (money, stage, partnership, a local call, timing);
# each eligibility question left open costs a little.
W_RELEVANCE, W_FIT = 0.9, 0.1
UNKNOWN_PENALTY, MAX_UNKNOWN_PENALTIES = 0.02, 3
CARRIED_PENALTY = 0.3  # of the fit, when only a partner other than the lead may apply
TO_COMPLETE_PENALTY = 0.15  # of the score, when partners are to be added before applying
FAR_FUTURE = date.max


def _heading(o: Any) -> dict[str, Any]:
    """How a listed call opens in JSON (a match, a similar call; an Opportunity or CallFacts)."""
    return {"id": o.id, "url": o.url, "title": o.title, "funder": o.funder}


@dataclass
class Match:
    """One call for one profile: its score, verdict, status and every criterion with its evidence;
    fits: relevant enough to be offered (otherwise one of "the nearest ones")."""

    opportunity: Any  # an Opportunity when returned by match(); the call's facts from rank()
    score: float
    verdict: str
    status: str
    next_deadline: date | None
    criteria: list[Criterion]
    relevance: Relevance
    fit: dict[str, str] = field(default_factory=dict)
    lang: str = "fr"

    @property
    def fits(self) -> bool:
        return self.relevance.fits

    def to_dict(self) -> dict[str, Any]:
        o = self.opportunity
        return {
            **_heading(o),
            "source": o.source,
            "score": self.score,
            "fits": self.fits,
            "verdict": self.verdict,
            "status": self.status,
            "next_deadline": self.next_deadline.isoformat() if self.next_deadline else None,
            "next_deadline_label": format_date(self.next_deadline, self.lang)
            if self.next_deadline
            else None,
            "criteria": [c.to_dict() for c in self.criteria],
            "relevance": {
                "score": self.relevance.score,
                "lexical": round(self.relevance.lexical, 4),
                "semantic": None
                if self.relevance.semantic is None
                else round(self.relevance.semantic, 4),
                "themes": [
                    {"concept": c, "field": f, "word": w} for c, f, w in self.relevance.matched
                ],
            },
            "fit": self.fit,
        }


@dataclass
class Candidates:
    """What retrieve() found: the calls' facts, the store's statistics for the query's words, and
    the calls' similarity in meaning to the profile (empty without embeddings)."""

    facts: list[CallFacts]
    statistics: Statistics
    similarities: dict[str, float] = field(default_factory=dict)


# Retrieval --------------------------------------------------------------------------------------


def statistics(session: Session, query: Query) -> Statistics:
    """How many calls the store holds, and in how many of them each word of the query is found."""
    counts, total = search.document_frequencies(session, [t.word for t in query.terms], cap=DF_CAP)
    found: dict[str, int] = {}
    for term in query.terms:
        for stem in term.stems:
            found[stem] = max(found.get(stem, 0), counts.get(term.word, 0))
    return Statistics(total, found)


def retrieval_words(query: Query, stats: Statistics) -> list[str]:
    """The words the full-text index is searched with (see KEY_WEIGHT, RARE_SHARE)."""
    rare = max(1, int(RARE_SHARE * stats.calls))
    picked: list[str] = []
    for term in query.terms:  # by weight, highest first
        found = max((stats.frequencies.get(s, 0) for s in term.stems), default=0)
        if found and (term.weight >= KEY_WEIGHT or found <= rare):
            picked.append(term.word)
        if len(picked) >= RETRIEVAL_WORDS:
            break
    return list(dict.fromkeys(picked))


def place_search_words(session: Session, query: Query) -> list[str]:
    """The names of the project's places distinctive enough to search with (RARE_SHARE)."""
    counts, total = search.document_frequencies(session, list(query.places), cap=1.0)
    rare = max(1, int(PLACE_SHARE * total))
    return [w for w in query.places if 0 < counts.get(w, 0) <= rare]


def profile_vector(query: Query) -> np.ndarray | None:
    if not embeddings.enabled() or not query.semantic_text:
        return None
    return embeddings.embed_query(query.semantic_text)


# Kept: `python -m benchmarks.cache_benchmark --workloads match` (7 profiles ranked twice over
# 10,000 calls, CPU): without it the second pass 0.93 → 1.47 s.
_FACTS: dict[tuple[str, str], CallFacts] = {}
FACTS_CACHE = 50_000


def load_facts(session: Session, ids: list[str]) -> list[CallFacts]:
    """The facts of some calls, with the sentences their extracted values were read from; kept by
    content hash, so what is read from them (territory, requirements, words) is read once."""
    hashes = search.content_hashes(session, ids)
    found, missing = [], []
    for oid, content_hash in hashes.items():
        known = _FACTS.get((oid, content_hash))
        if known is None:
            missing.append(oid)
        else:
            found.append(known)
    if missing:
        fresh = [CallFacts.of(row) for row in search.read_columns(session, missing, COLUMNS)]
        snippets = search.extracted_snippets(session, [f.id for f in fresh if f.inferred_fields])
        if len(_FACTS) + len(fresh) > FACTS_CACHE:
            _FACTS.clear()
        for facts in fresh:
            facts.snippets = snippets.get(facts.id, {})
            _FACTS[(facts.id, facts.content_hash or "")] = facts
        found.extend(fresh)
    return found


def _best_by_words(
    session: Session, words: list[str], query: Query, stats: Statistics, size: int
) -> list[CallFacts]:
    """The `size` calls our lexical score ranks best among the FETCH x size the full-text index
    ranks best by its own rank (BM25 on SQLite, ts_rank on PostgreSQL): so both databases keep the
    same calls, whatever their ranks say at the edge."""
    if not words:
        return []
    found = load_facts(session, search.fulltext_candidates(session, words, limit=FETCH * size))
    scored = sorted((-lexical(document(f), query, stats), f.id, f) for f in found)
    return [f for _, _, f in scored[:size]]


def retrieve(session: Session, query: Query) -> Candidates:
    """The candidate calls for a query: the best for its words, those naming the project's places,
    and the nearest in meaning to its text; listed calls only (not merged away)."""
    stats = statistics(session, query)
    calls = {
        f.id: f
        for f in _best_by_words(session, retrieval_words(query, stats), query, stats, FULLTEXT_POOL)
    }
    if query.places:  # calls about where the project is, whatever their words
        calls.update(
            (f.id, f)
            for f in _best_by_words(
                session, place_search_words(session, query), query, stats, PLACE_POOL
            )
        )
    vector = profile_vector(query)
    similar: dict[str, float] = {}
    if vector is not None:
        nearest = [i for i, _ in search.nearest(session, vector, limit=SEMANTIC_POOL)]
        calls.update((f.id, f) for f in load_facts(session, [i for i in nearest if i not in calls]))
        similar = search.similarities(session, vector, list(calls))
    if not calls:
        calls = {f.id: f for f in load_facts(session, search.listed_ids(session, limit=SHORTLIST))}
    return Candidates(list(calls.values()), stats, similar)


# Ranking ----------------------------------------------------------------------------------------


def _fit(
    call: CallFacts,
    profile: Profile,
    status: str,
    found: Relevance,
    lang: str,
    criteria: list[Criterion] | None,
) -> tuple[float, dict[str, str]]:
    """Soft fit (0..1): money, a partnership bonus, the stage the call funds, a local call, timing.
    Without criteria (not checked yet): the best it could be."""
    notes: dict[str, str] = {}
    results = {c.criterion: c for c in criteria or ()}
    money = (
        {"pass": 1.0, "unknown": 0.5, "fail": 0.0}[results["amount"].result]
        if "amount" in results
        else (1.0 if criteria is None else 0.5)
    )
    if (call.partnership_required or call.min_partners) and len(profile.partners) > 1:
        partners = 1.0
        notes["partnership"] = t("note_partnership", lang)
    else:
        partners = 0.5
    word = stage_hit(found, profile.stage)
    if word:
        stage, notes["stage"] = 1.0, word
    else:
        stage = 0.3 if profile.stage else 0.5
    territory = results.get("territory")
    local = 1.0 if criteria is None or (territory is not None and territory.local) else 0.0
    if territory is not None and territory.local:
        notes["local"] = t("note_local", lang)
    timing = {"open": 1.0, "forthcoming": 0.8}.get(status, 0.5)
    fit = 0.25 * money + 0.15 * partners + 0.2 * stage + 0.25 * local + 0.15 * timing
    carried = next((c.carried_by for c in criteria or () if c.carried_by), None)
    if carried:  # only another partner may apply: a partial fit
        notes["carried_by"] = carried
        fit -= CARRIED_PENALTY
    return fit, notes


def _score(found: Relevance, fit: float, criteria: list[Criterion] | None) -> float:
    unknown = (
        0
        if criteria is None
        else min(
            sum(c.result == "unknown" and c.criterion != "amount" for c in criteria),
            MAX_UNKNOWN_PENALTIES,
        )
    )
    incomplete = criteria is not None and verdict(criteria) == "to_complete"
    factor = (1 - UNKNOWN_PENALTY * unknown) * (1 - TO_COMPLETE_PENALTY * incomplete)
    return round(100 * (W_RELEVANCE * found.score + W_FIT * fit) * factor, 1)


def _rank_key(m: Match) -> tuple:
    """Calls that fit (eligible, to verify, or with a consortium to complete: partners to add
    before applying, a lower score), the nearest ones below the floor, then ineligible ones; by
    score, then nearest deadline."""
    return (
        m.verdict == "ineligible",
        not m.fits,
        -m.score,
        m.next_deadline or FAR_FUTURE,
        m.opportunity.id,
    )


def rank(
    calls: list[CallFacts],
    profile: Profile | dict[str, Any],
    *,
    as_of: date,
    statistics: Statistics,
    similarities: dict[str, float] | None = None,
    limit: int | None = None,
    include_ineligible: bool = False,
    lang: str = "fr",
) -> list[Match]:
    """The given calls for a profile, in the one order: eligible and to-verify calls that fit
    first, then the nearest ones below the relevance floor, then (only when asked) ineligible
    ones; by score, then nearest deadline. Pure: the calls' facts and the store's statistics in,
    matches out, the same score for a call whatever else is ranked with it.

    The calls failing a criterion decided without their text leave first (unless ineligible calls
    are wanted); the others get relevance and the fit they could reach, then the rules in the order
    of the best score they could still reach, until `limit` matches beat what any call left could.
    """
    profile = parse_profile(profile)
    query = build_query(profile)
    similarities = similarities or {}
    cutoff = max(as_of, profile.deadline_after or as_of)
    if not include_ineligible:
        calls = [
            c
            for c in calls
            if fails_early(c, profile, as_of=as_of, lang=lang) in (None, "partnership")
        ]
    known = []
    for call in calls:
        status = status_of(call, as_of)
        found = relevance(call, query, statistics, similarities.get(call.id))
        best, _ = _fit(call, profile, status, found, lang, None)
        known.append((found.fits, _score(found, best, None), call, status, found))
    known.sort(key=lambda k: (not k[0], -k[1], k[2].id))
    matches: list[Match] = []
    kept: list[tuple[bool, float]] = []  # the best `limit` (fits, score) so far: a min-heap
    for fits, best, call, status, found in known:
        if limit is not None and len(kept) >= limit and kept[0] > (fits, best):
            break
        criteria = check_all(call, profile, as_of=as_of, lang=lang)
        fit, notes = _fit(call, profile, status, found, lang, criteria)
        match = Match(
            opportunity=call,
            score=_score(found, fit, criteria),
            verdict=verdict(criteria),
            status=status,
            next_deadline=next_deadline(call.deadlines, cutoff),
            criteria=criteria,
            relevance=found,
            fit=notes,
            lang=lang,
        )
        if not include_ineligible and match.verdict == "ineligible":
            continue
        matches.append(match)
        if limit is not None:
            entry = (match.fits, match.score)
            if len(kept) < limit:
                heapq.heappush(kept, entry)
            elif entry > kept[0]:
                heapq.heapreplace(kept, entry)
    matches.sort(key=_rank_key)
    return matches[:limit] if limit is not None else matches


_WHOLE = select(Opportunity)
# What the lists show of a call, the long texts left to be read when asked (about a fifth of a
# match's time at 1,000 calls went into reading them for 50 calls).
_SHOWN = select(Opportunity).options(
    *(
        defer(getattr(Opportunity, c))
        for c in ("summary", "summary_plain", "eligibility_text", "eligibility_plain")
    )
)


def match(
    session: Session,
    profile: Profile | dict[str, Any],
    *,
    as_of: date,
    limit: int = 50,
    include_ineligible: bool = False,
    lang: str = "fr",
) -> list[Match]:
    """The calls that fit a partnership, best first (see rank), each with its verdict and reasons."""
    profile = parse_profile(profile)
    found = retrieve(session, build_query(profile))
    matches = rank(
        found.facts,
        profile,
        as_of=as_of,
        statistics=found.statistics,
        similarities=found.similarities,
        limit=max(limit, 1),
        include_ineligible=include_ineligible,
        lang=lang,
    )
    return with_opportunities(session, matches)


def with_opportunities(session: Session, matches: list[Match]) -> list[Match]:
    """The matches with their whole calls loaded (what pages, digests and the CLI show)."""
    ids = [m.opportunity.id for m in matches]
    whole: dict[str, Opportunity] = {}
    for start in range(0, len(ids), 900):
        query = _SHOWN.where(col(Opportunity.id).in_(ids[start : start + 900]))
        whole.update((o.id, o) for o in session.exec(query))
    for m in matches:
        m.opportunity = whole.get(m.opportunity.id, m.opportunity)
    return matches


# More like this ---------------------------------------------------------------------------------


@dataclass
class Similar:
    """An opportunity like another one; same_call when it reads as another edition of the same call."""

    opportunity: Opportunity
    score: float
    same_call: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            **_heading(self.opportunity),
            "score": self.score,
            "same_call": self.same_call,
        }


def query_of_call(call: CallFacts) -> Query:
    """A call read as a query: its title's words first, its themes, the start of its summary."""
    from funding.matching.query import SOURCE_WEIGHTS, Concept
    from funding.normalize.words import stems_of_word

    terms: dict[tuple[str, ...], Term] = {}
    for text, weight, source, limit in (
        (call.title, 1.0, "theme", None),
        (" ; ".join(call.themes or ()), 0.8, "keyword", None),
        ((call.summary_plain or "")[:1500], SOURCE_WEIGHTS["project"], "project", 60),
    ):
        for word in words(text)[:limit]:
            stems = stems_of_word(word)
            if stems and (stems not in terms or terms[stems].weight < weight):
                terms[stems] = Term(stems, word, weight, source)
    concepts = {}
    for text, weight in ((call.title, 1.0), ((call.summary_plain or "")[:1500], 0.5)):
        for theme in find_themes(tokens(text)):
            concepts.setdefault(theme, weight)
    ordered = tuple(sorted(terms.values(), key=lambda t: -t.weight))
    retrieval = tuple(t.word for t in ordered[:24])
    return Query(
        ordered,
        tuple(Concept(t, w) for t, w in concepts.items()),
        retrieval,
        call.title or "",
        ("call", call.id, call.content_hash),
    )


def more_like_this(session: Session, opportunity_id: str, *, limit: int = 10) -> list[Similar]:
    """The opportunities most like one: same words and meaning, close title (yearly editions),
    same funder and programme."""
    found = load_facts(session, [opportunity_id])
    if not found:
        raise KeyError(f"no opportunity {opportunity_id!r}")
    call = found[0]
    query = query_of_call(call)
    stats = statistics(session, query)
    ids = search.fulltext_candidates(session, retrieval_words(query, stats), limit=SHORTLIST)
    vector = search.embedding_of(session, call.embedding_key) if call.embedding_key else None
    similar: dict[str, float] = {}
    if vector is not None:
        ids = list(
            dict.fromkeys([*ids, *(i for i, _ in search.nearest(session, vector, limit=40))])
        )
        similar = search.similarities(session, vector, ids)
    ids = [i for i in ids if i != opportunity_id]
    if not ids:
        return []
    title = " ".join(tokens(call.title))
    ranked = []
    for other in load_facts(session, ids):
        title_ratio = fuzz.token_set_ratio(title, " ".join(tokens(other.title))) / 100
        same_funder = bool(call.funder and call.funder == other.funder)
        same_programme = bool(call.programme and call.programme == other.programme)
        value = (
            0.5 * relevance(other, query, stats, similar.get(other.id)).score
            + 0.35 * title_ratio
            + 0.1 * same_funder
            + 0.05 * same_programme
        )
        same_call = title_ratio >= 0.9 and (same_funder or not call.funder)
        ranked.append((round(100 * value, 1), same_call, other))
    ranked.sort(key=lambda r: (-r[0], r[2].id))
    whole = {
        o.id: o
        for o in session.exec(
            _WHOLE.where(col(Opportunity.id).in_([r[2].id for r in ranked[:limit]]))
        )
    }
    return [Similar(whole[r[2].id], r[0], r[1]) for r in ranked[:limit] if r[2].id in whole]
