"""The criteria, one function each: pass, fail or unknown, with an explanation and the funder's words.

Unknown is never a fail: a call that states nothing about a criterion is to be verified, not dropped;
but what a call or its funder does state decides. The eligibility criteria (timing, who may apply,
where, with whom) make a call "to verify" when unknown; the fit criteria (amount, co-financing,
instrument) only when they fail. Explanations come from the i18n catalogue (French by default,
English with lang="en"); every criterion reads a call's facts (CallFacts), never a database row.
"""

import re
from dataclasses import asdict, dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from rapidfuzz import fuzz, process

from funding.contracts.status import status_of
from funding.enrich.extract.sentences import MAX_SNIPPET
from funding.i18n import t
from funding.matching.consortium import count as count_partners
from funding.matching.consortium import requirements
from funding.matching.facts import CallFacts
from funding.matching.profile import Partner, Profile
from funding.matching.query import project_places
from funding.normalize import fold, format_amount, label, map_term, parent, vocabulary
from funding.normalize import format_date as _format_date
from funding.normalize.words import bare
from funding.territory import places
from funding.territory.scope import Scope

Result = Literal["pass", "fail", "unknown"]
ELIGIBILITY = ("timing", "applicant_type", "applicant_country", "territory", "partnership")

# Raw applicant words that open a call to everybody (or to every non-governmental body).
_OPEN_TO_ALL = ("tous publics", "tout public", "unrestricted", "anyone", "open to all")
_NON_GOVERNMENT = ("non government general",)
_NON_GOVERNMENT_TYPES = {"ngo", "foundation", "company", "sme", "startup", "social_enterprise"}
_COMPANY_TYPES = {"company", "sme", "startup", "social_enterprise"}
# A call's minimum up to this many times the profile's maximum is "to verify", beyond it a fail.
FLOOR_TOLERANCE = 2.0
# A co-financing gap above this (in euros, or a share of the budget) is a fail.
MIN_GAP = 1e-6
# Rough rates to compare amounts stated in another currency with a profile's euros.
EUR_PER = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "CHF": 1.05, "CAD": 0.68, "XOF": 0.001524}
_CONSORTIUM_HINT = re.compile(
    r"consorti|en partenariat|partnership|partners from|partenaires|co-applicant|co-beneficiar"
    r"|cobeneficiar"
)
_WHO_CAN_APPLY = re.compile(r"eligib|applicant|beneficiair|candidat|porteur|who can apply")
_SEVERAL_COUNTRIES = re.compile(
    r"(?:different|distinct|several|at least (?:two|three|2|3)) (?:eu )?(?:member states|countries)|"
    r"pays (?:differents|distincts)|etats membres differents|plusieurs pays"
)
# Who may apply, said in the text: a company's size, sectors left out.
_SIZE = re.compile(
    r"(?:moins de|fewer than|less than|under|de \d+ a(?: moins de)?) (\d[\d ]{0,5}) ?(?:salaries|employees|staff)"
    r"|(\d+) (?:a|to) (\d[\d ]{0,5}) (?:salaries|employees)"
)
_NO_MICRO = re.compile(
    r"non eligible aux micro[- ]entreprises|micro[- ]entreprises? (?:ne sont pas|non) eligibles?"
)
_SECTOR_OUT = re.compile(
    r"\bhors (industrie|agriculture|commerce|btp|tourisme)\b"
    r"|excluding (?:the )?(industry|manufacturing|agriculture) sector"
)
_INDUSTRY_WORDS = ("industrie", "industry", "industriel", "manufactur", "usine", "fabrica")


@dataclass(frozen=True)
class Criterion:
    """One criterion's verdict for one call: what was checked, the result, why, the funder's words;
    local: the call is limited to a territory (below a country) that holds the partnership;
    carried_by: the partners who must apply because the lead may not."""

    criterion: str
    result: Result
    explanation: str
    evidence: str | None = None
    local: bool = False
    carried_by: str | None = None  # the partner(s) to apply when the lead may not

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# Kept: `python -m benchmarks.cache_benchmark --workloads match` (7 profiles ranked twice over
# 10,000 calls, CPU): without it 5.3 → 5.6 s the first pass, 0.87 → 0.97 s the second (median of 2
# runs).
@lru_cache(maxsize=4096)
def format_date(day: date | None, lang: str = "fr") -> str:
    return _format_date(day, lang)


# Kept: `python -m benchmarks.cache_benchmark --workloads match` (7 profiles ranked twice over
# 10,000 calls, CPU): without it 4.9 → 5.8 s the first pass, 1.0 → 1.4 s the second.
@lru_cache(maxsize=4096)
def _money(value: float | None, currency: str | None, lang: str) -> str:
    return format_amount(None if value is None else round(value, 2), currency or "EUR", lang)


def _evidence(call: CallFacts, field: str, stated: str | None) -> str | None:
    """The funder's words: the sentence a value was read from, or what the source states."""
    if call.inferred(field) and field in call.snippets:
        return call.snippets[field]
    return stated


_BOUNDARY = re.compile(r"[.!?;:\n]\s|\n|(?<=[a-z])\.(?=[A-Z])")


# Kept: `python -m benchmarks.cache_benchmark --workloads match` (7 profiles ranked twice over
# 10,000 calls, CPU): without it 4.9 → 5.5 s the first pass, 1.0 → 1.4 s the second.
@lru_cache(maxsize=20_000)
def _sentence(text: str | None, pattern: re.Pattern[str]) -> str | None:
    """The sentence around the first place a pattern finds (on the bare text), as the funder wrote it."""
    if not text:
        return None
    found = pattern.search(bare(text))
    if found is None:
        return None
    start = 0
    for boundary in _BOUNDARY.finditer(text, max(0, found.start() - MAX_SNIPPET), found.start()):
        start = boundary.end()
    end_match = _BOUNDARY.search(text, found.end())
    end = end_match.start() + 1 if end_match else len(text)
    return " ".join(text[start:end].split())[:MAX_SNIPPET]


def _role(partner: Partner, profile: Profile, lang: str) -> str:
    return t("rule_lead" if partner is profile.lead else "rule_partner", lang)


def _verdict_word(result: Result, lang: str) -> str:
    return t({"pass": "rule_ok", "fail": "rule_not_ok", "unknown": "to_verify"}[result], lang)


def _names(partners: list[Partner], profile: Profile) -> str:
    return ", ".join(p.label(profile.partners.index(p)) for p in partners)


# Timing ---------------------------------------------------------------------------------------


def _cutoff(profile: Profile, as_of: date) -> date:
    return max(as_of, profile.deadline_after or as_of)


def _deadlines(call: CallFacts) -> list[date]:
    return [date.fromisoformat(d) for d in call.deadlines or ()]


def _upcoming(deadlines: list[date], cutoff: date) -> date | None:
    """The first deadline on or after the cutoff: none while some are stated fails timing."""
    return next((d for d in deadlines if d >= cutoff), None)


def _dates_evidence(call: CallFacts, deadlines: list[date], lang: str) -> str | None:
    shown = ", ".join(format_date(d, lang) for d in deadlines)
    return _evidence(call, "deadlines", shown and t("rule_deadlines_stated", lang, dates=shown))


def timing(call: CallFacts, profile: Profile, *, as_of: date, lang: str = "fr") -> Criterion:
    """A next deadline on or after the later of as_of and the profile's deadline_after."""
    cutoff = _cutoff(profile, as_of)
    deadlines = _deadlines(call)
    evidence = _dates_evidence(call, deadlines, lang)
    upcoming = _upcoming(deadlines, cutoff)
    if upcoming is not None:
        status = status_of(call, as_of)
        if status == "forthcoming":
            opens = format_date(call.opens_on, lang) if call.opens_on else t("rule_soon", lang)
            text = t("rule_forthcoming", lang, opens=opens, deadline=format_date(upcoming, lang))
        else:
            text = t("rule_next_deadline", lang, deadline=format_date(upcoming, lang))
        return Criterion("timing", "pass", text, evidence)
    if deadlines:
        last = deadlines[-1]
        if last < as_of:
            text = t("rule_closed", lang, deadline=format_date(last, lang))
        else:
            text = t(
                "rule_too_soon",
                lang,
                deadline=format_date(last, lang),
                cutoff=format_date(cutoff, lang),
            )
        return Criterion("timing", "fail", text, evidence)
    if call.recurrence == "permanent":
        words = call.recurrence_raw or label("recurrence", "permanent", lang)
        return Criterion("timing", "pass", t("rule_permanent", lang), words)
    return Criterion("timing", "unknown", t("rule_no_deadline", lang), None)


# Applicant type -------------------------------------------------------------------------------


def _partner_type(words: str) -> str | None:
    found = map_term("applicant_type", words)
    if found:
        return found
    known = vocabulary("applicant_type").words
    best = process.extractOne(fold(words), list(known), scorer=fuzz.WRatio, score_cutoff=90)
    return known[best[0]] if best else None


def partner_type(partner: Partner) -> str | None:
    """A partner's canonical applicant type from its free words (French or English, typos allowed)."""
    return _partner_type(partner.type)


def _lineage(canonical: str) -> list[str]:
    chain = [canonical]
    while (up := parent("applicant_type", chain[-1])) and up not in chain:
        chain.append(up)
    return chain


# Kept: `python -m benchmarks.cache_benchmark --workloads match` (7 profiles ranked twice over
# 10,000 calls, CPU): without it 5.3 → 5.7 s the first pass, 0.87 → 1.02 s the second (median of 2
# runs).
@lru_cache(maxsize=20_000)
def _admits(call_types: frozenset[str], raw: tuple[str, ...], kind: str | None) -> Result:
    """Whether a call's applicant types admit one applicant type."""
    folded = [fold(word) for word in raw]
    if any(f.startswith(o) for f in folded for o in _OPEN_TO_ALL):
        return "pass"
    if kind is None:
        return "unknown"
    lineage = _lineage(kind)
    if set(lineage) & call_types:
        return "pass"
    if kind in _NON_GOVERNMENT_TYPES and any(
        f.startswith(o) for f in folded for o in _NON_GOVERNMENT
    ):
        return "pass"
    if "other" in call_types or any(map_term("applicant_type", w) in (None, "other") for w in raw):
        return "unknown"
    return "fail"


def _call_types(call: CallFacts, lang: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The call's applicant types and its words for them (their labels when it has none)."""
    types = frozenset(call.applicant_types or ())
    raw = tuple(call.applicant_types_raw or ()) or tuple(
        label("applicant_type", c, lang) for c in sorted(types)
    )
    return types, raw


@dataclass(frozen=True)
class _Restrictions:
    """What the text says of which companies may apply: their size, sectors left out."""

    max_employees: int | None = None
    min_employees: int | None = None
    no_micro: bool = False
    sectors_out: tuple[str, ...] = ()
    words: str | None = None

    def __bool__(self) -> bool:
        return bool(self.max_employees or self.min_employees or self.no_micro or self.sectors_out)


# Kept: `python -m benchmarks.cache_benchmark --workloads match` (7 profiles ranked twice over
# 10,000 calls, CPU): without it 4.9 → 5.9 s the first pass, 1.0 → 1.2 s the second.
@lru_cache(maxsize=20_000)
def _restrictions(text: str) -> _Restrictions:
    low = bare(text)
    high = low_bound = None
    words = []
    for match in _SIZE.finditer(low):
        if match.group(1):
            high = int(match.group(1).replace(" ", "")) - 1
            bounded = re.match(r"de (\d+)", low[match.start() : match.end()])
            low_bound = int(bounded.group(1)) if bounded else low_bound
        else:
            low_bound, high = int(match.group(2)), int(match.group(3).replace(" ", ""))
        words.append(_sentence(text, re.compile(re.escape(low[match.start() : match.end()]))))
    no_micro = bool(_NO_MICRO.search(low))
    if no_micro:
        words.append(_sentence(text, _NO_MICRO))
    sectors = tuple(next(g for g in m.groups() if g) for m in _SECTOR_OUT.finditer(low))
    if sectors:
        words.append(_sentence(text, _SECTOR_OUT))
    shown = " | ".join(dict.fromkeys(w for w in words if w)) or None
    return _Restrictions(high, low_bound, no_micro, sectors, shown)


def _call_restrictions(call: CallFacts) -> _Restrictions:
    found = call.memo.get("restrictions")
    if found is None:
        text = " \n".join(filter(None, (call.title, call.eligibility, call.summary_plain)))
        found = call.memo["restrictions"] = _restrictions(text) if text else _Restrictions()
    return found


def _restricted(partner: Partner, kind: str | None, found: _Restrictions) -> Result:
    """A company partner against the size and sectors the call's text asks for."""
    if not found or kind not in _COMPANY_TYPES:
        return "pass"
    results: list[Result] = []
    if found.max_employees or found.min_employees or found.no_micro:
        low = 10 if found.no_micro else (found.min_employees or 0)
        high = found.max_employees
        staff = partner.employees
        if staff is None:
            results.append(
                "pass"
                if kind in ("sme", "startup") and high and high >= 249 and not low
                else "unknown"
            )
        else:
            results.append("pass" if low <= staff and (high is None or staff <= high) else "fail")
    if found.sectors_out:
        sector = fold(" ".join(filter(None, (partner.sector, partner.type))))
        industrial = any(w in sector for w in _INDUSTRY_WORDS)
        out = {"industrie", "industry", "manufacturing"} & set(found.sectors_out)
        if out and industrial:
            results.append("fail")
        elif partner.sector is None:
            results.append("unknown")
        else:
            results.append("pass")
    return "fail" if "fail" in results else "unknown" if "unknown" in results else "pass"


def _type_results(call: CallFacts, profile: Profile, lang: str) -> list[tuple]:
    """(index, partner, its type, result) for each partner: the call's types, then its text."""
    key = ("types", id(profile), lang)
    found = call.memo.get(key)
    if found is None or found[0] is not profile:
        found = call.memo[key] = (profile, _type_results_of(call, profile, lang))
    return found[1]


def _type_results_of(call: CallFacts, profile: Profile, lang: str) -> list[tuple]:
    types, raw = _call_types(call, lang)
    found = _call_restrictions(call)
    results = []
    for index, partner in enumerate(profile.partners):
        kind = partner_type(partner)
        result = _admits(types, raw, kind) if types or raw else "unknown"
        if result != "fail":
            limited = _restricted(partner, kind, found)
            result = limited if limited != "pass" or result == "pass" else result
        results.append((index, partner, kind, result))
    return results


def _deciding(results: list[tuple], lead: Partner | None) -> Result:
    """The best of the partners' results: a call one partner may apply to is open to the
    partnership, that partner carrying the application when the lead may not."""
    found = {r[3] for r in results}
    return "pass" if "pass" in found else "unknown" if "unknown" in found else "fail"


def _carrier(results: list[tuple], lead: Partner | None) -> list[Partner]:
    """The partners who must carry the application when the named lead may not (else none)."""
    if lead is None or next(r for r in results if r[1] is lead)[3] == "pass":
        return []
    return [r[1] for r in results if r[3] == "pass"]


def _per_partner(
    name: str, results: list, profile: Profile, lang: str, evidence: str | None, describe
) -> Criterion:
    """Fold per-partner results: the lead decides (or any partner when none is named lead)."""
    lead = profile.lead
    lines = [
        t(
            "rule_partner_line",
            lang,
            name=partner.label(index),
            what=describe(partner, kind, lang),
            role=_role(partner, profile, lang),
            verdict=_verdict_word(result, lang),
        )
        for index, partner, kind, result in results
    ]
    deciding = _deciding(results, lead)
    summary = "; ".join(lines) + "."
    carriers = _carrier(results, lead)
    if carriers:
        summary += " " + t("rule_carried_by", lang, names=_names(carriers, profile))
    elif deciding == "pass" and any(r[3] == "fail" for r in results):
        summary += " " + t("rule_associated_partners", lang)
    if lead is None and deciding == "pass":
        leads = [r[1] for r in results if r[3] == "pass"]
        summary += " " + t("rule_possible_lead", lang, names=_names(leads, profile))
    carried_by = _names(carriers, profile) if carriers and deciding == "pass" else None
    return Criterion(name, deciding, summary, evidence, carried_by=carried_by)


def _type_words(partner: Partner, kind: str | None, lang: str) -> str:
    return label("applicant_type", kind, lang) if kind else partner.type


def applicant_type(call: CallFacts, profile: Profile, *, lang: str = "fr") -> Criterion:
    """The lead must be an eligible applicant type (a company of the size and sector the text
    asks for); co-applicants are checked and named too."""
    types, raw = _call_types(call, lang)
    found = _call_restrictions(call)
    if not types and not raw and not found:
        return Criterion(
            "applicant_type",
            "unknown",
            t("rule_who_unknown", lang),
            _sentence(call.eligibility, _WHO_CAN_APPLY),
        )
    stated = "; ".join(raw) if raw else None
    evidence = " | ".join(filter(None, (_evidence(call, "applicant_types", stated), found.words)))
    results = _type_results(call, profile, lang)
    return _per_partner("applicant_type", results, profile, lang, evidence or None, _type_words)


# Where applicants are established -------------------------------------------------------------


def _seat_result(scope: frozenset[str], seat: frozenset[str]) -> Result:
    if not seat:
        return "unknown"
    found = places.relate(scope, seat)
    return {"inside": "pass", "outside": "fail", "partial": "unknown"}[found]


def _where_words(partner: Partner, seat: Any, lang: str) -> str:
    shown = _place_names(partner.seat, lang)
    return shown or t("rule_country_unknown", lang)


def _place_names(ids: frozenset[str] | set[str], lang: str, limit: int = 4) -> str:
    names = sorted({places.name(p, lang) for p in ids})
    return ", ".join(names[:limit]) + ("…" if len(names) > limit else "")


def _country_results(zone: frozenset[str], profile: Profile) -> list[tuple]:
    return [(i, p, None, _seat_result(zone, p.seat)) for i, p in enumerate(profile.partners)]


def applicant_country(call: CallFacts, profile: Profile, *, lang: str = "fr") -> Criterion | None:
    """Where the partners are established against the places the call's applicants must be in
    (None when the call names none: its territory is then the question, see territory)."""
    zone, unread = call.applicant_places
    words = list(call.applicant_countries or ())
    evidence = _evidence(call, "applicant_countries", "; ".join(words) or None)
    if not zone:
        if not words:
            return None
        return Criterion("applicant_country", "unknown", t("rule_seat_unknown", lang), evidence)
    results = _country_results(zone, profile)
    if unread:  # a place word not understood may admit a partner the others do not
        results = [(i, p, k, "unknown" if r == "fail" else r) for i, p, k, r in results]
    return _per_partner("applicant_country", results, profile, lang, evidence, _where_words)


# Territory ------------------------------------------------------------------------------------


def _eligible_seats(call: CallFacts, profile: Profile, lang: str) -> list[tuple[int, Partner]]:
    """The partners that may apply (by type): those whose seat can bring the call's territory."""
    results = _type_results(call, profile, lang)
    return [(i, p) for i, p, _, result in results if result != "fail"]


def _territory_result(call: CallFacts, profile: Profile, lang: str) -> tuple[Result, str, dict]:
    """(result, what decided, details) of the territory criterion, without wording."""
    scope = call.scope
    if scope is None:
        return "unknown", "unstated", {}
    eligible = _eligible_seats(call, profile, lang)
    if scope.cross_border:
        sides: dict[str, list[Partner]] = {}
        for country in sorted(
            {places.country_of(m) for m in places.members(next(iter(scope.places)))} - {None}
        ):
            sides[country] = [
                p
                for _, p in eligible
                if places.relate(scope.places, p.seat) == "inside"
                and any(places.country_of(s) == country for s in p.seat)
            ]
        missing = [c for c, found in sides.items() if not found]
        return (
            "fail" if missing and scope.decides else "unknown" if missing else "pass",
            "cross_border",
            {"sides": sides, "missing": missing},
        )
    if scope.seat_required:
        carriers = [p for _, p in eligible if _seat_result(scope.places, p.seat) == "pass"]
        unsure = [p for _, p in eligible if _seat_result(scope.places, p.seat) == "unknown"]
        result = "pass" if carriers else "unknown" if unsure or not scope.decides else "fail"
        return result, "seat", {"carriers": carriers}
    where, inferred = project_places(profile)
    found = _project_relation(scope.places, where) if where else None
    if scope.basis in ("zones", "title"):
        if found is None:
            return "unknown", "project_unknown", {"inferred": inferred}
        result = {"inside": "pass", "partial": "unknown", "outside": "fail"}[found]
        if result == "fail" and not scope.decides:
            result = "unknown"
        return result, "project", {"where": where, "inferred": inferred}
    carriers = [p for _, p in eligible if _seat_result(scope.places, p.seat) == "pass"]
    if found == "inside" or carriers:
        return "pass", "funder", {"where": where, "inferred": inferred, "carriers": carriers}
    # A partner known only by a région that holds the project's town is taken to be there too.
    seats = [_seat_result(scope.places, _near(p.seat, where)) for _, p in eligible]
    if found == "partial" or "unknown" in seats or not scope.decides or not eligible:
        return "unknown", "funder", {"where": where, "inferred": inferred}
    return "fail", "funder", {"where": where, "inferred": inferred}


def _project_relation(scope: frozenset[str], where: frozenset[str]) -> str:
    """Where the project stands against a call's territory; a project spread over a group of
    countries ("Sahel") lies inside a call for one of them (it can run that part)."""
    found = places.relate(scope, where)
    if found == "partial" and any(
        places.kind(w) in ("group", "continent") and any(places.contains(w, s) for s in scope)
        for w in where
    ):
        return "inside"
    return found


def _near(seat: frozenset[str], where: frozenset[str]) -> frozenset[str]:
    """A partner's seat, narrowed to the project's places when it holds them all."""
    if where and seat and all(any(places.contains(s, w) for s in seat) for w in where):
        return where
    return seat


def _scope_words(scope: Scope, lang: str) -> str:
    shown = _place_names(scope.places, lang)
    key = {
        "funder": "rule_scope_funder",
        "national": "rule_scope_funder",
        "europe": "rule_scope_funder",
    }.get(scope.basis, "rule_scope_stated")
    return t(key, lang, funder=scope.evidence, places=shown)


def territory(call: CallFacts, profile: Profile, *, lang: str = "fr") -> Criterion:
    """The territory the call is limited to (what it states, else its funder's own territory)
    against where the project takes place and where the partners that may apply are established."""
    result, decided, details = _territory_result(call, profile, lang)
    scope = call.scope
    if scope is None:
        return Criterion("territory", "unknown", t("rule_territory_unknown", lang), None)
    evidence = _evidence(call, "intervention_zones", scope.evidence)
    head = _scope_words(scope, lang)
    where = details.get("where") or frozenset()
    project = _place_names(where, lang) if where else ""
    if details.get("inferred"):
        project = t("rule_project_from_seats", lang, places=project)
    if decided == "cross_border":
        sides = details["sides"]
        found = "; ".join(
            t("rule_side", lang, country=places.name(c, lang), names=_names(ps, profile) or "—")
            for c, ps in sides.items()
        )
        if details["missing"]:
            missing = ", ".join(places.name(c, lang) for c in details["missing"])
            text = t("rule_cross_border_missing", lang, scope=head, found=found, missing=missing)
        else:
            text = t("rule_cross_border_ok", lang, scope=head, found=found)
        return Criterion("territory", result, text, evidence, local=result == "pass")
    if decided == "seat":
        carriers = details["carriers"]
        if carriers:
            text = t("rule_seat_carrier", lang, scope=head, names=_names(carriers, profile))
        else:
            text = t("rule_seat_none", lang, scope=head)
        return Criterion(
            "territory", result, text, evidence, local=result == "pass" and scope.local
        )
    if decided == "project_unknown":
        return Criterion(
            "territory", "unknown", t("rule_project_place_unknown", lang, scope=head), evidence
        )
    local = result == "pass" and scope.local
    if result == "pass":
        carriers = details.get("carriers")
        if (
            decided == "funder"
            and carriers
            and places.relate(scope.places, where or frozenset()) != "inside"
        ):
            text = t("rule_territory_seat_ok", lang, scope=head, names=_names(carriers, profile))
        else:
            text = t("rule_territory_ok", lang, scope=head, project=project)
    elif result == "fail":
        seats = _place_names(frozenset(s for p in profile.partners for s in p.seat), lang)
        key = "rule_territory_out_project" if decided == "project" else "rule_territory_out"
        text = t(key, lang, scope=head, project=project or "—", seats=seats or "—")
    else:
        text = t("rule_territory_partial", lang, scope=head, project=project or "—")
    return Criterion("territory", result, text, evidence, local=local)


# Partnership ----------------------------------------------------------------------------------


def _partnership_result(call: CallFacts, profile: Profile) -> tuple[Result, str, dict]:
    count = len(profile.partners)
    seats = [p.seat for p in profile.partners]
    countries = {c for s in seats for p in s if (c := places.country_of(p))}
    text = call.eligibility
    stated = requirements(text)
    if stated:
        counts = [count_partners(r, seats) for r in stated]
        unsure = any(not seat for seat in seats)
        if all(c.met for c in counts):
            return "pass", "requirements", {"counts": counts}
        return ("unknown" if unsure else "fail"), "requirements", {"counts": counts}
    required = call.min_partners
    several = _sentence(text, _SEVERAL_COUNTRIES)
    if required and count < required:
        return "fail", "minimum", {"required": required, "count": count}
    if several:
        return (
            ("pass" if len(countries) >= 2 else "fail"),
            "countries",
            {"countries": len(countries)},
        )
    if required or call.partnership_required:
        need = required or 2
        return ("pass" if count >= need else "fail"), "required", {"need": need, "count": count}
    if call.partnership_required is False:
        return "pass", "alone", {}
    if _sentence(text, _CONSORTIUM_HINT):
        return "unknown", "hinted", {}
    return "pass", "none", {}


def partnership(call: CallFacts, profile: Profile, *, lang: str = "fr") -> Criterion:
    """The consortium the call asks for (partners counted by where they are established, one per
    country when the countries must differ) against the partnership as it is."""
    result, decided, details = _partnership_result(call, profile)
    text = call.eligibility
    if decided == "requirements":
        lines = []
        for found in details["counts"]:
            r = found.requirement
            where = (
                t("rule_established_in", lang, place=places.name(r.within, lang))
                if r.within
                else ""
            )
            need = r.needed(len(profile.partners))
            counted = [profile.partners[i] for i in found.counted]
            key = "rule_requirement_met" if found.met else "rule_requirement_missing"
            lines.append(
                t(
                    key,
                    lang,
                    need=need,
                    where=where,
                    distinct=t("rule_distinct", lang) if r.distinct else "",
                    names=_names(counted, profile) or "—",
                    missing=max(found.missing, 0),
                )
            )
        evidence = " | ".join(dict.fromkeys(c.requirement.words for c in details["counts"]))
        return Criterion("partnership", result, " ".join(lines), evidence)
    field = "min_partners" if call.min_partners else "partnership_required"
    evidence = (
        _evidence(call, field, None)
        or _sentence(text, _SEVERAL_COUNTRIES)
        or _sentence(text, _CONSORTIUM_HINT)
    )
    key = {
        "minimum": "rule_minimum_partners",
        "countries": "rule_several_countries_" + ("ok" if result == "pass" else "missing"),
        "required": "rule_partnership_required",
        "alone": "rule_alone",
        "hinted": "rule_partnership_hinted",
        "none": "rule_no_partnership",
    }[decided]
    values = {
        "required": call.min_partners,
        "count": len(profile.partners),
        "countries": details.get("countries"),
        "need": details.get("need"),
    }
    return Criterion("partnership", result, t(key, lang, **values), evidence)


# Money ----------------------------------------------------------------------------------------


def _in_euros(value: float | None, currency: str | None) -> float | None:
    if value is None:
        return None
    rate = EUR_PER.get(currency or "EUR")
    return None if rate is None else value * rate


def _below_minimum(high_eur: float | None, profile: Profile) -> bool:
    return high_eur is not None and profile.amount_min is not None and high_eur < profile.amount_min


def _indicative(call: CallFacts) -> bool:
    """An estimate rather than a floor, never a fail on its own: one figure per project (minimum =
    maximum), or an EU topic's expected contribution ("between EUR 4 and 6 million would allow
    these outcomes to be addressed; this does not preclude proposals requesting other amounts")."""
    if call.amount_min is not None and call.amount_min == call.amount_max:
        return True
    return call.scope is not None and call.scope.basis == "europe"


def _far_above_maximum(low_eur: float | None, profile: Profile) -> bool:
    return (
        low_eur is not None
        and profile.amount_max is not None
        and low_eur > FLOOR_TOLERANCE * profile.amount_max
    )


def amount(call: CallFacts, profile: Profile, *, lang: str = "fr") -> Criterion | None:
    """The profile's amount range against the call's minimum and maximum per project."""
    if profile.amount_min is None and profile.amount_max is None:
        return None
    currency = call.currency or "EUR"
    low, high = call.amount_min, call.amount_max
    shown = [v for v in (low, high) if v is not None]
    if len(shown) == 2 and shown[0] == shown[1]:
        shown = shown[1:]  # "10 000 000 €", not "10 000 000 € – 10 000 000 €"
    stated = " – ".join(_money(v, currency, lang) for v in shown) or None
    evidence = _evidence(call, "amount_max" if high is not None else "amount_min", stated)
    wanted = " – ".join(
        _money(v, "EUR", lang) for v in (profile.amount_min, profile.amount_max) if v is not None
    )
    low_eur, high_eur = _in_euros(low, currency), _in_euros(high, currency)
    if low_eur is None and high_eur is None:
        return Criterion(
            "amount", "unknown", t("rule_amount_unknown", lang, wanted=wanted), evidence
        )
    note = "" if currency == "EUR" else t("rule_converted", lang)
    money = {
        "high": _money(high, currency, lang),
        "low": _money(low, currency, lang),
        "min": _money(profile.amount_min, "EUR", lang),
        "max": _money(profile.amount_max, "EUR", lang),
        "note": note,
    }
    if _below_minimum(high_eur, profile):
        return Criterion("amount", "fail", t("rule_amount_too_small", lang, **money), evidence)
    if _far_above_maximum(low_eur, profile) and not _indicative(call):
        return Criterion("amount", "fail", t("rule_amount_too_big", lang, **money), evidence)
    if low_eur is not None and profile.amount_max is not None and low_eur > profile.amount_max:
        # A call's floor is often indicative (EU topics say so): a somewhat larger project may fit.
        return Criterion("amount", "unknown", t("rule_amount_floor", lang, **money), evidence)
    return Criterion(
        "amount",
        "pass",
        t("rule_amount_ok", lang, stated=stated, note=note, wanted=wanted),
        evidence,
    )


def _budget(profile: Profile) -> float | None:
    return profile.amount_max or profile.amount_min


def _cofinancing_gap(rate: float, available: float, budget: float | None) -> float:
    """What the partners lack, in euros of the budget (a share of it when there is no budget)."""
    needed = max(0.0, 1 - rate)
    if budget:
        return needed * budget - available * budget
    return needed - available


def _percent(value: float, lang: str) -> str:
    return f"{value:.0%}".replace("%", " %" if lang == "fr" else "%")


def cofinancing(call: CallFacts, profile: Profile, *, lang: str = "fr") -> Criterion | None:
    """What the partners must bring given the call's maximum rate, against what they can bring."""
    if profile.cofinancing_available is None:
        return None
    rate, available = call.cofinancing_rate_max, profile.cofinancing_available
    evidence = _evidence(
        call,
        "cofinancing_rate_max",
        t("rule_rate_stated", lang, rate=_percent(rate, lang)) if rate is not None else None,
    )
    if rate is None:
        return Criterion(
            "cofinancing",
            "unknown",
            t("rule_rate_unknown", lang, available=_percent(available, lang)),
            evidence,
        )
    budget = _budget(profile)
    needed = max(0.0, 1 - rate)
    if budget:
        figures = t(
            "rule_cofinancing_budget",
            lang,
            budget=_money(budget, "EUR", lang),
            funded=_money(rate * budget, "EUR", lang),
            rate=_percent(rate, lang),
            must=_money(needed * budget, "EUR", lang),
            can=_money(available * budget, "EUR", lang),
        )
    else:
        figures = t(
            "rule_cofinancing_share",
            lang,
            rate=_percent(rate, lang),
            must=_percent(needed, lang),
            can=_percent(available, lang),
        )
    gap = _cofinancing_gap(rate, available, budget)
    if gap > MIN_GAP:
        short = _money(gap, "EUR", lang) if budget else _percent(gap, lang)
        return Criterion(
            "cofinancing", "fail", figures + t("rule_missing", lang, short=short), evidence
        )
    return Criterion("cofinancing", "pass", figures + ".", evidence)


# Instrument -----------------------------------------------------------------------------------


def _wanted_instruments(profile: Profile) -> set[str]:
    return {map_term("instrument", w) or w for w in profile.instruments}


def instrument(call: CallFacts, profile: Profile, *, lang: str = "fr") -> Criterion | None:
    """The kind of support wanted (grant, loan, prize...) when the profile says."""
    if not profile.instruments:
        return None
    wanted = _wanted_instruments(profile)
    names = ", ".join(label("instrument", w, lang) for w in sorted(wanted))
    found = call.instrument
    raw = call.instrument_raw if call.instrument_raw != found else None  # a code is no words
    evidence = raw or (label("instrument", found, lang) if found else None)
    if found is None:
        return Criterion(
            "instrument", "unknown", t("rule_instrument_unknown", lang, names=names), evidence
        )
    shown = label("instrument", found, lang)
    if found in wanted:
        return Criterion("instrument", "pass", t("rule_instrument_ok", lang, shown=shown), evidence)
    return Criterion(
        "instrument", "fail", t("rule_instrument_other", lang, shown=shown, names=names), evidence
    )


# All together ---------------------------------------------------------------------------------


def check_all(
    call: CallFacts, profile: Profile, *, as_of: date, lang: str = "fr"
) -> list[Criterion]:
    """Every criterion that applies to this profile, in a fixed order."""
    found = [
        timing(call, profile, as_of=as_of, lang=lang),
        applicant_type(call, profile, lang=lang),
        applicant_country(call, profile, lang=lang),
        territory(call, profile, lang=lang),
        partnership(call, profile, lang=lang),
        amount(call, profile, lang=lang),
        cofinancing(call, profile, lang=lang),
        instrument(call, profile, lang=lang),
    ]
    return [c for c in found if c is not None]


def fails_early(call: CallFacts, profile: Profile, *, as_of: date, lang: str = "fr") -> str | None:
    """A criterion the call fails, found by the criteria's own tests without writing any
    explanation (check_all fails the call on it too): to leave ineligible calls out before scoring.
    The consortium is checked last, so "partnership" means the call is only to complete."""
    deadlines = _deadlines(call)
    if deadlines and _upcoming(deadlines, _cutoff(profile, as_of)) is None:
        return "timing"
    types, raw = _call_types(call, lang)
    if (types or raw or _call_restrictions(call)) and _deciding(
        _type_results(call, profile, lang), profile.lead
    ) == "fail":
        return "applicant_type"
    zone, unread = call.applicant_places
    if zone and not unread and _deciding(_country_results(zone, profile), profile.lead) == "fail":
        return "applicant_country"
    if _territory_result(call, profile, lang)[0] == "fail":
        return "territory"
    currency = call.currency or "EUR"
    if _below_minimum(_in_euros(call.amount_max, currency), profile) or (
        _far_above_maximum(_in_euros(call.amount_min, currency), profile) and not _indicative(call)
    ):
        return "amount"
    rate, available = call.cofinancing_rate_max, profile.cofinancing_available
    if (
        rate is not None
        and available is not None
        and _cofinancing_gap(rate, available, _budget(profile)) > MIN_GAP
    ):
        return "cofinancing"
    found = call.instrument
    if profile.instruments and found is not None and found not in _wanted_instruments(profile):
        return "instrument"
    if _partnership_result(call, profile)[0] == "fail":  # last: alone, the call is to_complete
        return "partnership"
    return None


def verdict(criteria: list[Criterion]) -> str:
    """Any fail: ineligible, unless the only one is the consortium the call asks for (partners
    to add): to_complete; else an eligibility criterion unknown: to_verify; else eligible (an
    amount, rate or instrument the call does not state is noted, it does not make it doubtful)."""
    failed = {c.criterion for c in criteria if c.result == "fail"}
    if failed == {"partnership"}:
        return "to_complete"
    if failed:
        return "ineligible"
    if any(c.result == "unknown" and c.criterion in ELIGIBILITY for c in criteria):
        return "to_verify"
    return "eligible"


def deciding(criteria: list[Criterion]) -> Criterion | None:
    """The criterion that makes a call ineligible (the first failed one)."""
    return next((c for c in criteria if c.result == "fail"), None)
