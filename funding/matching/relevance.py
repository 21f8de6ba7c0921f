"""Text relevance: a profile's themes, keywords and project read through themes.csv (French and
English synonyms), full-text retrieval of candidates, then concept coverage on the shortlist's fields."""

import csv
import json
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import text
from sqlmodel import Session

from funding.extract.sentences import bare
from funding.matching.geo import read_zone, zone_names
from funding.matching.profile import Profile
from funding.normalize import fold
from funding.store import sync_fulltext

THEMES_FILE = "themes.csv"
# How much a concept found in each field counts (title first, then the call's own theme tags).
FIELD_WEIGHTS = {"title": 1.0, "themes": 0.85, "summary": 0.6, "eligibility": 0.3}
SUMMARY_CHARS = 1200
ELIGIBILITY_CHARS = 600
STOPWORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "dans",
        "de",
        "des",
        "du",
        "en",
        "et",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "ou",
        "par",
        "pour",
        "sur",
        "un",
        "une",
        "nos",
        "notre",
        "est",
        "sont",
        "qui",
        "que",
        "the",
        "and",
        "for",
        "with",
        "from",
        "into",
        "our",
        "their",
        "of",
        "to",
        "in",
        "on",
        "by",
        "an",
        "as",
        "at",
        "is",
        "are",
        "be",
        "this",
        "that",
        "will",
        "projet",
        "project",
        "projects",
        "projets",
    ]
)
# Words that say a call funds project design, pilots or scale-up (the profile's stage).
STAGE_WORDS = {
    "design": ("faisabilite", "etude prealable", "etudes prealables", "ingenierie", "amorcage",
               "emergence", "preparation", "conception", "diagnostic", "feasibility",
               "project preparation", "design", "seed", "capacity building", "renforcement des capacites"),
    "pilot": ("pilote", "experimentation", "demonstrat", "prototype", "pilot", "test", "innovation"),
    "scale_up": ("changement d echelle", "essaimage", "deploiement", "scale up", "scaling",
                 "replication", "investissement", "investment", "roll out"),
}  # fmt: skip
STAGE_WORDS["idea"] = STAGE_WORDS["design"]


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """Plural-insensitive key for a folded token ('dechets' -> 'dechet', 'eaux' -> 'eau')."""
    if len(token) > 3 and token[-1] in "sx" and not token.endswith("ss"):
        return token[:-1]
    return token


_NON_WORD = re.compile(r"[\W_]")
_LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss", "Œ": "oe", "Æ": "ae"}


class _WordTable(dict):
    """str.translate table built as characters are met: each one to what `tokens` keeps of it (its
    ligature spelled out, lowercase without accents as `bare`, a space for no word character)."""

    def __missing__(self, code: int) -> str:
        kept = "".join(
            " " if _NON_WORD.match(b := bare(c)) else b
            for c in _LIGATURES.get(chr(code), chr(code))
        )
        self[code] = kept
        return kept


_WORD_TABLE = _WordTable()
# The same for ASCII characters, as a bytes.translate table (faster than str.translate's lookups).
_ASCII_WORDS = bytes(ord(_WORD_TABLE[i]) for i in range(128)) + bytes(range(128, 256))
_NON_ASCII = re.compile(r"([^\x00-\x7f]+)")
# The final s or x `stem` drops, found in the whole text at once: a word of 4 characters or more
# (the text holds nothing but word characters and spaces by then), not ending in "ss".
_PLURAL = re.compile(r"[sx](?<=\w\w\w\w)(?<!ss)\b")


def _ascii_words(value: str) -> str:
    return value.encode("ascii").translate(_ASCII_WORDS).decode("ascii")


def tokens(value: str | None) -> list[str]:
    """Folded, plural-insensitive words of a text (the fast path of normalize.fold).

    The words of `[stem(t) for t in re.sub(r"[\\W_]+", " ", bare(spelled_out)).split()]`, the
    per-word work done by C loops over the whole text: a translation table (bytes for the ASCII
    stretches), one substitution for the plurals, one split (over 2x faster on long texts).
    """
    if not value:
        return []
    if value.isascii():
        words = _ascii_words(value)
    else:
        parts = _NON_ASCII.split(value)  # ASCII, non-ASCII, ASCII, ...
        parts[::2] = [_ascii_words(part) for part in parts[::2]]
        parts[1::2] = [part.translate(_WORD_TABLE) for part in parts[1::2]]
        words = "".join(parts)
    return _PLURAL.sub("", words).split()


def _theme_sources() -> list[Path]:
    found = [Path(str(files("funding") / "vocabularies" / THEMES_FILE))]
    if (override := os.environ.get("FUNDING_VOCABULARY_DIR")) and (
        Path(override) / THEMES_FILE
    ).is_file():
        found.append(Path(override) / THEMES_FILE)
    return found


@dataclass
class Themes:
    """themes.csv: theme -> its words (as written), and a phrase index by first token."""

    words: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    phrases: dict[str, list[tuple[tuple[str, ...], str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_key: dict[str, str] = field(default_factory=dict)
    languages: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, theme: str, word: str, language: str = "") -> None:
        key = tuple(tokens(word))
        if not key:
            return
        self.words[theme].append(word)
        self.languages[(theme, word)] = language
        self.phrases[key[0]].append((key, theme, word))
        self.by_key.setdefault(" ".join(key), theme)


@cache
def themes() -> Themes:
    """Load themes.csv (and a staff override of the same name) once."""
    found = Themes()
    for path in _theme_sources():
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                theme, word = (row.get("theme") or "").strip(), (row.get("word") or "").strip()
                if theme and word:
                    found.add(theme, word, (row.get("language") or "").strip())
    for theme in list(found.words):
        found.by_key.setdefault(" ".join(tokens(theme.replace("_", " "))), theme)
    return found


def theme_errors() -> list[str]:
    """Lines of themes.csv that cannot be used (an empty theme or word, a bad language)."""
    errors = []
    for path in _theme_sources():
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            for row in reader:
                if not (row.get("theme") or "").strip() or not tokens(row.get("word")):
                    errors.append(f"{path} line {reader.line_num}: theme and word are required")
                elif (row.get("language") or "").strip() not in ("fr", "en", "—", ""):
                    errors.append(f"{path} line {reader.line_num}: language must be fr, en or —")
    return errors


def find_themes(words: list[str]) -> dict[str, str]:
    """Themes named in a token list: theme -> the vocabulary word found (first occurrence)."""
    index = themes().phrases
    found: dict[str, str] = {}
    for i, token in enumerate(words):
        for key, theme, word in index.get(token, ()):
            if theme not in found and tuple(words[i : i + len(key)]) == key:
                found[theme] = word
    return found


def themes_of(word: str) -> set[str]:
    """The themes a profile word stands for: exact, inside a phrase, or a close spelling."""
    vocabulary = themes()
    key = " ".join(tokens(word))
    if not key:
        return set()
    if key in vocabulary.by_key:
        return {vocabulary.by_key[key]}
    inside = set(find_themes(key.split()))
    if inside:
        return inside
    best = process.extractOne(key, list(vocabulary.by_key), scorer=fuzz.ratio, score_cutoff=86)
    return {vocabulary.by_key[best[0]]} if best else set()


@dataclass
class Concept:
    """One thing the partnership is about: a theme, a literal keyword, or its project's places."""

    name: str
    weight: float
    theme: str | None = None
    phrase: tuple[str, ...] | None = None
    places: tuple[tuple[str, ...], ...] = ()
    place_firsts: frozenset[str] = frozenset()  # the first word of every place, to look up fast

    def __post_init__(self) -> None:
        if self.places and not self.place_firsts:
            self.place_firsts = frozenset(k[0] for k in self.places)


@dataclass
class Query:
    """A profile read once (cached, shared between calls: do not change it)."""

    concepts: list[Concept]
    terms: list[str]  # every word of the query, as written (accents kept) and folded
    # The profile's own words and places, always retrieved, and each theme's words with their
    # language, among which retrieval_words picks (see there); both are part of terms.
    fixed: list[str] = field(default_factory=list)
    expansions: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def _profile_key(profile: Profile) -> tuple:
    return (
        tuple(profile.themes), tuple(profile.keywords), profile.project or "",
        tuple(profile.intervention_countries),
    )  # fmt: skip


_QUERIES: dict[tuple, Query] = {}
QUERY_CACHE = 512


def build_query(profile: Profile) -> Query:
    """The profile's concepts (weighted) and the expanded words to retrieve candidates with.

    Cached by the fields it reads (themes, keywords, project, intervention countries) and the
    vocabulary loaded: a UI, a digest run or a benchmark asks for the same profiles again and again.
    """
    key = (id(themes()), *_profile_key(profile))
    found = _QUERIES.get(key)
    if found is None:
        if len(_QUERIES) >= QUERY_CACHE:
            _QUERIES.clear()
        found = _QUERIES[key] = _build_query(profile)
    return found


def _build_query(profile: Profile) -> Query:
    concepts: dict[str, Concept] = {}

    def add_theme(theme: str, weight: float) -> None:
        current = concepts.get(theme)
        if current is None or current.weight < weight:
            concepts[theme] = Concept(theme, weight, theme=theme)

    for word in profile.themes:
        found = themes_of(word)
        for theme in found:
            add_theme(theme, 1.0)
        if not found:
            concepts[word] = Concept(word, 1.0, phrase=tuple(tokens(word)))
    for word in profile.keywords:
        for theme in themes_of(word):
            add_theme(theme, 0.7)
        key = tuple(tokens(word))
        if key and " ".join(key) not in themes().by_key:
            concepts.setdefault("kw:" + " ".join(key), Concept(word, 0.6, phrase=key))
    for theme in find_themes(tokens(profile.project)):
        add_theme(theme, 0.5)
    zone = read_zone(profile.intervention_countries)
    if zone.countries - {"FR"}:
        names = zone_names(zone.countries - {"FR"}) + _group_labels(zone.countries - {"FR"})
        keys = tuple(sorted({tuple(tokens(n)) for n in names if tokens(n)}))
        concepts["places"] = Concept(
            "places", 0.6, places=keys, place_firsts=frozenset(k[0] for k in keys)
        )
    fixed: list[str] = [*profile.themes, *profile.keywords]
    abroad = zone.countries - {"FR"}
    if abroad:
        fixed.extend(_group_labels(abroad) if len(abroad) > 5 else zone_names(abroad))
    vocabulary = themes()
    expansions = {
        concept.theme: [(w, vocabulary.languages.get((concept.theme, w), "")) for w in
                        vocabulary.words[concept.theme]]
        for concept in concepts.values()
        if concept.theme and concept.weight >= 0.7
    }  # fmt: skip
    terms = _unique([*fixed, *(w for words in expansions.values() for w, _ in words)])
    return Query(list(concepts.values()), terms, _unique(fixed), expansions)


# Full-text retrieval sends the profile's own words and places, and of each theme's words
# (themes.csv, French and English) the first RETRIEVAL_WORDS of each language (the theme's main
# words) and every distinctive one (found in at most RARE_SHARE of the calls: short posting lists,
# cheap to look up, precise, high weight in the rank); the common words further down the list
# (long posting lists, low weight) are left out, and so are words found in no call. Every word of
# the theme still counts when scoring the candidates.
RETRIEVAL_WORDS = 6
RARE_SHARE = 0.01


def retrieval_words(session: Session, query: Query) -> list[str]:
    """The words to retrieve candidates with: see RETRIEVAL_WORDS and RARE_SHARE."""
    if not query.expansions:
        return list(query.fixed)
    words = list(dict.fromkeys(w for found in query.expansions.values() for w, _ in found))
    counts, rare = document_frequencies(session, words)
    picked = list(query.fixed)
    for found in query.expansions.values():
        rank: dict[str, int] = defaultdict(int)
        for word, language in found:
            rank[language] += 1
            count = counts.get(word, 0)
            if count and (count <= rare or rank[language] <= RETRIEVAL_WORDS):
                picked.append(word)
    return _unique(picked)


@lru_cache(maxsize=20_000)
def _fts5_tokens(word: str) -> list[list[str]]:
    """The index tokens an FTS5 term for the word matches: one list per phrase word, its forms."""
    parts = fold(word).split()
    if len(parts) == 1:
        root = stem(parts[0])
        return [list(dict.fromkeys((parts[0], root, root + "s", root + "x")))]
    return [[p] for p in parts]


_FREQUENCIES: dict[str, Any] = {}  # SQLite: "key" (database, index version), "terms": counts


def document_frequencies(session: Session, words: list[str]) -> tuple[dict[str, int], float]:
    """(word -> how many calls it is found in, at most `rare + 1`; the rare threshold).

    SQLite: exact, from the FTS5 index's vocabulary (fts5vocab), kept until the index changes; a
    phrase counts as its rarest word. PostgreSQL: a count of the matches of each word, stopped just above the threshold.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # Counted like fts5vocab, for the same words on both databases: each exact form (weights
        # A-C hold the words as written, D the French and English stems), merged calls included.
        from funding.store import PG_DOCUMENT

        total = session.execute(text("SELECT count(*) FROM opportunity")).scalar()
        rare = max(1.0, RARE_SHARE * float(total or 0))
        forms = {w: parts for w in words if (parts := _fts5_tokens(w))}
        wanted = sorted({t for parts in forms.values() for part in parts for t in part})
        if not wanted:
            return {}, rare
        params: dict[str, Any] = {"cap": int(rare) + 1}
        columns = []
        for i, token in enumerate(wanted):
            params[f"t{i}"] = token
            columns.append(
                f"(SELECT count(*) FROM (SELECT 1 FROM opportunity WHERE {PG_DOCUMENT} @@ "
                f"to_tsquery('simple', quote_literal(:t{i}) || '\\:ABC') LIMIT :cap) AS m{i})"
            )
        row = session.execute(text("SELECT " + ", ".join(columns)), params).one()
        found = dict(zip(wanted, (int(v) for v in row), strict=True))
        return {
            word: min(sum(found.get(t, 0) for t in part) for part in parts)
            for word, parts in forms.items()
        }, rare
    sync_fulltext(session)
    # fts5vocab counts a term's calls by reading its whole posting list: the counts are kept until
    # the index changes (its structure record, rowid 10 of the %_data table, changes on every write).
    version = session.execute(
        text(
            "SELECT (SELECT block FROM opportunity_fts_data WHERE id = 10), "
            "(SELECT max(rowid) FROM opportunity)"
        )
    ).one()
    key = (str(session.get_bind().url), version[0], version[1])
    if _FREQUENCIES.get("key") != key:
        _FREQUENCIES.clear()
        _FREQUENCIES["key"] = key
    cached: dict[str, int] = _FREQUENCIES.setdefault("terms", {})
    rare = max(1.0, RARE_SHARE * float(version[1] or 0))
    forms = {w: parts for w in words if (parts := _fts5_tokens(w))}
    wanted = sorted({t for parts in forms.values() for part in parts for t in part} - set(cached))
    if wanted:
        session.execute(
            text(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.funding_fts_vocab "
                "USING fts5vocab(main, opportunity_fts, row)"
            )
        )
        found = dict.fromkeys(wanted, 0)
        found.update(
            session.execute(
                text(
                    "SELECT term, doc FROM temp.funding_fts_vocab "
                    "WHERE term IN (SELECT value FROM json_each(:terms))"
                ),
                {"terms": json.dumps(wanted)},
            ).all()
        )
        if len(cached) > 100_000:
            cached.clear()
        cached.update(found)
    return {
        word: min(sum(cached.get(t, 0) for t in part) for part in parts)
        for word, parts in forms.items()
    }, rare


def _unique(words: list[str]) -> list[str]:
    seen, out = set(), []
    for word in words:
        if word.lower() not in seen:
            seen.add(word.lower())
            out.append(word)
    return out


# Full-text retrieval --------------------------------------------------------------------------


def _fts5_term(word: str) -> str | None:
    """Exact tokens (singular and plural): a prefix query scans far more of the index."""
    parts = fold(word).split()
    if not parts:
        return None
    if len(parts) == 1:
        root = stem(parts[0])
        forms = dict.fromkeys(
            (parts[0], root, root + "s", root + "x" if root.endswith(("au", "eu")) else root)
        )
        return " OR ".join(f'"{f}"' for f in forms)
    return '"' + " ".join(parts) + '"'


def _pg_term(word: str) -> list[str]:
    variants = {word.lower(), fold(word)}
    out = []
    for variant in variants:
        parts = [re.sub(r"[^\w]", "", p) for p in re.split(r"[\s'’\-]+", variant)]
        parts = [p for p in parts if p]
        if not parts:
            continue
        if len(parts) == 1:
            out.append(f"{parts[0]}:*" if len(parts[0]) >= 4 else parts[0])
        else:
            out.append("(" + " <-> ".join(parts) + ")")
    return out


def fts_query(words: list[str], dialect: str) -> str:
    """An OR of the words, in the dialect's full-text syntax."""
    return _fts_query(tuple(words), dialect)


@lru_cache(maxsize=1024)
def _fts_query(words: tuple[str, ...], dialect: str) -> str:
    if dialect == "postgresql":
        return " | ".join(t for w in words for t in _pg_term(w))
    return " OR ".join(t for w in words if (t := _fts5_term(w)))


def retrieve(
    session: Session, words: list[str], *, limit: int, extra_sql: str = "", params: dict | None = None,
) -> list[tuple[str, float]]:  # fmt: skip
    """(id, text score) of the best candidates for an OR of words, title weighted, merged rows left out."""
    return [
        (i, score)
        for i, score, _ in retrieve_hashed(
            session, words, limit=limit, extra_sql=extra_sql, params=params
        )
    ]


def retrieve_hashed(
    session: Session, words: list[str], *, limit: int, extra_sql: str = "", params: dict | None = None,
) -> list[tuple[str, float, str]]:  # fmt: skip
    """retrieve, with each row's content hash (the key of its cached words)."""
    if not words:
        return []
    dialect = session.get_bind().dialect.name
    query = fts_query(words, dialect)
    if not query:
        return []
    params = {**(params or {}), "q": query, "n": limit}
    if dialect == "postgresql":
        from funding.store import PG_DOCUMENT, pg_tsquery

        statement = text(
            f"SELECT id, ts_rank({PG_DOCUMENT}, {pg_tsquery()}) AS s, content_hash FROM opportunity "
            f"WHERE {PG_DOCUMENT} @@ {pg_tsquery()} AND merged_into IS NULL {extra_sql} "
            "ORDER BY s DESC, id LIMIT :n"
        )
    elif extra_sql:
        sync_fulltext(session)
        statement = text(
            "SELECT o.id, -bm25(opportunity_fts, 10.0, 2.0, 1.0) AS s, o.content_hash "
            "FROM opportunity_fts "
            "JOIN opportunity o ON o.rowid = opportunity_fts.rowid "
            f"WHERE opportunity_fts MATCH :q AND o.merged_into IS NULL {extra_sql} "
            "ORDER BY bm25(opportunity_fts, 10.0, 2.0, 1.0), o.id LIMIT :n"
        )
    else:
        sync_fulltext(session)
        statement = _FTS5_TOP
    return [(row[0], float(row[1]), row[2]) for row in session.execute(statement, params)]


# The same rows as the join above without extra_sql, reading far less: the matches are ranked in
# the index alone (merged calls left out by their rowids, from the merged_into index), and only the
# best ones, with every tie of the n-th rank (the ids break ties), are looked up in the table, whose
# merged_into and content_hash sit after the long texts (the join read them for every match).
_FTS5_TOP = text(
    "WITH m AS MATERIALIZED ("
    "SELECT rowid AS r, bm25(opportunity_fts, 10.0, 2.0, 1.0) AS b FROM opportunity_fts "
    "WHERE opportunity_fts MATCH :q "
    "AND rowid NOT IN (SELECT rowid FROM opportunity WHERE merged_into IS NOT NULL)) "
    "SELECT o.id, -m.b AS s, o.content_hash FROM m JOIN opportunity o ON o.rowid = m.r "
    "WHERE m.b <= coalesce((SELECT b FROM m ORDER BY b LIMIT 1 OFFSET :n - 1), 1e308) "
    "ORDER BY m.b, o.id LIMIT :n"
)


# Scoring the shortlist ------------------------------------------------------------------------


# Field weights and lengths of the text score: FTS5's bm25(10, 2, 1) weights, typical lengths.
_TEXT_FIELDS = (
    ("title", 10.0, 12.0),
    ("summary_plain", 2.0, 150.0),
    ("eligibility_plain", 1.0, 150.0),
)
_K1, _B = 1.2, 0.75


@dataclass(frozen=True)
class _TextKeys:
    single: frozenset[str]
    phrases: tuple[tuple[frozenset[str], str], ...]  # (its words, " the folded words ")


@lru_cache(maxsize=1024)
def _text_keys(words: tuple[str, ...]) -> _TextKeys:
    single, phrases = set(), {}
    for word in words:
        parts = tokens(word)
        if len(parts) == 1:
            single.add(parts[0])
        elif parts:
            phrases[" " + " ".join(parts) + " "] = frozenset(parts)
    return _TextKeys(frozenset(single), tuple((parts, p) for p, parts in phrases.items()))


@dataclass(frozen=True)
class _FieldText:
    counts: dict[str, int]
    words: frozenset[str]
    joined: str  # " folded words joined by spaces "
    size: int


_TEXTS: dict[tuple[str, str], tuple[_FieldText, ...]] = {}


def _field_texts(opportunity: Any) -> tuple[_FieldText, ...]:
    """The row's title, summary and eligibility words, cached by id and content hash."""
    key = (getattr(opportunity, "id", None), getattr(opportunity, "content_hash", None))
    found = _TEXTS.get(key) if key[0] and key[1] else None
    if found is not None:
        return found
    fields = []
    for column, _, _ in _TEXT_FIELDS:
        words = tokens(getattr(opportunity, column, None))
        counts = dict(Counter(words))  # counted in C; a plain dict is faster to read
        fields.append(
            _FieldText(counts, frozenset(counts), " " + " ".join(words) + " ", len(words))
        )
    found = tuple(fields)
    if key[0] and key[1]:
        if len(_TEXTS) >= DOCUMENT_CACHE:
            _TEXTS.clear()
        _TEXTS[key] = found
    return found


def has_text(opportunity_id: str, content_hash: str | None) -> bool:
    """Whether a row's analysed text is cached (then its text columns need not be read)."""
    return (opportunity_id, content_hash) in _TEXTS


@dataclass(frozen=True)
class Hashed:
    """A row known by its id and content hash only, its words cached."""

    id: str
    content_hash: str


def _occurrences(joined: str, phrase: str) -> int:
    count, at = 0, joined.find(phrase)
    while at >= 0:
        count += 1
        at = joined.find(phrase, at + 1)
    return count


def text_score(opportunity: Any, words: list[str]) -> float:
    """A BM25-shaped score of the words in the row's own title, summary and eligibility text.

    Computed from the row alone, so SQLite and PostgreSQL rank a shortlist the same way (their
    own ranks, bm25 and ts_rank, differ); plural-insensitive like the FTS5 query. The row's words
    are read once per content (cached); the words of the query once per list of words.
    """
    return _text_score(opportunity, _text_keys(tuple(words)))


def text_score_rows(rows: list[Any], words: list[str]) -> list[float]:
    """text_score of each row (the words read once for all)."""
    keys = _text_keys(tuple(words))
    return [_text_score(row, keys) for row in rows]


def _text_score(opportunity: Any, keys: _TextKeys) -> float:
    if not keys.single and not keys.phrases:
        return 0.0
    score = 0.0
    for found, (_, weight, typical) in zip(_field_texts(opportunity), _TEXT_FIELDS, strict=True):
        if not found.size:
            continue
        norm = _K1 * (1 - _B + _B * found.size / typical)
        gained = 0.0
        for word in keys.single & found.words:
            tf = found.counts[word]
            gained += tf * (_K1 + 1) / (tf + norm)
        for parts, phrase in keys.phrases:
            if parts <= found.words and (tf := _occurrences(found.joined, phrase)):
                gained += tf * (_K1 + 1) / (tf + norm)
        score += weight * gained
    return score


@dataclass
class Relevance:
    score: float  # 0..1
    matched: list[tuple[str, str, str]]  # (concept, field, word found)
    head: str = ""  # the title and summary's folded words, for stage_hit


def _fields(opportunity: Any) -> dict[str, str]:
    return {
        "title": opportunity.title or "",
        "themes": " ; ".join(opportunity.themes or ()),
        "summary": (opportunity.summary_plain or "")[:SUMMARY_CHARS],
        "eligibility": (opportunity.eligibility_plain or "")[:ELIGIBILITY_CHARS],
    }


def _group_labels(codes: set[str] | frozenset[str]) -> list[str]:
    """The French and English names of the groups (West Africa, Sahel...) the countries belong to."""
    from funding.extract.geography import _read

    names = []
    for row in _read("country_groups.csv"):
        if set(row["members"].split()) & set(codes) and row["group"] != "EU":
            names.extend((row["label_fr"] + "|" + row["label_en"]).split("|"))
    return [n for n in names if len(n) > 3]


@dataclass(frozen=True)
class Document:
    """A call's fields read once: folded words joined by spaces and the themes each field names."""

    joined: dict[str, str]
    themes: dict[str, dict[str, str]]
    words: dict[str, frozenset[str]] = field(default_factory=dict)


_DOCUMENTS: dict[tuple[str, str | None], Document] = {}
DOCUMENT_CACHE = 50_000


def document(opportunity: Any) -> Document:
    """A call's Document, cached by id and content hash (a changed call is read again)."""
    key = (opportunity.id, getattr(opportunity, "content_hash", None))
    found = _DOCUMENTS.get(key) if key[1] else None
    if found is not None:
        return found
    folded = {name: tokens(value) for name, value in _fields(opportunity).items()}
    found = Document(
        {name: " " + " ".join(words) + " " for name, words in folded.items()},
        {name: find_themes(words) for name, words in folded.items()},
        {name: frozenset(words) for name, words in folded.items()},
    )
    if key[1]:
        if len(_DOCUMENTS) >= DOCUMENT_CACHE:
            _DOCUMENTS.clear()
        _DOCUMENTS[key] = found
    return found


def clear_documents() -> None:
    _DOCUMENTS.clear()
    _TEXTS.clear()


def score_text(opportunity: Any, query: Query) -> Relevance:
    """How much of the profile's concepts a call's fields speak of, weighted by field (0..1)."""
    doc = document(opportunity)
    joined, found_themes = doc.joined, doc.themes
    total = sum(c.weight for c in query.concepts) or 1.0
    gained, matched = 0.0, []
    for concept in query.concepts:
        best, where, word = 0.0, "", ""
        for name, weight in FIELD_WEIGHTS.items():
            if weight <= best:
                continue
            hit = None
            if concept.theme:
                hit = found_themes[name].get(concept.theme)
            elif concept.phrase:
                hit = _phrase_hit(concept.phrase, joined[name], fuzzy=name in ("title", "themes"))
            elif concept.places and name != "eligibility":
                firsts = concept.place_firsts & doc.words[name]
                if firsts:
                    hit = next(
                        (
                            " ".join(k)
                            for k in concept.places
                            if k[0] in firsts and _phrase_hit(k, joined[name], fuzzy=False)
                        ),
                        None,
                    )
            if hit:
                best, where, word = weight, name, hit
        if best:
            gained += concept.weight * best
            matched.append((concept.name, where, word))
    return Relevance(gained / total, matched, joined["title"] + joined["summary"])


def _phrase_hit(phrase: tuple[str, ...], joined: str, *, fuzzy: bool) -> str | None:
    """The phrase when a field (its tokens joined by spaces) holds it, or a close spelling of it."""
    words = " ".join(phrase)
    if f" {words} " in joined:
        return words
    if (
        fuzzy
        and len(words) >= 5
        and len(joined) > 2
        and fuzz.partial_ratio(words, joined, score_cutoff=90) >= 90  # the cutoff: sooner done
    ):
        return words
    return None


def stage_hit(relevance: Relevance, stage: str | None) -> str | None:
    """A word saying the call funds the profile's stage (design, pilot, scale-up), if any."""
    if not stage:
        return None
    for word, key in _stage_keys(stage):
        if key in relevance.head:
            return word
    return None


@cache
def _stage_keys(stage: str) -> tuple[tuple[str, str], ...]:
    return tuple((word, " " + " ".join(tokens(word))) for word in STAGE_WORDS[stage])


def significant_words(value: str | None) -> list[str]:
    """The words of a free text worth searching for (no stop words, no short words)."""
    return [w for w in fold(value or "").split() if len(w) > 3 and w not in STOPWORDS]
