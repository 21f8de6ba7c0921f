"""`funding export`: stored opportunities back in the contract format, as JSON Lines or CSV."""

import csv
import json
from datetime import datetime
from typing import IO

from sqlmodel import Session

from funding.contracts.fields import CONTRACT_FIELDS
from funding.contracts.records import to_contract
from funding.normalize.money import plain_amount
from funding.store.opportunities import iter_opportunities


def export(
    session: Session, out: IO[str], *, fmt: str = "jsonl", changed_since: datetime | None = None
) -> int:
    """Write every opportunity (or those changed since a time); return how many were written."""
    records = (to_contract(o) for o in iter_opportunities(session, changed_since=changed_since))
    if fmt == "jsonl":
        count = 0
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        return count
    if fmt == "csv":
        return _write_csv(list(records), out)
    raise ValueError(f"unknown export format {fmt!r}: use jsonl or csv")


def _write_csv(records: list[dict], out: IO[str]) -> int:
    """Lists and extra fields are written as JSON so that importing the file gives them back."""
    extras = sorted({key for record in records for key in record} - set(CONTRACT_FIELDS))
    writer = csv.DictWriter(out, fieldnames=[*CONTRACT_FIELDS, *extras], lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({key: _cell(key, value) for key, value in record.items()})
    return len(records)


# Numbers written so that `funding import` reads back exactly the same float.
AMOUNTS = {"amount_min", "amount_max", "total_budget", "cofinancing_rate_max"}


def _cell(key: str, value: object) -> object:
    if value is None:
        return ""
    if key in AMOUNTS and isinstance(value, int | float) and not isinstance(value, bool):
        return plain_amount(value)
    if key in CONTRACT_FIELDS and not isinstance(value, list | dict | bool):
        return value
    return json.dumps(value, ensure_ascii=False)
