"""Text cleaning shared by every source: HTML to plain text, multi-valued fields, glued headings."""

import re
from functools import lru_cache

from lxml import etree

_HTML = re.compile(
    r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>|&(?:[a-zA-Z]+\d*|#\d+|#x[0-9a-fA-F]+);"
)
_DROPPED = {"script", "style", "noscript", "template", "head"}
_PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre"}
_LINES = {"div", "tr", "section", "article", "header", "footer", "dl", "dt", "dd", "address"}
_BLANK_LINES = re.compile(r"\n{3,}")
_PARSER = etree.HTMLParser()
_FULL_DOCUMENT = re.compile(r"\s*<(?:html|!doctype)", re.IGNORECASE)  # as lxml.html tells them
_CUT_ATTRIBUTE = re.compile(r"^\s*[\"']?>")
_SEPARATORS = frozenset(";|\n\r")
_PLAIN_LABEL_WORDS = 4


def looks_like_html(value: str) -> bool:
    """Tell markup from plain text, so plain text skips the HTML parser."""
    return bool(_HTML.search(value))


def _tidy(value: str) -> str:
    """Collapse spaces, strip lines and keep at most one blank line."""
    lines = "\n".join(" ".join(line.split()) for line in value.splitlines())
    return _BLANK_LINES.sub("\n\n", lines).strip()


def _append_text(element: etree._Element, out: list[str | int]) -> None:
    """Write an element's text; ints mark line (1) or paragraph (2) breaks, as browsers show blocks."""
    if element.text:
        out.append(element.text.replace("\n", " "))
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else None  # comments, processing instructions
        if tag is None or tag in _DROPPED:
            pass
        elif tag == "br":
            out.append("\n")
        elif tag == "li":
            out.extend((1, "- "))
            _append_text(child, out)
            out.append(1)
        elif tag in ("td", "th"):
            out.append(" ")
            _append_text(child, out)
            out.append(" ")
        else:
            block = 2 if tag in _PARAGRAPHS else 1 if tag in _LINES else 0
            out.append(block)
            _append_text(child, out)
            out.append(block)
        if child.tail:
            out.append(child.tail.replace("\n", " "))


def _parse_html(value: str) -> etree._Element:
    """What lxml's HTML parser makes of a fragment (placed in a body, as lxml.html does) or of a
    whole document; <head> is dropped by _append_text. Plain lxml elements, not lxml.html's
    classes: those cost a Python call per element."""
    if not _FULL_DOCUMENT.match(value):
        value = f"<html><body>{value}</body></html>"
    root = etree.fromstring(value, _PARSER)
    return etree.Element("html") if root is None else root


def _join(out: list[str | int]) -> str:
    """Join text pieces, merging adjacent break marks into the widest one."""
    text, pending = [], 0
    for piece in out:
        if isinstance(piece, int):
            pending = max(pending, piece)
        elif piece.strip() or (text and text[-1] != "- " and not pending):
            if pending and text and text[-1] != "- ":
                text.append("\n" * pending)
            text.append(piece)
            pending = 0
    return "".join(text)


def html_to_text(value: str | None) -> str | None:
    """Turn a funder's HTML into readable plain text with its paragraphs and list items kept."""
    if value is None:
        return None
    value = _CUT_ATTRIBUTE.sub("", value)
    if not looks_like_html(value):
        return _tidy(value)
    out: list[str | int] = []
    _append_text(_parse_html(value), out)
    return _tidy(_join(out))


def _is_slash_separator(value: str, i: int) -> bool:
    """A ' / ' separates labels unless a lowercase word follows ('Juridique / administrative')."""
    return value[i - 1 : i + 2] == " / " and not value[i + 2 : i + 3].islower()


def _split_outside_parentheses(value: str) -> list[str]:
    """Split on ; | newlines and ' / ', never inside parentheses ('Établissements (écoles, …)')."""
    parts, start, depth = [], 0, 0
    for i, char in enumerate(value):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif depth:
            continue
        elif char in _SEPARATORS or _is_slash_separator(value, i):
            parts.append(value[start:i])
            start = i + 1
    parts.append(value[start:])
    return parts


def _split_label_list(value: str) -> list[str]:
    """Split 'A, B, C' only when every piece reads as a label, not as a clause of a sentence."""
    if ", " not in value:
        return [value]
    pieces, start, depth = [], 0, 0
    for i, char in enumerate(value):
        depth += (char == "(") - (char == ")") if char in "()" else 0
        if depth == 0 and value.startswith(", ", i):
            pieces.append(value[start:i])
            start = i + 2
    pieces.append(value[start:])
    is_label = [p.strip()[:1].isupper() or len(p.split()) <= _PLAIN_LABEL_WORDS for p in pieces]
    return pieces if all(is_label) else [value]


def split_words(value: str | list[str] | None) -> list[str]:
    """Split a multi-valued source field into its words, keeping order and dropping repeats."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    words: list[str] = []
    for item in items:
        for word in _split_item(item):
            if word not in words:
                words.append(word)
    return words


# Kept: `python -m benchmarks.cache_benchmark --workloads normalize` (the 590 snapshot records
# validated and converted once, CPU): without it 635 → 792 ms.
@lru_cache(maxsize=65_536)
def _split_item(item: str) -> tuple[str, ...]:
    """One source value's words; cached because sources repeat the same labels on every record."""
    words = []
    for part in _split_outside_parentheses(item):
        for piece in _split_label_list(part):
            word = " ".join(piece.split())
            if word:
                words.append(word)
    return tuple(words)


# EU Funding & Tenders texts come with their headings glued to the next word, the markup between
# them stripped upstream ("Expected Outcome:Project results", "Other Eligible ConditionsThe JRC",
# "General conditions1. Admissibility", "Eligible countriesdescribed in Annex B").
_GLUED = re.compile(
    r"(?<=[a-z]{2})(?=[A-Z][a-z])"  # ConditionsThe
    r"|(?<=[a-z]{2})(?=\d{1,2}\.\s?[A-Z])"  # conditions1. Admissibility
    r"|(?i:(?<=eligible countries))(?=[a-z])"  # countriesdescribed
)
_GLUED_COLON = re.compile(r"(?<=[a-z])(?<!mailto)(?<!https)(?<!http)(?<!urn)(?<!doi):(?=[A-Za-z])")


def unglue(text: str | None) -> str | None:
    """Put back the space between a heading and the text after it (EU texts, see _GLUED)."""
    if not text:
        return text
    return _GLUED_COLON.sub(": ", _GLUED.sub(" ", text))
