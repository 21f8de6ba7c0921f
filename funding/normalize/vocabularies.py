"""Source words mapped onto the program's canonical values, from CSV files staff can edit."""

import csv
import gzip
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from funding.normalize.text import split_words
from funding.normalize.words import fold

FILES = {
    "applicant_type": "applicant_types.csv",
    "instrument": "instruments.csv",
    "recurrence": "recurrence.csv",
    "status": "status.csv",
}
LABELS = "labels.csv"
OVERRIDE_DIR = "FUNDING_VOCABULARY_DIR"


def _singular(key: str) -> str:
    """Drop plural 's' from a folded key ('entreprises privees' -> 'entreprise privee')."""
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in key.split())


def csv_rows(path: Path | Traversable) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) of a vocabulary CSV (gzipped when it ends in .gz), every cell stripped: the one
    reader of the program's own CSV files (user files go through funding.ingest.importer)."""
    with (
        gzip.open(path.open("rb"), "rt", encoding="utf-8", newline="")
        if path.name.endswith(".gz")
        else path.open(encoding="utf-8", newline="")
    ) as f:
        reader = csv.DictReader(f)
        for row in reader:
            cells = {k: v.strip() if isinstance(v, str) else (v or "") for k, v in row.items()}
            yield reader.line_num, cells


def read_csv(path: Path | Traversable) -> list[dict[str, str]]:
    """The rows of a vocabulary CSV, cells stripped (see csv_rows)."""
    return [row for _, row in csv_rows(path)]


def vocabulary_sources(name: str) -> list[tuple[str, Path]]:
    """List the packaged CSV and the staff override of the same name, in load order."""
    found = [(name, Path(str(files("funding") / "vocabularies" / name)))]
    if override := os.environ.get(OVERRIDE_DIR):
        path = Path(override) / name
        if path.is_file():
            found.append((str(path), path))
    return found


def _rows(name: str) -> list[tuple[str, int, dict[str, str]]]:
    """Read (file, line, row) from the packaged CSV then its override, so later rows win."""
    rows = []
    for label, path in vocabulary_sources(name):
        rows.extend((label, line, cells) for line, cells in csv_rows(path))
    return rows


@dataclass(frozen=True)
class _Label:
    label_fr: str
    label_en: str
    parent: str | None


def _labels() -> dict[str, dict[str, _Label]]:
    """Read labels.csv: kind -> canonical -> labels, in file order."""
    labels: dict[str, dict[str, _Label]] = {kind: {} for kind in FILES}
    for _, _, row in _rows(LABELS):
        if row["kind"] in labels:
            labels[row["kind"]][row["canonical"]] = _Label(
                row["label_fr"], row["label_en"], row["parent"] or None
            )
    return labels


@dataclass
class Vocabulary:
    """One kind's words, looked up by folded form so case, accents and plurals do not matter."""

    kind: str
    canonicals: dict[str, _Label]
    words: dict[str, str] = field(default_factory=dict)
    singulars: dict[str, str] = field(default_factory=dict)

    def add(self, word: str, canonical: str) -> None:
        """Index a word under its folded and singular forms; a later word wins."""
        key = fold(word)
        self.memo.clear()
        self.words[key] = canonical
        self.singulars[_singular(key)] = canonical

    memo: dict[str, str | None] = field(default_factory=dict)

    def lookup(self, word: str) -> str | None:
        """Return the canonical value for a word, or None when the word is not listed."""
        if word in self.memo:
            return self.memo[word]
        if word.strip() in self.canonicals:
            found: str | None = word.strip()
        else:
            key = fold(word)
            found = self.words.get(key) or self.singulars.get(_singular(key))
        if len(self.memo) < 100_000:
            self.memo[word] = found
        return found


# Load once: each kind's vocabulary read from CSV once per process (not a performance cache).
@cache
def vocabulary(kind: str) -> Vocabulary:
    """Load a kind's vocabulary once: canonical values and labels, then the words CSV."""
    if kind not in FILES:
        raise KeyError(f"unknown vocabulary kind {kind!r}")
    canonicals = _labels()[kind]
    result = Vocabulary(kind, canonicals)
    for canonical, labels in canonicals.items():
        for word in (canonical, labels.label_fr, labels.label_en):
            result.add(word, canonical)
    for _, _, row in _rows(FILES[kind]):
        if row["canonical"] in canonicals:
            result.add(row["word"], row["canonical"])
    return result


def map_terms(kind: str, words: str | list[str] | None) -> tuple[list[str], list[str]]:
    """Map a multi-valued source field to (canonical values, raw words); unknown stay raw."""
    raw = split_words(words)
    found = vocabulary(kind)
    canonical: list[str] = []
    for word in raw:
        value = found.lookup(word)
        if value and value not in canonical:
            canonical.append(value)
    return canonical, raw


def map_term(kind: str, word: str | None) -> str | None:
    """Map one source word (an instrument, a status...) to its canonical value, None if unknown."""
    return vocabulary(kind).lookup(word) if word and word.strip() else None


def label(kind: str, canonical: str, lang: str = "fr") -> str:
    """Name a canonical value for readers; a value that is not canonical is shown as given."""
    labels = vocabulary(kind).canonicals.get(canonical)
    if labels is None:
        return canonical
    return labels.label_fr if lang == "fr" else labels.label_en


def canonical_values(kind: str) -> list[str]:
    """List a kind's canonical values in labels.csv order, e.g. to fill a form's choices."""
    return list(vocabulary(kind).canonicals)


def parent(kind: str, canonical: str) -> str | None:
    """Give the broader value a canonical one belongs to (startup -> sme -> company)."""
    labels = vocabulary(kind).canonicals.get(canonical)
    return labels.parent if labels else None


def vocabulary_errors() -> list[str]:
    """Check every CSV so a staff edit cannot silently drop or contradict a mapping."""
    errors = []
    labels = _labels()
    for source, line, row in _rows(LABELS):
        kind, canonical, parent_value = row["kind"], row["canonical"], row["parent"]
        if kind not in FILES:
            errors.append(f"{source} line {line}: '{kind}' is not a vocabulary kind")
        elif parent_value and parent_value not in labels[kind]:
            errors.append(
                f"{source} line {line}: parent '{parent_value}' is not a canonical {kind}"
            )
        elif not canonical:
            errors.append(f"{source} line {line}: canonical is empty")
    for kind, name in FILES.items():
        seen: dict[tuple[str, str], tuple[str, int]] = {}
        for source, line, row in _rows(name):
            word, canonical = row["word"], row["canonical"]
            if canonical not in labels[kind]:
                errors.append(f"{source} line {line}: '{canonical}' is not a canonical {kind}")
                continue
            if not fold(word):
                errors.append(f"{source} line {line}: the word is empty")
                continue
            key = (source, fold(word))
            if key in seen and seen[key][0] != canonical:
                errors.append(
                    f"{source} line {line}: '{word}' is already mapped to {seen[key][0]}"
                    f" on line {seen[key][1]}"
                )
            seen.setdefault(key, (canonical, line))
    return errors
