"""How relevant a call is to a profile, from the call's facts alone (so a call scores the same in
the Find page, `funding match` and a digest): BM25F over its title, themes, summary and
eligibility on French and English Snowball stems, the themes it shares with the profile, and the
similarity of their meanings (multilingual embeddings), fused into one score between 0 and 1."""

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from funding.matching.facts import CallFacts
from funding.matching.query import Query, find_themes
from funding.normalize.words import bare, language_of, stems, tokens
from funding.territory import places

# BM25F: each field's weight and typical length in stems (the snapshot's and the tuning corpus's
# means, rounded), k1 and b as usual; a field's text is read to its first FIELD_CHARS characters.
FIELDS = (
    ("title", 3.0, 9.0),
    ("themes", 2.0, 4.0),
    ("summary", 1.0, 130.0),
    ("eligibility", 0.5, 160.0),
)
FIELD_CHARS = {"title": 500, "themes": 500, "summary": 3000, "eligibility": 3000}
K1, B = 1.2, 0.75
# A document frequency above this share of the calls counts as this share: common words weigh
# little either way, and both databases then give every word the same weight.
DF_CAP = 0.05
# The fused score: lexical, semantic and theme parts (fitted on one half of the tuning set and
# checked on the other: docs/matching.md); the lexical part's half-saturation point is a share of
# what the query could score at most; cosine similarities of multilingual-e5 spread over
# [SEMANTIC_LOW, SEMANTIC_HIGH] for texts of one subject.
W_LEXICAL, W_SEMANTIC, W_THEMES = 0.45, 0.45, 0.1
LEXICAL_HALF, LEXICAL_TERMS = 0.25, 12
AGREEMENT = 0.3  # below this lexical part, the semantic part is scaled down (0: never)
COVERAGE = 0.25  # how much of the lexical part depends on the share of the profile's themes met
SEMANTIC_LOW, SEMANTIC_HIGH = 0.78, 0.90
# Below this a call is too far from the project to be offered as a fit ("the nearest ones").
FLOOR = 0.22
DOCUMENT_CACHE = 50_000
# Where a call says it acts (places its title and theme tags name; its summary names places for
# many other reasons) against where the project takes place: another place counts against it.
PLACE_BONUS, PLACE_MISMATCH = 0.15, 0.2
_CONTINENT_ADJECTIVES = (
    (re.compile(r"\b(?:european|europeen(?:ne)?s?)\b"), "CONT-EU"),
    (re.compile(r"\b(?:african|africaine?s?)\b"), "CONT-AF"),
    (re.compile(r"\b(?:asian|asiatiques?)\b"), "CONT-AS"),
)


@dataclass(frozen=True)
class Document:
    """A call's words read once: each stem's BM25F term frequency (its counts in each field,
    weighted and normalised by the field's length), the stems of its title, themes and summary,
    its themes, and the places its title and theme tags say it acts in."""

    frequencies: dict[str, float]
    present: frozenset[str]
    themes: dict[str, str]
    head: str  # the title and summary's folded words, for the profile's stage
    focus: frozenset[str] = frozenset()


@dataclass
class Statistics:
    """What the lexical score needs of the whole store: how many calls, and in how many of them
    each query word is found (both capped at DF_CAP of the calls)."""

    calls: int
    frequencies: dict[str, int] = field(default_factory=dict)  # stem -> calls it is found in
    cache: dict = field(default_factory=dict, repr=False, compare=False)  # query key -> _Weights

    def idf(self, stem: str) -> float:
        n = max(self.calls, 1)
        df = min(self.frequencies.get(stem, 1), max(1, int(DF_CAP * n)))
        return math.log(1 + (n - df + 0.5) / (df + 0.5))


@dataclass
class Relevance:
    """A call's relevance to a profile (0..1) and its parts; matched: (theme, field, word)."""

    score: float
    lexical: float
    semantic: float | None
    themes: float
    matched: list[tuple[str, str, str]] = field(default_factory=list)
    head: str = ""
    place: float | None = None  # does the call act where the project takes place (place_match)

    @property
    def fits(self) -> bool:
        return self.score >= FLOOR


# Kept: `python -m benchmarks.cache_benchmark --workloads match` (7 profiles ranked twice over
# 10,000 calls, CPU): without it 4.9 → 6.8 s the first pass, 0.93 → 6.5 s the second.
_DOCUMENTS: dict[tuple[str, str | None], Document] = {}


def _field_texts(call: CallFacts) -> tuple[str, ...]:
    return (
        call.title or "",
        " ; ".join(call.themes or ()),
        (call.summary_plain or "")[: FIELD_CHARS["summary"]],
        call.eligibility[: FIELD_CHARS["eligibility"]],
    )


def document(call: CallFacts) -> Document:
    """A call's Document, cached by id and content hash (a changed call is read again)."""
    key = (call.id, call.content_hash)
    found = _DOCUMENTS.get(key) if call.content_hash else None
    if found is not None:
        return found
    lang = language_of(call.language)
    texts = _field_texts(call)
    counts = tuple(Counter(stems(text, lang)) for text in texts)
    frequencies: dict[str, float] = {}
    for found, (_, field_weight, typical) in zip(counts, FIELDS, strict=True):
        norm = 1 - B + B * sum(found.values()) / typical
        for stem, count in found.items():
            frequencies[stem] = frequencies.get(stem, 0.0) + field_weight * count / norm
    themes_found = {}
    for name, text in zip(("title", "themes", "summary", "eligibility"), texts, strict=True):
        for theme, word in find_themes(tokens(text)).items():
            themes_found.setdefault(theme, f"{name}:{word}")
    head = " " + " ".join(tokens(texts[0] + " " + texts[2][:1200])) + " "
    present = frozenset().union(*(c.keys() for c in counts[:3]))  # title, themes, summary
    found = Document(frequencies, present, themes_found, head, _focus(texts[0], texts[1]))
    if call.content_hash:
        if len(_DOCUMENTS) >= DOCUMENT_CACHE:
            _DOCUMENTS.clear()
        _DOCUMENTS[key] = found
    return found


def _focus(title: str, rest: str) -> frozenset[str]:
    """Places a call says it acts in: named in its title or theme tags, or an adjective of a
    continent in its title ("European industry")."""
    found = {p for p, _, _ in places.find_in_text(title + " ; " + rest)}
    low = bare(title)
    found |= {continent for pattern, continent in _CONTINENT_ADJECTIVES if pattern.search(low)}
    return frozenset(found)


def place_match(doc: Document, where: frozenset[str]) -> float | None:
    """How much the call acts where the project takes place: 1 when a place it names holds the
    project's (a country, or a place in one), less for a wide group or a continent; 0 when it names
    only other places; None when it names none (or the project's place is unknown)."""
    if not doc.focus or not where:
        return None
    best = 0.0
    for place in doc.focus:
        if places.relate({place}, where) == "inside":
            best = max(best, 0.6 if places.kind(place) in ("group", "continent") else 1.0)
        elif places.relate(where, {place}) == "inside":  # the call names a place in the project's
            best = max(best, 0.8)
    return best


def clear_documents() -> None:
    _DOCUMENTS.clear()


@dataclass(frozen=True)
class _Weights:
    """A query's stems weighed by the store's statistics, once per ranking."""

    stems: dict[str, float]  # stem -> weight x idf
    best: float  # what the LEXICAL_TERMS heaviest stems could score
    needs: tuple[tuple[frozenset[str], dict[str, float], float], ...]  # themes, stem idf, total
    keys: frozenset[str] = frozenset()
    scores: dict = field(default_factory=dict, compare=False)  # a document's lexical score


def _weights(query: Query, stats: Statistics) -> _Weights:
    found = stats.cache.get(query.key)
    if found is None:
        weighted = {s: w * stats.idf(s) for s, w in query.stems.items()}
        best = sum(sorted(weighted.values(), reverse=True)[:LEXICAL_TERMS])
        needs = []
        for stems_, named in query.needs:
            idfs = {s: stats.idf(s) for s in stems_}
            needs.append((named, idfs, sum(idfs.values())))
        found = stats.cache[query.key] = _Weights(weighted, best, tuple(needs), frozenset(weighted))
    return found


def lexical(doc: Document, query: Query, stats: Statistics) -> float:
    """BM25F of the query's weighted stems in the call's fields, over what its LEXICAL_TERMS
    heaviest words could score, saturated: 0..1, the same whatever else is ranked with the call."""
    weights = _weights(query, stats)
    if not weights.best:
        return 0.0
    found = weights.scores.get(id(doc))
    if found is not None and found[0] is doc:
        return found[1]
    score = 0.0
    frequencies, stems = doc.frequencies, weights.stems
    for stem in weights.keys & doc.frequencies.keys():  # the few shared stems, found in C
        tf = frequencies[stem]
        score += stems[stem] * tf / (K1 + tf)
    share = score / weights.best
    value = share / (share + LEXICAL_HALF) * (1 - COVERAGE + COVERAGE * coverage(doc, weights))
    weights.scores[id(doc)] = (doc, value)  # retrieval and ranking score the same calls
    return value


def coverage(doc: Document, weights: _Weights) -> float:
    """The share of the profile's themes a call speaks of: a theme counts when the call names it
    (themes.csv) or holds its most telling words (half of its stems' weight, by idf)."""
    if not weights.needs:
        return 1.0
    met = 0
    for named, idfs, total in weights.needs:
        if named & doc.themes.keys() or (
            total and sum(w for s, w in idfs.items() if s in doc.present) >= 0.5 * total
        ):
            met += 1
    return met / len(weights.needs)


def theme_share(doc: Document, query: Query) -> tuple[float, list[tuple[str, str, str]]]:
    """The share of the profile's themes (by weight) the call speaks of, and where."""
    total = sum(c.weight for c in query.concepts)
    if not total:
        return 0.0, []
    matched, gained = [], 0.0
    for concept in query.concepts:
        where = doc.themes.get(concept.theme)
        if where:
            name, word = where.split(":", 1)
            gained += concept.weight * (1.0 if name in ("title", "themes") else 0.7)
            matched.append((concept.theme, name, word))
    return gained / total, matched


def semantic(similarity: float | None) -> float | None:
    if similarity is None:
        return None
    return min(1.0, max(0.0, (similarity - SEMANTIC_LOW) / (SEMANTIC_HIGH - SEMANTIC_LOW)))


def relevance(
    call: CallFacts, query: Query, stats: Statistics, similarity: float | None = None
) -> Relevance:
    """The fused relevance of a call (without embeddings, its lexical, theme and place parts),
    less when it acts elsewhere than where the project takes place."""
    doc = document(call)
    lex = lexical(doc, query, stats)
    share, matched = theme_share(doc, query)
    sem = semantic(similarity)
    place = place_match(doc, query.where)
    if sem is not None and AGREEMENT:  # meaning without shared words counts less
        sem *= min(1.0, lex / AGREEMENT)
    parts = [(W_LEXICAL, lex), (W_THEMES, share)] + ([(W_SEMANTIC, sem)] if sem is not None else [])
    score = sum(w * v for w, v in parts) / sum(w for w, _ in parts)
    if place:  # the call acts where the project takes place
        score *= 1 + PLACE_BONUS * place
    elif place == 0.0:  # it acts elsewhere
        score *= 1 - PLACE_MISMATCH
    return Relevance(round(min(score, 1.0), 4), lex, sem, share, matched, doc.head, place)


# Words that say a call funds project design, pilots or scale-up (the profile's stage).
STAGE_WORDS = {
    "design": (
        "faisabilite",
        "etude prealable",
        "etudes prealables",
        "ingenierie",
        "amorcage",
        "emergence",
        "preparation",
        "conception",
        "diagnostic",
        "feasibility",
        "project preparation",
        "design",
        "seed",
        "capacity building",
        "renforcement des capacites",
    ),
    "pilot": (
        "pilote",
        "experimentation",
        "demonstrat",
        "prototype",
        "pilot",
        "test",
        "innovation",
    ),
    "scale_up": (
        "changement d echelle",
        "essaimage",
        "deploiement",
        "scale up",
        "scaling",
        "replication",
        "investissement",
        "investment",
        "roll out",
    ),
}
STAGE_WORDS["idea"] = STAGE_WORDS["design"]


def stage_hit(found: Relevance, stage: str | None) -> str | None:
    """A word saying the call funds the profile's stage (design, pilot, scale-up), if any."""
    if not stage:
        return None
    return _stage_hit(found.head, stage)


def _stage_hit(head: str, stage: str) -> str | None:
    for word, key in _stage_keys(stage):
        if key in head:
            return word
    return None


# Load once: each stage's words tokenised once per process (not a performance cache).
@cache
def _stage_keys(stage: str) -> tuple[tuple[str, str], ...]:
    return tuple((word, " " + " ".join(tokens(word))) for word in STAGE_WORDS[stage])
