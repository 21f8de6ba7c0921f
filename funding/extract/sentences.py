"""Sentences out of funders' texts, including EU portal texts whose blocks lost their spaces."""

import re
import unicodedata
from dataclasses import dataclass

# Each break comes with a cheap test that any piece it cuts passes (it searches for the characters
# the break needs, starting with a rare one so the scan is fast); pieces failing it are left whole.
_BREAKS = [
    (re.compile(r"\n+|\r+"), re.compile(r"[\n\r]")),
    (re.compile(r"(?<=[.!?;])\s+"), re.compile(r"[.!?;]\s")),  # ordinary end of sentence
    (  # "document.Proposal"
        re.compile(r"(?<=[a-z\u00e0-\u00ff)\]%]{2}[.!?])(?=[A-Z\u00c0-\u00de])"),
        re.compile(r"[.!?][A-Z\u00c0-\u00de]"),
    ),
    (  # "28/04/2026.Deadline"
        re.compile(r"(?<=\d[.!?])(?=[A-Z\u00c0-\u00de][a-z])"),
        re.compile(r"[.!?][A-Z\u00c0-\u00de]"),
    ),
    (  # "Conditions1. Admissibility"
        re.compile(r"(?<=[a-z\u00e0-\u00ff:]{2})(?=\d{1,2}[a-z]?\.\s?[A-Z])"),
        re.compile(r"\d[a-z]?\.\s?[A-Z]"),
    ),
    (  # "conditionsThe consortium"
        re.compile(r"(?<=[a-z\u00e0-\u00ff]{3})(?=[A-Z][a-z]{2})"),
        re.compile(r"[A-Z](?<=[a-z\u00e0-\u00ff][A-Z])"),
    ),
    (  # bullets
        re.compile(r"\s{2,}(?=[-*]\s)|\s*(?=[•✓▪►]\s)"),
        re.compile(r"[-*•✓▪►]\s"),
    ),
]
_SPACES = re.compile(r"\s+")
MAX_SNIPPET = 320


@dataclass(frozen=True)
class Sentence:
    """One sentence: as written (for the evidence) and lowercased without accents (for patterns)."""

    text: str
    bare: str
    origin: str


class _BareTable(dict):
    """str.translate table built as characters are met: each one to its bare lowercase letter."""

    def __missing__(self, code: int) -> str:
        self[code] = unicodedata.normalize("NFD", chr(code))[0].lower()[0]
        return self[code]


_BARE = _BareTable()


def bare(text: str) -> str:
    """Lowercase without accents, one character for one, so a match's span fits the original."""
    return text.translate(_BARE)


def split_sentences(text: str | None, origin: str = "text") -> list[Sentence]:
    """Cut a text into sentences robustly: stops, line breaks, bullets, glued headings."""
    if not text:
        return []
    pieces = [text]
    for pattern, needed in _BREAKS:
        if needed.search(text):  # a piece is part of the text: no piece can break if it cannot
            pieces = [
                part
                for piece in pieces
                for part in (pattern.split(piece) if needed.search(piece) else (piece,))
            ]
    sentences = []
    for piece in pieces:
        clean = _SPACES.sub(" ", piece).strip(" -•✓▪►·*\t")
        if len(clean) >= 4:
            sentences.append(Sentence(clean, bare(clean), origin))
    return sentences


def snippet(sentence: Sentence, start: int = 0, end: int | None = None) -> str:
    """The evidence shown to staff: the sentence, cut around the match when it is long."""
    text = sentence.text
    if len(text) <= MAX_SNIPPET:
        return text
    end = len(text) if end is None else end
    middle = (start + end) // 2
    left = max(0, min(middle - MAX_SNIPPET // 2, len(text) - MAX_SNIPPET))
    cut = text[left : left + MAX_SNIPPET]
    return ("…" if left else "") + cut + ("…" if left + MAX_SNIPPET < len(text) else "")
