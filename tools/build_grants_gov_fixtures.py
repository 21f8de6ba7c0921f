"""Build tests/files/grants_gov/: real grants.gov opportunities put back into the API's envelope.

No raw grants.gov answer is recorded. The recorded data (shared/data/grants-gov) holds one row per
opportunity with its title, award ceiling and floor, total funding, closing date and the 17
applicant-eligibility flags. This tool takes a dozen rows and writes the `search2` pages and one
`fetchOpportunity` answer per opportunity, in the envelope shared/sources.md documents, plus a
PROVENANCE.md that says what was built and how.

    python tools/build_grants_gov_fixtures.py [--out tests/files/grants_gov]
"""

import argparse
import csv
import json
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path("/work/shared/data/grants-gov")
SOURCE = SHARED / "grants_gov_open_after2024_eligibility_flags.csv"
OUT = ROOT / "tests" / "files" / "grants_gov"
PAGE_SIZE = 10
SUCCESS = "Webservice Succeeds"

# opportunity_id -> why it is in the sample. Page 1 holds the first ten, page 2 the rest.
OPPORTUNITIES = {
    "275168": "policy and advocacy APS for 'others'; floor 0 = unknown",
    "318376": "New Partnerships Initiative: local NGOs",
    "327212": "ten applicant types incl. nonprofits; ceiling, floor and total",
    "328902": "nonprofits and universities; floor 0",
    "331065": "nonprofits without 501(c)(3) only; small amounts",
    "332894": "individuals, for-profits and small businesses; no amounts",
    "345738": "fourteen applicant types incl. for-profits; ceiling, floor and total",
    "347826": "private-sector collaboration, unrestricted; ceiling and floor 0",
    "350363": "conservation corps; every amount 0",
    "344880": "conferences incl. for-profits; total funding only",
    "341289": "small businesses only",
    "324456": "a floor but no ceiling",
}
# Applicant-eligibility flag -> grants.gov applicant type code (shared/sources.md) and label.
APPLICANT_TYPES = {
    "eligibility_state_governments": ("00", "State governments"),
    "eligibility_county_governments": ("01", "County governments"),
    "eligibility_city_or_township_governments": ("02", "City or township governments"),
    "eligibility_special_district_governments": ("04", "Special district governments"),
    "eligibility_independent_school_districts": ("05", "Independent school districts"),
    "eligibility_public_institutions_of_higher_education": (
        "06",
        "Public and State controlled institutions of higher education",
    ),
    "eligibility_native_american_tribal_governments_federally_recognized": (
        "07",
        "Native American tribal governments (Federally recognized)",
    ),
    "eligibility_public_indian_housing_authorities": (
        "08",
        "Public housing authorities/Indian housing authorities",
    ),
    "eligibility_native_american_tribal_organizations_other": (
        "11",
        "Native American tribal organizations (other than Federally recognized tribal governments)",
    ),
    "eligibility_nonprofits_501c3": (
        "12",
        (
            "Nonprofits having a 501(c)(3) status with the IRS, other than institutions of higher "
            "education"
        ),
    ),
    "eligibility_nonprofits_non_501c3": (
        "13",
        (
            "Nonprofits that do not have a 501(c)(3) status with the IRS, other than institutions "
            "of higher education"
        ),
    ),
    "eligibility_private_institutions_of_higher_education": (
        "20",
        "Private institutions of higher education",
    ),
    "eligibility_individuals": ("21", "Individuals"),
    "eligibility_for_profit": ("22", "For profit organizations other than small businesses"),
    "eligibility_small_businesses": ("23", "Small businesses"),
    "eligibility_others": (
        "25",
        (
            'Others (see text field entitled "Additional Information on Eligibility" for '
            "clarification)"
        ),
    ),
    "eligibility_unrestricted": (
        "99",
        (
            "Unrestricted (i.e., open to any type of entity above), subject to any clarification "
            'in text field entitled "Additional Information on Eligibility"'
        ),
    ),
}


def _us_date(value: str) -> str:
    """2025-03-12 -> 03/12/2025, as grants.gov writes dates."""
    return date.fromisoformat(value).strftime("%m/%d/%Y") if value else ""


def _amount(value: str) -> str:
    """'55000000.0' -> '55000000'; an empty cell stays empty."""
    return str(int(float(value))) if value.strip() else ""


def hit(row: dict) -> dict:
    """One `oppHits` entry; the data hold no opportunity number, agency or opening date."""
    return {
        "id": row["opportunity_id"],
        "number": "",
        "title": row["funding_opportunity_title"].strip(),
        "agencyCode": "",
        "openDate": "",
        "closeDate": _us_date(row["current_closing_date_for_applications"]),
        "oppStatus": "posted",
    }


def opportunity(row: dict) -> dict:
    """The `fetchOpportunity` answer: title, amounts, deadline, applicant types, categories."""
    applicants = [
        {"id": code, "description": label}
        for flag, (code, label) in APPLICANT_TYPES.items()
        if row[flag] == "True"
    ]
    categories = [{"id": None, "description": c} for c in row["categories"].split("|") if c]
    return {
        "errorcode": 0,
        "msg": SUCCESS,
        "data": {
            "id": int(row["opportunity_id"]),
            "opportunityNumber": "",
            "opportunityTitle": row["funding_opportunity_title"].strip(),
            "synopsis": {
                "opportunityId": int(row["opportunity_id"]),
                "agencyCode": "",
                "agencyName": "",
                "synopsisDesc": "",
                "applicantTypes": applicants,
                "applicantEligibilityDesc": "",
                "awardCeiling": _amount(row["award_ceiling"]),
                "awardFloor": _amount(row["award_floor"]),
                "estimatedFunding": _amount(row["estimated_total_program_funding"]),
                "responseDate": _us_date(row["current_closing_date_for_applications"]),
                "fundingActivityCategories": categories,
            },
        },
    }


def build(out: Path) -> None:
    rows = {r["opportunity_id"]: r for r in csv.DictReader(SOURCE.open(encoding="utf-8"))}
    missing = set(OPPORTUNITIES) - set(rows)
    if missing:
        raise SystemExit(f"not in {SOURCE.name}: {sorted(missing)}")
    chosen = [rows[oid] for oid in OPPORTUNITIES]
    out.mkdir(parents=True, exist_ok=True)
    for number, start in enumerate(range(0, len(chosen), PAGE_SIZE), 1):
        page = {
            "errorcode": 0,
            "msg": SUCCESS,
            "data": {
                "hitCount": len(chosen),
                "startRecord": start,
                "oppHits": [hit(r) for r in chosen[start : start + PAGE_SIZE]],
            },
        }
        _write(out / f"search_page{number}.json", page)
    for row in chosen:
        _write(out / f"opportunity_{row['opportunity_id']}.json", opportunity(row))
    (out / "PROVENANCE.md").write_text(_provenance(), "utf-8")


def _write(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")


def _provenance() -> str:
    reasons = "\n".join(f"| {oid} | {why} |" for oid, why in OPPORTUNITIES.items())
    codes = ", ".join(
        f"{flag.removeprefix('eligibility_')} -> {code}"
        for flag, (code, _) in APPLICANT_TYPES.items()
    )
    return f"""# grants.gov API answers — provenance

Built by `tools/build_grants_gov_fixtures.py`. No raw grants.gov answer was recorded (the host is
not reachable from the development machines): these are **real rows rebuilt into the documented
envelope** (shared/sources.md). Source: `{SOURCE.name}` in shared/data/grants-gov (repo
`ETC5523-2024/assignment-4-packages-and-shiny-apps-sarah-liu17`, commit
`16544981913f70c562e48ef44db26cecccefd851`, built from TidyTuesday 2023-10-03, an export of
grants.gov of October 2023).

| file | what |
|---|---|
| `search_page1.json`, `search_page2.json` | `search2` answers `{{errorcode, msg, data: {{hitCount, startRecord, oppHits}}}}`: 10 + 2 of the 12 opportunities below (`hitCount` 12) |
| `opportunity_<id>.json` | the `fetchOpportunity` answer of each: `data.synopsis` |

## What comes from the data, as given
- `id`, `title` / `opportunityTitle`: `opportunity_id`, `funding_opportunity_title`.
- `closeDate` (search hit) and `responseDate` (synopsis): `current_closing_date_for_applications`,
  written MM/DD/YYYY as grants.gov does.
- `awardCeiling`, `awardFloor`, `estimatedFunding`: `award_ceiling`, `award_floor`,
  `estimated_total_program_funding` as whole numbers in strings; `0` kept as `"0"` (grants.gov's
  "not stated"), an empty cell as `""`.
- `applicantTypes`: one `{{id, description}}` per true applicant flag, with the codes of
  shared/sources.md ({codes}) and grants.gov's own label for each code (the labels
  funding/vocabularies/applicant_types.csv lists against those codes).
- `fundingActivityCategories`: one `{{id: null, description}}` per `categories` word of the data
  (the data's lower-case tags, e.g. `health`, not grants.gov's category names; no codes).

## What the data do not hold (left empty; nothing invented)
- No description or "additional information on eligibility" text: `synopsisDesc` and
  `applicantEligibilityDesc` are empty strings.
- No opportunity number, agency, opening date or cost sharing: `number`, `opportunityNumber`,
  `agencyCode`, `agencyName`, `openDate` are empty strings; `costSharing` is absent.
- `oppStatus` is `posted` for all (an assumption: every row had a closing date after the capture
  date, and the search asks for `forecasted|posted`).
- `errorcode` 0 and `msg` "{SUCCESS}" on every answer.

| opportunity_id | why it is in the sample |
|---|---|
{reasons}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    build(parser.parse_args().out)


if __name__ == "__main__":
    main()
