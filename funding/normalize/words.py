"""Words of a text for search and scoring: folded tokens (the full-text index's plural-insensitive
forms), stop words in French and English, and Snowball stems (PyStemmer) by language."""

import re
from functools import lru_cache

import Stemmer

from funding.extract.sentences import bare

STOPWORDS = frozenset(
    """
    a au aux avec ce ces cet cette dans de des du elle en et eux il ils je la le les leur leurs lui
    ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta
    te tes toi ton tu un une vos votre vous c d j l m n s t y ete etre avoir ont est sont fait faire
    plus tout tous toute toutes afin ainsi aussi autre autres comme dont donc entre lors peut peuvent
    sans selon si sous tres vers via chaque deux cela celle celles ceux ceci ici sera seront
    the of and to in for on with by from at as is are be been being or an this that these those it
    its their they them we our us you your will shall should can could may might must not no into
    over under than then there here which who whom whose what when where how all any each other such
    more most also both only own same so very per within without between across about through during
    before after above below up down out off again further once would
    projet projets project projects
    """.split()
)

_STEMMERS = {"fr": Stemmer.Stemmer("french"), "en": Stemmer.Stemmer("english")}
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


def words(value: str | None) -> list[str]:
    """Folded words of a text: lowercase, no accents, ligatures spelled out, punctuation dropped."""
    if not value:
        return []
    if value.isascii():
        return _ascii_words(value).split()
    parts = _NON_ASCII.split(value)  # ASCII, non-ASCII, ASCII, ...
    parts[::2] = [_ascii_words(part) for part in parts[::2]]
    parts[1::2] = [part.translate(_WORD_TABLE) for part in parts[1::2]]
    return "".join(parts).split()


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """Plural-insensitive key for a folded token ('dechets' -> 'dechet', 'eaux' -> 'eau'): the
    forms the full-text index is queried with."""
    if len(token) > 3 and token[-1] in "sx" and not token.endswith("ss"):
        return token[:-1]
    return token


def tokens(value: str | None) -> list[str]:
    """Folded, plural-insensitive words of a text: `[stem(w) for w in words(value)]`, the
    per-word work done by C loops over the whole text (over 2x faster on long texts)."""
    if not value:
        return []
    return _PLURAL.sub("", " ".join(words(value))).split()


def language_of(value: str | None) -> str:
    """fr or en: the stemmer a text's words are reduced with (French unless it says English)."""
    return "en" if (value or "").lower()[:2] == "en" else "fr"


def stems(value: str | None, lang: str = "fr") -> list[str]:
    """The Snowball stems of a text's words in its language, stop words and numbers left out."""
    kept = [w for w in words(value) if len(w) > 1 and w not in STOPWORDS and not w.isdigit()]
    return _STEMMERS[lang].stemWords(kept) if kept else []


@lru_cache(maxsize=100_000)
def stems_of_word(word: str) -> tuple[str, ...]:
    """A query word's stems in French and in English (a profile's words may be in either)."""
    kept = [w for w in words(word) if len(w) > 1 and w not in STOPWORDS and not w.isdigit()]
    if len(kept) != 1:
        return ()
    return tuple(dict.fromkeys(s.stemWord(kept[0]) for s in _STEMMERS.values()))
