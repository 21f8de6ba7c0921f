"""funding/contracts/fields.py is the one table of the contract's fields: it says what the schema says, and
every list derived from it names real columns."""

import json
from pathlib import Path

import funding
from funding.contracts import fields
from funding.store.models import Opportunity

SCHEMA = Path(funding.__file__).parent / "contracts" / "opportunity.schema.json"


def test_the_table_follows_the_json_schema():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert fields.CONTRACT_FIELDS == tuple(schema["properties"])
    for name, spec in schema["properties"].items():
        kinds = spec.get("type") if isinstance(spec.get("type"), list) else [spec.get("type")]
        assert ("array" in kinds) == (name in fields.LIST_FIELDS), name


def test_every_derived_column_is_stored():
    columns = set(Opportunity.model_fields)
    assert set(fields.CONTENT_COLUMNS) <= columns
    assert set(fields.WORD_FIELDS.values()) <= columns
    assert {f"{column}_raw" for column in fields.WORD_FIELDS.values()} <= columns


def test_every_field_and_column_has_a_name_in_both_languages():
    for column in (*fields.CONTRACT_FIELDS, *fields.CONTENT_COLUMNS):
        if column.endswith(("_raw", "_plain")) or column == "extra":
            continue
        for lang in ("fr", "en"):
            assert "_" not in fields.field_name(column, lang), (column, lang)
    assert fields.field_name("deadline_first", "fr") == "première échéance"
    assert fields.field_name("source_status", "en") == "status at the source"
