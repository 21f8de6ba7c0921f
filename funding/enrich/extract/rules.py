"""Patterns, in French and English, that read a call's own sentences into the fields its source left empty.

Every pattern runs on a sentence lowercased without accents (same length as the original), so a
match's span also points into the original text, which is what values are parsed from and what the
evidence shows. Confidence says how explicit the wording is: "at least three partners" is 0.9,
"en partenariat avec" 0.5.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from funding.enrich.extract.geography import find_places
from funding.enrich.extract.sentences import Sentence, snippet
from funding.errors import NormalizationError
from funding.normalize import parse_amount_range, parse_date, vocabulary
from funding.normalize.words import NUMBER_WORDS, count_of


class Extraction(NamedTuple):
    """One value read from the text, with the sentence that says it and how sure the reading is."""

    field: str
    value: Any
    snippet: str
    confidence: float
    method: str


@dataclass(frozen=True)
class _Hit:
    sentence: Sentence
    start: int
    end: int
    value: Any
    confidence: float
    rule: str


# Speed: a pattern is only run on a sentence holding one of its trigger words, words one of which
# every match of the pattern contains (a plain `in` test is far cheaper than a search). The words
# are first looked for in all the sentences at once: a text holds few of them, so most patterns are
# not tried at all, and a sentence is only tested for the words the whole text holds.
# Changing a pattern means checking its words still hold: a word missing silently loses matches.


class _Triggers:
    """Which trigger words occur anywhere in some sentences, each word looked for once."""

    def __init__(self, sentences: Iterable[Sentence]) -> None:
        self._text = "\n".join(s.bare for s in sentences)
        self._found: dict[str, bool] = {}

    def present(self, words: tuple[str, ...]) -> tuple[str, ...]:
        """Those of the words the sentences hold."""
        found = self._found
        for word in words:
            if word not in found:
                found[word] = word in self._text
        return tuple(word for word in words if found[word])


def _holds(text: str, words: Iterable[str]) -> bool:
    """Whether the text contains one of the words."""
    for word in words:
        if word in text:
            return True
    return False


def _search(cue: re.Pattern[str], words: tuple[str, ...], text: str) -> re.Match[str] | None:
    """cue.search(text), skipped when the text lacks every trigger word of the cue."""
    return cue.search(text) if _holds(text, words) else None


def _hits(
    sentences: list[Sentence],
    rules: list[tuple[str, float, tuple[str, ...], re.Pattern[str]]],
    triggers: _Triggers | None = None,
) -> Iterator[tuple[Sentence, re.Match[str], str, float]]:
    """Every match of every rule, sentence by sentence, rule by rule, skipping hopeless searches."""
    triggers = triggers or _Triggers(sentences)
    rules = [
        (name, confidence, present, pattern)
        for name, confidence, words, pattern in rules
        if (present := triggers.present(words))
    ]
    anything = tuple(dict.fromkeys(word for rule in rules for word in rule[2]))
    for sentence in sentences:
        if not _holds(sentence.bare, anything):
            continue
        for name, confidence, words, pattern in rules:
            if _holds(sentence.bare, words):
                for match in pattern.finditer(sentence.bare):
                    yield sentence, match, name, confidence


def _evidence(hits: list[_Hit], limit: int = 3) -> str:
    """The sentences behind a value, each once, cut around the match."""
    parts: list[str] = []
    for hit in hits:
        text = snippet(hit.sentence, hit.start, hit.end)
        if text not in parts:
            parts.append(text)
    return " | ".join(parts[:limit])


def _best(field: str, hits: list[_Hit]) -> Extraction | None:
    """The most explicit reading; disagreeing readings of the same strength lower the confidence."""
    if not hits:
        return None
    top = max(h.confidence for h in hits)
    best = [h for h in hits if h.confidence == top]
    values = {repr(h.value) for h in best}
    confidence = top - 0.15 if len(values) > 1 else top
    chosen = best[0]
    return Extraction(
        field, chosen.value, _evidence([chosen]), round(confidence, 2), f"{field}:{chosen.rule}"
    )


# Negation -----------------------------------------------------------------------------------

_NEGATED_PREDICATE = re.compile(
    r"\bne (?:sont|est|peuvent|peut|pourront|seront|pourra)\s+pas\b|\bn['’](?:est|sont)\s+pas\b"
    r"|\bnot eligible\b|\bineligible\b|\bnon[- ]eligibles?\b|\bpas eligibles?\b|\bexclue?s?\b"
    r"|\bexcluded\b|\bcannot\b|\bcan not\b|\bmay not\b|\bare not\b|\bis not\b|\bshall not\b"
)
_NEGATED_BEFORE = re.compile(
    r"\b(?:except|excluding|other than|with the exception of|sauf|hors|excepte|non compris"
    r"|a l['’ ]?exception d|a l['’ ]?exclusion d)"
)
_CLAUSE_BREAK = re.compile(r"[,;:()]|\bmais\b|\bbut\b|\bwhereas\b|\balors que\b|\bwhile\b")


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    left = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    right = next((m.start() for m in _CLAUSE_BREAK.finditer(text, end)), len(text))
    return left, right


def _negated(text: str, start: int, end: int) -> bool:
    """Whether the words at start:end are ruled out ('les entreprises ne sont pas éligibles')."""
    left, right = _clause(text, start, end)
    return bool(
        _NEGATED_PREDICATE.search(text, left, right) or _NEGATED_BEFORE.search(text, left, start)
    )


# Applicant types ----------------------------------------------------------------------------

_OPEN_TO = re.compile(
    r"ouverte?s? (?:a|aux)\b|open to\b|\bsont eligibles\b|\best eligible\b|\bare eligible\b"
    r"|\bis eligible\b|eligible (?:applicants|organi[sz]ations|entities|beneficiaries|structures)"
    r"|beneficiaires eligibles|structures eligibles|\bmay apply\b|\bcan apply\b|who can apply"
    r"|peuvent (?:candidater|deposer|postuler|beneficier|repondre|presenter|solliciter)"
    r"|qui peut (?:candidater|postuler|beneficier)|\bapplicants? must be\b"
    r"|eligibility is (?:restricted|limited) to|reservee?s? aux|s['’]adresse aux|destinee?s? aux"
    r"|\beligible for funding\b|\beligible to apply\b|\beligibles? a (?:l['’]aide|ce dispositif)"
    r"|\buniquement\b|\bexclusivement\b|\bseule?s? (?:les|peuvent)\b|\bonly (?:open to|for)\b"
    r"|\bopen only to\b|\brestricted to\b"
)
_OPEN_TO_WORDS = (
    "ouvert",
    "open to",
    "eligib",
    "apply",
    "peuvent",
    "qui peut",
    "applicant",
    "reserve",
    "adresse aux",
    "destine",
    "uniquement",
    "exclusivement",
    "seul",
    "only",
    "restricted to",
)
_AUDIENCE = re.compile(
    r"\bbeneficiaires?\s*:|public cible|\bcible\s*:|target (?:group|audience)s?\s*:"
)
_AUDIENCE_WORDS = ("beneficiaire", "cible", "target")
_INELIGIBLE = re.compile(
    r"\bne (?:sont|est|peuvent|peut|pourront|seront) pas (?:eligibles?|candidater|postuler|deposer)"
    r"|\bnot eligible\b|\bineligible\b|\bnon[- ]eligibles?\b|\bsont exclue?s\b|\bare excluded\b"
    r"|\bcannot apply\b|\bmay not apply\b"
)
_INELIGIBLE_WORDS = ("eligib", "candidater", "postuler", "deposer", "exclu", "apply")
_WORD = re.compile(r"[a-z0-9]+(?:[-'’][a-z0-9]+)*")
# Single words that name an applicant type in a list but mean something else in prose.
_PROSE_AMBIGUOUS = {
    "state",
    "states",
    "pays",
    "etat",
    "federal",
    "interstate",
    "intrastate",
    "administration",
    "region",
    "regions",
    "departement",
    "departements",
    "other",
    "others",
    "autre",
    "autres",
    "business",
    "collectivite",
    "collectivites",
}


_NEAR_BEFORE, _NEAR_AFTER = 80, 160  # how far from "open to" / "sont éligibles" a word may stand


def _applicant_words(
    sentence: Sentence, until: int | None = None
) -> list[tuple[str, str, int, int]]:
    """(canonical, word, start, end) for every applicant type named in a sentence, longest first;
    read from the start (where a name begins depends on those before it) up to `until` if given."""
    found = vocabulary("applicant_type")
    words = list(_WORD.finditer(sentence.bare))
    result, i = [], 0
    while i < len(words) and (until is None or words[i].start() <= until):
        for size in range(min(6, len(words) - i), 0, -1):
            start, end = words[i].start(), words[i + size - 1].end()
            phrase = sentence.bare[start:end]
            if size == 1 and phrase in _PROSE_AMBIGUOUS:
                continue
            canonical = found.lookup(phrase)
            if canonical and canonical != "other":
                result.append((canonical, sentence.text[start:end], start, end))
                i += size
                break
        else:
            i += 1
    return result


def applicant_types(sentences: list[Sentence]) -> list[Extraction]:
    allowed: list[str] = []
    excluded: list[str] = []
    allowed_hits: list[_Hit] = []
    excluded_hits: list[_Hit] = []
    triggers = _Triggers(sentences)
    open_to = triggers.present(_OPEN_TO_WORDS)
    audience = triggers.present(_AUDIENCE_WORDS)
    ineligible = triggers.present(_INELIGIBLE_WORDS)
    for sentence in sentences:
        text = sentence.bare
        cue = _search(_OPEN_TO, open_to, text)
        confidence, rule = (0.8, "open_to") if cue else (0.6, "audience")
        cue = cue or _search(_AUDIENCE, audience, text) or _search(_INELIGIBLE, ineligible, text)
        if not cue:
            continue
        for canonical, _word, start, end in _applicant_words(sentence, cue.end() + _NEAR_AFTER):
            if not cue.start() - _NEAR_BEFORE <= start <= cue.end() + _NEAR_AFTER:
                continue
            if _negated(sentence.bare, start, end):
                excluded_hits.append(_Hit(sentence, start, end, canonical, 0.8, "negated"))
                if canonical not in excluded:
                    excluded.append(canonical)
            else:
                allowed_hits.append(_Hit(sentence, start, end, canonical, confidence, rule))
                if canonical not in allowed:
                    allowed.append(canonical)
    result = []
    allowed = [c for c in allowed if c not in excluded]  # never add what a sentence rules out
    kept = [h for h in allowed_hits if h.value in allowed]
    if allowed:
        top = max(h.confidence for h in kept)
        rule = next(h.rule for h in kept if h.confidence == top)
        result.append(
            Extraction("applicant_types", allowed, _evidence(kept), top, f"applicant_types:{rule}")
        )
    if excluded:
        result.append(
            Extraction(
                "applicant_types_excluded",
                excluded,
                _evidence(excluded_hits),
                0.8,
                "applicant_types:negated",
            )
        )
    return result


# Partnership --------------------------------------------------------------------------------

_N = r"(\d{1,2}|" + "|".join(NUMBER_WORDS) + r")"
_ENTITIES_EN = (
    r"(?:legal entities|entities|partners|organi[sz]ations|beneficiaries|applicants|participants"
    r"|institutions|members|co-applicants)"
)
_ENTITIES_FR = (
    r"(?:partenaires|structures|organismes|entites(?: juridiques)?|acteurs|membres|associations"
    r"|etablissements|organisations|porteurs|beneficiaires|co-?porteurs)"
)
_PARTNERS = [
    (
        "at_least_n",
        0.9,
        ("at least", "minimum", "no fewer than", "not less than"),
        re.compile(
            rf"(?:at least|a minimum of|minimum of|minimum|no fewer than|not less than)\s+{_N}\s+"
            rf"(?:\(\d+\)\s+)?(?:(?:independent|different|eligible|separate)\s+)*{_ENTITIES_EN}"
        ),
    ),
    (
        "au_moins_n",
        0.9,
        ("au moins", "minimum", "pas moins de"),
        re.compile(
            rf"(?:au moins|au minimum|un minimum de|minimum de|minimum|pas moins de)\s+{_N}\s+"
            rf"(?:\(\d+\)\s+)?(?:(?:autres|differents|differentes|independants|independantes)\s+)*"
            rf"{_ENTITIES_FR}"
        ),
    ),
    (
        "consortium_of_n",
        0.85,
        ("consortium", "partnership", "partenariat", "groupement"),
        re.compile(
            rf"(?:consortium|partnership|partenariat|groupement)\s+(?:of|composed of|made up of|"
            rf"comprising|de|compose de|constitue de|regroupant)\s+{_N}\s+(?:or more\s+|ou plus\s+)?"
            rf"(?:{_ENTITIES_EN}|{_ENTITIES_FR})"
        ),
    ),
]
_PARTNERSHIP = [
    (
        "consortium_required",
        0.8,
        ("consortium", "partnership", "partenariat"),
        re.compile(
            r"(?:must|shall) be (?:submitted|carried out|implemented) by (?:a )?(?:consortium|partnership)"
            r"|consortium (?:is|are) (?:required|mandatory)|partnership (?:is )?(?:required|mandatory)"
            r"|partenariat (?:est )?(?:obligatoire|exige|requis|indispensable)"
            r"|(?:doit|doivent) etre (?:portee?s?|deposee?s?|realisee?s?|menee?s?) (?:en|par un) "
            r"(?:partenariat|consortium)"
        ),
    ),
    ("en_consortium", 0.6, ("consortium",), re.compile(r"\ben consortium\b|\bin consortium\b")),
    (
        "en_partenariat",
        0.5,
        ("partenariat", "partnership"),
        re.compile(r"\ben partenariat (?:avec|entre)\b|\bin partnership (?:with|between)\b"),
    ),
    ("consortium", 0.45, ("consorti",), re.compile(r"\bconsorti(?:um|a)\b")),
]
_SINGLE = re.compile(
    r"\bsingle applicants?\b|\bmono-?beneficiar(?:y|ies)\b|\bsingle beneficiar(?:y|ies)\b"
    r"|candidature individuelle|\bporteur unique\b|un seul (?:porteur|beneficiaire|candidat)"
)
_SINGLE_WORDS = ("single", "mono", "candidature individuelle", "porteur unique", "un seul")
_NOT_SINGLE_ONLY = re.compile(
    r"\bor (?:a |by )?(?:consorti|group|partner)|\bou (?:en |par un )?(?:groupement|consortium|partenariat)|multi-?beneficiar"
)


# "en partenariat avec Bpifrance", "in partnership with the European Commission": a name (a capital
# after an optional article) says who runs the call with the funder, not whom applicants must join.
_INSTITUTION = re.compile(r"\s+(?:(?:le|la|les|the|l['’]|d['’])\s*)?[A-ZÀ-Ý]")


def _names_an_institution(text: str, end: int) -> bool:
    return _INSTITUTION.match(text, end) is not None


def partnership(sentences: list[Sentence], *, want_count: bool) -> list[Extraction]:
    required: list[_Hit] = []
    counts: list[_Hit] = []
    triggers = _Triggers(sentences)  # of all the sentences, a superset of those kept below
    single = triggers.present(_SINGLE_WORDS)
    # "single applicants or consortia" says either is fine: no evidence either way
    sentences = [
        s
        for s in sentences
        if not (_search(_SINGLE, single, s.bare) and _NOT_SINGLE_ONLY.search(s.bare))
    ]
    for sentence, match, rule, confidence in _hits(sentences, _PARTNERS, triggers):
        if _negated(sentence.bare, match.start(), match.end()):
            continue
        n = count_of(match.group(1))
        required.append(
            _Hit(sentence, match.start(), match.end(), True, confidence if n > 1 else 0.8, rule)
        )
        if n > 1:
            counts.append(_Hit(sentence, match.start(), match.end(), n, confidence, rule))
    for sentence, match, rule, confidence in _hits(sentences, _PARTNERSHIP, triggers):
        if rule == "en_partenariat" and _names_an_institution(sentence.text, match.end()):
            continue
        if not _negated(sentence.bare, match.start(), match.end()):
            required.append(_Hit(sentence, match.start(), match.end(), True, confidence, rule))
    for sentence in sentences:
        if match := _search(_SINGLE, single, sentence.bare):
            required.append(
                _Hit(sentence, match.start(), match.end(), False, 0.8, "single_applicant")
            )
    result = []
    if found := _best("partnership_required", required):
        result.append(found)
        if want_count and found.value is True and counts:
            top = max(h.confidence for h in counts)
            largest = max((h for h in counts if h.confidence == top), key=lambda h: h.value)
            result.append(
                Extraction(
                    "min_partners",
                    largest.value,
                    _evidence([largest]),
                    top,
                    f"min_partners:{largest.rule}",
                )
            )
    return result


# Co-financing rate --------------------------------------------------------------------------

_PCT = r"(\d{1,3}(?:[.,]\d+)?)\s?%"
_RATES = [
    (
        "rate_named",
        0.85,
        ("%",),
        re.compile(
            r"(?:taux (?:maximum |maximal )?(?:d['’ ]?aide|d['’ ]?intervention|de (?:co-?)?financement|de subvention"
            r"|de prise en charge)|funding rate|co-?financing rate|reimbursement rate|grant rate"
            r"|co-?financement|co-?financing)[^.;%]{0,40}?" + _PCT
        ),
    ),
    (
        "up_to_of_costs",
        0.8,
        ("%",),
        re.compile(
            r"(?:up to|jusqu['’ ]?\s?a|maximum(?: of| de)?|max\.?|a hauteur de|dans la limite de|plafonnee? a"
            r"|not exceed(?:ing)?|n['’]excedant pas)\s*"
            + _PCT
            + r"\s*(?:of|du|des|de la|de l['’])\s*"
            r"(?:the\s+)?(?:total\s+)?(?:eligible|total|project|cout|couts|depenses|montant|budget|costs)"
        ),
    ),
    (
        "of_eligible_costs",
        0.75,
        ("%",),
        re.compile(
            _PCT + r"\s*(?:of|du|des|de la|de l['’])\s*(?:the\s+)?(?:total\s+)?(?:eligible costs"
            r"|couts? eligibles?|depenses? eligibles?|depenses subventionnables|cout total|total eligible)"
        ),
    ),
    (
        "funded_at",
        0.6,
        ("%",),
        re.compile(r"(?:a hauteur de|funded at|financee? a|subventionnee? a|aide de)\s*" + _PCT),
    ),
]


def cofinancing_rate(sentences: list[Sentence]) -> list[Extraction]:
    hits = []
    for sentence, match, rule, confidence in _hits(sentences, _RATES):
        rate = float(match.group(1).replace(",", ".")) / 100
        if 0 < rate <= 1:
            hits.append(_Hit(sentence, match.start(), match.end(), rate, confidence, rule))
    if not hits:
        return []
    top = max(h.confidence for h in hits)
    best = max((h for h in hits if h.confidence == top), key=lambda h: h.value)
    confidence = top - 0.1 if len({h.value for h in hits}) > 1 else top
    return [
        Extraction(
            "cofinancing_rate_max",
            best.value,
            _evidence([best]),
            round(confidence, 2),
            f"cofinancing_rate_max:{best.rule}",
        )
    ]


# Amounts ------------------------------------------------------------------------------------

_CUR = r"(?:€|k€|m€|eur\b|euros?\b|usd\b|us\$|\$|£|gbp\b|chf\b|dollars?\b)"
_NUM = r"(?:\d{1,3}(?:[ .,'\u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
_MULT = r"(?:\s?(?:k|m|md|mds|mrd|millions?|milliards?|billions?|bn|thousand|mille)(?![a-z0-9]))"
_AMT = rf"(?:{_CUR}\s?)?{_NUM}{_MULT}?(?:\s?(?:d['’]\s?|de\s|of\s)?{_CUR})?"
_PRICED = re.compile(rf"{_CUR}|\d\s?{_MULT}")
_PROJECT = (
    r"(?:project|proposal|grant|applicant|beneficiary|award|organi[sz]ation|winner|projet|laureat"
    r"|beneficiaire|structure|dossier|porteur|candidat|association|entreprise|operation)"
)
_AWARD_EN = r"(?:grants?|awards?|funding|contribution|support|prizes?|subsid(?:y|ies)|financing)"
_AWARD_FR = r"(?:subventions?|aides?|financements?|dotations?|prix|soutiens?|bourses?|contribution)"
_CEILING = (
    r"(?:of up to|up to|maximum of|max(?:imum)?\.?|not exceed(?:ing)?|capped at|limited to|ceiling of"
    r"|will not exceed|jusqu['’ ]?\s?a|plafonnee?s? a|limitee?s? a|dans la limite de"
    r"|dans un maximum de|ne (?:peut|pourra) (?:pas )?exceder|n['’]excedant pas|a hauteur de)"
)
# Trigger words (see _hits): every ceiling above holds one of these.
_CEILING_WORDS = (
    "up to",
    "max",
    "exceed",
    "exced",
    "capped at",
    "limit",
    "ceiling of",
    "jusqu",
    "plafonne",
    "hauteur de",
)
_AWARD_FR_WORDS = (
    "subvention",
    "aide",
    "financement",
    "dotation",
    "prix",
    "soutien",
    "bourse",
    "contribution",
)
_DIGIT = re.compile(r"\d")  # every amount has one
_AMOUNTS = [
    (
        "range",
        "per_project_range",
        0.85,
        ("between",),
        re.compile(
            rf"between\s*({_AMT}\s*(?:and|to)\s*{_AMT})\s*(?:per|for each|each)\s*{_PROJECT}"
        ),
    ),
    (
        "range",
        "contribution_between",
        0.85,
        ("between",),
        re.compile(
            rf"(?:{_AWARD_EN}|eu contribution)\b[^.;]{{0,60}}?between\s*({_AMT}\s*(?:and|to|-)\s*{_AMT})"
        ),
    ),
    (
        "range",
        "aide_entre",
        0.8,
        (*_AWARD_FR_WORDS, "montant"),
        re.compile(
            rf"(?:{_AWARD_FR}|montants?)\b[^.;]{{0,50}}?\b(?:entre|de)\s*({_AMT}\s*(?:et|a)\s*{_AMT})"
        ),
    ),
    (
        "range",
        "ranging_from",
        0.8,
        ("from",),
        re.compile(rf"{_AWARD_EN}\s*(?:range|ranging|of)?\s*from\s*({_AMT}\s*to\s*{_AMT})"),
    ),
    (
        "max",
        "per_project_max",
        0.85,
        _CEILING_WORDS,
        re.compile(
            rf"{_CEILING}\s*({_AMT})\s*(?:ht |ttc )?(?:per|par|for each|pour chaque|each|/)\s*{_PROJECT}"
        ),
    ),
    (
        "max",
        "award_ceiling",
        0.8,
        _CEILING_WORDS,
        re.compile(
            rf"(?:{_AWARD_EN}|{_AWARD_FR})\b[^.;\d€$£%]{{0,40}}?{_CEILING}\s*(?:a |de |of |: )?({_AMT})"
        ),
    ),
    (
        "max",
        "maximum_award",
        0.8,
        ("max", "plafond"),
        re.compile(
            rf"(?:maximum|max\.?|plafond)\s*(?:grant|award|funding|amount|eu contribution|contribution"
            rf"|de l['’]aide|de la subvention|du soutien|de la dotation|d['’]aide|de subvention)"
            rf"[^.;\d€$£%]{{0,25}}?({_AMT})"
        ),
    ),
    (
        "max",
        "montant_maximum",
        0.75,
        ("montant",),
        re.compile(
            rf"montant\s*(?:maximum|maximal|plafond)\s*(?:de l['’]aide|de la subvention|du soutien"
            rf"|d['’]aide|de subvention)?\s*(?:est\s*(?:de|fixe a)|:|de|a)?\s*({_AMT})"
        ),
    ),
    (
        "max",
        "dans_la_limite",
        0.55,
        ("maximum", "limite"),
        re.compile(rf"dans (?:un|la) (?:maximum|limite)(?: annuelle)? de\s*({_AMT})"),
    ),
    (
        "min",
        "minimum_award",
        0.8,
        ("min", "plancher"),
        re.compile(
            rf"(?:minimum|min\.?)\s*(?:grant|award|amount|contribution|montant|subvention|aide)"
            rf"[^.;\d€$£%]{{0,25}}?({_AMT})|(?:montant|subvention|aide)\s*(?:minimum|minimal|plancher)"
            rf"[^.;\d€$£%]{{0,25}}?({_AMT})"
        ),
    ),
    (
        "total",
        "total_budget",
        0.85,
        ("total", "overall", "global"),
        re.compile(
            rf"(?:total|overall|global)\s*(?:indicative\s*)?(?:budget|envelope|funding|amount)\s*"
            rf"(?:available\s*|earmarked\s*|allocated\s*)?(?:for (?:the|this) (?:call|topic|programme|"
            rf"competition)\s*)?(?:is\s*|of\s*|:\s*|amounts to\s*|will be\s*)*(?:estimated at\s*"
            rf"|approximately\s*|around\s*|up to\s*)?({_AMT})"
        ),
    ),
    (
        "total",
        "budget_total",
        0.85,
        ("global", "total"),
        re.compile(
            rf"(?:budget|enveloppe|dotation|montant)\s*(?:global|globale|total|totale)\s*"
            rf"(?:de l['’]appel(?: a projets| a candidatures)?|du dispositif|alloue|disponible"
            rf"|previsionnel(?:le)?)?\s*(?:est\s*de\s*|est\s*fixee?\s*a\s*|s['’]eleve a\s*|:\s*|de\s*)*"
            rf"({_AMT})"
        ),
    ),
    (
        "total",
        "call_budget",
        0.75,
        ("budget",),
        re.compile(
            rf"(?:budget de l['’]appel|call budget|budget of the call|budget for the call)"
            rf"[^.;\d€$£%]{{0,20}}?({_AMT})"
        ),
    ),
]
_PER_UNIT = re.compile(
    r"\s*(?:ht |ttc )?(?:per|par|/|for each|pour chaque)\s*(?:third part|place|m2|m²|metre|mètre"
    r"|habitant|logement|km|hectare|ha\b|an\b|year|annee|mois|month|jour|day|emploi|job"
    r"|participant|eleve|personne|person|tonne|kw|employee|salarie|student|etudiant)"
)
_NOT_AN_AWARD = re.compile(
    r"chiffre d['’]affaires|\bbilan\b|turnover|balance sheet|ticket|\bcout|\bcost|estime|estimated"
    r"|investissements? (?:de plus|superieurs?|d['’]au moins)|programmes? d['’]investissement"
    r"|procurement|d['’]investissement eligible|de travaux|of works"
)


def _award_money(
    sentence: Sentence, match: re.Match[str], group: int, default_currency: str | None
):
    start, end = match.span(group)
    bare_amount = sentence.bare[start:end]
    if not _PRICED.search(bare_amount):
        return None
    if _PER_UNIT.match(sentence.bare, end):
        return None
    if _NOT_AN_AWARD.search(sentence.bare, max(0, match.start() - 40), start):
        return None
    try:
        return parse_amount_range(sentence.text[start:end], default_currency=default_currency)
    except NormalizationError:
        return None


def amounts(
    sentences: list[Sentence],
    *,
    want_award: bool,
    want_total: bool,
    currency: str | None,
    stated_total: float | None,
) -> list[Extraction]:
    """Per-project amounts and the call's total budget; the currency beside them when none is stated."""
    award: list[_Hit] = []
    total: list[_Hit] = []
    sentences = [s for s in sentences if _DIGIT.search(s.bare)]
    triggers = _Triggers(sentences)
    rules = [
        (kind, rule, confidence, present, pattern)
        for kind, rule, confidence, words, pattern in _AMOUNTS
        if (present := triggers.present(words))
    ]
    anything = tuple(dict.fromkeys(word for rule in rules for word in rule[3]))
    for sentence in sentences:
        if not _holds(sentence.bare, anything):
            continue
        taken: list[tuple[int, int]] = []  # a range's amounts are not read again as ceilings
        for kind, rule, confidence, words, pattern in rules:
            if not _holds(sentence.bare, words):
                continue
            for match in pattern.finditer(sentence.bare):
                group = next(i for i in range(1, (pattern.groups or 1) + 1) if match.group(i))
                span = match.span(group)
                if any(a <= span[0] < b for a, b in taken):
                    continue
                money = _award_money(sentence, match, group, currency)
                if money is None or (money[0] is None and money[1] is None):
                    continue
                low, high = money
                boost = 0.2 if sentence.origin == "amount_text" else 0.0
                strength = min(0.95, confidence + boost)
                if kind == "total":
                    value = (high or low).amount
                    total.append(
                        _Hit(
                            sentence,
                            *match.span(),
                            ("total", value, (high or low).currency),
                            strength,
                            rule,
                        )
                    )
                else:
                    if kind == "max":
                        low, high = None, high or low
                    elif kind == "min":
                        low, high = low or high, None
                    award.append(
                        _Hit(
                            sentence,
                            *match.span(),
                            (
                                low.amount if low else None,
                                high.amount if high else None,
                                (high or low).currency,
                            ),
                            strength,
                            rule,
                        )
                    )
                taken.append(span)
    result: list[Extraction] = []
    limit = stated_total
    if want_total and total:
        best = max(total, key=lambda h: h.confidence)
        limit = limit or best.value[1]
        result.append(
            _money_extraction("total_budget", best, best.value[1], best.value[2], currency)
        )
    if want_award and award:
        award = [h for h in award if not limit or (h.value[1] or h.value[0] or 0) <= limit]
        if award:
            top = max(h.confidence for h in award)
            best = next(h for h in award if h.confidence == top)
            low, high, found_currency = best.value
            if low is not None:
                result.append(_money_extraction("amount_min", best, low, found_currency, currency))
            if high is not None:
                result.append(_money_extraction("amount_max", best, high, found_currency, currency))
    if result and currency is None:
        best = max(result, key=lambda e: e.confidence)
        hit = next(h for h in (*award, *total) if f"{best.field}:{h.rule}" == best.method)
        if found := hit.value[2]:
            result.append(
                Extraction(
                    "currency", found, best.snippet, best.confidence, "currency:beside_amount"
                )
            )
    return result


def _money_extraction(
    field: str, hit: _Hit, amount: float, found: str | None, stated: str | None
) -> Extraction:
    confidence = hit.confidence if not (found and stated and found != stated) else 0.5
    return Extraction(field, amount, _evidence([hit]), confidence, f"{field}:{hit.rule}")


# Deadlines ----------------------------------------------------------------------------------

_MONTHS = (
    r"(?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre"
    r"|january|february|march|april|may|june|july|august|september|october|november|december"
    r"|janv|fevr?|avr|juil|sept?|oct|nov|dec|jan|feb|mar|apr|jun|jul|aug)\.?"
)
_DATE = (
    rf"(?:\d{{1,2}}(?:er|st|nd|rd|th)?\s+{_MONTHS},?\s+\d{{4}}"
    rf"|{_MONTHS},?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{2}-\d{2})"
)
_WEEKDAY = (
    r"(?:(?:le|the|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday"
    r"|thursday|friday|saturday|sunday),?\s+)*"
)
_DEADLINES = [
    (
        "deadline_named",
        0.9,
        ("date", "deadline", "cloture", "fin de"),
        re.compile(
            r"(?:date limite|date-limite|date butoir|deadlines?|closing date|due date|date de cloture"
            r"|cloture (?:de l['’]appel|des candidatures|des depots|des inscriptions)"
            r"|fin (?:de l['’]appel|des depots|des candidatures))\b[^.;\d]{0,70}?"
            + _WEEKDAY
            + f"({_DATE})"
        ),
    ),
    (
        "no_later_than",
        0.8,
        ("au plus tard le", "later than", "avant le", "before"),
        re.compile(
            r"(?:au plus tard le|no later than|not later than|avant le|before)\s+"
            + _WEEKDAY
            + f"({_DATE})"
        ),
    ),
    (
        "until",
        0.7,
        ("jusqu", "until", "by"),
        re.compile(r"(?:jusqu['’]au|until|by)\s+" + _WEEKDAY + f"({_DATE})"),
    ),
]
_YEAR = re.compile(r"\d{4}")  # every date above has one
_SUBMISSION = re.compile(
    r"candidat|dossier|depot|depose|soumettre|soumission|submi|application|proposal|apply"
    r"|postuler|inscri|repondre|envoy|transmettre|remise"
)
_NOT_SUBMISSION = re.compile(
    r"publication|signature|evaluation|information to applicants|ouverture|opening"
)


def deadlines(sentences: list[Sentence], *, order: str, opens_on: date | None) -> list[Extraction]:
    hits = []
    dated = [s for s in sentences if _YEAR.search(s.bare)]
    for sentence, match, rule, confidence in _hits(dated, _DEADLINES):
        if rule != "deadline_named":
            if not _SUBMISSION.search(sentence.bare):
                confidence = 0.5
            elif _NOT_SUBMISSION.search(sentence.bare, 0, match.start()):
                continue
        start, end = match.span(1)
        try:
            day = parse_date(sentence.text[start:end], order=order)
        except NormalizationError:
            continue
        if day is None or not 2000 <= day.year <= 2100 or (opens_on and day < opens_on):
            continue
        hits.append(_Hit(sentence, match.start(), match.end(), day.isoformat(), confidence, rule))
    if not hits:
        return []
    top = max(h.confidence for h in hits)
    best = [h for h in hits if h.confidence == top]
    days = sorted({h.value for h in best})
    return [Extraction("deadlines", days, _evidence(best), top, f"deadlines:{best[0].rule}")]


# Geography ----------------------------------------------------------------------------------

_APPLICANT_PLACE = re.compile(
    r"established in|based in|registered in|legal entities (?:established )?in|eligible countries"
    r"|pays eligibles|etablie?s? (?:en|dans|au|aux)|implantee?s? (?:en|dans|au|aux)"
    r"|siege(?: social)? (?:en|dans|au|aux)|ayant (?:son|leur) siege|domiciled in"
    r"|residents? of|ressortissants|nationals of|from the following countries|applicants from"
    r"|organisations from|organizations from|candidats? (?:des|de|du) pays"
)
_APPLICANT_PLACE_WORDS = (
    "established in",
    "based in",
    "registered in",
    "legal entities",
    "countries",
    "pays",
    "etabli",
    "implante",
    "siege",
    "domiciled in",
    "resident",
    "ressortissants",
    "nationals of",
    "from",
)
_ZONE = re.compile(
    r"implemented in|take place in|taking place in|carried out in|target countries"
    r"|countries of intervention|pays d['’]intervention|zones? d['’]intervention"
    r"|zones? geographiques?|mise?s? en (?:oeuvre|œuvre) (?:en|dans|au|aux)|se derouler (?:en|dans|au|aux)"
    r"|realisee?s? (?:en|dans|au|aux)|menee?s? (?:en|dans|au|aux)|situee?s? (?:en|dans|au|aux)"
    r"|deployed in|benefit(?:ing)? (?:people|communities|populations) in|pays cibles?"
    r"|interventions? (?:en|dans|au|aux)|located in|projects? located in|actions? (?:en|dans|au|aux)"
    r"|sur le territoire (?:de la|de l|des|du|de|d)"
)
_ZONE_WORDS = (
    "implemented in",
    "place in",
    "carried out in",
    "countries",
    "pays",
    "zone",
    "en oeuvre",
    "en œuvre",
    "se derouler",
    "realise",
    "mene",
    "situe",
    "deployed in",
    "benefit",
    "intervention",
    "located in",
    "action",
    "territoire",
)
_BROADER = re.compile(
    r"associated countries|pays associes|\beea\b|\beee\b|third countries|pays tiers"
    r"|candidate countries|pays candidats|and other|et autres|as well as"
    # the text adds countries to the usual ones rather than limiting who may apply
    r"|(?:also|exceptionally|automatically) eligible|eligible (?:to receive|for) (?:union )?funding"
    r"|egalement eligibles?|sont aussi eligibles?"
)
# Places named to say who may NOT take part ("restrictions on the participation of entities
# established in China", "entities established in Russia are not eligible").
_RESTRICTION = re.compile(
    r"restrictions? (?:on|to|of|regarding) (?:the )?participation|restricted participation"
    r"|not (?:be )?eligible|ineligible|excluded|cannot (?:participate|apply|take part)"
    r"|may not (?:participate|apply)|ne (?:sont|peuvent|pourront) pas|non eligibles?|exclue?s?"
    r"|sanctions?|subject to restrictive measures"
)


def _places_named(sentence: Sentence) -> list[tuple[str, int, int]]:
    """Countries and groups, and places below a country (régions, départements, cantons, named
    areas: funding.territory), named in a sentence, in order."""
    from funding.territory import places as territory

    found = find_places(sentence.text, sentence.bare)
    taken = [(start, end) for _, start, end in found]
    for place, start, end in territory.find_in_text(sentence.text):
        if territory.is_local(place) and not any(a < end and start < b for a, b in taken):
            found.append((place, start, end))
    return sorted(found, key=lambda f: f[1])


def places(sentences: list[Sentence], *, applicants: bool, zones: bool) -> list[Extraction]:
    found: dict[str, list[_Hit]] = {"applicant_countries": [], "intervention_zones": []}
    triggers = _Triggers(sentences)
    applicant_words = triggers.present(_APPLICANT_PLACE_WORDS)
    zone_words = triggers.present(_ZONE_WORDS)
    for sentence in sentences:
        cues = []
        if _holds(sentence.bare, applicant_words):
            cues += [
                (m.start(), "applicant_countries", 0.8)
                for m in _APPLICANT_PLACE.finditer(sentence.bare)
            ]
        if _holds(sentence.bare, zone_words):
            cues += [(m.start(), "intervention_zones", 0.75) for m in _ZONE.finditer(sentence.bare)]
        if not cues:
            continue
        broader = bool(_BROADER.search(sentence.bare))
        restricted = bool(_RESTRICTION.search(sentence.bare))
        for code, start, end in _places_named(sentence):
            if restricted or _negated(sentence.bare, start, end):
                continue
            before = [c for c in cues if c[0] < start]
            _, field, confidence = before[-1] if before else min(cues, key=lambda c: c[0])
            if broader:
                confidence = 0.55
            found[field].append(_Hit(sentence, start, end, code, confidence, "named_in_sentence"))
    result = []
    for field, wanted in (("applicant_countries", applicants), ("intervention_zones", zones)):
        hits = found[field]
        if not wanted or not hits:
            continue
        codes = list(dict.fromkeys(h.value for h in hits))
        confidence = min(h.confidence for h in hits)
        result.append(
            Extraction(field, codes, _evidence(hits), confidence, f"{field}:{hits[0].rule}")
        )
    return result
