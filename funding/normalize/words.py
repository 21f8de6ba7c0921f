"""Folding text, the one place it is done: lookup keys (`fold`), lowercase without accents one
character for one (`bare`, for evidence spans), words and tokens of a text for search and scoring
(the full-text index's plural-insensitive forms), stop words in French and English, and Snowball
stems (PyStemmer) by language."""

import re
import unicodedata
from collections.abc import Callable

import Stemmer

STOPWORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "cet",
        "cette",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "en",
        "et",
        "eux",
        "il",
        "ils",
        "je",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "lui",
        "ma",
        "mais",
        "me",
        "meme",
        "mes",
        "moi",
        "mon",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ou",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "qui",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "c",
        "d",
        "j",
        "l",
        "m",
        "n",
        "s",
        "t",
        "y",
        "ete",
        "etre",
        "avoir",
        "ont",
        "est",
        "sont",
        "fait",
        "faire",
        "plus",
        "tout",
        "tous",
        "toute",
        "toutes",
        "afin",
        "ainsi",
        "aussi",
        "autre",
        "autres",
        "comme",
        "dont",
        "donc",
        "entre",
        "lors",
        "peut",
        "peuvent",
        "sans",
        "selon",
        "si",
        "sous",
        "tres",
        "vers",
        "via",
        "chaque",
        "deux",
        "cela",
        "celle",
        "celles",
        "ceux",
        "ceci",
        "ici",
        "sera",
        "seront",
        "the",
        "of",
        "and",
        "to",
        "in",
        "for",
        "on",
        "with",
        "by",
        "from",
        "at",
        "as",
        "is",
        "are",
        "be",
        "been",
        "being",
        "or",
        "an",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "their",
        "they",
        "them",
        "we",
        "our",
        "us",
        "you",
        "your",
        "will",
        "shall",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "not",
        "no",
        "into",
        "over",
        "under",
        "than",
        "then",
        "there",
        "here",
        "which",
        "who",
        "whom",
        "whose",
        "what",
        "when",
        "where",
        "how",
        "all",
        "any",
        "each",
        "other",
        "such",
        "more",
        "most",
        "also",
        "both",
        "only",
        "own",
        "same",
        "so",
        "very",
        "per",
        "within",
        "without",
        "between",
        "across",
        "about",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "up",
        "down",
        "out",
        "off",
        "again",
        "further",
        "once",
        "would",
        "projet",
        "projets",
        "project",
        "projects",
    ]
)

# Words too common in call titles to tell two calls apart (dedup blocks on the others): not
# STOPWORDS, which would also drop "within", "this" and "project" from the distinctive title words.
TITLE_STOPWORDS = frozenset(
    {
        "the",
        "and",
        "for",
        "with",
        "from",
        "call",
        "calls",
        "topic",
        "proposals",
        "proposal",
        "support",
        "programme",
        "program",
        "grant",
        "grants",
        "les",
        "des",
        "pour",
        "une",
        "avec",
        "dans",
        "sur",
        "aux",
        "par",
        "appel",
        "projets",
        "projet",
        "aide",
        "aides",
        "soutien",
    }
)

#: Counts written out, one to ten, in English and French ("at least three", "au moins trois").
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
}
_STEMMERS = {"fr": Stemmer.Stemmer("french"), "en": Stemmer.Stemmer("english")}
_NON_WORD = re.compile(r"[\W_]")
_PUNCTUATION = re.compile(r"[\W_]+")
_LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss", "Œ": "oe", "Æ": "ae"}
_NON_ASCII = re.compile(r"([^\x00-\x7f]+)")


class _CharTable(dict):
    """str.translate table built as characters are met, each by the function it was made with."""

    def __init__(self, of_char: Callable[[str], str]) -> None:
        super().__init__()
        self._of_char = of_char

    def __missing__(self, code: int) -> str:
        self[code] = kept = self._of_char(chr(code))
        return kept


def _bare_char(char: str) -> str:
    return unicodedata.normalize("NFD", char)[0].lower()[0]


def _fold_char(char: str) -> str:
    spelled = "".join(_LIGATURES.get(c, c) for c in char.lower())
    decomposed = unicodedata.normalize("NFKD", spelled)
    return _PUNCTUATION.sub(" ", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _word_char(char: str) -> str:
    return "".join(
        " " if _NON_WORD.match(b := _bare_char(c)) else b for c in _LIGATURES.get(char, char)
    )


_BARE_TABLE = _CharTable(_bare_char)
_FOLD_TABLE = _CharTable(_fold_char)
_WORD_TABLE = _CharTable(_word_char)
# The same for ASCII characters, as a bytes.translate table (faster than str.translate's lookups).
_ASCII_WORDS = bytes(ord(_WORD_TABLE[i]) for i in range(128)) + bytes(range(128, 256))
# The final s or x `stem` drops, found in the whole text at once: a word of 4 characters or more
# (the text holds nothing but word characters and spaces by then), not ending in "ss".
_PLURAL = re.compile(r"[sx](?<=\w\w\w\w)(?<!ss)\b")


def _ascii_words(value: str) -> str:
    return value.encode("ascii").translate(_ASCII_WORDS).decode("ascii")


def _translate(value: str, ascii: Callable[[str], str], table: _CharTable) -> str:
    """A text's ASCII runs through a fast function, the rest through a table (the same mapping)."""
    if value.isascii():
        return ascii(value)
    parts = _NON_ASCII.split(value)  # ASCII, non-ASCII, ASCII, ...
    parts[::2] = [ascii(part) for part in parts[::2]]
    parts[1::2] = [part.translate(table) for part in parts[1::2]]
    return "".join(parts)


def fold(value: str) -> str:
    """Build the key words are looked up by, so case, accents and punctuation do not matter.

    Compatibility forms are spelled out too ('m²' -> 'm 2', 'ﬁ' -> 'fi'), which `words` does not
    do: vocabulary and place keys want them, the full-text tokens were built without them."""
    if value.isascii():
        return " ".join(_PUNCTUATION.sub(" ", value.lower()).split())
    return " ".join(value.translate(_FOLD_TABLE).split())


def bare(text: str) -> str:
    """Lowercase without accents, one character for one, so a match's span fits the original
    (which is why ligatures and punctuation stay as they are here, unlike in `fold`)."""
    return _translate(text, str.lower, _BARE_TABLE)


def words(value: str | None) -> list[str]:
    """Folded words of a text: lowercase, no accents, ligatures spelled out, punctuation dropped."""
    if not value:
        return []
    return _translate(value, _ascii_words, _WORD_TABLE).split()


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


def _content_words(value: str | None) -> list[str]:
    return [w for w in words(value) if len(w) > 1 and w not in STOPWORDS and not w.isdigit()]


def stems(value: str | None, lang: str = "fr") -> list[str]:
    """The Snowball stems of a text's words in its language, stop words and numbers left out."""
    kept = _content_words(value)
    return _STEMMERS[lang].stemWords(kept) if kept else []


def stems_of_word(word: str) -> tuple[str, ...]:
    """A query word's stems in French and in English (a profile's words may be in either)."""
    kept = _content_words(word)
    if len(kept) != 1:
        return ()
    return tuple(dict.fromkeys(s.stemWord(kept[0]) for s in _STEMMERS.values()))


def count_of(word: str) -> int:
    """'3' -> 3, 'three' or 'trois' -> 3: digits, or a lowercase word of NUMBER_WORDS."""
    return int(word) if word.isdigit() else NUMBER_WORDS[word]
