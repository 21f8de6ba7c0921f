"""The bundled offline snapshot (funding/data/snapshot.jsonl.gz) is valid, real-source data only."""

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "funding" / "data" / "snapshot.jsonl.gz"
SCHEMA = ROOT / "funding" / "contracts" / "opportunity.schema.json"
SOURCES = {"eu_sedia", "aides_territoires", "iledefrance", "mission_transition", "grants_gov"}
SCRAPED_SOURCES = {"carenews", "paris", "ssd"}
SCRAPED_HOSTS = ("carenews.com", "paris.fr", "seine-saint-denis.gouv.fr")


@pytest.fixture(scope="module")
def records() -> list[dict]:
    with gzip.open(SNAPSHOT, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_count_is_a_few_hundred(records):
    assert 300 <= len(records) <= 800


def test_ids_are_unique(records):
    duplicates = [i for i, n in Counter(r["id"] for r in records).items() if n > 1]
    assert duplicates == []


def test_every_record_matches_the_contract(records, validator):
    invalid = {
        r["id"]: [e.message for e in validator.iter_errors(r)]
        for r in records
        if not validator.is_valid(r)
    }
    assert invalid == {}


def test_sources_are_the_five_open_data_sources(records):
    counts = Counter(r["source"] for r in records)
    assert set(counts) == SOURCES
    assert all(counts[s] > 0 for s in SOURCES)


def test_id_is_prefixed_by_its_source(records):
    assert all(r["id"].startswith(r["source"] + ":") for r in records)


def test_urls_are_https(records):
    assert [r["id"] for r in records if not r["url"].startswith("https://")] == []


def test_no_scraped_page_sources(records):
    """Carenews, paris.fr and Seine-Saint-Denis pages are fixtures only, not redistributable."""
    leaks = [
        r["id"]
        for r in records
        if r.get("source") in SCRAPED_SOURCES
        or r["id"].split(":", 1)[0] in SCRAPED_SOURCES
        or any(host in r["url"].split("/")[2] for host in SCRAPED_HOSTS)
    ]
    assert leaks == []


def test_no_empty_strings(records):
    """Unknown is null or missing, never ''."""
    empty = [
        (r["id"], key)
        for r in records
        for key, value in r.items()
        if value == "" or (isinstance(value, list) and "" in value)
    ]
    assert empty == []
