"""The territory a call is limited to, with its evidence and how sure the reading is: what the source
states (intervention zones), what the call's title names, and otherwise what its funder's name says
(a Région, a Département, a commune, an intercommunality or a Préfecture funds its own territory; a
ministry, ADEME or Bpifrance funds France; the EU funds its member and associated countries)."""

import re
from dataclasses import dataclass

from funding.normalize import fold
from funding.territory import places

# A reading this sure decides (a call outside it fails); a less sure one only raises a question.
DECIDES = 0.7
# Groups whose list of countries is an approximation here: a call limited to one never excludes.
APPROXIMATE = frozenset({"DEVELOPING", "SAHEL"})
_SEPARATORS = re.compile(r"\s*[;|]\s*")
_ACRONYM = re.compile(r"\s*\([^)]*\)\s*")
# Bodies whose name says they fund their own territory: the cue, then the place ("du Morbihan").
_LOCAL = re.compile(
    r"^(?:conseil regional|region|conseil departemental|conseil general|departement|collectivite"
    r"|ville|mairie|commune|prefecture(?: de la region| de region)?|sous prefecture"
    r"|dd(?:tm?|ets|pp|cs|fip)|dreal|draaf|dreets|drac|dr(?:jscs|ajes)"
    r"|direction (?:departementale|regionale)(?: [a-z]+)*?(?= (?:de la|de l|des|du|de|d|en) )"
    r"|agence (?:technique )?departementale(?: [a-z]+)*?(?= (?:de la|de l|des|du|de|d) )"
    r"|syndicat (?:departemental|intercommunal)(?: [a-z]+)*?(?= (?:de la|de l|des|du|de|d) )"
    r"|etablissement public foncier(?: local)?|epfl?|chambre d agriculture|chambre regionale"
    r"|chambre de commerce et d industrie|cci|chambre des metiers(?: et de l artisanat)?|cma"
    r"|caue|caisse d epargne|credit agricole(?: mutuel)?|canton|republique et canton|etat"
    r"|parc naturel regional|agence d urbanisme|agence locale de l energie(?: et du climat)?"
    r")\b(?: (?:de la|de l|des|du|de|d|en))?\s*(?P<place>.+)$"
)
_INTERCOMMUNAL = re.compile(
    r"^(?:communaute (?:de communes|d agglomeration|urbaine)|metropole)\b"
    r"|\b(?:agglo|agglomeration|metropole)$"
)
# Bodies that fund their whole country (or the EU's member and associated countries).
_NATIONAL = re.compile(
    r"\bministere\b|\bministry\b|\bademe\b|bpifrance|banque publique d investissement"
    r"|banque des territoires|caisse des depots|\bagence nationale\b|\banct\b|\banah\b|\bcerema\b"
    r"|office francais|agence de services et de paiement|\bcentre national\b|\bcnc\b|\bafd\b"
    r"|agence francaise de developpement|\bopco\b|france travail|agence de l eau|\betat francais\b"
    r"|voies navigables de france|direction generale|\bdgfip\b|caisse nationale|haut commissariat"
    r"|secretariat d etat|banque de france|\bfranceagrimer\b|gouvernement"
)
_EUROPEAN = re.compile(
    r"european commission|commission europeenne|union europeenne|european union|\beacea\b"
    r"|\bcinea\b|\brea\b|\bercea\b|\bhadea\b|\beismea\b|european research council"
    r"|european innovation council|europeaid|\bdg [a-z]+\b"
)
_SWISS_FEDERAL = re.compile(
    r"confederation suisse|\bddc\b|\bsdc\b|direction du developpement et de la cooperation"
    r"|swiss agency for development|office federal|secretariat d etat a l economie|\bseco\b"
)
_INTERREG = re.compile(r"\binterreg\b")


@dataclass(frozen=True)
class Scope:
    """Where a call's money may go: its places, where that was read, the words, how sure."""

    places: frozenset[str]
    basis: str  # "zones" (the source or the text says), "title", "funder", "national", "europe"
    evidence: str
    confidence: float
    seat_required: bool = False  # Swiss funders and Geneva communes: an applicant seated inside
    cross_border: bool = False  # Interreg: a partner established on each side of the border

    @property
    def decides(self) -> bool:
        return self.confidence >= DECIDES and not self.places & APPROXIMATE

    @property
    def local(self) -> bool:
        """Limited to places below a country (a commune, département, région, canton, local area)."""
        return bool(self.places) and all(places.is_local(p) for p in self.places)


def read_places(words: tuple[str, ...] | list[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """(the places some words name, the words that name none)."""
    found: set[str] = set()
    unknown = []
    for word in words:
        ids = places.lookup(word) if word and word.strip() else ()
        if ids:
            found.update(ids)
        elif word and word.strip():
            unknown.append(word)
    return frozenset(found), tuple(unknown)


def call_scope(
    zones: tuple[str, ...] = (),
    zones_confidence: float = 0.9,
    funder: str | None = None,
    title: str | None = None,
    programme: str | None = None,
    opening: str | None = None,
) -> Scope | None:
    """The call's territory, from the most explicit statement to the least: the zones its source
    states or its text names (zones_confidence says which), places its title names, its funder
    (as the source names it, or as the opening of its text does: "La Région Auvergne-Rhône-Alpes
    vous accompagne"). None when nothing is known (then the call is "to verify" on that count)."""
    interreg = _interreg(" ".join(filter(None, (title, programme, funder))))
    if interreg is not None:
        return interreg
    if zones:
        found, _ = read_places(zones)
        if found:
            return Scope(found, "zones", "; ".join(zones), zones_confidence)
    from_title = _title_places(title or "")
    if from_title is not None:
        return from_title
    stated = funder_scope(funder)
    if stated is not None and stated.basis == "funder":
        return stated
    return _body_in_text(opening or "") or stated


# A local body named in a call's text: its cue and the capitalised place after it.
_BODY = re.compile(
    r"\b(?:(?:La |Le |la |le )?(?:Région|Conseil régional|Conseil départemental|Département|Ville"
    r"|Métropole|Préfecture|Communauté de communes|Communauté d'agglomération|CCI|CMA|"
    r"Chambre d['’]agriculture)) (?:de la |de l['’]|des |du |de |d['’])?[A-ZÉÈÎ][\w'’\-]+(?:[ \-][A-ZÉÈÎ][\w'’\-]+)*"
)


def _body_in_text(text: str) -> Scope | None:
    """The territory of a local body the opening of a call's text names as its funder."""
    for match in _BODY.finditer(text[:600]):
        found = _one_funder(match.group())
        if found is not None and found.basis == "funder" and found.confidence >= DECIDES:
            return Scope(found.places, "funder", match.group(), DECIDES, found.seat_required)
    return None


def _interreg(text: str) -> Scope | None:
    if not _INTERREG.search(fold(text)):
        return None
    areas = {p for p, _, _ in places.find_in_text(text) if places.kind(p) == "area"}
    area = next((a for a in sorted(areas) if a.startswith("INTERREG-")), None)
    if area is None:
        return None
    return Scope(frozenset({area}), "zones", text.strip(), 0.9, cross_border=True)


# A place a title says a call acts in: after a locative ("in Africa", "au Bénin", "à Paris"), or
# set apart at its start or end ("INDIA - Civil society ...", "Borderlands V - West Africa").
_LOCATIVE = re.compile(r"\b(?:in|within|en|au|aux|a|dans|sur)(?: (?:the|le|la|les|l))? $")
_APART_BEFORE = re.compile(r"(?:^|\s[-–:]\s*)$")
_APART_AFTER = re.compile(r"^(?:\s*[-–:(]\s|\s*$)")


def _title_places(title: str) -> Scope | None:
    """The places a title says the call acts in: a place below a country wherever it is named
    ("Trophées franciliens d'Île-de-France"), a country, group or continent after a locative or set
    apart ("... in Africa", "INDIA - ...")."""
    found = set()
    for place, start, end in places.find_in_text(title):
        locative = start and _LOCATIVE.search(fold(title[:start]) + " ")
        apart = (start == 0 or _APART_BEFORE.search(title[:start])) and _APART_AFTER.search(
            title[end:]
        )
        if places.is_local(place) or locative or apart:
            found.add(place)
    return Scope(frozenset(found), "title", title, 0.75) if found else None


def funder_scope(funder: str | None) -> Scope | None:
    """The territory a funder's name says it funds, or None when its name says nothing of it."""
    if not funder or not funder.strip():
        return None
    scopes = [s for part in _SEPARATORS.split(funder) if (s := _one_funder(part))]
    local = [s for s in scopes if s.basis == "funder"]
    if local:  # a national agency with a local body (ANCT and a DDT): the local body's territory
        found = frozenset().union(*(s.places for s in local))
        return Scope(
            found,
            "funder",
            funder.strip(),
            min(s.confidence for s in local),
            seat_required=any(s.seat_required for s in local),
        )
    return scopes[0] if scopes else None


def _one_funder(name: str) -> Scope | None:
    key = fold(_ACRONYM.sub(" ", name))
    if not key:
        return None
    if _SWISS_FEDERAL.search(key):
        return Scope(frozenset({"CH"}), "funder", name, 0.8, seat_required=True)
    if _NATIONAL.search(key):
        return Scope(frozenset({"FR"}), "national", name, 0.7)
    if _EUROPEAN.search(key):
        return Scope(frozenset({"EU+ASSOCIATED"}), "europe", name, 0.5)
    found: frozenset[str] = frozenset()
    confidence = 0.85
    cue = _LOCAL.match(key)
    if cue:
        found = _places_in(cue.group("place"), name)
    if not found and _INTERCOMMUNAL.search(key):
        found = frozenset(places.lookup(name))
    if not found:  # a place named without a cue ("FREDON Occitanie", "Drôme Aménagement
        # Habitat"): a body named after a région or a département works there; after a town, maybe
        found = frozenset(p for p, _, _ in places.find_in_text(name) if places.is_local(p))
        wide = all(places.kind(p) in ("region", "department") for p in found)
        confidence = DECIDES if wide else 0.6
    if not found:
        return None
    swiss = all(places.country_of(p) == "CH" for p in found)
    return Scope(found, "funder", name.strip(), confidence, seat_required=swiss)


def _places_in(words: str, original: str) -> frozenset[str]:
    """The places named after a funder's cue: a région, département or canton first (the whole
    rest, or each one named: "Loire-Drôme-Ardèche", "(PACA)"), then a commune or intercommunality."""
    whole = places.lookup(words, local=False, fuzzy=False)
    if whole:
        return frozenset(whole)
    named = frozenset(p for p, _, _ in places.find_in_text(original))
    return named or frozenset(places.lookup(words, fuzzy=False))
