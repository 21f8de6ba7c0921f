"""Export then import gives back exactly what was stored, for every amount, rate and date the store
accepts (Hypothesis draws them; an amount of 1e16 once came back as 1.0)."""

import io
import json
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from funding.contracts.fields import CONTENT_COLUMNS
from funding.contracts.records import to_contract, to_row, validate_record
from funding.ingest.exporter import _write_csv
from funding.ingest.importer import read_records
from funding.store.models import Opportunity
from funding.store.opportunities import upsert

AMOUNTS = (
    st.none()
    | st.floats(min_value=0, allow_nan=False, allow_infinity=False)
    | st.integers(min_value=0, max_value=10**30)
)
RATES = st.none() | st.floats(min_value=0, max_value=1, allow_nan=False)
DAYS = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31))
RECORDS = st.fixed_dictionaries(
    {
        "amount_min": AMOUNTS,
        "amount_max": AMOUNTS,
        "total_budget": AMOUNTS,
        "cofinancing_rate_max": RATES,
        "opens_on": st.none() | DAYS,
        "deadlines": st.none() | st.lists(DAYS, min_size=1, max_size=3),
    }
)
COUNTER = iter(range(10**9))


def _back(text: str, name: str, tmp_path) -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    ((_, record),) = list(read_records(path))
    return to_row(validate_record(record))


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(drawn=RECORDS)
def test_export_then_import_gives_back_what_was_stored(engine, tmp_path, drawn):
    record = {
        "id": f"round:{next(COUNTER)}",
        "title": "Appel",
        "url": "https://example.org/a",
        **{k: v.isoformat() if isinstance(v, date) else v for k, v in drawn.items()},
    }
    if record["deadlines"]:
        record["deadlines"] = [d.isoformat() for d in drawn["deadlines"]]
    with Session(engine, expire_on_commit=False) as session:
        upsert(session, to_row(validate_record(record)))
        session.commit()
        stored = session.get(Opportunity, record["id"])
    exported = to_contract(stored)
    csv_text = io.StringIO()
    _write_csv([exported], csv_text)
    for name, text in (("a.jsonl", json.dumps(exported) + "\n"), ("a.csv", csv_text.getvalue())):
        again = _back(text, name, tmp_path)
        assert {c: again[c] for c in CONTENT_COLUMNS} == {
            c: getattr(stored, c) for c in CONTENT_COLUMNS
        }, name
        assert again["content_hash"] == stored.content_hash, name
