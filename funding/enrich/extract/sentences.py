"""Sentences out of funders' texts, including EU portal texts whose blocks lost their spaces."""

import re
from dataclasses import dataclass

from funding.normalize.words import bare

# Where a piece of text breaks, in this order: each pattern matches the character before or after a
# break, and its group 1 is what the break drops (spaces) or, empty, where it falls. Starting with
# that character rather than with a lookbehind (or an empty group) lets the regex engine skip ahead
# to it, which is what makes this fast; each cuts as `re.split` does with the pattern in its comment.
_CUTS = [
    re.compile(r"[.!?;](\s+)"),  # ordinary end of sentence: (?<=[.!?;])\s+
    re.compile(  # "document.Proposal": (?<=[a-z\u00e0-\u00ff)\]%]{2}[.!?])(?=[A-Z\u00c0-\u00de])
        r"[.!?](?<=[a-z\u00e0-\u00ff)\]%]{2}[.!?])()(?=[A-Z\u00c0-\u00de])"
    ),
    re.compile(  # "28/04/2026.Deadline": (?<=\d[.!?])(?=[A-Z\u00c0-\u00de][a-z])
        r"[.!?](?<=\d[.!?])()(?=[A-Z\u00c0-\u00de][a-z])"
    ),
    re.compile(  # "Conditions1. Admissibility": (?<=[a-z\u00e0-\u00ff:]{2})(?=\d{1,2}[a-z]?\.\s?[A-Z])
        r"\d(?<=[a-z\u00e0-\u00ff:]{2}()\d)(?=\d?[a-z]?\.\s?[A-Z])"
    ),
    re.compile(  # "conditionsThe consortium": (?<=[a-z\u00e0-\u00ff]{3})(?=[A-Z][a-z]{2})
        r"[A-Z](?<=[a-z\u00e0-\u00ff]{3}()[A-Z])(?=[a-z]{2})"
    ),
]
_BULLETS = re.compile(r"\s{2,}(?=[-*]\s)|\s*(?=[•✓▪►]\s)")
# where _BULLETS can match, found fast: it starts with the bullet, not with an alternation
_BULLET = re.compile(r"[-*•✓▪►](?:(?<=\s\s[-*])|(?<=[•✓▪►]))\s")
MAX_SNIPPET = 320


@dataclass(frozen=True)
class Sentence:
    """One sentence: as written (for the evidence) and lowercased without accents (for patterns)."""

    text: str
    bare: str
    origin: str


def _cut(pieces: list[str], place: re.Pattern[str]) -> list[str]:
    """Each piece cut at every match of a _CUTS pattern, without the match's group 1."""
    parts = []
    for piece in pieces:
        start = 0
        for match in place.finditer(piece):
            parts.append(piece[start : match.start(1)])
            start = match.end(1)
        parts.append(piece[start:] if start else piece)
    return parts


def split_sentences(text: str | None, origin: str = "text") -> list[Sentence]:
    """Cut a text into sentences robustly: stops, line breaks, bullets, glued headings."""
    if not text:
        return []
    # line breaks first; empty pieces, which give no sentence, need not be kept
    pieces = [line for line in text.replace("\r", "\n").split("\n") if line]
    # A piece is part of the text, so a cut that the whole text lacks is in no piece.
    for place in _CUTS:
        if place.search(text):
            pieces = _cut(pieces, place)
    if _BULLET.search(text):
        pieces = [
            part
            for piece in pieces
            for part in (_BULLETS.split(piece) if _BULLET.search(piece) else (piece,))
        ]
    sentences = []
    for piece in pieces:
        clean = " ".join(piece.split()).strip(" -•✓▪►·*\t")  # spaces and tabs as one space
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
