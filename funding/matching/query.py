"""A partnership profile read as a query: weighted words (what the partnership is about first,
the project's own sentences after), the themes it names (themes.csv, French and English), the
words the full-text index is searched with, and the text its meaning is embedded from."""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process

from funding.matching.profile import Profile
from funding.normalize.vocabularies import read_csv, vocabulary_sources
from funding.normalize.words import STOPWORDS, stems_of_word, tokens, words
from funding.territory import places

THEMES_FILE = "themes.csv"
# How much a word counts by where the profile says it: its themes say what the partnership is
# about, its keywords and name what it needs; the project's sentences say much else besides (the
# solar pump of a water project), and a theme's synonyms (themes.csv) are other people's words.
SOURCE_WEIGHTS = {"theme": 1.0, "keyword": 0.8, "name": 0.7, "project": 0.45, "synonym": 0.5}
PROJECT_WORDS = 60  # the project text's first words (where a project lead says what it is)


@dataclass(frozen=True)
class Term:
    """One word of the query: its stems (French and English), its weight, where it came from."""

    stems: tuple[str, ...]
    word: str
    weight: float
    source: str


@dataclass(frozen=True)
class Concept:
    """A theme of themes.csv the profile names, with the weight of where it names it."""

    theme: str
    weight: float


@dataclass(frozen=True)
class Query:
    """A profile read once (cached and shared: never changed)."""

    terms: tuple[Term, ...]
    concepts: tuple[Concept, ...]
    retrieval: tuple[str, ...]  # words for the full-text index (an OR of them)
    semantic_text: str  # what the profile's meaning is embedded from
    key: tuple = field(default=(), compare=False)
    where: frozenset[str] = frozenset()  # where the project takes place (project_places)
    places: tuple[str, ...] = ()  # names of those places and what holds them (place_words)
    # Each theme the profile names, as its stems and the themes.csv themes it stands for: what the
    # partnership is about, which a relevant call should speak of (coverage).
    needs: tuple[tuple[frozenset[str], frozenset[str]], ...] = ()

    @property
    def stems(self) -> dict[str, float]:
        """stem -> weight (the highest of the words it comes from)."""
        found: dict[str, float] = {}
        for term in self.terms:
            for s in term.stems:
                found[s] = max(found.get(s, 0.0), term.weight)
        return found


def _project_places(
    stated: frozenset[str], named: frozenset[str], seats: tuple[frozenset[str], ...]
) -> tuple[frozenset[str], bool]:
    if stated and any(places.is_local(p) for p in stated):
        return places.most_precise(stated), False  # "Haute-Savoie" rather than France too
    countries = stated or frozenset(c for s in seats for p in s if (c := places.country_of(p)))
    local = {p for seat in seats for p in seat if places.is_local(p)} | set(named)
    narrowed = places.most_precise({p for p in local if places.country_of(p) in countries})
    if narrowed:
        covered = {places.country_of(p) for p in narrowed}
        return narrowed | frozenset(c for c in countries if c not in covered), True
    return stated, False


def project_places(profile: Profile) -> tuple[frozenset[str], bool]:
    """(where the project takes place, whether that was inferred): as stated; a country stated
    alone, or nothing, is narrowed to the places the project's text names and where the partners
    are established in it, the most precise of them."""
    return _project_places(
        profile.project_places, profile.named_places, tuple(p.seat for p in profile.partners)
    )


def place_words(where: frozenset[str]) -> tuple[str, ...]:
    """Names (French, English, other spellings) of the project's places and of every place that
    holds them (its région, "Grand Genève", "pays en développement"...): calls about where the
    project is are searched by them."""
    found: list[str] = []
    for place in sorted(where | frozenset().union(*(places.ancestors(p) for p in where))):
        if place not in TOO_WIDE and places.kind(place) != "continent":
            found.extend(places.names_of(place))
    return tuple(dict.fromkeys(found))


# Groups whose names every other call of their countries bears ("Union européenne"): searching
# by them finds nothing about where a project is in particular.
TOO_WIDE = frozenset({"EU", "EEA", "ASSOCIATED", "EU+ASSOCIATED"})


# themes.csv ----------------------------------------------------------------------------------


def _theme_sources() -> list[Path]:
    return [path for _, path in vocabulary_sources(THEMES_FILE)]


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


# Load once: the themes vocabulary, read from CSV once per process (not a performance cache).
@cache
def themes() -> Themes:
    """Load themes.csv (and a staff override of the same name) once."""
    found = Themes()
    for path in _theme_sources():
        for row in read_csv(path):
            theme, word = row.get("theme", ""), row.get("word", "")
            if theme and word:
                found.add(theme, word, row.get("language", ""))
    for theme in list(found.words):
        found.by_key.setdefault(" ".join(tokens(theme.replace("_", " "))), theme)
    return found


def find_themes(folded: list[str]) -> dict[str, str]:
    """Themes named in a token list: theme -> the vocabulary word found (first occurrence)."""
    index = themes().phrases
    found: dict[str, str] = {}
    for i, token in enumerate(folded):
        for key, theme, word in index.get(token, ()):
            if theme not in found and tuple(folded[i : i + len(key)]) == key:
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


# The query ------------------------------------------------------------------------------------


def _profile_key(profile: Profile, with_places: bool = True) -> tuple:
    where = project_places(profile)[0] if with_places else None
    return (
        tuple(profile.themes),
        tuple(profile.keywords),
        profile.project or "",
        profile.name,
        where,
    )


def build_query(profile: Profile, *, with_places: bool = True) -> Query:
    """The profile as a query; without places when only its words are read (partner suggestions:
    reading a profile's towns compiles every commune's name at first use, seconds in a fresh
    process). Not cached (issue 14): `python -m benchmarks.cache_benchmark --workloads match`
    measured nothing saved by the memo it had, what it reads (places, stems) being cached below."""
    key = (id(themes()), *_profile_key(profile, with_places))
    return _build_query(profile, key, with_places)


def _build_query(profile: Profile, key: tuple, with_places: bool = True) -> Query:
    terms: dict[tuple[str, ...], Term] = {}

    def add(text: str | None, weight: float, source: str, limit: int | None = None) -> None:
        for word in (words(text) if text else [])[:limit]:
            found = stems_of_word(word)
            if not found:
                continue
            current = terms.get(found)
            if current is None or current.weight < weight:
                terms[found] = Term(found, word, weight, source)

    concepts: dict[str, float] = {}
    for source, phrases in (("theme", profile.themes), ("keyword", profile.keywords)):
        for phrase in phrases:
            add(phrase, SOURCE_WEIGHTS[source], source)
            for theme in themes_of(phrase):
                concepts[theme] = max(concepts.get(theme, 0.0), SOURCE_WEIGHTS[source])
    add(profile.name, SOURCE_WEIGHTS["name"], "name")
    add(profile.project, SOURCE_WEIGHTS["project"], "project", PROJECT_WORDS)
    for theme in find_themes(tokens(" ".join(words(profile.project)[:PROJECT_WORDS]))):
        concepts.setdefault(theme, SOURCE_WEIGHTS["project"])
    vocabulary = themes()
    for theme, weight in concepts.items():
        if weight >= SOURCE_WEIGHTS["keyword"]:
            for synonym in vocabulary.words[theme]:
                add(synonym, SOURCE_WEIGHTS["synonym"], "synonym")
    ordered = sorted(terms.values(), key=lambda t: -t.weight)
    retrieval = tuple(dict.fromkeys(t.word for t in ordered if t.word not in STOPWORDS))
    semantic = ". ".join(
        filter(None, [profile.name, ", ".join(profile.themes), ", ".join(profile.keywords)])
    )
    where = project_places(profile)[0] if with_places else frozenset()
    needs = tuple(
        (
            frozenset(st for w in words(phrase) for st in stems_of_word(w)),
            frozenset(themes_of(phrase)),
        )
        for phrase in profile.themes
    )
    return Query(
        tuple(ordered),
        tuple(Concept(t, w) for t, w in concepts.items()),
        retrieval,
        semantic,
        key,
        where,
        place_words(where),
        tuple(n for n in needs if n[0] or n[1]),
    )
