"""The hard criteria, one function each: pass, fail or unknown, with an explanation and the funder's words.

Unknown is never a fail: a call that states nothing about a criterion is to be verified, not dropped.
Explanations are in French by default, in English with lang="en".
"""

import re
from dataclasses import asdict, dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from rapidfuzz import fuzz, process

from funding.extract.sentences import MAX_SNIPPET, bare
from funding.matching.geo import Zone, french_region
from funding.matching.geo import read_zone as _read_zone
from funding.matching.profile import Partner, Profile
from funding.normalize import fold, format_amount, label, map_term, parent, vocabulary
from funding.normalize import format_date as _format_date
from funding.status import compute_status

Result = Literal["pass", "fail", "unknown"]

# Raw applicant words that open a call to everybody (or to every non-governmental body).
_OPEN_TO_ALL = ("tous publics", "tout public", "unrestricted", "anyone", "open to all")
_NON_GOVERNMENT = ("non government general",)
_NON_GOVERNMENT_TYPES = {"ngo", "foundation", "company", "sme", "startup", "social_enterprise"}
# A call's minimum up to this many times the profile's maximum is "to verify", beyond it a fail.
FLOOR_TOLERANCE = 2.0
# A co-financing gap above this (in euros, or a share of the budget) is a fail.
MIN_GAP = 1e-6
# Rough rates to compare amounts stated in another currency with a profile's euros.
EUR_PER = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "CHF": 1.05, "CAD": 0.68, "XOF": 0.001524}
_CONSORTIUM_HINT = re.compile(
    r"consorti|partenariat|en partenariat|partnership|partners from|partenaires|co-applicant|"
    r"co-beneficiar|cobeneficiar"
)
_WHO_CAN_APPLY = re.compile(r"eligib|applicant|beneficiair|candidat|porteur|who can apply")
_SEVERAL_COUNTRIES = re.compile(
    r"(?:different|distinct|several|at least (?:two|three|2|3)) (?:eu )?(?:member states|countries)|"
    r"pays (?:differents|distincts)|etats membres differents|plusieurs pays"
)


@dataclass(frozen=True)
class Criterion:
    """One criterion's verdict for one call: what was checked, the result, why, and the funder's words."""

    criterion: str
    result: Result
    explanation: str
    evidence: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _say(lang: str, fr: str, en: str) -> str:
    return en if lang == "en" else fr


@lru_cache(maxsize=4096)
def format_date(day: date | None, lang: str = "fr") -> str:
    return _format_date(day, lang)


@lru_cache(maxsize=4096)
def _money(value: float | None, currency: str | None, lang: str) -> str:
    return format_amount(None if value is None else round(value, 2), currency or "EUR", lang)


def _evidence(
    opportunity: Any, field: str, snippets: dict[str, str] | None, stated: str | None
) -> str | None:
    """The source's own words: the Extraction snippet when the value was read from text."""
    if field in (opportunity.inferred_fields or ()) and snippets and field in snippets:
        return snippets[field]
    return stated


@lru_cache(maxsize=1024)
def _bare(text: str) -> str:
    return bare(text)


_BOUNDARY = re.compile(r"[.!?;:\n]\s|\n|(?<=[a-z])\.(?=[A-Z])")


def _sentence(text: str | None, pattern: re.Pattern[str]) -> str | None:
    return _sentence_cached(text, pattern) if text else None


@lru_cache(maxsize=20_000)
def _sentence_cached(text: str | None, pattern: re.Pattern[str]) -> str | None:
    """The sentence around the first place a pattern finds (on the bare text), as the funder wrote it."""
    if not text:
        return None
    found = pattern.search(_bare(text))
    if found is None:
        return None
    start = 0
    for boundary in _BOUNDARY.finditer(text, max(0, found.start() - MAX_SNIPPET), found.start()):
        start = boundary.end()
    end_match = _BOUNDARY.search(text, found.end())
    end = end_match.start() + 1 if end_match else len(text)
    snippet = " ".join(text[start:end].split())
    return snippet[:MAX_SNIPPET]


@lru_cache(maxsize=20_000)
def _zone(words: tuple[str, ...]) -> Zone:
    return _read_zone(list(words))


def read_zone(words: list[str] | None) -> Zone:
    return _zone(tuple(words or ()))


# Timing ---------------------------------------------------------------------------------------


def _cutoff(profile: Profile, as_of: date) -> date:
    return max(as_of, profile.deadline_after or as_of)


def _deadlines(opportunity: Any) -> list[date]:
    return [date.fromisoformat(d) for d in opportunity.deadlines or ()]


def _upcoming(deadlines: list[date], cutoff: date) -> date | None:
    """The first deadline on or after the cutoff: none while some are stated fails timing."""
    return next((d for d in deadlines if d >= cutoff), None)


def timing(
    opportunity: Any, profile: Profile, *, as_of: date, lang: str = "fr",
    snippets: dict[str, str] | None = None,
) -> Criterion:  # fmt: skip
    """A next deadline on or after the later of as_of and the profile's deadline_after."""
    cutoff = _cutoff(profile, as_of)
    deadlines = _deadlines(opportunity)
    stated = ", ".join(d.isoformat() for d in deadlines) if deadlines else None
    evidence = _evidence(opportunity, "deadlines", snippets, stated and f"deadlines: {stated}")
    status = compute_status(
        opens_on=opportunity.opens_on, deadline_last=opportunity.deadline_last,
        recurrence=opportunity.recurrence, as_of=as_of, source_status=opportunity.source_status,
    )  # fmt: skip
    upcoming = _upcoming(deadlines, cutoff)
    if upcoming is not None:
        if status == "forthcoming":
            opens = opportunity.opens_on
            when = format_date(opens, lang) if opens else _say(lang, "bientôt", "soon")
            text = _say(
                lang,
                f"Appel à venir (ouverture {when}), échéance le {format_date(upcoming, lang)} : "
                "le temps de constituer le consortium.",
                f"Forthcoming call (opens {when}), deadline {format_date(upcoming, lang)}: "
                "time to build the consortium.",
            )
        else:
            text = _say(
                lang,
                f"Prochaine échéance le {format_date(upcoming, lang)}.",
                f"Next deadline {format_date(upcoming, lang)}.",
            )
        return Criterion("timing", "pass", text, evidence)
    if deadlines:
        last = deadlines[-1]
        if last < as_of:
            text = _say(
                lang,
                f"Clôturé le {format_date(last, lang)}.",
                f"Closed on {format_date(last, lang)}.",
            )
        else:
            text = _say(
                lang,
                f"Dernière échéance le {format_date(last, lang)}, avant le {format_date(cutoff, lang)} "
                "demandé par le profil.",
                f"Last deadline {format_date(last, lang)}, before {format_date(cutoff, lang)} "
                "asked by the profile.",
            )
        return Criterion("timing", "fail", text, evidence)
    if opportunity.recurrence == "permanent":
        return Criterion(
            "timing", "pass",
            _say(lang, "Aide permanente : dépôt possible à tout moment.",
                 "Permanent scheme: applications at any time."),
            f"recurrence: {opportunity.recurrence_raw or 'permanent'}",
        )  # fmt: skip
    return Criterion(
        "timing", "unknown",
        _say(lang, "Aucune échéance connue : à vérifier auprès du financeur.",
             "No known deadline: check with the funder."),
        None,
    )  # fmt: skip


# Applicant type -------------------------------------------------------------------------------


def partner_type(partner: Partner) -> str | None:
    """A partner's canonical applicant type from its free words (French or English, typos allowed)."""
    found = map_term("applicant_type", partner.type)
    if found:
        return found
    words = vocabulary("applicant_type").words
    best = process.extractOne(fold(partner.type), list(words), scorer=fuzz.WRatio, score_cutoff=90)
    return words[best[0]] if best else None


def _lineage(canonical: str) -> list[str]:
    chain = [canonical]
    while (up := parent("applicant_type", chain[-1])) and up not in chain:
        chain.append(up)
    return chain


@lru_cache(maxsize=20_000)
def _admits_cached(
    call_types: frozenset[str], raw: tuple[str, ...], kind: str | None
) -> tuple[Result, tuple[str, ...]]:
    """Whether a call admits one applicant type, and the raw words that decide it."""
    result, words = _admits_uncached(call_types, list(raw), kind)
    return result, tuple(words)


def _admits_uncached(
    call_types: frozenset[str], raw: list[str], kind: str | None
) -> tuple[Result, list[str]]:
    folded = [(word, fold(word)) for word in raw]
    open_words = [w for w, f in folded if any(f.startswith(o) for o in _OPEN_TO_ALL)]
    if open_words:
        return "pass", open_words
    if kind is None:
        return "unknown", []
    lineage = _lineage(kind)
    deciding = [w for w in raw if map_term("applicant_type", w) in lineage]
    if set(lineage) & call_types:
        return "pass", deciding or [label("applicant_type", t) for t in lineage if t in call_types]
    nongov = [w for w, f in folded if any(f.startswith(o) for o in _NON_GOVERNMENT)]
    if nongov and kind in _NON_GOVERNMENT_TYPES:
        return "pass", nongov
    unmapped = [w for w in raw if map_term("applicant_type", w) in (None, "other")]
    if unmapped or "other" in call_types:
        return "unknown", unmapped
    return "fail", raw


def applicant_type(
    opportunity: Any, profile: Profile, *, lang: str = "fr", snippets: dict[str, str] | None = None,
) -> Criterion:  # fmt: skip
    """The lead must be an eligible applicant type; co-applicants are checked and named too."""
    call_types, raw = _call_types(opportunity, lang)
    stated = "; ".join(raw) if raw else None
    evidence = _evidence(opportunity, "applicant_types", snippets, stated)
    if not call_types and not raw:
        return Criterion(
            "applicant_type", "unknown",
            _say(lang, "L'appel ne précise pas qui peut candidater : à vérifier.",
                 "The call does not say who may apply: to verify."),
            _eligibility_hint(opportunity),
        )  # fmt: skip
    results = _type_results(call_types, raw, profile)
    return _per_partner("applicant_type", results, profile, lang, evidence, _type_words)


def _call_types(opportunity: Any, lang: str) -> tuple[set[str], list[str]]:
    """The call's applicant types and its words for them (their labels when it has none)."""
    call_types = set(opportunity.applicant_types or ())
    raw = list(opportunity.applicant_types_raw or ()) or [
        label("applicant_type", t, lang) for t in call_types
    ]
    return call_types, raw


def _type_results(call_types: set[str], raw: list[str], profile: Profile) -> list[tuple]:
    """(index, partner, its type, result, the call's deciding words) for each partner."""
    types, words = frozenset(call_types), tuple(raw)
    results = []
    for index, partner in enumerate(profile.partners):
        kind = partner_type(partner)
        result, deciding = _admits_cached(types, words, kind)
        results.append((index, partner, kind, result, list(deciding)))
    return results


def _type_words(partner: Partner, kind: str | None, lang: str) -> str:
    shown = label("applicant_type", kind, lang) if kind else partner.type
    return shown


def _eligibility_hint(opportunity: Any) -> str | None:
    text = opportunity.eligibility_plain or opportunity.eligibility_text
    return _sentence(text, _WHO_CAN_APPLY)


def _deciding(results: list[tuple], lead: Partner | None) -> Result:
    """The lead's result, or when none is named lead the best of the partners'."""
    if lead is not None:
        return next(r for r in results if r[1] is lead)[3]
    found = {r[3] for r in results}
    return "pass" if "pass" in found else "unknown" if "unknown" in found else "fail"


def _per_partner(
    name: str, results: list, profile: Profile, lang: str, evidence: str | None, describe,
) -> Criterion:  # fmt: skip
    """Fold per-partner results: the lead decides (or any partner when none is named lead)."""
    lead = profile.lead
    lines = []
    for index, partner, kind, result, _ in results:
        role = (
            _say(lang, "chef de file", "lead")
            if partner is lead
            else _say(lang, "partenaire", "partner")
        )
        verdict = {
            "pass": _say(lang, "éligible", "eligible"),
            "fail": _say(lang, "non éligible", "not eligible"),
            "unknown": _say(lang, "à vérifier", "to verify"),
        }[result]
        lines.append(
            f"{partner.label(index)} ({describe(partner, kind, lang)}, {role}) : {verdict}"
            if lang != "en"
            else f"{partner.label(index)} ({describe(partner, kind, lang)}, {role}): {verdict}"
        )
    deciding = _deciding(results, lead)
    others_fail = [r for r in results if r[3] == "fail" and r[1] is not lead]
    summary = "; ".join(lines) + "."
    if deciding == "pass" and others_fail:
        summary += _say(
            lang,
            " Les partenaires non éligibles peuvent participer comme partenaires associés ou "
            "prestataires, pas comme co-demandeurs.",
            " Partners that are not eligible can take part as associated partners or "
            "subcontractors, not as co-applicants.",
        )
    if lead is None and deciding == "pass":
        leads = [r[1].label(r[0]) for r in results if r[3] == "pass"]
        summary += _say(
            lang,
            f" Chef de file possible : {', '.join(leads)}.",
            f" Possible lead: {', '.join(leads)}.",
        )
    return Criterion(name, deciding, summary, evidence)


# Geography ------------------------------------------------------------------------------------


def _in_zone(zone: Zone, country: str | None, region: str | None) -> Result:
    if country is None:
        return "unknown"
    if country in zone.countries:
        return "pass"
    if zone.regions:
        if country != "FR":
            return "fail" if not zone.unknown else "unknown"
        found = french_region(region) if region else None
        if found is None:
            return "unknown"
        return "pass" if found in zone.regions else "fail"
    return "unknown" if zone.unknown else "fail"


def applicant_country(
    opportunity: Any, profile: Profile, *, lang: str = "fr", snippets: dict[str, str] | None = None,
) -> Criterion:  # fmt: skip
    """Where the partners are established against the countries and regions the call admits."""
    words = list(opportunity.applicant_countries or ())
    zone = read_zone(words)
    evidence = _evidence(opportunity, "applicant_countries", snippets, "; ".join(words) or None)
    if not zone:
        return Criterion(
            "applicant_country", "unknown",
            _say(lang, "L'appel ne précise pas où les candidats doivent être établis : à vérifier.",
                 "The call does not say where applicants must be established: to verify."),
            evidence,
        )  # fmt: skip
    results = _country_results(zone, profile)
    return _per_partner("applicant_country", results, profile, lang, evidence, _where_words)


def _country_results(zone: Zone, profile: Profile) -> list[tuple]:
    """(index, partner, its country, result, no words) for each partner."""
    return [
        (index, partner, partner.country, _in_zone(zone, partner.country, partner.region), [])
        for index, partner in enumerate(profile.partners)
    ]


def _where_words(partner: Partner, country: str | None, lang: str) -> str:
    where = partner.country or _say(lang, "pays non précisé", "country not given")
    return f"{where}, {partner.region}" if partner.region else where


def project_location(
    opportunity: Any, profile: Profile, *, lang: str = "fr", snippets: dict[str, str] | None = None,
) -> Criterion | None:  # fmt: skip
    """Where the project takes place against the call's intervention zones (None: profile says nothing)."""
    if not profile.intervention_countries:
        return None
    wanted = read_zone(profile.intervention_countries)
    words = list(opportunity.intervention_zones or ())
    zone = read_zone(words)
    evidence = _evidence(opportunity, "intervention_zones", snippets, "; ".join(words) or None)
    places = ", ".join(profile.intervention_countries)
    if not zone:
        return Criterion(
            "project_location", "unknown",
            _say(lang, f"L'appel ne précise pas où le projet doit se dérouler ({places} à vérifier).",
                 f"The call does not say where projects must take place ({places} to verify)."),
            evidence,
        )  # fmt: skip
    common = (wanted.countries & zone.countries) | (wanted.regions & zone.regions)
    if not common and "FR" in zone.countries and wanted.regions:
        common = wanted.regions
    if not common and "FR" in wanted.countries and zone.regions and not wanted.regions:
        return Criterion(
            "project_location", "unknown",
            _say(lang, f"L'appel vise {', '.join(sorted(zone.regions))} : votre région est-elle concernée ?",
                 f"The call covers {', '.join(sorted(zone.regions))}: is your region one of them?"),
            evidence,
        )  # fmt: skip
    if common:
        return Criterion(
            "project_location", "pass",
            _say(lang, f"Zone d'intervention couverte : {', '.join(sorted(common))}.",
                 f"Project area covered: {', '.join(sorted(common))}."),
            evidence,
        )  # fmt: skip
    return Criterion(
        "project_location", "fail",
        _say(lang, f"L'appel ne couvre pas {places}.", f"The call does not cover {places}."),
        evidence,
    )  # fmt: skip


# Partnership ----------------------------------------------------------------------------------


def partnership(
    opportunity: Any, profile: Profile, *, lang: str = "fr", snippets: dict[str, str] | None = None,
) -> Criterion:  # fmt: skip
    """A consortium, a minimum number of partners or several countries, against the profile's partners."""
    count = len(profile.partners)
    countries = {p.country for p in profile.partners if p.country}
    text = opportunity.eligibility_plain or ""
    several = _sentence(text, _SEVERAL_COUNTRIES)
    required = opportunity.min_partners
    field = "min_partners" if required else "partnership_required"
    evidence = _evidence(opportunity, field, snippets, None) or several
    if evidence is None and (required or opportunity.partnership_required):
        evidence = _sentence(text, _CONSORTIUM_HINT) or (
            f"min_partners: {required}" if required else "partnership_required: true"
        )
    if required and count < required:
        return Criterion(
            "partnership", "fail",
            _say(lang, f"L'appel demande au moins {required} partenaires ; le consortium en compte {count}.",
                 f"The call asks for at least {required} partners; the consortium has {count}."),
            evidence,
        )  # fmt: skip
    if several and len(countries) < 2:
        return Criterion(
            "partnership", "fail",
            _say(lang, "L'appel demande des partenaires de plusieurs pays ; le consortium est d'un seul pays.",
                 "The call asks for partners from several countries; the consortium is from one country."),
            evidence,
        )  # fmt: skip
    if several:
        return Criterion(
            "partnership", "pass",
            _say(lang, f"L'appel demande des partenaires de plusieurs pays ; le consortium en réunit {len(countries)}.",
                 f"The call asks for partners from several countries; the consortium spans {len(countries)}."),
            evidence,
        )  # fmt: skip
    if required or opportunity.partnership_required:
        need = required or 2
        result: Result = "pass" if count >= need else "fail"
        return Criterion(
            "partnership", result,
            _say(lang, f"Partenariat exigé (au moins {need} partenaires) ; le consortium en compte {count}.",
                 f"Partnership required (at least {need} partners); the consortium has {count}."),
            evidence,
        )  # fmt: skip
    if opportunity.partnership_required is False:
        return Criterion(
            "partnership", "pass",
            _say(lang, "Pas de partenariat exigé : le chef de file peut déposer seul.",
                 "No partnership required: the lead can apply alone."),
            evidence,
        )  # fmt: skip
    hint = _sentence(text, _CONSORTIUM_HINT)
    if hint:
        return Criterion(
            "partnership", "unknown",
            _say(lang, "Le texte parle de partenariat sans en fixer les règles : à vérifier.",
                 "The text mentions partners without stating the rules: to verify."),
            hint,
        )  # fmt: skip
    return Criterion(
        "partnership", "pass",
        _say(lang, "Aucune exigence de consortium indiquée.", "No consortium requirement stated."),
        None,
    )  # fmt: skip


# Money ----------------------------------------------------------------------------------------


def _in_euros(value: float | None, currency: str | None) -> float | None:
    if value is None:
        return None
    rate = EUR_PER.get(currency or "EUR")
    return None if rate is None else value * rate


def _below_minimum(high_eur: float | None, profile: Profile) -> bool:
    """The call's maximum is less than the profile's minimum (a fail)."""
    return high_eur is not None and profile.amount_min is not None and high_eur < profile.amount_min


def _far_above_maximum(low_eur: float | None, profile: Profile) -> bool:
    """The call's minimum is beyond FLOOR_TOLERANCE times the profile's maximum (a fail)."""
    return (
        low_eur is not None
        and profile.amount_max is not None
        and low_eur > FLOOR_TOLERANCE * profile.amount_max
    )


def amount(
    opportunity: Any, profile: Profile, *, lang: str = "fr", snippets: dict[str, str] | None = None,
) -> Criterion | None:  # fmt: skip
    """The profile's amount range against the call's minimum and maximum per project."""
    if profile.amount_min is None and profile.amount_max is None:
        return None
    currency = opportunity.currency or "EUR"
    low, high = opportunity.amount_min, opportunity.amount_max
    stated = " – ".join(_money(v, currency, lang) for v in (low, high) if v is not None) or None
    evidence = _evidence(
        opportunity, "amount_max" if high is not None else "amount_min", snippets, stated
    )
    wanted = " – ".join(
        _money(v, "EUR", lang) for v in (profile.amount_min, profile.amount_max) if v is not None
    )
    low_eur, high_eur = _in_euros(low, currency), _in_euros(high, currency)
    if low_eur is None and high_eur is None:
        return Criterion(
            "amount", "unknown",
            _say(lang, f"Montant par projet non indiqué (vous cherchez {wanted}).",
                 f"Amount per project not stated (you seek {wanted})."),
            evidence,
        )  # fmt: skip
    note = (
        ""
        if currency == "EUR"
        else _say(lang, " (converti approximativement en euros)", " (roughly converted to euros)")
    )
    if _below_minimum(high_eur, profile):
        return Criterion(
            "amount", "fail",
            _say(lang, f"L'appel finance au plus {_money(high, currency, lang)}{note}, moins que les "
                       f"{_money(profile.amount_min, 'EUR', lang)} recherchés au minimum.",
                 f"The call funds at most {_money(high, currency, lang)}{note}, less than the "
                 f"{_money(profile.amount_min, 'EUR', lang)} you need at least."),
            evidence,
        )  # fmt: skip
    if _far_above_maximum(low_eur, profile):
        return Criterion(
            "amount", "fail",
            _say(lang, f"L'appel finance des projets d'au moins {_money(low, currency, lang)}{note}, bien "
                       f"au-delà des {_money(profile.amount_max, 'EUR', lang)} recherchés au plus.",
                 f"The call funds projects of at least {_money(low, currency, lang)}{note}, far beyond "
                 f"the {_money(profile.amount_max, 'EUR', lang)} you seek at most."),
            evidence,
        )  # fmt: skip
    if low_eur is not None and profile.amount_max is not None and low_eur > profile.amount_max:
        # A call's floor is often indicative (EU topics say so): a somewhat larger project may fit.
        return Criterion(
            "amount", "unknown",
            _say(lang, f"L'appel vise des projets d'au moins {_money(low, currency, lang)}{note}, plus que les "
                       f"{_money(profile.amount_max, 'EUR', lang)} recherchés au plus : à vérifier.",
                 f"The call targets projects of at least {_money(low, currency, lang)}{note}, more than the "
                 f"{_money(profile.amount_max, 'EUR', lang)} you seek at most: to verify."),
            evidence,
        )  # fmt: skip
    return Criterion(
        "amount", "pass",
        _say(lang, f"Montant de l'appel ({stated}){note} compatible avec votre besoin ({wanted}).",
             f"The call's amount ({stated}){note} fits your need ({wanted})."),
        evidence,
    )  # fmt: skip


def _budget(profile: Profile) -> float | None:
    return profile.amount_max or profile.amount_min


def _cofinancing_gap(rate: float, available: float, budget: float | None) -> float:
    """What the partners lack, in euros of the budget (a share of it when there is no budget)."""
    needed = max(0.0, 1 - rate)
    if budget:
        return needed * budget - available * budget
    return needed - available


def cofinancing(
    opportunity: Any, profile: Profile, *, lang: str = "fr", snippets: dict[str, str] | None = None,
) -> Criterion | None:  # fmt: skip
    """What the partners must bring given the call's maximum rate, against what they can bring."""
    if profile.cofinancing_available is None:
        return None
    rate = opportunity.cofinancing_rate_max
    available = profile.cofinancing_available
    evidence = _evidence(
        opportunity, "cofinancing_rate_max", snippets,
        f"cofinancing_rate_max: {rate:.0%}" if rate is not None else None,
    )  # fmt: skip
    budget = _budget(profile)
    if rate is None:
        return Criterion(
            "cofinancing", "unknown",
            _say(lang, f"Taux maximal de financement non indiqué ; vous pouvez apporter {available:.0%} du budget.",
                 f"Maximum funding rate not stated; you can bring {available:.0%} of the budget."),
            evidence,
        )  # fmt: skip
    needed = max(0.0, 1 - rate)
    if budget:
        must, can = needed * budget, available * budget
        figures = _say(
            lang,
            f"Pour un budget de {_money(budget, 'EUR', lang)}, l'appel finance au plus "
            f"{_money(rate * budget, 'EUR', lang)} ({rate:.0%}) : les partenaires doivent apporter "
            f"{_money(must, 'EUR', lang)}, ils peuvent apporter {_money(can, 'EUR', lang)}",
            f"For a budget of {_money(budget, 'EUR', lang)}, the call funds at most "
            f"{_money(rate * budget, 'EUR', lang)} ({rate:.0%}): the partners must bring "
            f"{_money(must, 'EUR', lang)}, they can bring {_money(can, 'EUR', lang)}",
        )
    else:
        figures = _say(
            lang,
            f"L'appel finance au plus {rate:.0%} : les partenaires doivent apporter {needed:.0%} du "
            f"budget, ils peuvent en apporter {available:.0%}",
            f"The call funds at most {rate:.0%}: the partners must bring {needed:.0%} of the budget, "
            f"they can bring {available:.0%}",
        )
    gap = _cofinancing_gap(rate, available, budget)
    if gap > MIN_GAP:
        short = _money(gap, "EUR", lang) if budget else f"{gap:.0%}"
        return Criterion(
            "cofinancing", "fail",
            figures + _say(lang, f" ; il manque {short}.", f"; {short} missing."),
            evidence,
        )  # fmt: skip
    return Criterion("cofinancing", "pass", figures + ".", evidence)


# Instrument -----------------------------------------------------------------------------------


def _wanted_instruments(profile: Profile) -> set[str]:
    return {map_term("instrument", w) or w for w in profile.instruments}


def instrument(
    opportunity: Any, profile: Profile, *, lang: str = "fr", snippets: dict[str, str] | None = None,
) -> Criterion | None:  # fmt: skip
    """The kind of support wanted (grant, loan, prize...) when the profile says."""
    if not profile.instruments:
        return None
    wanted = _wanted_instruments(profile)
    names = ", ".join(label("instrument", w, lang) for w in sorted(wanted))
    found = opportunity.instrument
    evidence = opportunity.instrument_raw or (f"instrument: {found}" if found else None)
    if found is None:
        return Criterion(
            "instrument", "unknown",
            _say(lang, f"Type d'aide non indiqué (vous cherchez : {names}).",
                 f"Kind of support not stated (you seek: {names})."),
            evidence,
        )  # fmt: skip
    shown = label("instrument", found, lang)
    if found in wanted:
        return Criterion(
            "instrument", "pass",
            _say(lang, f"Type d'aide recherché : {shown}.", f"Kind of support wanted: {shown}."),
            evidence,
        )  # fmt: skip
    return Criterion(
        "instrument", "fail",
        _say(lang, f"L'appel propose : {shown} ; vous cherchez : {names}.",
             f"The call offers: {shown}; you seek: {names}."),
        evidence,
    )  # fmt: skip


def check_all(
    opportunity: Any, profile: Profile, *, as_of: date, lang: str = "fr",
    snippets: dict[str, str] | None = None,
) -> list[Criterion]:  # fmt: skip
    """Every criterion that applies to this profile, in a fixed order."""
    found = [
        timing(opportunity, profile, as_of=as_of, lang=lang, snippets=snippets),
        applicant_type(opportunity, profile, lang=lang, snippets=snippets),
        applicant_country(opportunity, profile, lang=lang, snippets=snippets),
        project_location(opportunity, profile, lang=lang, snippets=snippets),
        partnership(opportunity, profile, lang=lang, snippets=snippets),
        amount(opportunity, profile, lang=lang, snippets=snippets),
        cofinancing(opportunity, profile, lang=lang, snippets=snippets),
        instrument(opportunity, profile, lang=lang, snippets=snippets),
    ]
    return [c for c in found if c is not None]


def fails_early(opportunity: Any, profile: Profile, *, as_of: date, lang: str = "fr") -> str | None:
    """The first criterion the call fails among those decided without reading its text (timing,
    applicant type and country, amount, cofinancing, instrument), or None: found without writing
    any explanation, by the same tests as the criteria themselves, so check_all fails the call on
    it too (the call is ineligible). Cheap, to leave ineligible calls out before explaining them."""
    deadlines = _deadlines(opportunity)
    if deadlines and _upcoming(deadlines, _cutoff(profile, as_of)) is None:
        return "timing"
    call_types, raw = _call_types(opportunity, lang)
    types = _type_results(call_types, raw, profile) if call_types or raw else None
    if types is not None and _deciding(types, profile.lead) == "fail":
        return "applicant_type"
    zone = read_zone(opportunity.applicant_countries)
    if zone and _deciding(_country_results(zone, profile), profile.lead) == "fail":
        return "applicant_country"
    currency = opportunity.currency or "EUR"
    if _below_minimum(_in_euros(opportunity.amount_max, currency), profile) or _far_above_maximum(
        _in_euros(opportunity.amount_min, currency), profile
    ):
        return "amount"
    rate, available = opportunity.cofinancing_rate_max, profile.cofinancing_available
    if (
        rate is not None
        and available is not None
        and _cofinancing_gap(rate, available, _budget(profile)) > MIN_GAP
    ):
        return "cofinancing"
    found = opportunity.instrument
    if profile.instruments and found is not None and found not in _wanted_instruments(profile):
        return "instrument"
    return None


def verdict(criteria: list[Criterion]) -> str:
    """Any fail: ineligible; else any unknown: to_verify; else eligible."""
    results = {c.result for c in criteria}
    if "fail" in results:
        return "ineligible"
    if "unknown" in results:
        return "to_verify"
    return "eligible"
