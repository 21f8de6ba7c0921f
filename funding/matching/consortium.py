"""What a call's text asks of the consortium ("at least three independent legal entities, each
established in a different Member State", "at least 30 % of the beneficiaries established in African
Union member states", "au moins trois partenaires de trois pays différents"), and whether a
consortium meets it: partners counted by where they are established."""

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from funding.enrich.extract.sentences import split_sentences
from funding.normalize.words import bare, count_of
from funding.territory import places

_N = r"(\d{1,2}|one|two|three|four|five|six|un|une|deux|trois|quatre|cinq)"
_ENTITY = (
    r"(?:independent |other |additional )*(?:legal )?(?:entities|entity|organisations?|"
    r"organizations?|partners?|participants?|beneficiaries|applicants?|partenaires?|structures?|"
    r"organismes?|entites?(?: juridiques?)?|acteurs?|institutions?)"
)
# Where the counted partners must be: "in a Member State", "in African Union member states"...
_WHERE = (
    r"(?:african union|au) member states?|union africaine|member states? or associated countr(?:y|ies)"
    r"|member states? and associated countr(?:y|ies)|associated countr(?:y|ies)|eu member states?"
    r"|member states?|etats? membres?|low (?:and|or) (?:lower[- ]|upper[- ])*middle[- ]income countr(?:y|ies)"
    r"|(?:different |distinct )?countr(?:y|ies)|pays"
)
_AT_LEAST = (
    r"(?:at least|a minimum of|minimum(?: of)?|au moins|au minimum|minimum de|no fewer than)"
)
_COUNTED = re.compile(rf"{_AT_LEAST} {_N} {_ENTITY}")
_SHARE = re.compile(
    rf"{_AT_LEAST} (\d{{1,2}}) ?% of (?:the )?(?:beneficiaries|participants|partners)"
)
_TAIL_END = re.compile(r"[.;]|at least|au moins")
_DIFFERENT = re.compile(
    r"(?:each|all|chacune?|tous)? ?(?:established |etablie?s? |based |situee?s? )?(?:in|from|de|dans)"
    r" (?:a |an |des |de )?(?:at least \w+ )?(?:different|distinct|differents|distincts|differentes)"
    r"|(?:de|from) (?:\w+ )?(?:pays|countries|etats membres|member states) (?:differents|distincts|different)"
    r"|different (?:member states|countries)|pays differents|etats membres differents"
)


@dataclass(frozen=True)
class Requirement:
    """At least `count` partners (or `share` of them), established `within` a place when given,
    from `count` different countries when `distinct`; `words` is the funder's sentence."""

    count: int
    within: str | None
    distinct: bool
    words: str
    share: float | None = None

    def needed(self, partners: int) -> int:
        if self.share is not None:
            return max(1, math.ceil(self.share * partners))
        return self.count


def _where(tail: str) -> str | None:
    """The place a requirement counts partners in (None: anywhere)."""
    if re.search(r"african union|\bau\b member|union africaine", tail):
        return "AU"
    if re.search(r"low (?:and|or) (?:lower[- ]|upper[- ])*middle[- ]income", tail):
        return None  # no list of these countries here: counted anywhere, the words kept
    if re.search(r"associated countr", tail) and re.search(r"member state|etats? membres?", tail):
        return "EU+ASSOCIATED"
    if re.search(r"member states?|etats? membres?", tail):
        return "EU"
    found = [p for p, _, _ in places.find_in_text(tail.title()) if places.kind(p) != "country"]
    return found[0] if found else None


# Kept: `python -m benchmarks.cache_benchmark --workloads match` (7 profiles ranked twice over
# 10,000 calls, CPU): without it the second pass 1.0 → 1.5 s, the first 4.9 → 5.2 s.
@lru_cache(maxsize=20_000)
def requirements(text: str | None) -> tuple[Requirement, ...]:
    """Every consortium requirement a call's text states, each with its sentence."""
    if not text or not re.search(r"at least|au moins|minimum|no fewer", text, re.IGNORECASE):
        return ()
    found: list[Requirement] = []
    for sentence in split_sentences(text):
        low = bare(sentence.text)
        for match in _COUNTED.finditer(low):
            count = count_of(match.group(1))
            tail = _tail(low, match.end())
            if not count or count > 20 or _is_not_a_rule(low, match.start()):
                continue
            within = _where(tail)
            distinct = bool(_DIFFERENT.search(tail))
            found.append(Requirement(count, within, distinct, sentence.text[:320]))
        for match in _SHARE.finditer(low):
            share = int(match.group(1)) / 100
            found.append(
                Requirement(
                    0, _where(_tail(low, match.end())), False, sentence.text[:320], share=share
                )
            )
    return tuple(dict.fromkeys(found))


def _tail(text: str, start: int) -> str:
    """What follows a count, up to the end of its clause or the next count (at most 150 characters)."""
    end = _TAIL_END.search(text, start)
    return text[start : min(end.start() if end else len(text), start + 150)]


_NOT_A_RULE = re.compile(
    r"\b(?:should|could|may|encouraged|recommended|ideally|for example|e\.g|such as|pourront"
    r"|peuvent|de preference|idealement)\b"
)


def _is_not_a_rule(sentence: str, at: int) -> bool:
    """A wish, not a condition ("should involve at least two"), or the number of something else."""
    before = sentence[max(0, at - 60) : at]
    return bool(_NOT_A_RULE.search(before))


@dataclass(frozen=True)
class Count:
    """How a consortium stands against one requirement: who counts, how many more are needed."""

    requirement: Requirement
    counted: tuple[int, ...]  # indexes of the partners that count
    missing: int

    @property
    def met(self) -> bool:
        return self.missing <= 0


def count(requirement: Requirement, seats: list[frozenset[str]]) -> Count:
    """Partners that count for a requirement (their seat inside its place, one per country when
    the countries must differ) and how many are missing; a partner whose seat is not known is
    not counted (the caller says it is to verify)."""
    inside = [
        i
        for i, seat in enumerate(seats)
        if seat
        and (requirement.within is None or places.relate({requirement.within}, seat) == "inside")
    ]
    if requirement.distinct:
        by_country: dict[str, int] = {}
        for i in inside:
            country = next((places.country_of(p) for p in seats[i] if places.country_of(p)), None)
            if country and country not in by_country:
                by_country[country] = i
        inside = sorted(by_country.values())
    needed = requirement.needed(len(seats))
    return Count(requirement, tuple(inside), needed - len(inside))
