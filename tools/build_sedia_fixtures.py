"""Build tests/files/eu_sedia/: real EU topics put back into the SEDIA search API's envelope.

The recorded EU data (shared/data/eu-funding-tenders-sedia) holds normalised topic records, not
raw API answers. This tool takes a dozen of them and writes the response pages the spider reads,
in the envelope shared/sources.md documents, plus a PROVENANCE.md that says what was built and how.

    python tools/build_sedia_fixtures.py [--source FILE.jsonl] [--out tests/files/eu_sedia]
"""

import argparse
import json
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path("/work/shared/data/eu-funding-tenders-sedia")
SOURCE = SHARED / "open_calls_2026-08_cordisdata.repaired.jsonl"
OUT = ROOT / "tests" / "files" / "eu_sedia"
PAGE_SIZE = 10

# topicId -> why it is in the sample. Page 1 holds the first ten, page 2 the rest.
TOPICS = {
    "CERV-2026-CHAR-LITI-CIVIC": "NGO-relevant CERV topic, cross-cutting priority",
    "HORIZON-CL6-2026-04-GOVERNANCE-01": "forthcoming; yearly budgets stated in its text",
    "HORIZON-CL5-2027-03-D5-03": "forthcoming; budgetMin 5,000,000 != budgetMax 7,000,000",
    "DIGITAL-JU-CHIPS-2026-AI1-SG": "budgetMin 500,000 != budgetMax 1,000,000, 10 grants",
    "EuropeAid/186661/DD/ACT/JM": "external-action call (type 2): empty topicConditions, no budget",
    "ERASMUS-EDU-2026-PEX-COVE": "Erasmus+ topic",
    "HORIZON-CL3-2026-01-SSRI-01": "description still holding HTML tags",
    "EMFAF-2026-PIA-ARCTIC": "many keywords",
    "SMP-FOOD-2026-FW-STAKEHOLDERS-PJ": "Single Market Programme topic",
    "ESF-2026-POW": "the one record whose text states an opening date",
    "LIFE-2026-STRAT-NAT-SNAP-two-stage": "two-stage topic (second deadline added, see below)",
    "ERC-2026-POC": "status closed at capture time; multiple cut-off",
}
STATUS_CODES = {"forthcoming": "31094501", "open": "31094502", "closed": "31094503"}
# Stated in the records' own text (quoted in PROVENANCE.md), not fields of the normalised records.
START_DATES = {"ESF-2026-POW": "2026-04-30"}
YEAR_BUDGETS = {"HORIZON-CL6-2026-04-GOVERNANCE-01": {"2026": 23_000_000, "2027": 37_000_000}}
SECOND_STAGE_DAYS = 182
SECOND_STAGE = {"LIFE-2026-STRAT-NAT-SNAP-two-stage"}


def _timestamp(day: str) -> str:
    return f"{day}T00:00:00.000+0000"


def _words(text: str) -> list[str]:
    return [w.strip() for w in text.split(", ") if w.strip()]


def _deadlines(record: dict) -> list[str]:
    days = [record["deadline"]]
    if record["topicId"] in SECOND_STAGE:
        second = date.fromisoformat(record["deadline"]) + timedelta(SECOND_STAGE_DAYS)
        days.append(second.isoformat())
    return [_timestamp(d) for d in days]


def _budget_overview(record: dict) -> str | None:
    amounts = {
        "minContribution": record.get("budgetMin"),
        "maxContribution": record.get("budgetMax"),
        "expectedGrants": record.get("expectedGrants"),
    }
    if all(v is None for v in amounts.values()):
        return None
    action = {
        "action": f"{record['topicId']} - {record['typesOfAction']}".strip(" -"),
        "deadlineModel": record.get("deadlineModel") or None,
        "deadlineDates": [record["deadline"]],
        **{k: v for k, v in amounts.items() if v is not None},
    }
    years = YEAR_BUDGETS.get(record["topicId"])
    if years:
        action["budgetYearMap"] = years
    key = "".join(c for c in record["reference"] if c.isdigit())
    overview = {"budgetTopicActionMap": {key: [action]}}
    if years:
        overview["budgetYearsColumns"] = sorted(years)
    return json.dumps(overview, ensure_ascii=False)


def to_result(record: dict) -> dict:
    """One normalised record as a search result: metadata values as lists, empty ones left out."""
    topic = record["topicId"]
    metadata = {
        "identifier": [topic],
        "title": [record["title"]],
        "callIdentifier": [record["callIdentifier"]],
        "callTitle": [record["callTitle"]],
        "status": [STATUS_CODES[record["callStatus"]]],
        "deadlineDate": _deadlines(record),
        "startDate": [_timestamp(START_DATES[topic])] if topic in START_DATES else [],
        "deadlineModel": [record["deadlineModel"]],
        "typesOfAction": [record["typesOfAction"]],
        "keywords": _words(record["keywords"]),
        "crossCuttingPriorities": _words(record["crossCuttingPriorities"]),
        "descriptionByte": [record["description"]],
        "topicConditions": [record["topicConditions"]],
        "supportInfo": [record["supportInfo"]],
        "frameworkProgramme": [record["programmeId"]],
        "budgetOverview": [_budget_overview(record)],
        "type": ["2" if record["programmeId"] == "111111" else "1"],
    }
    metadata = {k: v for k, v in metadata.items() if any(x not in ("", None) for x in v)}
    return {
        "reference": record["reference"],
        "url": "https://ec.europa.eu/info/funding-tenders/opportunities/data/topicDetails/"
        f"{topic.lower()}.json",
        "summary": record["title"],
        "content": record["title"],
        "language": "en",
        "metadata": metadata,
    }


PROVENANCE = """# EU Funding & Tenders (SEDIA search API): recorded response pages

`search_page1.json` and `search_page2.json` are **built, not captured**: {count} real topic records
from the shared recorded data, put back into the response envelope documented in
shared/sources.md (`{{totalResults, pageNumber, pageSize, results: [{{reference, url, summary, content,
language, metadata}}]}}`, every metadata value a list), {page_size} results per page so that paging
is exercised. Rebuild them with `python tools/build_sedia_fixtures.py`.

Source of the records (shared/data/eu-funding-tenders-sedia/PROVENANCE.md):

> | `open_calls_2026-08_cordisdata.repaired.jsonl` | derivative: same 629 records, one JSON object per line, text fixed with `ftfy` | 8,850,410 B | 629 |
>
> topic records retrieved by `src/cordis_data/data/open_calls.py` (SEDIA `search`, apiKey `SEDIA`,
> query `type in [1,2]` and `status in [31094501, 31094502]`, sort `startDate DESC`, pageSize 100)
> and **normalised by that project** (not the raw SEDIA envelope).

Records used (by `topicId`, in page order):

{topics}

How each metadata field was filled from a record:
- `identifier`, `title`, `callIdentifier`, `callTitle`, `deadlineModel`, `supportInfo`: the record's field.
- `status`: `callStatus` as its code (forthcoming 31094501, open 31094502, closed 31094503).
- `deadlineDate`: `deadline` as `YYYY-MM-DDT00:00:00.000+0000`. **For
  LIFE-2026-STRAT-NAT-SNAP-two-stage a second-stage date ({second_stage}, the first date plus
  {days} days) was added to exercise the multi-deadline path**: the record states one deadline only.
- `startDate`: the records have none; only ESF-2026-POW gets one, 2026-04-30, from its own
  topicConditions text ("Call opening: 30/04/2026").
- `typesOfAction`: the record's field as a one-item list.
- `keywords`, `crossCuttingPriorities`: the record's comma-joined text split back on ", ".
- `descriptionByte`, `topicConditions`: the record's text as is (the normaliser had already turned
  the portal's HTML into text; two descriptions still hold tags, one of them is in this sample).
- `frameworkProgramme`: `programmeId`; `type`: "2" for the RELEX-PROSPECT external-action call,
  "1" (grant topic) for the others (the records do not keep the type).
- `budgetOverview`: a JSON string `{{"budgetTopicActionMap": {{"<digits of reference>": [{{action,
  deadlineModel, deadlineDates, minContribution, maxContribution, expectedGrants}}]}}}}` from
  `budgetMin`, `budgetMax`, `expectedGrants` (left out when all three are null). The map key and the
  `action` label are constructed. HORIZON-CL6-2026-04-GOVERNANCE-01 also gets
  `budgetYearMap {{"2026": 23000000, "2027": 37000000}}`, from its text: "EUR 60 million committed in
  annual instalments over years 2026-2027 (EUR 23 million from the 2026 budget and EUR 37 million
  from the 2027 budget)".
- Result `url`: the documented dead JSON file pattern (`.../data/topicDetails/<identifier>.json`);
  `summary` and `content`: the title; `language`: "en".
- Metadata fields that are empty in the record are left out.
"""


def build(source: Path, out: Path) -> None:
    records = {}
    with source.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["topicId"] in TOPICS:
                records[record["topicId"]] = record
    missing = set(TOPICS) - set(records)
    if missing:
        raise SystemExit(f"not in {source}: {', '.join(sorted(missing))}")
    results = [to_result(records[topic]) for topic in TOPICS]
    out.mkdir(parents=True, exist_ok=True)
    pages = [results[i : i + PAGE_SIZE] for i in range(0, len(results), PAGE_SIZE)]
    for number, page in enumerate(pages, start=1):
        envelope = {
            "totalResults": len(results),
            "pageNumber": number,
            "pageSize": PAGE_SIZE,
            "results": page,
        }
        path = out / f"search_page{number}.json"
        path.write_text(json.dumps(envelope, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    life = records["LIFE-2026-STRAT-NAT-SNAP-two-stage"]["deadline"]
    second = date.fromisoformat(life) + timedelta(SECOND_STAGE_DAYS)
    topics = "\n".join(
        f"{i}. `{topic}` ({records[topic]['reference']}): {why}"
        for i, (topic, why) in enumerate(TOPICS.items(), start=1)
    )
    text = PROVENANCE.format(
        count=len(results),
        page_size=PAGE_SIZE,
        topics=topics,
        second_stage=second.isoformat(),
        days=SECOND_STAGE_DAYS,
    )
    (out / "PROVENANCE.md").write_text(text, encoding="utf-8")
    print(f"wrote {len(pages)} pages of {len(results)} topics to {out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--out", type=Path, default=OUT)
    arguments = parser.parse_args()
    build(arguments.source, arguments.out)
