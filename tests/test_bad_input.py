"""One bad line never sinks a file: each is rejected by line, field and reason, the rest is stored.

Every case is a file of three records, the bad one in the middle, imported on SQLite and
PostgreSQL; the contract's limits are checked before the database sees a value.
"""

import gzip
import json
import subprocess
import sys

import pytest
from sqlmodel import Session, select

from funding.ingest.importer import import_file
from funding.store.models import Opportunity

GOOD = [
    {"id": "bad-input:first", "title": "Fonds eau", "url": "https://example.org/1"},
    {"id": "bad-input:last", "title": "Prix climat", "url": "https://example.org/3"},
]
BIG = 2**70  # beyond 64 bits
# name -> (the bad record, the field named, words of the reason)
JSONL_CASES = {
    "id is an object": ({"id": {"x": 1}}, "id", "is not text"),
    "id is a list": ({"id": ["x:1"]}, "id", "is not text"),
    "id over 255 characters": ({"id": "x:" + "a" * 300}, "id", "longer than 255 characters"),
    "source over 100 characters": ({"source": "s" * 120}, "source", "longer than 100 characters"),
    "min_partners beyond 64 bits": ({"min_partners": BIG}, "min_partners", "number of partners"),
    "min_partners as text beyond 64 bits": (
        {"min_partners": str(BIG)},
        "min_partners",
        "number of partners",
    ),
    "an amount too large for a float": ({"amount_max": "1e400"}, "amount_max", "not an amount"),
    "themes of numbers": ({"themes": [1, 2]}, "themes", "is not text"),
    "title is an object": ({"title": {"fr": "Fonds"}}, "title", "is not text"),
}
CSV_CASES = {
    "min_partners beyond 64 bits": (
        {"min_partners": str(BIG)},
        "min_partners",
        "number of partners",
    ),
    "id over 255 characters": ({"id": "x:" + "a" * 300}, "id", "longer than 255 characters"),
    "source over 100 characters": ({"source": "s" * 120}, "source", "longer than 100 characters"),
    "an amount in scientific notation out of range": (
        {"amount_min": "9e999"},
        "amount_min",
        "not an amount",
    ),
}


def _bad(extra: dict) -> dict:
    return {"id": "bad-input:middle", "title": "Appel", "url": "https://example.org/2", **extra}


def _stored(engine) -> set[str]:
    with Session(engine) as session:
        return set(session.exec(select(Opportunity.id)))


def _check(engine, path, line: int, field: str, reason: str, fault_table) -> None:
    report = import_file(engine, path)
    named = [str(r) for r in report.rejections]
    kept = _stored(engine) & {g["id"] for g in GOOD}
    right = (
        len(named) == 1
        and named[0].startswith(f"{path.name}: line {line}: {field}")
        and (reason in named[0])
    )
    fault_table.bad_input(str(engine.url), path.name, 1, int(right), len(GOOD), len(kept))
    assert right, named
    assert (report.inserted, report.rejected) == (2, 1)
    assert kept == {g["id"] for g in GOOD}


@pytest.mark.parametrize("case", list(JSONL_CASES))
def test_a_bad_jsonl_record_is_a_rejected_line(engine, tmp_path, case, fault_table):
    extra, field, reason = JSONL_CASES[case]
    path = tmp_path / "calls.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (GOOD[0], _bad(extra), GOOD[1])) + "\n")
    _check(engine, path, 2, field, reason, fault_table)


def _csv(path, records: list[dict], *, encoding: str = "utf-8") -> None:
    import csv
    import io

    columns = list(dict.fromkeys(k for r in records for k in r))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    path.write_bytes(out.getvalue().encode(encoding))


@pytest.mark.parametrize("case", list(CSV_CASES))
def test_a_bad_csv_row_is_a_rejected_line(engine, tmp_path, case, fault_table):
    extra, field, reason = CSV_CASES[case]
    path = tmp_path / "calls.csv"
    _csv(path, [GOOD[0], _bad(extra), GOOD[1]])
    _check(engine, path, 3, field, reason, fault_table)  # line 1 is the header


def test_a_byte_that_is_not_utf8_rejects_its_csv_row_only(engine, tmp_path, fault_table):
    path = tmp_path / "latin.csv"
    _csv(path, [GOOD[0], _bad({"title": "Appel à projets"}), GOOD[1]], encoding="utf-8")
    path.write_bytes(path.read_bytes().replace("à".encode(), b"\xe0"))  # one latin-1 byte
    _check(engine, path, 3, "title", "not UTF-8", fault_table)


def test_a_byte_that_is_not_utf8_rejects_its_jsonl_line_only(engine, tmp_path, fault_table):
    path = tmp_path / "latin.jsonl"
    records = (GOOD[0], _bad({"title": "Appel à"}), GOOD[1])
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    path.write_bytes("\n".join(lines).encode().replace("à".encode(), b"\xe0") + b"\n")
    _check(engine, path, 2, "", "not UTF-8", fault_table)


def test_a_nul_character_is_stripped_and_the_record_kept(engine, tmp_path):
    """PostgreSQL refuses NUL in text: it is dropped on the way in, on both databases."""
    path = tmp_path / "nul.jsonl"
    nul = _bad({"title": "Ap\x00pel", "themes": ["ea\x00u"], "note": "a\x00b"})
    records = [GOOD[0], nul, GOOD[1]]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    report = import_file(engine, path)
    assert (report.inserted, report.rejected) == (3, 0), [str(r) for r in report.rejections]
    with Session(engine) as session:
        stored = session.get(Opportunity, "bad-input:middle")
        assert (stored.title, stored.themes, stored.extra) == ("Appel", ["eau"], {"note": "ab"})


def test_the_first_csv_row_is_line_2(engine, tmp_path):
    path = tmp_path / "first.csv"
    _csv(path, [_bad({"deadlines": "31/02/2026"}), *GOOD])
    report = import_file(engine, path)
    assert [str(r) for r in report.rejections] == [
        "first.csv: line 2: deadlines[0]: '31/02/2026' is not a date"
    ]


def test_a_semicolon_separated_csv_is_read_and_said(engine, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text(
        "id;title;url;amount_max\n"
        'semi:1;Fonds eau;https://example.org/1;"1 500 000 €"\n'
        "semi:2;Prix;https://example.org/2;50 k€\n",
        encoding="utf-8",
    )
    report = import_file(engine, path)
    assert (report.inserted, report.rejected) == (2, 0), [str(r) for r in report.rejections]
    assert report.notes == ["excel.csv: read as ';'-separated (the header line has no comma)"]
    with Session(engine) as session:
        assert session.get(Opportunity, "semi:1").amount_max == 1_500_000


def test_duplicate_ids_in_one_file_are_reported_and_the_last_wins(engine, tmp_path):
    path = tmp_path / "twice.jsonl"
    again = [{**GOOD[0], "title": "Deuxième"}, {**GOOD[0], "title": "Troisième"}]
    records = [GOOD[0], again[0], GOOD[1], again[1]]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    report = import_file(engine, path)
    assert report.notes == [
        "twice.jsonl: line 2: id bad-input:first repeats line 1; the last one wins",
        "twice.jsonl: line 4: id bad-input:first repeats line 1; the last one wins",
    ]
    with Session(engine) as session:
        assert session.get(Opportunity, GOOD[0]["id"]).title == "Troisième"


def _funding(*args: str) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "funding.cli", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # about the file, not the store
def test_gzip_faults_are_named_and_what_was_read_is_kept(database_url, tmp_path):
    not_gzip = tmp_path / "calls.jsonl.gz"
    not_gzip.write_text(json.dumps(GOOD[0]) + "\n")
    result = _funding("import", str(not_gzip))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "rejected: calls.jsonl.gz: not a gzip file" in result.stderr

    lines = "".join(json.dumps({**GOOD[0], "id": f"gz:{n}"}) + "\n" for n in range(2000))
    whole = gzip.compress(lines.encode())
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    result = _funding("import", "--no-enrich", str(cut))
    assert result.returncode == 1, result.stderr
    assert "Aborted" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert "the compressed file is cut off" in result.stderr
    from sqlalchemy import create_engine

    stored = (
        create_engine(database_url)
        .connect()
        .exec_driver_sql("SELECT count(*) FROM opportunity")
        .scalar()
    )
    assert 0 < stored < 2000  # what was read before the cut is kept
    assert f"{stored} inserted" in result.stdout
