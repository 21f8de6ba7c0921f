"""Build the bundled offline snapshot of real funder data (funding/data/snapshot.jsonl.gz).

Reads the recorded open data in ``<shared>/data`` and writes one opportunity per line in the
contract format (``contracts/opportunity.schema.json``), gzip-compressed and byte-for-byte
reproducible: keys sorted, records sorted by id, gzip mtime 0 and no file name in the header.
Standard library only; every record is validated with ``jsonschema`` when it is installed.
Selection rules and field mappings are documented in funding/data/PROVENANCE.md.

    python tools/build_snapshot.py --shared ../shared --out funding/data/snapshot.jsonl.gz
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

Record = dict[str, Any]

EU_TARGET = 200
AIDES_TERRITOIRES_TARGET = 150
MISSION_TRANSITION_TARGET = 80
GRANTS_GOV_TARGET = 60
# Years from here on are placeholders at the source ("no end date"), not real deadlines.
PLACEHOLDER_YEAR = 2099


# --------------------------------------------------------------------------- helpers


def clean(record: Record) -> Record:
    """Strip strings, drop empty strings/lists/None, de-duplicate list items (order kept)."""
    out: Record = {}
    for key, value in record.items():
        if isinstance(value, str):
            value = value.strip()
        elif isinstance(value, list):
            items = []
            for item in value:
                if isinstance(item, str):
                    item = item.strip()
                if item not in (None, "") and item not in items:
                    items.append(item)
            value = items
        if value is None or value == "" or value == []:
            continue
        out[key] = value
    return out


def split(text: str | None, sep: str) -> list[str]:
    return [part.strip() for part in (text or "").split(sep) if part.strip()]


def dmy_to_iso(text: str | None) -> str | None:
    """'31/12/2022' -> '2022-12-31'; None when empty. Raises on any other shape."""
    if not text or not text.strip():
        return None
    return datetime.strptime(text.strip(), "%d/%m/%Y").date().isoformat()


def iso_date(text: str | None) -> str | None:
    """Validate an ISO date (YYYY-MM-DD) and return it; None when empty."""
    if not text or not str(text).strip():
        return None
    return date.fromisoformat(str(text).strip()[:10]).isoformat()


def real_deadline(iso: str | None) -> str | None:
    """Drop placeholder far-future dates (2099-01-01, 2121-...) that mean 'no date'."""
    if iso and int(iso[:4]) >= PLACEHOLDER_YEAR:
        return None
    return iso


def positive(value: Any) -> float | int | None:
    """A number > 0, as int when integral; None for empty/0 (the sources use 0 for unknown)."""
    if value in (None, ""):
        return None
    number = float(value)
    if number <= 0:
        return None
    return int(number) if number.is_integer() else number


def round_robin(groups: dict[str, list[Record]], limit: int) -> list[Record]:
    """Take one item per group in turn (groups in sorted key order) until limit."""
    queues = {key: list(items) for key, items in sorted(groups.items())}
    picked: list[Record] = []
    while len(picked) < limit and any(queues.values()):
        for key in list(queues):
            if queues[key] and len(picked) < limit:
                picked.append(queues[key].pop(0))
    return picked


# --------------------------------------------------------------------------- EU SEDIA

EU_FILE = "eu-funding-tenders-sedia/open_calls_2026-08_cordisdata.repaired.jsonl"
EU_TOPIC_PREFIX = "/topic-details/"
EU_NGO_PROGRAMMES = {
    "CERV",
    "LIFE",
    "EU External Action - Prospect (RELEX-PROSPECT)",
    "Erasmus+",
    "ESF+",
    "Justice",
    "Creative Europe",
    "EMFAF",
    "Interregional Innovation",
    "Pilot Projects & Preparatory Actions",
}
EU_RELEVANT_CLUSTERS = {"CL5", "CL6", "MISS"}  # climate/energy, food/environment, missions
EU_THEME_WORDS = re.compile(
    r"climat|circular|biodivers|civil society|social|inclusi|human rights|democra|solidarity|"
    r"development|migra|poverty|ngo|water|ocean|soil|food|youth|citizen|gender",
    re.IGNORECASE,
)
EU_PARTICIPATORY_PRIORITIES = {"SocietalEngagement", "MultiActorApproach", "INCO"}
# actionType -> contract instrument. RIA/IA/CSA/CoFund/MSCA/EDF/CEF actions are grants.
EU_INSTRUMENTS = {
    "Grant": "grant",
    "RIA": "grant",
    "IA": "grant",
    "CSA": "grant",
    "CoFund": "grant",
    "MSCA": "grant",
    "MSCA-SE": "grant",
    "EDF-DA": "grant",
    "EDF-RA": "grant",
    "CEF-INFRA": "grant",
    "PPPA": "grant",
    "Prize": "prize",
    "HORIZON-EIC-EQU": "equity",
    "HORIZON-PCP": "tender",
    "PPI": "tender",
    "EUBA": "other",
}
# SEDIA keywords start with the topic and call identifiers (e.g. 'CERV-2026-CHAR-LITI',
# 'HORIZON-CL6-2027-01-two-stage'): not themes.
EU_IDENTIFIER = re.compile(r"^\S*-20\d\d(?:-\S*)?$")


def eu_topic_path(portal_url: str) -> str:
    """The identifier after /topic-details/ (EuropeAid ids contain slashes: europeaid/186614/dd/act/multi)."""
    return portal_url.split(EU_TOPIC_PREFIX, 1)[1].strip("/")


def eu_keywords(text: str | None) -> list[str]:
    """Split the ', '-joined keywords; a part starting in lower case continues the previous
    keyword ('Environment, resources and sustainability' is one keyword, not two)."""
    keywords: list[str] = []
    for part in split(text, ", "):
        if keywords and part[0].islower():
            keywords[-1] += ", " + part
        else:
            keywords.append(part)
    return keywords


def eu_themes(raw: Record) -> list[str]:
    words = eu_keywords(raw.get("keywords")) + split(raw.get("crossCuttingPriorities"), ", ")
    return [w for w in words if not EU_IDENTIFIER.match(w)]


def eu_score(raw: Record) -> int:
    text = " ".join([raw["title"], raw.get("keywords", ""), raw.get("callTitle", "")])
    priorities = set(split(raw.get("crossCuttingPriorities"), ", "))
    return (
        6 * (raw["programme"] in EU_NGO_PROGRAMMES)
        + 3 * (raw.get("cluster") in EU_RELEVANT_CLUSTERS)
        + 1 * (raw.get("cluster") == "CL2")  # culture, creativity and inclusive society
        + 2 * (raw.get("deadline", "") >= "2027")
        + 1 * bool(EU_THEME_WORDS.search(text))
        + 1 * bool(priorities & EU_PARTICIPATORY_PRIORITIES)
        - 3 * (raw.get("callStatus") == "closed")
    )


def eu_record(raw: Record) -> Record:
    topic = eu_topic_path(raw["portalUrl"])
    conditions = re.sub(r'^\s*">', "", raw.get("topicConditions") or "")
    deadline = iso_date(raw.get("deadline"))
    return clean(
        {
            "id": f"eu_sedia:{topic}",
            "source": "eu_sedia",
            "url": raw["portalUrl"],
            "title": raw["title"],
            "summary": raw.get("description"),
            "eligibility_text": conditions,
            "funder": "European Commission",
            "programme": raw.get("programme"),
            "language": "en",
            "instrument": EU_INSTRUMENTS.get(raw.get("actionType") or ""),
            "status": raw.get("callStatus") or None,
            "deadlines": [deadline] if deadline else None,
            "recurrence": "one_off",
            "currency": "EUR",
            "amount_min": positive(raw.get("budgetMin")),
            "amount_max": positive(raw.get("budgetMax")),
            "themes": eu_themes(raw),
            # extras (allowed by the contract)
            "topic_identifier": raw.get("topicId"),
            "call_identifier": raw.get("callIdentifier"),
            "call_title": raw.get("callTitle"),
            "cluster": raw.get("cluster"),
            "types_of_action": raw.get("typesOfAction"),
            "expected_grants": positive(raw.get("expectedGrants")),
            "deadline_model": raw.get("deadlineModel"),
        }
    )


def build_eu_sedia(data: Path) -> list[Record]:
    with open(data / EU_FILE, encoding="utf-8") as fh:
        raws = [json.loads(line) for line in fh if line.strip()]
    raws = [r for r in raws if r.get("title") and EU_TOPIC_PREFIX in r.get("portalUrl", "")]
    ranked = sorted(raws, key=lambda r: (-eu_score(r), eu_topic_path(r["portalUrl"])))
    chosen: dict[str, Record] = {}
    for raw in ranked:  # spread: the best topic of every programme first
        if not any(c["programme"] == raw["programme"] for c in chosen.values()):
            chosen[eu_topic_path(raw["portalUrl"])] = raw
    for raw in ranked:
        if len(chosen) >= EU_TARGET:
            break
        chosen.setdefault(eu_topic_path(raw["portalUrl"]), raw)
    return [eu_record(raw) for raw in chosen.values()]


# --------------------------------------------------------------------------- Aides-territoires

AT_FILE = "aides-territoires/aides-territoires_periurbain_export.csv"
AT_NGO_OR_COMPANY = {"Associations", "Entreprises privées"}
AT_FINANCIAL = {"Subvention", "Prêt", "Avance récupérable", "Autre aide financière"}
AT_INSTRUMENTS = {
    "Subvention": "grant",
    "Prêt": "loan",
    "Avance récupérable": "loan",
    "Autre aide financière": "other",
    "Certificat d'économie d'énergie (CEE)": "other",
    "Ingénierie technique": "technical_assistance",
    "Ingénierie financière": "technical_assistance",
    "Ingénierie Juridique / administrative": "technical_assistance",
}
AT_RECURRENCE = {"Permanente": "permanent", "Ponctuelle": "one_off", "Récurrente": "recurring"}


def at_slug(link: str) -> str:
    return link.rstrip("/").rsplit("/aides/", 1)[1]


def at_score(row: dict[str, str]) -> int:
    audiences = set(split(row["Bénéficiaire"], ";"))
    return (
        3 * bool(audiences & AT_NGO_OR_COMPANY)
        + 3 * bool(row["Date Clôture"].strip())
        + 2 * (row["AAP/AMI"].strip() == "Oui")
        + 1 * bool(set(split(row["Types d'aides"], ";")) & AT_FINANCIAL)
        + 1 * (row["Récurrence"].strip() != "Permanente")
    )


def at_record(row: dict[str, str]) -> Record:
    aid_types = split(row["Types d'aides"], ";")
    closing = row["Date Clôture"].strip()
    recurrence = row["Récurrence"].strip()
    return clean(
        {
            "id": f"aides_territoires:{at_slug(row['Lien'])}",
            "source": "aides_territoires",
            "url": row["Lien"],
            "title": row["Nom"],
            "summary": row["Descriptif"],
            "funder": row["Financeurs"],
            "language": "fr",
            "instrument": AT_INSTRUMENTS[aid_types[0]] if aid_types else None,
            "recurrence": AT_RECURRENCE.get(recurrence),
            "deadlines": [dmy_to_iso(closing)] if closing else None,
            "applicant_types": split(row["Bénéficiaire"], ";"),
            # extras: the source's own words, for the importer's vocabularies
            "aid_types": aid_types,
            "recurrence_label": recurrence,
            "deadlines_as_given": [closing] if closing else None,
            "funders": split(row["Financeurs"], ";"),
            "call_for_projects": row["AAP/AMI"].strip() == "Oui",
        }
    )


def build_aides_territoires(data: Path) -> list[Record]:
    with open(data / AT_FILE, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["Nom"].strip() and "/aides/" in r["Lien"]]
    ranked = sorted(enumerate(rows), key=lambda pair: (-at_score(pair[1]), pair[0]))
    return [at_record(row) for _, row in ranked[:AIDES_TERRITOIRES_TARGET]]


# --------------------------------------------------------------------------- Île-de-France

IDF_FILE = "fr-aap-associations-walidb857/iledefrance_opendata_raw.json"
IDF_METADATA = "fr-aap-associations-walidb857/iledefrance/metadata.json"
IDF_MULTI = "|||"  # the scraper joined multi-valued fields with '|||'


def idf_record(raw: Record, meta: Record) -> Record:
    number = re.search(r"(\d+)/?$", raw["url_source"]).group(1)
    deadline = iso_date(raw.get("date_limite"))
    application_url = meta.get("url_candidature")
    return clean(
        {
            "id": f"iledefrance:{number}",
            "source": "iledefrance",
            "url": raw["url_source"],
            "title": raw["titre"],
            "summary": raw.get("resume"),
            "funder": raw.get("organisme"),
            "language": "fr",
            "opens_on": iso_date(raw.get("date_publication")),
            "deadlines": [deadline] if deadline else None,
            "currency": "EUR" if (meta.get("montant_min") or meta.get("montant_max")) else None,
            "amount_min": positive(meta.get("montant_min")),
            "amount_max": positive(meta.get("montant_max")),
            "applicant_types": [
                a for v in raw.get("public_cible") or [] for a in split(v, IDF_MULTI)
            ],
            "intervention_zones": [raw.get("perimetre_geo")],
            "themes": [
                t
                for v in (raw.get("categories") or []) + (raw.get("tags") or [])
                for t in split(v, IDF_MULTI)
            ],
            # extra
            "application_url": application_url if str(application_url).startswith("http") else None,
        }
    )


def build_iledefrance(data: Path) -> list[Record]:
    raws = json.loads((data / IDF_FILE).read_text(encoding="utf-8"))
    metadata = json.loads((data / IDF_METADATA).read_text(encoding="utf-8"))
    meta_by_url = {m["url_source"]: m for m in metadata}
    return [
        idf_record(raw, meta_by_url.get(raw["url_source"], {}))
        for raw in raws
        if raw.get("titre") and str(raw.get("url_source", "")).startswith("https://")
    ]


# --------------------------------------------------------------------------- Mission Transition

MTE_FILE = "mission-transition-ecologique/programs.json"
MTE_FINANCING = ("prêt", "financement")  # preference order
MTE_INSTRUMENTS = {
    "financement": "grant",  # MTE's 'financement' = subsidy; loans and tax relief are separate natures
    "prêt": "loan",
    "avantage fiscal": "other",
    "étude": "technical_assistance",
    "formation": "technical_assistance",
}
MTE_AMOUNT_FIELDS = ("montant du financement", "montant du prêt", "montant de l'avantage fiscal")


def mte_eligibility_text(conditions: dict[str, list[str]]) -> str:
    return "\n".join(
        f"{key} : {' ; '.join(values)}" for key, values in conditions.items() if values
    )


def mte_record(raw: Record) -> Record:
    nature = raw["nature de l'aide"]
    end = dmy_to_iso(raw.get("fin de validité"))
    deadline = real_deadline(end)
    applicants = ["Entreprises"]
    if raw.get("ouvert aux administrations publiques") == "oui":
        applicants.append("Administrations publiques")
    company = raw.get("eligibilityData", {}).get("company", {})
    return clean(
        {
            "id": f"mission_transition:{raw['id']}",
            "source": "mission_transition",
            "url": raw["url"],
            "title": raw["titre"],
            "summary": raw.get("description longue") or raw.get("description"),
            "eligibility_text": mte_eligibility_text(raw.get("conditions d'éligibilité") or {}),
            "funder": raw.get("opérateur de contact"),
            "language": "fr",
            "instrument": MTE_INSTRUMENTS.get(nature, "other"),
            "opens_on": dmy_to_iso(raw.get("début de validité")),
            "deadlines": [deadline] if deadline else None,
            "applicant_types": applicants,
            "applicant_countries": company.get("allowedRegion"),
            "themes": raw.get("eligibilityData", {}).get("priorityObjectives"),
            # extras
            "aid_nature": nature,
            "promise": raw.get("promesse"),
            "amount_text": next((raw[f] for f in MTE_AMOUNT_FIELDS if raw.get(f)), None),
            "validity_end_as_given": raw.get("fin de validité") if end != deadline else None,
            "other_operators": raw.get("autres opérateurs"),
            "temporarily_unavailable": raw.get("aide temporairement indisponible") == "oui" or None,
        }
    )


def build_mission_transition(data: Path) -> list[Record]:
    raws = json.loads((data / MTE_FILE).read_text(encoding="utf-8"))
    for raw in raws:
        raw["url"] = (raw.get("url") or "").strip()  # some urls carry a trailing space
    raws = [r for r in raws if r["url"].startswith("https://") and r.get("titre")]
    financing = sorted(
        (r for r in raws if r["nature de l'aide"] in MTE_FINANCING),
        key=lambda r: (MTE_FINANCING.index(r["nature de l'aide"]), r["id"]),
    )
    by_operator: dict[str, list[Record]] = defaultdict(list)
    for raw in financing:
        by_operator[raw["opérateur de contact"]].append(raw)
    picked = round_robin(by_operator, MISSION_TRANSITION_TARGET)
    if len(picked) < MISSION_TRANSITION_TARGET:
        taken = {r["id"] for r in picked}
        rest = sorted((r for r in raws if r["id"] not in taken), key=lambda r: r["id"])
        picked += rest[: MISSION_TRANSITION_TARGET - len(picked)]
    return [mte_record(raw) for raw in picked]


# --------------------------------------------------------------------------- grants.gov

GG_FILE = "grants-gov/grants_gov_open_after2024_eligibility_flags.csv"
# Flag column -> grants.gov's own applicant-type label (the text the flag was derived from).
# eligibility_independent_school_districts is left out on purpose: upstream derived it from
# "County governments" (a bug in the TidyTuesday cleaning script), so it is not reliable.
GG_APPLICANT_LABELS = {
    "eligibility_state_governments": "State governments",
    "eligibility_county_governments": "County governments",
    "eligibility_city_or_township_governments": "City or township governments",
    "eligibility_special_district_governments": "Special district governments",
    "eligibility_public_institutions_of_higher_education": (
        "Public and State controlled institutions of higher education"
    ),
    "eligibility_native_american_tribal_governments_federally_recognized": (
        "Native American tribal governments (Federally recognized)"
    ),
    "eligibility_public_indian_housing_authorities": (
        "Public housing authorities/Indian housing authorities"
    ),
    "eligibility_native_american_tribal_organizations_other": (
        "Native American tribal organizations (other than Federally recognized tribal governments)"
    ),
    "eligibility_nonprofits_501c3": (
        "Nonprofits having a 501(c)(3) status with the IRS, other than institutions of higher "
        "education"
    ),
    "eligibility_nonprofits_non_501c3": (
        "Nonprofits that do not have a 501(c)(3) status with the IRS, other than institutions of "
        "higher education"
    ),
    "eligibility_private_institutions_of_higher_education": (
        "Private institutions of higher education"
    ),
    "eligibility_individuals": "Individuals",
    "eligibility_for_profit": "For profit organizations other than small businesses",
    "eligibility_small_businesses": "Small businesses",
    "eligibility_others": (
        'Others (see text field entitled "Additional Information on Eligibility" for clarification)'
    ),
    "eligibility_unrestricted": (
        "Unrestricted (i.e., open to any type of entity above), subject to any clarification in "
        'text field entitled "Additional Information on Eligibility"'
    ),
}
GG_NGO_OR_COMPANY = (
    "eligibility_nonprofits_501c3",
    "eligibility_nonprofits_non_501c3",
    "eligibility_for_profit",
    "eligibility_small_businesses",
    "eligibility_unrestricted",
)


def gg_closing_iso(text: str) -> str | None:
    """The file holds ISO dates; grants.gov's own API gives MM/DD/YYYY: accept both."""
    text = text.strip()
    if re.fullmatch(r"\d{2}/\d{2}/\d{4}", text):
        return datetime.strptime(text, "%m/%d/%Y").date().isoformat()
    return iso_date(text)


def gg_record(row: dict[str, str]) -> Record:
    as_given = row["current_closing_date_for_applications"]
    closing = gg_closing_iso(as_given)
    deadline = real_deadline(closing)
    opp_id = row["opportunity_id"].strip()
    return clean(
        {
            "id": f"grants_gov:{opp_id}",
            "source": "grants_gov",
            "url": f"https://www.grants.gov/search-results-detail/{opp_id}",
            "title": row["funding_opportunity_title"],
            "language": "en",
            "instrument": "grant",
            "currency": "USD",
            "amount_min": positive(row["award_floor"]),
            "amount_max": positive(row["award_ceiling"]),
            "total_budget": positive(row["estimated_total_program_funding"]),
            "deadlines": [deadline] if deadline else None,
            "applicant_types": [
                label for flag, label in GG_APPLICANT_LABELS.items() if row[flag] == "True"
            ],
            "themes": split(row["categories"], "|"),
            # extras
            "expected_awards": positive(row["expected_number_of_awards"]),
            "closing_date_as_given": as_given if closing != deadline else None,
        }
    )


def build_grants_gov(data: Path) -> list[Record]:
    with open(data / GG_FILE, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["funding_opportunity_title"].strip()]
    rows = [r for r in rows if any(r[flag] == "True" for flag in GG_NGO_OR_COMPANY)]
    closing = {
        r["opportunity_id"]: gg_closing_iso(r["current_closing_date_for_applications"]) or ""
        for r in rows
    }
    # Latest closing date first: every call still open at the snapshot date (2026-11-26), then
    # the most recent closed ones; ties by id.
    rows.sort(key=lambda r: (closing[r["opportunity_id"]], r["opportunity_id"]), reverse=True)
    return [gg_record(row) for row in rows[:GRANTS_GOV_TARGET]]


# --------------------------------------------------------------------------- main

BUILDERS: dict[str, Callable[[Path], list[Record]]] = {
    "eu_sedia": build_eu_sedia,
    "aides_territoires": build_aides_territoires,
    "iledefrance": build_iledefrance,
    "mission_transition": build_mission_transition,
    "grants_gov": build_grants_gov,
}


def validator_for(schema_path: Path) -> Callable[[Record], None] | None:
    """A function that raises on an invalid record, or None when jsonschema is not installed."""
    try:
        import jsonschema
    except ImportError:
        return None
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)

    def validate(record: Record) -> None:
        errors = sorted(validator.iter_errors(record), key=lambda e: list(e.path))
        if errors:
            details = "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
            raise ValueError(f"{record.get('id')}: invalid against {schema_path.name}: {details}")

    return validate


def check(records: Iterable[Record]) -> None:
    """Invariants the schema cannot express."""
    seen: set[str] = set()
    for record in records:
        if record["id"] in seen:
            raise ValueError(f"duplicate id {record['id']}")
        seen.add(record["id"])
        if not record["url"].startswith("https://"):
            raise ValueError(f"{record['id']}: url is not https: {record['url']}")
        if not record["id"].startswith(f"{record['source']}:"):
            raise ValueError(f"{record['id']}: id does not start with its source")


def serialise(records: list[Record]) -> bytes:
    lines = "".join(
        json.dumps(r, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
        for r in sorted(records, key=lambda r: r["id"])
    )
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(lines.encode("utf-8"))
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=Path("../shared"),
        help="the shared/ folder (holds data/ and contracts/)",
    )
    parser.add_argument("--out", type=Path, default=Path("funding/data/snapshot.jsonl.gz"))
    parser.add_argument(
        "--schema",
        type=Path,
        default=None,
        help="contract schema (default: <shared>/contracts/opportunity.schema.json)",
    )
    args = parser.parse_args(argv)

    data = args.shared / "data"
    schema_path = args.schema or args.shared / "contracts" / "opportunity.schema.json"
    validate = validator_for(schema_path)
    if validate is None:
        print("warning: jsonschema not installed, records are not validated", file=sys.stderr)

    records: list[Record] = []
    for source, build in BUILDERS.items():
        built = build(data)
        if not built:
            raise SystemExit(f"{source}: no records built")
        records.extend(built)
    check(records)
    if validate:
        for record in records:
            validate(record)

    payload = serialise(records)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(payload)

    counts = Counter(r["source"] for r in records)
    for source in BUILDERS:
        print(f"{source:20} {counts[source]:4}")
    print(
        f"{'total':20} {len(records):4}  {len(payload):,} bytes  "
        f"sha256 {hashlib.sha256(payload).hexdigest()}  -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
